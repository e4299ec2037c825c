from django.core.management.base import BaseCommand

from crisis.demo.seed import DEMO_PASSWORD, USERS, demo_seed


class Command(BaseCommand):
    help = "Create the demo organization, users and incidents (idempotent)."

    def handle(self, *args, **options):
        incidents = demo_seed()
        for incident in incidents.values():
            self.stdout.write(f"  incident #{incident.pk}: {incident.title} [{incident.status}]")
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready. Users: {', '.join('demo-' + u for u in USERS)}; password: {DEMO_PASSWORD}"
        ))
