"""Comparable facts in a text: clock times, calendar dates and counts with a unit, in Chinese and English.

Each mention carries what it is about (its *subject*): the words next to it in its clause, reduced to a
few tokens (a short bilingual glossary maps "发布会" and "press conference" to one token, so a Chinese post
and an English one can be compared), or, for a count, also its unit. Two mentions are compared only when
they are of the same kind and about the same subject (crisis/facts/matching.py); a text naming two times
for two different things is never at odds with itself.

Regular expressions find the spans, on purpose narrowly: a missed fact costs a reviewer a look, a false
alarm teaches the desk to override the check. ``cn2an`` reads Chinese numerals, ``dateparser`` month names.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

import cn2an
import dateparser

TIME, DATE, COUNT = "time", "date", "count"

_CN_DIGITS = "零〇一二两三四五六七八九十"
_CN_NUMBER = f"[{_CN_DIGITS}百千万]+"
_NUMBER = rf"(?:\d[\d,]*|{_CN_NUMBER})"


@dataclass(frozen=True)
class Mention:
    kind: str  # TIME | DATE | COUNT
    value: str  # normalised: "15:00", "12-12", "3 vehicle"
    shown: str  # as written: "下午3点"
    start: int
    end: int
    year: int | None = None  # a date's year when the text gives one
    unit: str = ""  # a count's unit, normalised: "vehicle"
    subject: frozenset[str] = field(default_factory=frozenset)
    excerpt: str = ""  # the clause it sits in, for people

    def agrees_with(self, other: "Mention") -> bool:
        if self.value != other.value:
            return False
        return self.year is None or other.year is None or self.year == other.year


def number_read(raw: str) -> int | None:
    raw = raw.replace(",", "").strip()
    if raw.isdigit():
        return int(raw)
    try:
        value = cn2an.cn2an(raw, "smart")
    except (ValueError, KeyError):
        return None
    return int(value) if float(value).is_integer() else None


# ---- times ----------------------------------------------------------------------------------------------

_PERIOD = "上午|中午|下午|晚上|凌晨|早上|早晨|傍晚|夜里|夜间|晚间"
_AFTERNOON = {"下午", "晚上", "傍晚", "夜里", "夜间", "晚间"}
_AMPM = r"(?P<ampm>a\.?m\.?|p\.?m\.?)(?![a-z])"
_TIME_PATTERNS = [
    re.compile(rf"(?P<period>{_PERIOD})?\s*(?<!\d)(?P<h>[01]?\d|2[0-3])[:：](?P<m>[0-5]\d)(?!\d)(?:\s*{_AMPM})?", re.I),
    re.compile(rf"(?<![\d:])\b(?P<h>1[0-2]|0?\d)(?:[.:](?P<m>[0-5]\d))?\s*{_AMPM}", re.I),
    # "3点" alone may be "three points"; a period of the day, minutes, 半 or 整 make it a time.
    re.compile(rf"(?P<period>{_PERIOD})?(?P<h>\d{{1,2}}|[{_CN_DIGITS}]{{1,3}})\s*[点點时時]"
               rf"(?:(?P<half>半)|(?P<m>\d{{1,2}}|[{_CN_DIGITS}]{{1,3}})分|(?P<sharp>整))?"),
    re.compile(r"\b(?:12\s*)?(?P<noon>noon|midday|midnight)\b", re.I),
]


def _time_value(match: re.Match) -> str | None:
    groups = match.groupdict()
    if groups.get("noon"):
        return "00:00" if groups["noon"].lower() == "midnight" else "12:00"
    hour, minute = number_read(groups["h"]), number_read(groups.get("m") or "0")
    if groups.get("half"):
        minute = 30
    period, ampm = groups.get("period"), (groups.get("ampm") or "").lower().replace(".", "")
    is_bare_point = match.re is _TIME_PATTERNS[2] and not (period or groups.get("m") or groups.get("half")
                                                             or groups.get("sharp"))
    if hour is None or minute is None or is_bare_point or hour > 24 or minute > 59:
        return None
    if (ampm == "pm" or period in _AFTERNOON) and hour < 12:
        hour += 12
    elif period == "中午" and hour < 11:
        hour += 12  # 中午1点 is one in the afternoon
    elif (ampm == "am" or period == "凌晨") and hour == 12:
        hour = 0
    return f"{hour % 24:02d}:{minute:02d}"


# ---- dates ----------------------------------------------------------------------------------------------

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<mo>\d{{1,2}}|[{_CN_DIGITS}]{{1,2}})\s*月\s*"
               rf"(?P<d>\d{{1,2}}|[{_CN_DIGITS}]{{1,3}})\s*[日号號]"),
    re.compile(rf"\b(?P<en>\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?(?:,?\s+(?P<y>\d{{4}}))?)\b", re.I),
    re.compile(rf"\b(?P<en>{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?)\b", re.I),
]


@lru_cache(maxsize=512)
def _english_month_day(text: str) -> tuple[int, int] | None:
    parsed = dateparser.parse(text, languages=["en"], settings={"REQUIRE_PARTS": ["day", "month"]})
    return (parsed.month, parsed.day) if parsed else None


def _date_value(match: re.Match) -> tuple[str, int | None] | None:
    groups = match.groupdict()
    year = int(groups["y"]) if groups.get("y") else None
    if groups.get("en"):
        month_day = _english_month_day(groups["en"])
        if month_day is None:
            return None
        month, day = month_day
    else:
        month, day = number_read(groups["mo"]), number_read(groups["d"])
        if month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
            return None
    return f"{month:02d}-{day:02d}", year


# ---- counts ---------------------------------------------------------------------------------------------

_UNITS = {
    "vehicle": ("辆", "vehicle", "vehicles", "car", "cars"),
    "unit": ("台", "unit", "units", "device", "devices"),
    "person": ("人", "名", "位", "people", "person", "persons", "customers", "owners", "users"),
    "case": ("例", "起", "case", "cases", "incidents"),
    "store": ("家", "store", "stores"),
    "percent": ("%", "％", "percent", "per cent"),
}
_UNIT_OF = {word: unit for unit, words in _UNITS.items() for word in words}
_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
               "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12}
_EN_UNIT = "|".join(sorted((w for w in _UNIT_OF if w.isascii() and w.isalpha()), key=len, reverse=True))
_COUNT_PATTERNS = [
    re.compile(rf"(?<![\d.])(?P<n>{_NUMBER})\s*(?P<unit>[辆台人名位例起家]|%|％)"),
    re.compile(r"(?<![\d.])(?P<n>\d[\d,]*)\s*(?P<unit>percent|per cent)\b", re.I),
    re.compile(rf"\b(?P<n>\d[\d,]*|{'|'.join(_EN_NUMBERS)})\s+(?:[a-z-]+\s+)?(?P<unit>{_EN_UNIT})\b", re.I),
]


def _count_value(match: re.Match) -> tuple[str, str] | None:
    raw, unit = match["n"].lower(), _UNIT_OF[match["unit"].lower()]
    number = _EN_NUMBERS.get(raw) or number_read(raw)
    if number is None:
        return None
    return f"{number} {unit}", unit


# ---- subjects -------------------------------------------------------------------------------------------

# One token per idea, whichever language says it; matched before anything else is taken apart.
_GLOSSARY = {
    "press-conference": r"新闻发布会|发布会|press conference|press briefing|briefing",
    "livestream": r"直播|live ?stream(?:ing)?",
    "recall": r"召回|recall(?:s|ed)?",
    "hotline": r"客服热线|热线|客服电话|hotline|helpline",
    "affected": r"受到影响|受影响|影响|涉及|affected|involved|impacted",
    "start": r"开始|启动|起|start(?:s|ed)?|begin(?:s)?|commence(?:s)?",
    "end": r"结束|截止|end(?:s|ed)?|close(?:s|d)?",
    "hold": r"召开|举行|举办|hold(?:s)?|held|take place",
    "door": r"车门|门|door(?:s)?",
    "open": r"解锁|打开|开启|开通|unlock(?:s|ed)?|open(?:s|ed)?",
    "injured": r"受伤|injur(?:ed|y|ies)",
    "dead": r"死亡|身亡|died|deaths?|dead",
    "update": r"更新|通报|update(?:s|d)?",
}
_GLOSSARY_RE = re.compile("|".join(f"(?P<{name.replace('-', '_')}>{words})" for name, words in _GLOSSARY.items()),
                          re.I)
_CN_STOP = re.compile(r"我们|公司|共有|目前|已经|今天|明天|今日|明日|本次|定于|将于|预计|计划|大约|左右|之前|之后|"
                      r"[的了是在于将从至到由及和与并已会为把被就都也还又约共计等个这那此其之而或即每各车有]")
_EN_STOP = frozenset((  # noqa: SIM905 (a list of 80 quoted words would not fit)
    "a an the at on in by from to of and or will be is are was were we our us it its this that these those for "
    "with as has have had been about around approximately until till since after before than then there here "
    "all any some not no yes can may would should could shall i you he she they them his her their "
    "today tomorrow tonight yesterday o clock").split())
_CLAUSES = re.compile(r"[。！？!?；;\n]+|(?<=[a-z\u4e00-\u9fff])\.(?:\s+|$)", re.I)
_PARTS = re.compile(r"[，,、：]+")


def subject_tokens(text: str) -> frozenset[str]:
    tokens = set()

    def concept(match: re.Match) -> str:
        tokens.add(match.lastgroup.replace("_", "-"))
        return " "

    rest = _CN_STOP.sub(" ", _GLOSSARY_RE.sub(concept, text.lower()))
    for word in re.findall(r"[a-z]+", rest):
        if word not in _EN_STOP and len(word) > 1:
            tokens.add(word[:-1] if len(word) > 3 and word.endswith("s") else word)
    for run in re.findall(r"[\u4e00-\u9fff]+", rest):
        tokens.update([run] if len(run) == 1 else (run[i:i + 2] for i in range(len(run) - 1)))
    return frozenset(tokens)


# ---- the whole text -------------------------------------------------------------------------------------

@dataclass
class _Found:
    kind: str
    value: str
    start: int
    end: int
    year: int | None = None
    unit: str = ""


def _find(text: str) -> list[_Found]:
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []

    def claim(start: int, end: int) -> bool:
        if any(start < e and s < end for s, e in taken):
            return False
        taken.append((start, end))
        return True

    # Dates first: "12月12日起" must not also read as a count of 起.
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            dated = _date_value(match)
            if dated and claim(*match.span()):
                found.append(_Found(DATE, dated[0], *match.span(), year=dated[1]))
    for pattern in _TIME_PATTERNS:
        for match in pattern.finditer(text):
            value = _time_value(match)
            start, end = match.span()
            start += len(match.group(0)) - len(match.group(0).lstrip())
            if value and claim(start, end):
                found.append(_Found(TIME, value, start, end))
    for pattern in _COUNT_PATTERNS:
        for match in pattern.finditer(text):
            counted = _count_value(match)
            if counted and claim(*match.span()):
                found.append(_Found(COUNT, counted[0], *match.span(), unit=counted[1]))
    return sorted(found, key=lambda f: f.start)


def _spans(pattern: re.Pattern, text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at ``pattern``, as absolute (start, end) pairs."""
    spans, at = [], start
    for cut in pattern.finditer(text, start, end):
        spans.append((at, cut.start()))
        at = cut.end()
    spans.append((at, end))
    return [(s, e) for s, e in spans if e > s]


