"""Give pages opened before 0005 their title and body as system lines, read back from the English text
with the frozen templates of crisis 0008. A page titled by hand, one written in Chinese and the list
of a late-logged incident's missed deadlines keep their text as it is."""

import importlib

from django.db import migrations

PARTS = ("page.title.", "page.body.")


def _read(text: str):
    if not text:
        return None
    matcher = importlib.import_module("crisis.migrations.0008_system_lines_backfill")
    message = matcher.match(text, parts=True)
    return message if message and message["key"].startswith(PARTS) else None


def backfill(apps, schema_editor):
    Page = apps.get_model("crisis_oncall", "Page")
    batch = []
    for page in Page.objects.filter(message={}).only("id", "title", "body").iterator(chunk_size=2000):
        message = {part: said for part, said in (("title", _read(page.title)), ("body", _read(page.body))) if said}
        if message:
            page.message = message
            batch.append(page)
        if len(batch) >= 1000:
            Page.objects.bulk_update(batch, ["message"])
            batch = []
    if batch:
        Page.objects.bulk_update(batch, ["message"])


class Migration(migrations.Migration):

    dependencies = [
        ("crisis", "0008_system_lines_backfill"),
        ("crisis_oncall", "0006_page_message"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
