"""Clean group: noise filtering of the real training rows."""
