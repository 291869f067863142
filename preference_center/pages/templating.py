"""The recipient pages' template engine: Jinja2 through Django's Jinja2 backend (settings.TEMPLATES, alias
"jinja2"), for templates/. The admin keeps Django's template engine.

Jinja2 compiles a template to Python once per process; Django's engine walks its node tree on every render,
which cost a profile view about 2 ms of its 5. Texts are translated by Django's own gettext (the catalogues in
locale/, the language `translation.override` made active), through Jinja2's i18n extension:

    {{ _("Unsubscribe") }}
    {% trans email=masked_email %}The address {{ email }} will receive no more newsletters.{% endtrans %}
    {% trans trimmed minutes=undo_minutes %}… {{ minutes }} minute …{% pluralize %}… {{ minutes }} minutes …{% endtrans %}

The msgids are those Django's {% translate %} and {% blocktranslate %} made ("%(email)s"), so the catalogues
stay as they are; `manage.py makemessages` extracts them with Jinja2's own parser (management/commands/
makemessages.py). The translated text is taken as markup (our catalogues are ours and hold no <, & or ";
Django escaped {% translate %}'s text but not {% blocktranslate %}'s), the values put into it are escaped. `{% language code %}…{% endlanguage %}` speaks another language for a part
of a page (500.html).
"""

from __future__ import annotations

from functools import cache

import jinja2
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template import engines
from django.templatetags.static import static
from django.utils import translation
from django.utils.text import normalize_newlines
from django.utils.translation import gettext, ngettext, npgettext, pgettext
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup, escape

ENGINE = "jinja2"  # the alias of the Jinja2 backend in settings.TEMPLATES


def render_to_string(template_name: str, context: dict, request: HttpRequest | None = None) -> str:
    """A recipient template (templates/) rendered by the Jinja2 engine, whatever else TEMPLATES holds."""
    return engines[ENGINE].get_template(template_name).render(context, request)


def environment(**options) -> jinja2.Environment:
    """Django's Jinja2 backend calls this with the OPTIONS of settings.TEMPLATES (loader, autoescape, …)."""
    # The same in DEBUG as in production: a value a page does not get renders as nothing (Django's backend
    # would print "{{ name }}" in DEBUG), so the tests see what recipients see.
    options["undefined"] = jinja2.Undefined
    env = jinja2.Environment(extensions=["jinja2.ext.i18n", LanguageExtension], **options)
    env.install_gettext_callables(  # type: ignore[attr-defined] - added by the i18n extension
        gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext, newstyle=True,
    )
    # `_()` and `gettext()`, most of a page's texts: what the i18n extension installs, without its detour through
    # the context for every call.
    env.globals["gettext"] = env.globals["_"] = _gettext
    env.globals["static"] = static_url
    env.filters["linebreaksbr"] = linebreaksbr
    return env


@jinja2.pass_context
def _gettext(context, message: str, /, **variables) -> str:
    """Jinja2's newstyle gettext: the text as markup when autoescaping (ours, not the values put into it), and
    always read as a format string, so "%%" is "%" with or without variables. Formatting markup escapes every
    value and copies the text: skipped when there is nothing to format, which changes no result."""
    translated = gettext(message)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)
    return translated % variables if variables or "%" in translated else translated


@cache
def static_url(path: str) -> str:
    """A static file's URL (with its content hash in production): looked up once per process, as the manifest
    collectstatic wrote is read once per process anyway."""
    return static(path)


@receiver(setting_changed)
def _forget_static_urls(*, setting: str, **_signal) -> None:
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS"):
        static_url.cache_clear()


def linebreaksbr(value) -> Markup:
    """Django's filter of that name: the text escaped (unless it is markup already), each line break a <br>."""
    return Markup(normalize_newlines(str(escape(value))).replace("\n", "<br>"))


class LanguageExtension(Extension):
    """`{% language code %}…{% endlanguage %}`: the enclosed part rendered in another language (Django's tag of
    that name), e.g. the error page that speaks German and English when nothing told which."""

    tags = {"language"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        code = parser.parse_expression()
        body = parser.parse_statements(("name:endlanguage",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render_in", [code]), [], [], body).set_lineno(lineno)

    @staticmethod
    def _render_in(code: str, caller) -> str:
        with translation.override(code):
            return caller()
