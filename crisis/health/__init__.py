"""Golden Hours watching itself: liveness and readiness for load balancers, Prometheus metrics, the engine's
heartbeat, the dead-man's switch and the auditor that catches what a dead engine left pending
(docs/operations.md, "Watching it")."""
