"""Across an organization's incidents: are we getting faster, which step slips, what recovers sentiment?

Four queries whatever the number of incidents (incidents, deadlines, first statements, checkpoints),
read as plain values; the arithmetic is done here so SQLite and PostgreSQL agree to the decimal.
Definitions are in docs/reports.md.
"""

import zoneinfo
from collections import defaultdict
from statistics import median

from django.db.models import Min
from django.utils.translation import gettext as _

from crisis.durations import minutes_between
from crisis.models import (
    Channel,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Incident,
    IncidentStatus,
    Organization,
    SentimentCheckpoint,
    Severity,
    Statement,
)

from .assembly import PUBLIC_KINDS
from .figures import Point, percentile, quarter_of, sentiment_recovery
from .svg import bar_svg, compliance_svg, line_svg, scatter_svg


def _share(met: int, breached: int) -> float | None:
    return round(met / (met + breached), 4) if met + breached else None


def _spread(values: list[float]) -> dict:
    return {"n": len(values), "median": round(median(values), 1) if values else None,
            "p90": percentile(values, 0.9)}


def organization_analytics(*, organization: Organization) -> dict:
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    incidents = list(Incident.objects.filter(organization=organization).exclude(status=IncidentStatus.FALSE_ALARM)
                     .order_by("first_public_signal_at", "id")
                     .values("id", "title", "severity", "status", "first_public_signal_at"))
    ids = [i["id"] for i in incidents]
    quarter = {i["id"]: quarter_of(i["first_public_signal_at"].astimezone(zone)) for i in incidents}
    first_statement = dict(
        Statement.objects.filter(incident__in=ids, published_at__isnull=False, kind__in=PUBLIC_KINDS)
        .exclude(channel=Channel.INTERNAL).values("incident").annotate(first=Min("published_at"))
        .values_list("incident", "first"))
    deadlines = Deadline.objects.filter(incident__in=ids, kind=DeadlineKind.PLAYBOOK).values_list(
        "incident_id", "step_key", "name", "state", "due_at", "met_at").order_by("due_at", "id")
    checkpoints = SentimentCheckpoint.objects.filter(incident__in=ids).order_by("incident_id", "measured_at", "id") \
        .values_list("id", "incident_id", "measured_at", "negative_share", "mention_volume", "corrects_id")
    steps, by_quarter, per_incident = _deadline_tallies(deadlines, quarter)
    rows = _incident_rows(incidents, quarter, first_statement, per_incident, _points_by_incident(checkpoints))
    return {
        "organization": organization.name,
        "incident_count": len(incidents),
        "quarters": sorted(set(quarter.values())),
        "steps": steps,
        "compliance_by_quarter": by_quarter,
        "slowest_step": _slowest(steps),
        "first_statement_by_severity": _first_statement_groups(rows, "severity"),
        "first_statement_by_quarter": _first_statement_groups(rows, "quarter"),
        "incidents": rows,
    }


def _deadline_tallies(deadlines, quarter: dict) -> tuple[list[dict], list[dict], dict]:
    steps: dict[str, dict] = {}
    quarters: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    per_incident: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    delays: dict[str, list[float]] = defaultdict(list)
    for incident_id, key, name, state, due_at, met_at in deadlines:
        step = steps.setdefault(key, {"key": key, "name": _(name), "met": 0, "breached": 0, "late": 0, "missed": 0})
        if met_at is not None:
            # Late is late: a step done after its due time still says how slow it was.
            delays[key].append(minutes_between(due_at, met_at))
        if state not in (DeadlineState.MET, DeadlineState.BREACHED):
            continue
        index = 0 if state == DeadlineState.MET else 1
        step["met" if index == 0 else "breached"] += 1
        if index == 1:
            # A breached deadline was either done after its due time (late) or never done (missed).
            step["late" if met_at is not None else "missed"] += 1
        quarters[quarter[incident_id]][key][index] += 1
        quarters[quarter[incident_id]]["*"][index] += 1
        per_incident[incident_id][index] += 1
    for key, step in steps.items():
        step["share_met"] = _share(step["met"], step["breached"])
        step["median_delay_minutes"] = round(median(delays[key]), 1) if delays[key] else None
    by_quarter = [{"quarter": q, "share_met": _share(*tallies["*"]),
                   "steps": {k: _share(*v) for k, v in tallies.items() if k != "*"}}
                  for q, tallies in sorted(quarters.items())]
    return list(steps.values()), by_quarter, per_incident


def _slowest(steps: list[dict]) -> dict | None:
    """The step done furthest past its due time (median), ties broken by the lower share met."""
    timed = [s for s in steps if s["median_delay_minutes"] is not None]
    if not timed:
        return None
    return max(timed, key=lambda s: (s["median_delay_minutes"], -(s["share_met"] or 0)))


def _points_by_incident(checkpoints) -> dict[int, list[Point]]:
    rows = list(checkpoints)
    corrected = {row[5] for row in rows if row[5]}
    points: dict[int, list[Point]] = defaultdict(list)
    for pk, incident_id, measured_at, negative, volume, _corrects in rows:
        if pk not in corrected:
            points[incident_id].append(Point(measured_at, negative, volume))
    return points


