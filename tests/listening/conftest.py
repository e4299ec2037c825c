from datetime import timedelta

import pytest

from crisis.services.sentiment import sentiment_checkpoints_ingest
from tests.deadline_helpers import T0


@pytest.fixture
def record(people, at):
    """``record(incident, (minutes after T0, negative share), ...)``: points on Weibo, entered by a responder
    a minute after the last of them was measured (the clock only moves forward)."""
    latest = [0.0]

    def _record(incident, *points, source="weibo", **measures):
        needed = max(m for m, _share in points) + 1
        if needed > latest[0]:
            latest[0] = needed
            at(needed)
        return sentiment_checkpoints_ingest(incident=incident, actor=people["responder"], points=[
            {"measured_at": T0 + timedelta(minutes=m), "source": source, "negative_share": share, **measures}
            for m, share in points])
    return _record


@pytest.fixture
def hot_incident(incident_at_t0, people, record, at):
    """An SEV3 incident, commanded, whose negative share reached 'high' (55 %) at T0+10 min."""
    def _open(**kw):
        kw.setdefault("commander", people["commander"])
        incident = incident_at_t0(severity=3, **kw)
        record(incident, (-30, 0.20), (10, 0.60))
        at(15)
        return incident
    return _open
