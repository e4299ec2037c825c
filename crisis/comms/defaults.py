"""The first-hour templates a new organization starts with, following docs/playbook.md: acknowledge plainly,
blame nobody, say when the next update comes. Admins edit their own copies; these words are only the seed."""

from crisis.models import StatementKind, StatementLanguage

K, L = StatementKind, StatementLanguage

DEFAULT_TEMPLATES: list[dict] = [
    {"kind": K.HOLDING, "language": L.EN, "title": "Holding statement",
     "body": "We are aware of reports about {what} (since {when}). We take this seriously and are looking into it "
             "now. We will share what we know by {next_update}, or sooner if we learn more."},
    {"kind": K.HOLDING, "language": L.ZH_HANS, "title": "情况说明",
     "body": "我们已关注到关于{what}的信息（{when}起）。我们高度重视，正在全力核查。"
             "我们将在{next_update}前公布进展，如有新情况会第一时间告知。"},
    {"kind": K.UPDATE, "language": L.EN, "title": "Update",
     "body": "An update on {what}: here is what we know now, and what we are doing about it. "
             "We will update again by {next_update}."},
    {"kind": K.UPDATE, "language": L.ZH_HANS, "title": "进展通报",
     "body": "关于{what}的最新进展：目前已确认的情况和我们正在采取的措施如下。我们将在{next_update}前再次更新。"},
    {"kind": K.APOLOGY, "language": L.EN, "title": "Apology",
     "body": "We are sorry for {what}. The people affected come first: we are contacting them directly. "
             "We will say what caused it and what we are changing by {next_update}."},
    {"kind": K.APOLOGY, "language": L.ZH_HANS, "title": "致歉声明",
     "body": "对于{what}，我们深表歉意。我们正在第一时间联系受影响的用户。"
             "我们将在{next_update}前说明原因和整改措施。"},
]
