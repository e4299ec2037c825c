"""The incident's checkpoints as a CSV in the columns the upload reads, so that an export can be uploaded again."""

from collections.abc import Iterable

from crisis.csv_export import SafeCsvWriter
from crisis.models import SentimentCheckpoint
from crisis.selectors import local_time

from .csv_import import KNOWN_COLUMNS


def sentiment_csv_write(stream, *, checkpoints: Iterable[SentimentCheckpoint], zone: str) -> None:
    """Times in the incident's zone with their offset (read back as the same instant); shares as fractions."""
    writer = SafeCsvWriter(stream)
    writer.writerow(list(KNOWN_COLUMNS))
    for checkpoint in checkpoints:
        row = []
        for column in KNOWN_COLUMNS:
            value = getattr(checkpoint, column)
            if column == "measured_at":
                value = local_time(value, zone).isoformat()
            row.append(value)
        writer.writerow(row)
