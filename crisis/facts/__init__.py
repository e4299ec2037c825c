"""The fact sheet: what the brand stands behind in an incident, and the check that keeps every channel saying it."""
