"""Holdout group: the untouched real hold-out's evaluation and the SMOTE report."""
