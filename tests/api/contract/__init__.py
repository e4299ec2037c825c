"""The API contract run: Schemathesis against a live server (``bin/api-contract``), all checks, every phase."""
