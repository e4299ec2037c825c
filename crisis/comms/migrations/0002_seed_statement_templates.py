"""Organizations that existed before templates get the default first-hour templates; new ones get them when
they are created (crisis/comms/receivers.py). The seed's words are copied here, as a migration must not change
when crisis/comms/defaults.py later does."""

from django.db import migrations

SEED = [
    ("holding", "en", "Holding statement",
     "We are aware of reports about {what} (since {when}). We take this seriously and are looking into it now. "
     "We will share what we know by {next_update}, or sooner if we learn more."),
    ("holding", "zh-hans", "情况说明",
     "我们已关注到关于{what}的信息（{when}起）。我们高度重视，正在全力核查。我们将在{next_update}前公布进展，如有新情况会第一时间告知。"),
    ("update", "en", "Update",
     "An update on {what}: here is what we know now, and what we are doing about it. "
     "We will update again by {next_update}."),
    ("update", "zh-hans", "进展通报",
     "关于{what}的最新进展：目前已确认的情况和我们正在采取的措施如下。我们将在{next_update}前再次更新。"),
    ("apology", "en", "Apology",
     "We are sorry for {what}. The people affected come first: we are contacting them directly. "
     "We will say what caused it and what we are changing by {next_update}."),
    ("apology", "zh-hans", "致歉声明",
     "对于{what}，我们深表歉意。我们正在第一时间联系受影响的用户。我们将在{next_update}前说明原因和整改措施。"),
]


def seed(apps, schema_editor):
    Organization = apps.get_model("crisis", "Organization")
    StatementTemplate = apps.get_model("crisis_comms", "StatementTemplate")
    rows = [StatementTemplate(organization_id=org_id, kind=kind, language=language, title=title, body=body)
            for org_id in Organization.objects.values_list("pk", flat=True)
            for kind, language, title, body in SEED]
    StatementTemplate.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("crisis_comms", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