def _incident_rows(incidents, quarter, first_statement, per_incident, points) -> list[dict]:
    rows = []
    for incident in incidents:
        pk, t0 = incident["id"], incident["first_public_signal_at"]
        recovery = sentiment_recovery(points.get(pk, []), t0)
        met, breached = per_incident.get(pk, (0, 0))
        rows.append({
            "id": pk, "title": incident["title"], "severity": incident["severity"], "quarter": quarter[pk],
            "status": incident["status"], "first_public_signal_at": t0,
            "time_to_first_statement_minutes": minutes_between(t0, first_statement.get(pk)),
            "deadlines_met": met, "deadlines_breached": breached, "share_met": _share(met, breached),
            "baseline_negative_share": recovery.baseline,
            "peak_negative_share": recovery.peak.negative_share if recovery.peak else None,
            "recovery_minutes": recovery.minutes,
        })
    return rows


def _first_statement_groups(rows: list[dict], field: str) -> list[dict]:
    groups: dict = defaultdict(list)
    for row in rows:
        if row["time_to_first_statement_minutes"] is not None:
            groups[row[field]].append(row["time_to_first_statement_minutes"])
    keys = sorted({row[field] for row in rows})
    return [{field: key, "label": Severity(key).label if field == "severity" else key, **_spread(groups[key])}
            for key in keys]


def analytics_charts(data: dict) -> dict:
    steps = data["steps"]
    by_quarter = data["compliance_by_quarter"]
    quarters = [q["quarter"] for q in by_quarter]
    recovered = [(r["time_to_first_statement_minutes"], r["recovery_minutes"], r["title"]) for r in data["incidents"]
                 if r["time_to_first_statement_minutes"] is not None and r["recovery_minutes"] is not None]
    compliance = {"title": _("Golden-4-hours compliance: deadlines by step"),
                  "rows": [(s["name"], s["met"], s["late"], s["missed"]) for s in steps],
                  "legend": (_("on time"), _("late"), _("missed")), "empty": _("No deadline has come due yet.")}
    return {
        "compliance": compliance_svg(**compliance),
        "compliance_narrow": compliance_svg(**compliance, narrow=True),
        # A trend needs two quarters; one quarter would be a column of dots.
        "compliance_quarter": line_svg(
            title=_("Share of deadlines met on time, by quarter"), categories=quarters, unit="%", maximum=100,
            series=[(_("All steps"), [_pct(q["share_met"]) for q in by_quarter])]) if len(quarters) > 1 else "",
        "first_statement_quarter": line_svg(
            title=_("Time to first public statement (minutes), by quarter"),
            categories=[g["quarter"] for g in data["first_statement_by_quarter"]],
            series=[(_("median"), [g["median"] for g in data["first_statement_by_quarter"]]),
                    (_("90th percentile"), [g["p90"] for g in data["first_statement_by_quarter"]])]),
        "first_statement_severity": bar_svg(
            title=_("Median time to first public statement (minutes), by severity"),
            bars=[(str(g["label"]), g["median"]) for g in data["first_statement_by_severity"]]),
        "recovery": scatter_svg(
            title=_("Sentiment recovery against time to first statement"), points=recovered,
            x_label=_("minutes to first statement"), y_label=_("minutes from peak back to baseline"),
            empty=_("No incident has recovered to its baseline yet.")),
    }


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _csv_incidents(data: dict) -> list[list]:
    head = ["incident_id", "title", "severity", "quarter", "status", "first_public_signal_at",
            "time_to_first_statement_minutes", "deadlines_met", "deadlines_breached", "share_met",
            "baseline_negative_share", "peak_negative_share", "recovery_minutes"]
    return [head] + [[r["id"], r["title"], r["severity"], r["quarter"], r["status"],
                      r["first_public_signal_at"].isoformat(), _blank(r["time_to_first_statement_minutes"]),
                      r["deadlines_met"], r["deadlines_breached"], _blank(r["share_met"]),
                      _blank(r["baseline_negative_share"]), _blank(r["peak_negative_share"]),
                      _blank(r["recovery_minutes"])] for r in data["incidents"]]


def _csv_steps(data: dict) -> list[list]:
    head = ["quarter", "step", "share_met"]
    rows = [[q["quarter"], key, _blank(share)]
            for q in data["compliance_by_quarter"] for key, share in q["steps"].items()]
    totals = [["all", s["key"], _blank(s["share_met"]), s["met"], s["breached"], _blank(s["median_delay_minutes"])]
              for s in data["steps"]]
    return [head + ["met", "breached", "median_delay_minutes"]] + [r + ["", "", ""] for r in rows] + totals


def _csv_first_statement(data: dict) -> list[list]:
    head = ["group", "value", "incidents", "median_minutes", "p90_minutes"]
    return [head] + [["severity", g["severity"], g["n"], _blank(g["median"]), _blank(g["p90"])]
                     for g in data["first_statement_by_severity"]] \
        + [["quarter", g["quarter"], g["n"], _blank(g["median"]), _blank(g["p90"])]
           for g in data["first_statement_by_quarter"]]


def _blank(value):
    return "" if value is None else value


CSV_TABLES = {"incidents": _csv_incidents, "steps": _csv_steps, "first_statement": _csv_first_statement}
