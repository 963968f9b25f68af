"""Risk detection placeholder constants (filled below)."""
IMMINENT_LEVEL = 9
ALERT_LEVEL = 6
