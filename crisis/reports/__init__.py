"""Post-mortems (复盘): the record of an incident assembled against the playbook, and analytics across incidents."""
