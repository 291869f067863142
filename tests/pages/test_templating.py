"""The recipient pages' template engine translates as Jinja2's own newstyle gettext does (ours skips only the
formatting when there is nothing to format)."""

from __future__ import annotations

import jinja2
import pytest
from django.utils import translation
from django.utils.translation import gettext

from preference_center.pages.templating import environment

SOURCES = [
    '{{ _("Unsubscribe") }}',
    '{{ gettext("Unsubscribe") }}',
    '{{ _("100%% of the mails") }}',
    '{{ _("%(who)s unsubscribed", who=name) }}',
    '{{ _("Hello %(name)s", name="<b>x</b>") }}',
    '{% trans email=name %}The address {{ email }} will receive no more newsletters.{% endtrans %}',
    '{% autoescape false %}{{ _("Hello %(name)s", name="<b>") }} {{ _("a & b") }}{% endautoescape %}',
    '{{ _("a & b") }}',
]


def _jinja2s_own() -> jinja2.Environment:
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(gettext=gettext, ngettext=translation.ngettext, newstyle=True)  # type: ignore
    return env


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("language", ["de", "en"])
def test_texts_are_translated_and_escaped_as_jinja2s_newstyle_gettext_does(source, language):
    ours = environment(autoescape=True)
    with translation.override(language):
        expected = _jinja2s_own().from_string(source).render(name="<Erika & Co>")
        assert ours.from_string(source).render(name="<Erika & Co>") == expected


def test_a_lone_percent_sign_fails_as_in_jinja2():
    ours = environment(autoescape=True)
    with translation.override("en"):
        with pytest.raises((ValueError, TypeError)):
            ours.from_string('{{ _("50% off") }}').render()
        with pytest.raises((ValueError, TypeError)):
            _jinja2s_own().from_string('{{ _("50% off") }}').render()
