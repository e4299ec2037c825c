import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from crisis.timers.engine import Engine


class Command(BaseCommand):
    help = "Run the deadline engine: breach due deadlines, relay breaches, keep Celery timers scheduled."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Sweep once and exit.")
        parser.add_argument("--max-sleep", type=float, default=settings.GOLDEN_HOURS_SWEEPER_MAX_SLEEP)

    def handle(self, *args, once=False, max_sleep=30.0, **options):
        engine = Engine(max_sleep=max_sleep, relay_after=settings.GOLDEN_HOURS_RELAY_AFTER)
        if once:
            breached = engine.tick()
            engine.housekeeping()
            self.stdout.write(f"breached {breached}")
            return

        def stop(*_args):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"deadline engine running (max sleep {max_sleep}s); Ctrl-C stops it")
        try:
            engine.run()
        except KeyboardInterrupt:
            self.stdout.write("deadline engine stopped")
