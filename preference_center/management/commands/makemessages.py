"""`manage.py makemessages`, Django's, also reading the recipient pages' Jinja2 templates (templates/).

Django hands every .html file to its own template lexer before xgettext sees it, and that lexer knows nothing
of `{{ _("…") }}` in attributes or `{% trans %}…{% pluralize %}…{% endtrans %}`. Here a file under a Jinja2
engine's DIRS (settings.TEMPLATES) is read by Jinja2's own parser instead, and each message it finds becomes a
gettext call on the line it stands on, which xgettext reads as Python: same msgids, same line references. The
admin's templates (Django's engine) are extracted as before.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages
from django.template import engines

# What Jinja2 reports per message -> the call xgettext's Python keywords read (Django's makemessages passes
# pgettext:1c,2 and npgettext:1c,2,3; gettext and ngettext are xgettext's own).
_CALLS = {"_": "gettext", "gettext": "gettext", "ngettext": "ngettext", "pgettext": "pgettext",
          "npgettext": "npgettext"}


def jinja2_directories() -> list[Path]:
    return [Path(directory).resolve() for engine in settings.TEMPLATES
            if engine["BACKEND"].endswith(".Jinja2") for directory in engine.get("DIRS", ())]


def as_python(source: str) -> str:
    """The template's messages as gettext calls, each on its template line (a message spread over several lines
    is reported on its first)."""
    environment = next(engine.env for engine in engines.all() if hasattr(engine, "env"))
    lines = [[] for _ in range(source.count("\n") + 1)]
    for lineno, function, message in environment.extract_translations(source):
        arguments = message if isinstance(message, tuple) else (message,)
        if any(argument is None for argument in arguments[:_message_count(function)]):
            continue  # not a constant string (a variable passed to _()): nothing to extract
        literals = [repr(argument) for argument in arguments[:_message_count(function)]]
        if function in ("ngettext", "npgettext"):
            literals.append("n")
        lines[lineno - 1].append(f"{_CALLS[function]}({', '.join(literals)})")
    return "\n".join("; ".join(calls) for calls in lines) + "\n"


def _message_count(function: str) -> int:
    return {"ngettext": 2, "pgettext": 2, "npgettext": 3}.get(function, 1)


class Jinja2AwareBuildFile(makemessages.BuildFile):
    @cached_property
    def is_jinja2(self) -> bool:
        path = Path(self.path).resolve()
        return self.domain == "django" and any(directory in path.parents for directory in jinja2_directories())

    def preprocess(self) -> None:
        if not self.is_jinja2:
            super().preprocess()
            return
        source = Path(self.path).read_text(encoding="utf-8")
        Path(self.work_path).write_text(as_python(source), encoding="utf-8")


class Command(makemessages.Command):
    build_file_class = Jinja2AwareBuildFile
