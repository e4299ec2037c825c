"""Schemathesis hooks for the live contract run (loaded through SCHEMATHESIS_HOOKS by bin/api-contract)."""

import json
import os
from datetime import UTC, datetime, timedelta

import schemathesis
from hypothesis import strategies as st

from tests.api.contract.cases import case_aim

WORLD = json.loads(os.environ["GOLDEN_HOURS_CONTRACT_WORLD"])

# A happened-at time is judged against the incident (not in the future, not a month before its first public
# signal), so drawn times are from the last hour.
schemathesis.openapi.format("date-time", st.integers(60, 3600).map(
    lambda seconds: (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat()))


@schemathesis.hook
def before_call(context, case, kwargs):
    case_aim(case, WORLD, keep_path=case.meta is not None and case.meta.phase.name == "stateful")
