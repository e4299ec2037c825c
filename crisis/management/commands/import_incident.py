"""``manage.py import_incident crisis.json --organization acme --user wang``: load a past crisis (docs/import.md)."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from crisis.models import Organization
from crisis.services.errors import DomainError
from crisis.services.imports import incident_import
from crisis.services.origin import Origin, origin_set


class Command(BaseCommand):
    help = "Import a past crisis from a JSON document (format golden-hours/incident-import/1); all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the JSON document ('-' for standard input)")
        parser.add_argument("--organization", required=True, help="the organization's slug")
        parser.add_argument("--user", required=True, help="username of a commander or admin of that organization")

    def handle(self, *args, path: str, organization: str, user: str, **options):
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organization with the slug {organization!r}.")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No user named {user!r}.")
        try:
            with open(0 if path == "-" else path, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            with origin_set(Origin(via="command")):
                result = incident_import(organization=org, actor=actor, document=document)
        except DomainError as exc:
            details = "\n".join(f"  {name}: {'; '.join(reasons)}" for name, reasons in exc.fields.items())
            raise CommandError(f"Nothing was imported. {exc.message}\n{details}".rstrip()) from exc
        incident = result.incident
        self.stdout.write(self.style.SUCCESS(
            f"Imported incident {incident.pk} ({incident.title}): {result.events} events, "
            f"{result.statements} statements, {result.checkpoints} checkpoints; "
            f"{incident.deadlines.count()} deadlines judged; nobody was paged."))
