"""How the livestream and hot-search measures read on the timeline (registered here, beside their feature)."""

from django.utils.translation import gettext_lazy as _

from crisis.system_lines import Message, Template, line, lines_register

lines_register({
    "sentiment.livestream_comments": Template(_("livestream comments %(n)d")),
    "sentiment.livestream_negative": Template(_("livestream negative %(p).0f%%")),
    "sentiment.hot_search": Template(_("on hot search %(m)d min")),
})


def measure_lines(checkpoint) -> list[Message]:
    parts = []
    if checkpoint.livestream_comment_count is not None:
        parts.append(line("sentiment.livestream_comments", n=checkpoint.livestream_comment_count))
    if checkpoint.livestream_negative_share is not None:
        parts.append(line("sentiment.livestream_negative", p=checkpoint.livestream_negative_share * 100))
    if checkpoint.hot_search_minutes is not None:
        parts.append(line("sentiment.hot_search", m=checkpoint.hot_search_minutes))
    return parts
