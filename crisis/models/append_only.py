from django.db import models
from django.utils.translation import gettext as _


class AppendOnlyError(Exception):
    pass


class AppendOnlyModel(models.Model):
    """History is corrected by new rows pointing at old ones, never rewritten.

    ``MUTABLE_FIELDS`` names the few presentation flags (such as pinning) that may change
    after the row is written; they must be saved with ``update_fields``.
    """

    MUTABLE_FIELDS: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if not update_fields or not set(update_fields) <= self.MUTABLE_FIELDS:
                raise AppendOnlyError(_("%(model)s rows are append-only; record a correction instead.")
                                      % {"model": type(self).__name__})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("%(model)s rows are append-only and cannot be deleted.")
                              % {"model": type(self).__name__})
