"""``manage.py golden_hours_setup --organization "Acme" --username li --email li@acme.cn --time-zone Asia/Shanghai``.

The first run on a fresh server: the organization and its first admin (README, "First run on your own
server"; docs/operations.md). The password comes from GOLDEN_HOURS_ADMIN_PASSWORD, or is asked for twice
at a terminal; it is never an argument, which would leave it in the shell's history and the process list.
"""

import getpass
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crisis.services.errors import DomainError
from crisis.services.origin import Origin, origin_set
from crisis.services.setup import organization_setup

PASSWORD_ENV = "GOLDEN_HOURS_ADMIN_PASSWORD"


def password_from_env_or_prompt(*, interactive: bool) -> str | None:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not interactive or not sys.stdin.isatty():
        return None
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CommandError("The two passwords differ; nothing was changed.")
    return first


class Command(BaseCommand):
    help = ("Create the first organization and its admin (idempotent: run again with the same names, it changes "
            f"nothing). The password is read from {PASSWORD_ENV} or asked for at a terminal.")

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="the organization's name, e.g. \"Acme 中国\"")
        parser.add_argument("--slug", default="", help="its short name in URLs (default: made from the name)")
        parser.add_argument("--username", required=True, help="the first admin's username")
        parser.add_argument("--email", default="", help="the first admin's email address (for invitations' replies)")
        parser.add_argument("--time-zone", default=settings.GOLDEN_HOURS_DEFAULT_TIME_ZONE,
                            help="IANA zone the organization's dates are read in (default: %(default)s)")
        parser.add_argument("--no-input", action="store_true", help="never prompt (take the password from the env)")

    def handle(self, *args, organization: str, slug: str, username: str, email: str, time_zone: str,
               no_input: bool, **options):
        from django.contrib.auth import get_user_model

        # Only a new account needs a password: a second run is not asked for one.
        needs_password = not get_user_model().objects.filter(username=username.strip()).exists()
        password = password_from_env_or_prompt(interactive=not no_input) if needs_password else None
        if needs_password and not password:
            raise CommandError(f"Nothing was changed. A new account needs a password: set {PASSWORD_ENV} "
                               "or run the command at a terminal to be asked for it.")
        try:
            with origin_set(Origin(via="command")):
                result = organization_setup(name=organization, slug=slug, username=username, email=email,
                                            password=password, time_zone=time_zone)
        except DomainError as exc:
            details = "\n".join(f"  {name}: {'; '.join(reasons)}" for name, reasons in exc.fields.items())
            raise CommandError(f"Nothing was changed. {exc.message}\n{details}".rstrip()) from exc
        org, user = result.organization, result.user
        if not result.changed_anything:
            self.stdout.write(f"Already set up: {user.get_username()} is an admin of {org.name} "
                              f"(slug {org.slug}, time zone {org.time_zone}). Nothing was changed.")
            return
        account = "a new account" if result.user_created else "an existing account, left as it was"
        self.stdout.write(self.style.SUCCESS(
            f"Created {org.name} (slug {org.slug}, time zone {org.time_zone}) with {user.get_username()} "
            f"({account}) as its admin. Sign in at {settings.GOLDEN_HOURS_BASE_URL.rstrip('/')}/login/ and invite "
            "people from the Members page of the dashboard."))
