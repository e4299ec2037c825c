"""Opening pages, one or two hundred at a time.

When a sweep breaches 200 deadlines at once, paging them one by one costs some 25 queries a page
and the last person hears about it seconds later. Here a batch costs a fixed handful: one insert
each for the pages, their timeline events, audit rows, deliveries and escalation timers, and a
query per policy or schedule involved. The result is the same as opening each page and walking it
to its first level with someone to page (``page_escalate`` from step -1): same steps, versions,
events, audit rows, deliveries and timers; tests/oncall/test_opening.py checks that equivalence.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction

from crisis import clock
from crisis.models import OPEN_STATUSES, AuditEntry, Breach, Deadline, Incident, Organization, Severity, TimelineEvent
from crisis.models.deadline import deadline_outlives_incident
from crisis.services.audit import audit_entry
from crisis.system_lines import Message, line, line_english

from ..models import EscalationPolicy, Page
from ..selectors import Level, escalation_policy_choose, level_user_ids, levels_for, step_count_for
from ..sentiment_levels import sentiment_level_of
from .deliveries import deliveries_create_many
from .page_records import escalation_deadlines_create, page_event_row

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageSpec:
    organization: Organization
    incident: Incident | None
    source: str
    dedup_key: str
    # A system line (crisis/system_lines.py) when the desk writes it, text when a person does.
    title: Message | str
    body: Message | str = ""
    severity: int | None = None
    breach: Breach | None = None
    deadline: Deadline | None = None
    target_user: object = None
    actor: object = None
    # People to page in turn instead of a policy (an owned deadline's owner, deputies, commander).
    chain: tuple = ()


@dataclass
class _Plan:
    spec: PageSpec
    severity: int
    policy: EscalationPolicy | None
    levels: list[Level]
    total: int
    step: int = -1  # the first step with someone to page; -1 while nobody is found
    users: tuple = ()


class _Lookups:
    """Per-batch caches: each policy, level list and schedule is read once however many pages share it."""

    def __init__(self, now: datetime):
        self.now = now
        self.policies: dict[tuple[int, int, int], EscalationPolicy | None] = {}
        self.levels: dict[tuple[int | None, int | None, str], list[Level]] = {}
        self.on_call: dict[int, int | None] = {}
        self.org_policies: dict[int, list[EscalationPolicy]] = {}
        self.sentiment_levels: dict[int, int] = {}

    def _policies_of(self, organization: Organization) -> list[EscalationPolicy]:
        if organization.pk not in self.org_policies:
            self.org_policies[organization.pk] = list(
                EscalationPolicy.objects.filter(organization=organization).order_by("id"))
        return self.org_policies[organization.pk]

    def _sentiment_level(self, spec: PageSpec, policies: list[EscalationPolicy]) -> int:
        """Read only where a policy asks for a level: it walks the incident's checkpoints."""
        if spec.incident is None or not any(p.min_sentiment_level for p in policies):
            return 0
        if spec.incident.pk not in self.sentiment_levels:
            self.sentiment_levels[spec.incident.pk] = sentiment_level_of(spec.incident)
        return self.sentiment_levels[spec.incident.pk]

    def plan(self, spec: PageSpec) -> _Plan:
        severity = spec.severity or (spec.incident.severity if spec.incident else Severity.SEV3)
        policy = None
        if spec.target_user is None and not spec.chain:
            policies = self._policies_of(spec.organization)
            level = self._sentiment_level(spec, policies)
            key = (spec.organization.pk, severity, level)
            if key not in self.policies:
                self.policies[key] = escalation_policy_choose(policies=policies, severity=severity,
                                                              sentiment_level=level)
            policy = self.policies[key]
        target_id = spec.target_user.pk if spec.target_user is not None else None
        level_key = (policy.pk if policy else None, target_id, repr(spec.chain))
        if level_key not in self.levels:
            self.levels[level_key] = levels_for(policy_id=level_key[0], target_user_id=target_id,
                                                chain=list(spec.chain))
        levels = self.levels[level_key]
        return _Plan(spec=spec, severity=severity, policy=policy, levels=levels,
                     total=step_count_for(policy=policy, target_user_id=target_id, levels=levels))

    def candidates(self, plan: _Plan) -> list[list[int]]:
        # Repeats walk the same levels at the same moment, so the first round says who can be paged at all.
        return [level_user_ids(level=level, incident=plan.spec.incident, moment=self.now, on_call=self.on_call)
                for level in plan.levels[: plan.total]]


