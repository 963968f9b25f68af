"""Intake, assessment and explainable triage into the three tiers of online groups (issue 6)."""
