"""German and English are complete: every message translated, none fuzzy, the compiled .mo files current, and
(where xgettext exists) no string in the code that the catalogues lack.

After adding strings: `python manage.py makemessages -l de -l en --no-obsolete --ignore='.venv/*'
--ignore='tests/*' --ignore='staticfiles/*' --ignore='scripts/*'`, translate, then `python manage.py
compilemessages --ignore=.venv` and commit the .po and .mo files (a fresh clone has no gettext tools).
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("de", "en")


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


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for entry in messages(language):
        wanted = set(placeholder.findall(entry["msgid"]))
        for text in entry["msgstr"]:
            assert set(placeholder.findall(text)) == wanted, entry["msgid"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    mo = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), "run: python manage.py compilemessages --ignore=.venv"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001 - the compiled messages
    for entry in messages(language):
        if entry["msgid_plural"] is None:
            compiled = catalogue.get(entry["msgid"])
            assert compiled == entry["msgstr"][0], f"stale .mo for {entry['msgid']!r}: recompile"
        else:
            for n, text in enumerate(entry["msgstr"]):
                assert catalogue.get((entry["msgid"], n)) == text, f"stale .mo for {entry['msgid']!r}: recompile"


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