@transaction.atomic
def pages_open(*, specs: list[PageSpec]) -> list[tuple[Page | None, bool]]:
    """Open a page per spec (once per dedup key) and page its first level that has someone to page.
    Returns (page, created) for each spec, in order; (None, False) where the incident is no longer open
    (unless the page is about a deadline that outlives it: an action item)."""
    if not specs:
        return []
    now = clock.now()
    still_open = incidents_lock_open({s.incident.pk for s in specs if s.incident is not None})
    found = _already_open({s.dedup_key for s in specs})
    fresh: dict[str, PageSpec] = {}
    for spec in specs:
        if spec.dedup_key not in found and (spec.incident is None or spec.incident.pk in still_open
                                            or _outlives_incident(spec)):
            fresh.setdefault(spec.dedup_key, spec)
    if fresh:
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the caller's transaction usable
                found |= {page.dedup_key: page for page in _create(list(fresh.values()), now)}
        except IntegrityError:
            if len(specs) == 1:  # another path opened this very page first
                return [(Page.objects.get(dedup_key=specs[0].dedup_key), False)]
            return [pages_open(specs=[spec])[0] for spec in specs]
    results: list[tuple[Page | None, bool]] = []
    seen: set[str] = set()
    for spec in specs:
        results.append((found.get(spec.dedup_key), spec.dedup_key in fresh and spec.dedup_key not in seen))
        seen.add(spec.dedup_key)
    return results


def incidents_lock_open(incident_ids: set[int]) -> set[int]:
    """Lock these incidents FOR SHARE, in id order, and return the ids of those still open.

    Whoever pages read the incident as open before this transaction, and a resolve may have committed
    since; its clean-up (``incident_pages_resolve``) ran before our page existed, so a page opened now
    would stay triggered, be delivered and escalate for an incident that is over. A resolve is an UPDATE
    of the incident row, which conflicts with FOR SHARE: a resolve in progress makes us wait and we then
    read what it committed; a resolve that comes later waits for our commit, then finds our pages and
    resolves them. FOR SHARE does not conflict with the foreign-key locks (FOR KEY SHARE) that timeline,
    page and delivery inserts take, nor with another dispatch's FOR SHARE, so the desk keeps logging and
    batches page side by side; id order keeps two lockers from deadlocking. SQLite has no row locks (its
    writers are serialized from BEGIN IMMEDIATE); the status is read all the same.
    """
    if not incident_ids:
        return set()
    ids = sorted(incident_ids)
    if connection.vendor != "postgresql":
        rows = Incident.objects.filter(pk__in=ids).values_list("pk", "status")
    else:
        table = connection.ops.quote_name(Incident._meta.db_table)
        with connection.cursor() as cursor:
            # Django's select_for_update has no FOR SHARE; the table name is the model's own.
            cursor.execute(f"SELECT id, status FROM {table} WHERE id = ANY(%s) ORDER BY id FOR SHARE", [ids])  # noqa: S608
            rows = cursor.fetchall()
    return {pk for pk, status in rows if status in OPEN_STATUSES}


def _outlives_incident(spec: PageSpec) -> bool:
    # An action item's warning or page is still wanted when its incident is over (OUTLIVES_INCIDENT_KINDS).
    return spec.deadline is not None and deadline_outlives_incident(spec.deadline)


def _already_open(dedup_keys: set[str]) -> dict[str, Page]:
    return {page.dedup_key: page for page in Page.objects.filter(dedup_key__in=dedup_keys)}


