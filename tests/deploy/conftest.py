# The on-call fixtures (a schedule, an escalation policy, a commanded incident), for the paging log lines.
from tests.oncall.conftest import commanded_incident, policy, schedule  # noqa: F401
