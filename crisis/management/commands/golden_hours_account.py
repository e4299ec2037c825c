"""``manage.py golden_hours_account --username wang.fang --email wang.fang@acme.example``: an account to invite.

Golden Hours has no sign-up page, and an invitation is mailed only to an account that exists (so an
admin cannot mail strangers through it). The operator creates the account; an admin of the organization
then invites it from the desk's Members page, and the person accepts. The password comes from
GOLDEN_HOURS_ADMIN_PASSWORD or is asked for at a terminal; the person changes it after signing in.
"""

from django.core.management.base import BaseCommand, CommandError

from crisis.services.errors import DomainError
from crisis.services.origin import Origin, origin_set
from crisis.services.setup import account_create

from .golden_hours_setup import PASSWORD_ENV, password_from_env_or_prompt


class Command(BaseCommand):
    help = (f"Create a sign-in account (no organization: invite it from the desk). Password from {PASSWORD_ENV} "
            "or asked for at a terminal. An existing account is left as it is.")

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="", help="where invitations to this account are mailed")
        parser.add_argument("--no-input", action="store_true", help="never prompt (take the password from the env)")

    def handle(self, *args, username: str, email: str, no_input: bool, **options):
        from django.contrib.auth import get_user_model

        if get_user_model().objects.filter(username=username.strip()).exists():
            self.stdout.write(f"The account {username.strip()} already exists. Nothing was changed.")
            return
        password = password_from_env_or_prompt(interactive=not no_input)
        if not password:
            raise CommandError(f"Nothing was changed. A new account needs a password: set {PASSWORD_ENV} "
                               "or run the command at a terminal to be asked for it.")
        try:
            with origin_set(Origin(via="command")):
                user, _created = account_create(username=username, email=email, password=password)
        except DomainError as exc:
            details = "\n".join(f"  {name}: {'; '.join(reasons)}" for name, reasons in exc.fields.items())
            raise CommandError(f"Nothing was changed. {exc.message}\n{details}".rstrip()) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Created the account {user.get_username()}. An admin can now invite it from the Members page."))