def _without(text: str, start: int, end: int, found: list[_Found]) -> str:
    """``text[start:end]`` with the mentions in it left out."""
    pieces, at = [], start
    for item in found:
        if item.end <= start or item.start >= end:
            continue
        pieces.append(text[at:max(at, item.start)])
        at = max(at, item.end)
    pieces.append(text[at:end])
    return " ".join(pieces)


def _subject(text: str, item: _Found, part: tuple[int, int], clause: tuple[int, int], found: list[_Found]):
    """The words this mention is attached to: what precedes it in its part of the clause (back to the
    previous mention), else what follows it (up to the next), else the rest of the part, else the clause."""
    before_start = max([f.end for f in found if part[0] <= f.end <= item.start] + [part[0]])
    after_end = min([f.start for f in found if item.end <= f.start <= part[1]] + [part[1]])
    for start, end in ((before_start, item.start), (item.end, after_end), part, clause):
        tokens = subject_tokens(_without(text, start, end, found))
        if tokens:
            return tokens
    return frozenset()


def mentions_extract(text: str) -> list[Mention]:
    found = _find(text)
    mentions = []
    for clause in _spans(_CLAUSES, text, 0, len(text)):
        for part in _spans(_PARTS, text, *clause):
            for item in (f for f in found if part[0] <= f.start < part[1]):
                mentions.append(Mention(
                    kind=item.kind, value=item.value, shown=text[item.start:item.end].strip(), start=item.start,
                    end=item.end, year=item.year, unit=item.unit,
                    subject=_subject(text, item, part, clause, found),
                    excerpt=text[clause[0]:clause[1]].strip()[:160],
                ))
    return mentions
