from django.core.management.base import BaseCommand

from crisis.reports.demo import demo_postmortems_seed


class Command(BaseCommand):
    help = ("Write the demo incidents' post-mortems and generate them in HTML, Markdown, PDF and JSON "
            "(run seed_demo first).")

    def handle(self, *args, **options):
        incidents = demo_postmortems_seed()
        for incident in incidents:
            self.stdout.write(f"post-mortem ready: {incident.pk} {incident.title}")
