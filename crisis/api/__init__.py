"""The REST API (/api/v1/): DRF views over the crisis services, plus API tokens, idempotency and webhooks."""
