"""Why an unsubscribe was suspected of being automated, in the admin's language.

pages/automation.py records its evidence as fixed English phrases joined by "; " (rows of years past hold the
same words), so the admin translates when it shows them: each known phrase, with its values, becomes a sentence
of the catalogue; anything else is shown as stored, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils import formats
from django.utils.translation import gettext as _

SEPARATOR = "; "


def _seconds(text: str) -> str:
    return formats.number_format(float(text), decimal_pos=1)


# (the phrase as automation.assess() stores it, its sentence in the admin's language)
PHRASES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"no user agent"),
     lambda m: _("no browser identification (user agent) was sent")),
    (re.compile(r"user agent matches scanner pattern (?P<pattern>'[^']*'|\"[^\"]*\")"),
     lambda m: _("the browser identification (user agent) contains %(pattern)s, as link scanners' do")
     % {"pattern": m["pattern"][1:-1]}),
    (re.compile(r"form posted without its served-at stamp"),
     lambda m: _("the form came without the time stamp it was served with")),
    (re.compile(r"form stamp invalid"),
     lambda m: _("the form's time stamp was not valid (altered, or not ours)")),
    (re.compile(r"form posted (?P<seconds>\d+(?:\.\d+)?) s after the page was served"),
     lambda m: _("the form was sent %(seconds)s seconds after the page was shown") % {
         "seconds": _seconds(m["seconds"])}),
]


def describe(evidence: str) -> str:
    """The stored evidence, each phrase in the admin's language ("" for none)."""
    return SEPARATOR.join(_describe_phrase(part) for part in evidence.split(SEPARATOR) if part)


def _describe_phrase(phrase: str) -> str:
    for pattern, sentence in PHRASES:
        match = pattern.fullmatch(phrase)
        if match:
            return sentence(match)
    return phrase
