"""Finding the promises a statement makes, and when each falls due.

A promise is a sentence that commits the speaker ("we will", "将", "承诺") to something by a time we can
resolve: relative times ("within 48 hours", "24 小时内") run from the publication time; times of day and
dates ("by noon", "明天上午10点", "by 12 December") are read in the incident's zone. What is only concern
("we take this seriously", "我们高度重视") or already past ("yesterday we published") is no promise.

Chinese numerals are turned into digits by cn2an and the phrases that carry a time are handed to dateparser
in a form it reads; the expressions below only find where a time is said, dateparser says which time it is.
Everything here is a suggestion: the author confirms, corrects or dismisses it before anything is tracked.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import cn2an
import dateparser

# A date with no time of day is kept until the end of that day.
END_OF_DAY = time(23, 59)
NOON = time(12, 0)
TONIGHT = time(23, 59)

SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=[.])\s+")

ZH_CUE = re.compile(r"将|会|预计|承诺|保证|确保|争取|一定|尽快|力争|给出|公布|发布|回复|答复|通报|告知")
ZH_NOT_PROMISE = re.compile(r"已于|已经|已在|昨天|昨日|昨晚|上周|此前")
EN_CUE = re.compile(r"\b(will|shall|commit(?:s|ted)? to|promise[sd]? to|pledge[sd]? to|undertake to|"
                    r"expect to|intend to|aim to|are going to)\b|\b(?:we|i|they|it)'ll\b", re.IGNORECASE)

ZH_WITHIN = re.compile(r"(\d+(?:\.\d+)?)\s*个?\s*(小时|分钟|天|日|工作日|周|星期)\s*(?:内|之内|以内)")
ZH_DAY = re.compile(r"(今天|今日|今晚|今夜|明天|明日|明早|明晚|后天|(?:本|这|下)周(?=内|之内|以内)|"
                    r"(本|下|这)?(?:周|星期|礼拜)([1-6日天])|"
                    r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号])")
ZH_CLOCK = re.compile(r"(凌晨|早上|上午|中午|下午|傍晚|晚上|晚)?\s*(\d{1,2})(?:[点時时:：](半|\d{1,2}分?)?)")
ZH_PART = re.compile(r"(中午|下班前|今晚|明晚|晚上|上午|下午)")

EN_WITHIN = re.compile(r"\b(?:within|in the next|over the next|in)\s+(?:the\s+)?(next\s+)?"
                       r"(\d+(?:\.\d+)?\s+|an?\s+|one\s+|two\s+|three\s+|four\s+|five\s+|six\s+|seven\s+|"
                       r"twelve\s+|twenty-four\s+|forty-eight\s+|(?<=next )|(?<=next  ))"
                       r"(business\s+days?|working\s+days?|hours?|minutes?|days?)\b", re.IGNORECASE)
EN_END_OF_WEEK = re.compile(r"\b(?:by|before|until|no later than)\s+(?:the\s+)?end\s+of\s+(?:the\s+)?"
                            r"(this|next)?\s*week\b", re.IGNORECASE)
EN_BY = re.compile(r"\b(?:by|before|no later than|until|on|at|(?=tomorrow))\s*(?:the\s+)?"
                   r"((?:end of (?:the )?(?:day|today)|close of business|noon|midday|midnight|tonight|"
                   r"later today|today|tomorrow|"
                   r"(?:next\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
                   r"\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:\d{2}|"
                   r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]{3,9}|[a-z]{3,9}\s+\d{1,2}(?:st|nd|rd|th)?)"
                   r"(?:(?:\s+(?:morning|afternoon|evening|night))?(?:\s+at)?\s+"
                   r"(?:\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:\d{2}|noon|midday))?)", re.IGNORECASE)
EN_LATER_TODAY = re.compile(r"\b(later today|tonight|this (?:morning|afternoon|evening))\b", re.IGNORECASE)
EN_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "twelve": 12, "twenty-four": 24, "forty-eight": 48}
MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")

REGULATOR = re.compile(r"监管|市场监督|市场监管|网信|主管部门|有关部门|regulator|authorit|ministry|administration|"
                       r"commission|SAMR|CAC", re.IGNORECASE)
MEDIA = re.compile(r"《([^》]{1,40})》|媒体|记者|journalist|reporter|the press|newspaper", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """A promise found in a text: the sentence, the words that say when, and the time they resolve to."""

    sentence: str
    phrase: str
    due_at: datetime  # aware, UTC
    audience: str  # "public", "regulator" or "media"
    audience_name: str = ""


def commitments_find(*, text: str, published_at: datetime, zone: str) -> list[Found]:
    """Every promise in ``text`` with its due time, resolved against ``published_at`` in ``zone``."""
    found = []
    for sentence in _sentences(text):
        resolved = due_resolve(sentence=sentence, published_at=published_at, zone=zone)
        if resolved is not None:
            phrase, due_at = resolved
            audience, name = _audience(sentence)
            found.append(Found(sentence=sentence, phrase=phrase, due_at=due_at, audience=audience,
                               audience_name=name))
    return found


def due_resolve(*, sentence: str, published_at: datetime, zone: str) -> tuple[str, datetime] | None:
    """The words that say when and the due time of the promise in ``sentence``; None if it promises nothing."""
    tz = ZoneInfo(zone)
    base = published_at.astimezone(tz).replace(tzinfo=None)
    if _is_chinese(sentence):
        digits = cn2an.transform(sentence, "cn2an")
        if not ZH_CUE.search(digits) or ZH_NOT_PROMISE.search(digits):
            return None
        result = _zh_due(digits, base)
    else:
        if not EN_CUE.search(sentence):
            return None
        result = _en_due(sentence, base)
    if result is None:
        return None
    phrase, local = result
    return phrase, local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text or "") if s and s.strip()]


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _audience(sentence: str) -> tuple[str, str]:
    if REGULATOR.search(sentence):
        return "regulator", ""
    media = MEDIA.search(sentence)
    if media:
        return "media", media.group(1) or ""
    return "public", ""


def _parse(words: str, base: datetime) -> datetime | None:
    return dateparser.parse(words, languages=["en"],
                            settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future",
                                      "RETURN_AS_TIMEZONE_AWARE": False})


def _after(base: datetime, amount: float, unit: str) -> datetime | None:
    """``amount`` units after ``base``, read by dateparser ("in 90 minutes"); business days skip weekends."""
    unit = unit.lower()
    if "business" in unit or "working" in unit or unit == "工作日":
        day = base
        for _ in range(int(amount)):
            day += timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
        return day.replace(hour=END_OF_DAY.hour, minute=END_OF_DAY.minute, second=0, microsecond=0)
    english = {"小时": "hours", "分钟": "minutes", "天": "days", "日": "days", "周": "weeks", "星期": "weeks"}.get(
        unit, unit)
    if "hour" in english and amount != int(amount):
        amount, english = amount * 60, "minutes"
    return _parse(f"in {int(amount)} {english}", base)


# ---- Chinese ----

def _zh_due(text: str, base: datetime) -> tuple[str, datetime] | None:
    within = ZH_WITHIN.search(text)
    if within:
        due = _after(base, float(within.group(1)), within.group(2))
        return (within.group(0), due) if due else None
    day = ZH_DAY.search(text)
    clock = ZH_CLOCK.search(text, day.end() if day else 0)
    if clock and day and clock.start() - day.end() > 4:
        clock = None
    if clock and not day and not re.search(r"前|之前|以前|为止", text[clock.end():clock.end() + 3]):
        clock = None
    if not day and not clock:
        part = ZH_PART.search(text)
        if part and re.search(r"前|之前", text[part.end():part.end() + 3]):
            return part.group(0), _at_part(base, base, part.group(1), rolls_over=True)
        return None
    date = _zh_date(day, base) if day else base
    if date is None:
        return None
    phrase = text[(day or clock).start():(clock or day).end()]
    if clock:
        hour, minute = _zh_clock(clock, "晚" if day and day.group(1) in ("今晚", "今夜", "明晚") else "")
        due = date.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if not day and due <= base:
            due += timedelta(days=1)
        return phrase, due
    words = day.group(1)
    part = ZH_PART.search(text, day.start())
    if words in ("今晚", "今夜", "明晚"):
        return phrase, date.replace(hour=TONIGHT.hour, minute=TONIGHT.minute, second=0, microsecond=0)
    if part and part.start() - day.end() <= 1:
        return text[day.start():part.end()], _at_part(date, base, part.group(1))
    return phrase, date.replace(hour=END_OF_DAY.hour, minute=END_OF_DAY.minute, second=0, microsecond=0)


def _zh_date(day: re.Match, base: datetime) -> datetime | None:
    words = day.group(1)
    relative = {"今天": "today", "今日": "today", "今晚": "today", "今夜": "today", "明天": "tomorrow",
                "明日": "tomorrow", "明早": "tomorrow", "明晚": "tomorrow", "后天": "in 2 days"}
    if words in relative:
        return _parse(relative[words], base)
    if words.endswith("周"):  # 本周内, 下周内: by the end of that week (Sunday)
        return base + timedelta(days=6 - base.weekday() + (7 if words.startswith("下") else 0))
    if day.group(3) is not None:
        weekday = 6 if day.group(3) in "日天" else int(day.group(3)) - 1
        monday = base - timedelta(days=base.weekday())
        date = monday + timedelta(days=weekday + (7 if day.group(2) == "下" else 0))
        if not day.group(2) and date.date() < base.date():
            date += timedelta(days=7)
        return date
    year = day.group(4)
    month_day = f"{int(day.group(6))} {_month_name(int(day.group(5)))}" + (f" {year}" if year else "")
    return _parse(month_day, base) if 1 <= int(day.group(5)) <= 12 else None


def _month_name(month: int) -> str:
    return ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December"][month - 1]


def _zh_clock(clock: re.Match, evening: str = "") -> tuple[int, int]:
    part, hour, rest = clock.group(1) or evening, int(clock.group(2)), clock.group(3) or ""
    minute = 30 if rest == "半" else int(rest.rstrip("分") or 0)
    if part in ("下午", "傍晚", "晚上", "晚") and hour < 12:
        hour += 12
    if part == "中午" and hour < 6:
        hour += 12
    return min(hour, 23), min(minute, 59)


def _at_part(date: datetime, base: datetime, part: str, rolls_over: bool = False) -> datetime:
    hour = {"中午": 12, "上午": 12, "下午": 18, "下班前": 18, "晚上": 23, "今晚": 23, "明晚": 23}.get(part, 23)
    minute = 59 if hour == 23 else 0
    due = date.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if part == "明晚":
        due += timedelta(days=1)
    if rolls_over and due <= base:
        due += timedelta(days=1)
    return due


# ---- English ----

def _en_due(text: str, base: datetime) -> tuple[str, datetime] | None:
    within = EN_WITHIN.search(text)
    if within:
        raw = (within.group(2) or "").strip().lower()
        amount = EN_WORDS.get(raw) or float(raw or 1)
        due = _after(base, amount, within.group(3))
        return (within.group(0), due) if due else None
    week = EN_END_OF_WEEK.search(text)
    if week:
        sunday = base + timedelta(days=6 - base.weekday() + (7 if (week.group(1) or "").lower() == "next" else 0))
        return week.group(0), sunday.replace(hour=END_OF_DAY.hour, minute=END_OF_DAY.minute, second=0, microsecond=0)
    by = EN_BY.search(text)
    if by:
        return _en_by(by.group(0), by.group(1), base)
    later = EN_LATER_TODAY.search(text)
    if later:
        hour = {"this morning": 12, "this afternoon": 18}.get(later.group(1).lower(), 23)
        return later.group(0), base.replace(hour=hour, minute=59 if hour == 23 else 0, second=0, microsecond=0)
    return None


def _en_by(phrase: str, words: str, base: datetime) -> tuple[str, datetime] | None:
    words = words.lower().strip()
    is_next_week = words.startswith("next ")
    words = words.removeprefix("next ").strip()
    aliases = {"noon": "12:00", "midday": "12:00", "midnight": "23:59", "tonight": "23:59", "later today": "23:59",
               "end of day": "23:59", "end of the day": "23:59", "end of today": "23:59",
               "close of business": "18:00", "today": "23:59"}
    if words in aliases:
        due = _parse(aliases[words], base)
        if due and due <= base and words in ("noon", "midday", "close of business"):
            due += timedelta(days=1)
        return (phrase, due) if due else None
    words = re.sub(r"\b(morning|afternoon|evening|night|at)\b", " ", words)
    words = words.replace("noon", "12:00").replace("midday", "12:00")
    has_time = bool(re.search(r"\d\s*(?:a\.?m|p\.?m)|\d:\d", words))
    first = words.split()[0] if words.split() else ""
    is_date = bool(re.search(MONTHS, words)) or first in (
        "tomorrow", "today", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    if not is_date and not has_time:
        return None
    if first in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        due = _weekday(base, first, words)
        if due is not None and is_next_week:
            due += timedelta(days=7 if due.date() > base.date() and due.weekday() > base.weekday() else 0)
    else:
        due = _parse(words, base)
    if due is None:
        return None
    if not has_time:
        due = due.replace(hour=END_OF_DAY.hour, minute=END_OF_DAY.minute, second=0, microsecond=0)
    elif not is_date and due <= base:
        due += timedelta(days=1)
    return phrase, due


def _weekday(base: datetime, name: str, words: str) -> datetime | None:
    """This week's day, or today when it is that day (dateparser would jump a week ahead)."""
    index = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].index(name)
    date = base + timedelta(days=(index - base.weekday()) % 7)
    rest = words.split(None, 1)[1] if len(words.split()) > 1 else ""
    if rest.strip():
        clock = _parse(rest, base)
        if clock is None:
            return None
        return date.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
    return date
