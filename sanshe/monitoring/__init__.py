"""Screening, quarantine follow-up and daily health check-ins (issue 5); the red-flag rules live in redflags.py."""
