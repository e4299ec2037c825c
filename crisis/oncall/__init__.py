"""On-call alerting: schedules, escalation policies, pages and their delivery (issue 5)."""
