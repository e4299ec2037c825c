"""What an admin setting up on-call should be warned about before the night it matters.

(``warnings.py`` is the engine's "due in 10 minutes" page, a different thing; these are warnings about
configuration, shown on the setup pages.) Each check takes rows already loaded and asks the database
at most once, whatever their number.
"""

from django.utils.translation import gettext as _

from .models import ContactMethod, EscalationPolicy, Rotation, TargetKind
from .preview import SchedulePreview


def people_reachable(*, user_ids: set[int]) -> set[int]:
    """The people among ``user_ids`` with at least one active contact method (one query)."""
    if not user_ids:
        return set()
    return set(ContactMethod.objects.filter(user_id__in=user_ids, is_active=True)
               .values_list("user_id", flat=True).distinct())


def rotation_warnings(*, rotations: list[Rotation], reachable: set[int]) -> dict[int, list[str]]:
    """Rotations loaded with ``members__user``: members a page could not reach, and rotations without members."""
    found: dict[int, list[str]] = {}
    for rotation in rotations:
        members = list(rotation.members.all())
        notes = []
        if not members:
            notes.append(_("This rotation has no members: it puts nobody on call."))
        for member in members:
            if member.user_id not in reachable:
                notes.append(_("%(name)s has no active contact method: a page cannot reach them.")
                             % {"name": member.user.get_full_name() or member.user.get_username()})
        if notes:
            found[rotation.pk] = notes
    return found


def policy_warnings(*, policies: list[EscalationPolicy], previews: dict[int, SchedulePreview],
                    reachable: set[int]) -> dict[int, list[str]]:
    """Policies loaded with ``levels__user`` and ``levels__schedule``; ``previews`` cover every schedule named."""
    found: dict[int, list[str]] = {}
    for policy in policies:
        levels = list(policy.levels.all())
        notes = []
        if not levels:
            notes.append(_("This policy has no levels: it pages nobody but the incident commander."))
        for number, level in enumerate(levels, start=1):
            if level.target_kind == TargetKind.SCHEDULE:
                preview = previews.get(level.schedule_id)
                if preview is None or not preview.has_anyone:
                    notes.append(_("Level %(n)d pages %(schedule)s, where nobody is on call in the next two weeks.")
                                 % {"n": number, "schedule": level.schedule.name})
            elif level.target_kind == TargetKind.USER and level.user_id not in reachable:
                notes.append(_("Level %(n)d pages %(name)s, who has no active contact method.")
                             % {"n": number, "name": level.user.get_full_name() or level.user.get_username()})
        if notes:
            found[policy.pk] = notes
    return found
