from django.db.models.signals import post_save

from crisis.models import Organization


def organization_seed_templates(sender, instance: Organization, created: bool, raw: bool = False, **kwargs) -> None:
    # A fresh organization has first-hour templates before its first crisis, not after somebody thinks of them.
    if created and not raw:
        from .services.templates import statement_templates_seed

        statement_templates_seed(organization=instance)


def connect() -> None:
    post_save.connect(organization_seed_templates, sender=Organization, dispatch_uid="comms_seed_templates")