def _create(specs: list[PageSpec], now: datetime) -> list[Page]:
    lookups = _Lookups(now)
    plans = [lookups.plan(spec) for spec in specs]
    candidates = [lookups.candidates(plan) for plan in plans]
    people = get_user_model().objects.in_bulk({pk for rows in candidates for ids in rows for pk in ids})
    for plan, rows in zip(plans, candidates, strict=True):
        for step, ids in enumerate(rows):
            users = tuple(people[pk] for pk in ids if pk in people)
            if users:
                plan.step, plan.users = step, users
                break

    pages = Page.objects.bulk_create([_page(plan, now) for plan in plans])
    events: list[TimelineEvent | None] = []
    audits, deliveries, timers = [], [], []
    for plan, page in zip(plans, pages, strict=True):
        spec = plan.spec
        events.append(page_event_row(page, line("page.opened", title=page.title_line), actor=spec.actor,
                                     dedup_key=spec.dedup_key, step=-1))
        audits.append(audit_entry(organization=spec.organization, actor=spec.actor, action="page.open", obj=page,
                                  changes={"dedup_key": spec.dedup_key, "source": spec.source}))
        skipped = range(plan.step) if plan.users else range(plan.total)
        events += [page_event_row(page, line("page.level_empty", n=step % len(plan.levels) + 1), step=step)
                   for step in skipped]
        if not plan.users:
            events.append(page_event_row(page, line("page.levels_exhausted")))
            continue
        user_ids = [u.pk for u in plan.users]
        deliveries.append((page, list(plan.users), plan.step))
        events.append(page_event_row(page, line(
            "page.paged", who=", ".join(u.get_full_name() or u.get_username() for u in plan.users),
            n=plan.step % len(plan.levels) + 1), users=user_ids))
        audits.append(audit_entry(organization=spec.organization, actor=None, action="page.escalate", obj=page,
                                  changes={"step": plan.step, "users": user_ids}))
        if plan.step + 1 < plan.total:
            wait = timedelta(seconds=plan.levels[plan.step % len(plan.levels)].wait_seconds)
            timers.append((page, plan.step, wait))
    TimelineEvent.objects.bulk_create([e for e in events if e is not None])
    AuditEntry.objects.bulk_create(audits)
    # Deliveries before timers: their messages are published first when the transaction commits.
    deliveries_create_many(items=deliveries, now=now)
    escalation_deadlines_create(items=timers, now=now)
    transaction.on_commit(lambda: _log_opened(pages, plans))
    return pages


def _text(value: Message | str) -> str:
    return line_english(value) if isinstance(value, dict) else value


def _log_opened(pages: list[Page], plans: list["_Plan"]) -> None:
    for page, plan in zip(pages, plans, strict=True):
        ids = {"incident_id": page.incident_id, "deadline_id": page.deadline_id}
        if plan.users:
            logger.info("page %s opened (%s): paging %d people at level %d", page.pk, page.dedup_key,
                        len(plan.users), plan.step % len(plan.levels) + 1, extra=ids)
        else:
            logger.warning("page %s opened (%s) with nobody to page", page.pk, page.dedup_key, extra=ids)


def _page(plan: _Plan, now: datetime) -> Page:
    spec = plan.spec
    actor = spec.actor if getattr(spec.actor, "is_authenticated", False) else None
    step = plan.step if plan.users else plan.total - 1
    return Page(
        organization=spec.organization, incident=spec.incident, dedup_key=spec.dedup_key, source=spec.source,
        title=_text(spec.title)[:300], body=_text(spec.body),
        message={part: value for part, value in (("title", spec.title), ("body", spec.body))
                 if isinstance(value, dict)},
        severity=plan.severity, policy=plan.policy, breach=spec.breach,
        deadline=spec.deadline,
        target_user=spec.target_user, chain=list(spec.chain), triggered_at=now, created_by=actor,
        # As if walked from step -1 one compare-and-set at a time: each step taken bumps the version.
        step=step, version=1 + (step + 1),
    )
