"""Every catalogue is complete: every message translated, none fuzzy, the compiled .mo files current, the
placeholders of each translation those of its msgid, the plural forms as many as the language's header says, and
(where xgettext exists) no string in the code that the catalogues lack.

After adding strings: `make messages` runs, from the project root,
`python manage.py makemessages -l de -l en -l fr -l it -l es -l nl --no-obsolete --ignore='.venv/*'
--ignore='tests/*' --ignore='staticfiles/*' --ignore='scripts/*' --ignore='bench/*'` and then
`python manage.py compilemessages --ignore=.venv`. Translate the new entries in every catalogue, run it again,
and commit the .po and .mo files (a fresh clone has no gettext tools).
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every language with a catalogue (the Makefile's LANGUAGES says the same for `make messages`).
LANGUAGES = ("de", "en", "fr", "it", "es", "nl")


def _unquote(parts: list[str]) -> str:
    return "".join(ast.literal_eval(part) for part in parts)


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: msgid, msgid_plural, msgstr (list), fuzzy, obsolete. Enough of the format for our files."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            finish()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"fuzzy": False, "obsolete": False, "msgstr": {}, "flags": ""}
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"] = line
            entry["fuzzy"] = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            target = entry["msgstr"] if isinstance(key, int) else entry
            target[key].append(line)
            continue
        keyword, _, value = line.partition(" ")
        if keyword.startswith("msgstr"):
            key = int(keyword[7:-1]) if "[" in keyword else 0
            entry["msgstr"][key] = [value]
        else:
            key = keyword
            entry[key] = [value]
    result = []
    for entry in entries:
        result.append({
            "msgid": _unquote(entry["msgid"]),
            "msgctxt": _unquote(entry["msgctxt"]) if "msgctxt" in entry else None,
            "msgid_plural": _unquote(entry["msgid_plural"]) if "msgid_plural" in entry else None,
            "msgstr": [_unquote(entry["msgstr"][n]) for n in sorted(entry["msgstr"])],
            "fuzzy": entry["fuzzy"],
            "obsolete": entry["obsolete"],
            "python_format": "python-format" in entry["flags"],
        })
    return result


def messages(language: str) -> list[dict]:
    return [e for e in parse_po(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")
            if e["msgid"] and not e["obsolete"]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = messages(language)
    assert len(entries) > 50  # the catalogue was really read
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(s.strip() for s in e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    assert untranslated == [], f"{language}: untranslated messages"
    assert fuzzy == [], f"{language}: fuzzy messages (check, then remove the fuzzy flag)"


# What a translation must keep of its msgid: %-placeholders (named or not), {}-placeholders and HTML tags.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|</?(?:a|abbr|b|br|code|em|i|kbd|p|small|span|strong|time)\b[^>]*>"
)
# A % that is neither a placeholder nor %%: blocktranslate and `_("...") % {...}` fail on it when the page renders.
STRAY_PERCENT = re.compile(r"%(?!\(\w+\)[sdif]|[sdif])")


def _placeholders(text: str) -> list[str]:
    return sorted(set(PLACEHOLDER.findall(text)))


def _stray_percents(text: str) -> int:
    return len(STRAY_PERCENT.findall(text.replace("%%", "")))


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    """A placeholder the msgid lacks is a KeyError at render time (a 500), one left out loses the value."""
    for entry in messages(language):
        sources = [entry["msgid"]] + ([entry["msgid_plural"]] if entry["msgid_plural"] else [])
        for text in entry["msgstr"]:
            assert _placeholders(text) in [_placeholders(source) for source in sources], (
                f"{language}: {entry['msgid']!r} translated as {text!r}")
            assert _stray_percents(text) <= min(_stray_percents(source) for source in sources), (
                f"{language}: a lone % in {text!r} (write %% for a percent sign)")


def _header(language: str) -> tuple[dict[str, str], bool]:
    entry = next(e for e in parse_po(ROOT / "locale" / language / "LC_MESSAGES" / "django.po") if e["msgid"] == "")
    fields = dict(line.split(": ", 1) for line in entry["msgstr"][0].splitlines() if ": " in line)
    return fields, entry["fuzzy"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_has_the_forms_its_language_needs(language):
    """makemessages starts a catalogue with a fuzzy header and no Language: nobody has checked its Plural-Forms yet.
    A plural with fewer forms than the formula picks shows the msgid (English) for those numbers."""
    fields, fuzzy = _header(language)
    assert not fuzzy, f"{language}: the header is fuzzy (check it, then remove the flag)"
    assert fields.get("Language") == language
    nplurals = int(re.fullmatch(r"nplurals=(\d+);.*", fields["Plural-Forms"]).group(1))
    plural = gettext.c2py(re.search(r"plural=(.*?);?$", fields["Plural-Forms"]).group(1))
    # Both the singular and the general plural exist, and the formula picks only forms the catalogue has.
    assert plural(1) == 0 and plural(2) > 0
    assert {plural(n) for n in (0, 1, 2, 5, 11, 21, 100, 1_000_000, 2_000_001)} <= set(range(nplurals))
    plurals = [e for e in messages(language) if e["msgid_plural"] is not None]
    assert plurals, "the catalogue has plural messages to check"
    for entry in plurals:
        assert len(entry["msgstr"]) == nplurals, f"{language}: {entry['msgid']!r} needs {nplurals} forms"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    mo = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), "run: python manage.py compilemessages --ignore=.venv"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001 - the compiled messages
    for entry in messages(language):
        # A message with a context (pgettext) is compiled under "context\x04msgid".
        key = f"{entry['msgctxt']}\x04{entry['msgid']}" if entry["msgctxt"] is not None else entry["msgid"]
        if entry["msgid_plural"] is None:
            compiled = catalogue.get(key)
            assert compiled == entry["msgstr"][0], f"stale .mo for {entry['msgid']!r}: recompile"
        else:
            for n, text in enumerate(entry["msgstr"]):
                assert catalogue.get((key, n)) == text, f"stale .mo for {entry['msgid']!r}: recompile"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="xgettext (gettext tools) not installed")
def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    """Extract afresh in a temporary copy (never touching the real catalogues) and compare msgids."""
    for name in ("manage.py",):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("preference_center", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    before = (ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po").read_bytes()
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "preference_center.settings"}
    env.pop("PYTHONPATH", None)
    # manage.py in the copy puts the copy first on sys.path, so its settings (and LOCALE_PATHS) are the copy's.
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    assert (ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po").read_bytes() == before
    extracted = {e["msgid"] for e in parse_po(tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po") if e["msgid"]}
    assert len(extracted) > 50  # the extraction really ran over the code
    for language in LANGUAGES:
        known = {e["msgid"] for e in messages(language)}
        missing = sorted(extracted - known)
        assert missing == [], f"{language}: strings missing from the catalogue; run makemessages and translate"
    # The recipient pages are Jinja2 templates, which Django's own extraction cannot read: every message Jinja2's
    # parser finds in them was extracted too (management/commands/makemessages.py), plurals with their plural.
    in_templates = jinja2_messages(ROOT / "templates")
    assert len(in_templates) > 50
    extracted_plurals = {e["msgid"]: e["msgid_plural"]
                         for e in parse_po(tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po") if e["msgid"]}
    not_extracted = sorted(msgid for msgid in in_templates if msgid not in extracted_plurals)
    assert not_extracted == [], "messages of the Jinja2 templates that makemessages did not extract"
    assert {msgid: extracted_plurals[msgid] for msgid in in_templates} == in_templates


def jinja2_messages(directory: Path) -> dict[str, str | None]:
    """msgid -> msgid_plural (None for a singular) of every constant message in the Jinja2 templates."""
    from preference_center.pages.templating import environment

    env = environment()
    found = {}
    for path in sorted(directory.rglob("*.html")):
        for _lineno, function, message in env.extract_translations(path.read_text(encoding="utf-8")):
            arguments = message if isinstance(message, tuple) else (message,)
            if function in ("pgettext", "npgettext"):
                arguments = arguments[1:]
            if arguments and isinstance(arguments[0], str):
                plural = arguments[1] if function in ("ngettext", "npgettext") else None
                found[arguments[0]] = plural
    return found
