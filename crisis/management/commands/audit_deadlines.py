from datetime import timedelta

from django.core.management.base import BaseCommand

from crisis.health.auditor import audit_margin, deadlines_audit_overdue


class Command(BaseCommand):
    help = ("Breach deadlines still pending well past their due time (the engine is dead or stuck) and report them. "
            "Run it from cron or a systemd timer, apart from run_engine (docs/operations.md, \"Watching it\").")

    def add_arguments(self, parser):
        parser.add_argument("--margin", type=float, default=None,
                            help="Seconds past due before a pending deadline counts as missed by the engine "
                                 "(default GOLDEN_HOURS_AUDIT_MARGIN, 120).")

    def handle(self, *args, margin=None, **options):
        margin = audit_margin() if margin is None else timedelta(seconds=margin)
        caught = deadlines_audit_overdue(margin=margin)
        # Exit status stays 0 either way: the catch is reported in the log, the timeline and the audit log; a cron
        # wrapper that pages on output can grep this line.
        self.stdout.write(f"auditor caught {len(caught)} deadline(s)" + (f": {caught}" if caught else ""))
