"""Train group: imbalance strategies, cross-validated candidates and the champion."""
