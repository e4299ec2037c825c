"""The Simplified Chinese catalogue is complete, keeps every placeholder, ships compiled and is what the pages show.

The .po file is read with a small parser of our own (no polib), so the check needs nothing beyond the standard library.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The app with its own catalogue (the post-mortem report renders in the incident's language, not the reader's).
CATALOGUES = [Path("locale"), Path("crisis/reports/locale")]
COMPILED = CATALOGUE.with_suffix(".mo")

# printf-style (%(name)s, %(n)d, %(p).0f, %(f)+d, %%) and str.format-style ({} and {name}) placeholders.
PRINTF = re.compile(r"%(?:\([^)]+\))?[-+ #0]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.msgctxt}|{self.msgid}" if self.msgctxt else self.msgid


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """Return the header fields and the live entries (obsolete ``#~`` entries are skipped)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None

    def flush():
        nonlocal current, target
        if target is not None:
            entries.append(current)
        current, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            if target is not None:
                flush()
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, kind, getattr(current, kind) + value)
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match or keyword == "msgstr":
                index = int(match.group(1)) if match else 0
                current.msgstr[index] = text
                target = ("msgstr", index)
            elif keyword in ("msgctxt", "msgid", "msgid_plural"):
                if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                    flush()
                setattr(current, keyword, text)
                target = (keyword, 0)
    flush()

    header = next(entry for entry in entries if entry.msgid == "" and entry.msgctxt is None)
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    return fields, [entry for entry in entries if entry is not header]


@pytest.fixture(scope="module")
def catalogue():
    return parse_po(CATALOGUE)


def placeholders(entry: Entry, text: str) -> Counter:
    found = Counter(PRINTF.findall(text)) if "python-format" in entry.flags else Counter()
    if "python-brace-format" in entry.flags:
        found.update(BRACE.findall(text))
    found.update(TAG.findall(text))
    return found


def test_it_parses_a_catalogue_of_real_size(catalogue):
    _, entries = catalogue
    assert len(entries) > 500
    assert any(entry.msgid_plural for entry in entries)


def test_it_declares_one_plural_form_for_chinese(catalogue):
    header, entries = catalogue
    assert header["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert [entry.label for entry in entries if entry.msgid_plural and set(entry.msgstr) != {0}] == []


def test_it_has_no_untranslated_or_fuzzy_entries(catalogue):
    _, entries = catalogue
    assert [entry.label for entry in entries if "fuzzy" in entry.flags] == []
    assert [entry.label for entry in entries if not all(text.strip() for text in entry.msgstr.values())] == []


def test_it_keeps_every_placeholder_and_tag(catalogue):
    _, entries = catalogue
    broken = []
    for entry in entries:
        source = entry.msgid_plural or entry.msgid
        for text in entry.msgstr.values():
            if placeholders(entry, text) != placeholders(entry, source):
                broken.append((entry.label, text))
    assert broken == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext (apt-get install gettext)")
def test_it_catalogues_every_string_the_code_marks_for_translation(tmp_path):
    """makemessages over a copy of the code finds nothing the catalogues lack: a string wrapped in a change
    but never extracted would otherwise show in English to a Chinese desk, and no other test would notice."""
    for part in ("crisis", "config", "templates", "locale"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(tmp_path)}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "-v", "0"],
                   cwd=tmp_path, env=environment, check=True, timeout=120)
    missing = {}
    for locale in CATALOGUES:
        _, entries = parse_po(tmp_path / locale / "zh_Hans" / "LC_MESSAGES" / "django.po")
        missing[str(locale)] = [entry.label for entry in entries
                                if "fuzzy" in entry.flags or not all(text.strip() for text in entry.msgstr.values())]
    assert missing == {str(locale): [] for locale in CATALOGUES}, "run makemessages (docs/architecture.md), translate"


def test_it_actually_translates_into_chinese(catalogue):
    _, entries = catalogue
    chinese = [entry for entry in entries if re.search(r"[\u4e00-\u9fff]", entry.msgstr[0])]
    assert len(chinese) / len(entries) > 0.95


def test_it_ships_a_compiled_catalogue_matching_the_po(catalogue):
    _, entries = catalogue
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries:
        if entry.msgctxt or entry.msgid_plural:
            continue
        if compiled.gettext(entry.msgid) != entry.msgstr[0]:
            stale.append(entry.msgid)
    assert stale == [], "run: manage.py compilemessages -l zh_Hans"
    assert compiled.ngettext("%(n)s met", "%(n)s met", 3) == "%(n)s 个按时"


@pytest.mark.django_db
def test_it_renders_the_sign_in_page_in_chinese():
    content = Client().get("/zh-hans/login/").content.decode()
    assert 'lang="zh-hans"' in content
    assert "登录危机应对台" in content
    assert "密码为 <code>golden-hours-demo</code>" in content
    assert "Sign in to the crisis desk" not in content


@pytest.mark.django_db
def test_it_keeps_the_sign_in_page_in_english_without_the_prefix():
    content = Client().get("/login/").content.decode()
    assert "Sign in to the crisis desk" in content
    assert "登录危机应对台" not in content


@pytest.mark.django_db
def test_it_renders_the_incident_room_in_chinese(people, open_incident):
    incident = open_incident()
    user = people["commander"]
    user.refresh_from_db()
    client = Client()
    client.force_login(user)
    content = client.get("/zh-hans" + reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    for text in ("黄金时间", "自首个公开信号起", "时间线", "事件操作", "退出登录"):
        assert text in content, text
    assert "Golden hours" not in content


def test_it_tells_apart_words_english_spells_alike():
    """"Open" is a still-running incident and a not-started action item; "Update" is a kind of statement and a
    button. Chinese needs a different word for each, so each carries its own context."""
    from django.utils import translation

    from crisis.api.views.incidents import IncidentFilter
    from crisis.models import StatementKind
    from crisis.reports.models import ActionItemStatus

    with translation.override("zh-hans"):
        assert str(IncidentFilter.base_filters["is_open"].label) == "未结束"
        assert str(ActionItemStatus.OPEN.label) == "未开始"
        assert str(StatementKind.UPDATE.label) == "进展通报"
        assert translation.gettext("Update") == "更新"
