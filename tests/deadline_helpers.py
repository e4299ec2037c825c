from datetime import UTC, datetime

T0 = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # 02:00 in Shanghai: when these things happen


def by_step(incident, occurrence=0, kind="playbook"):
    return {d.step_key: d for d in incident.deadlines.filter(occurrence=occurrence, kind=kind)}
