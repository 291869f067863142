"""The recipient forms' widgets: Django's own markup, the simple kinds written here in Python.

Django renders every widget through its forms renderer: a template of its own (django/forms/jinja2/…), a fresh
context and an include or two per input. A profile page has a dozen widgets and its preference groups one input
per option, and that was two thirds of the page's rendering time. The templates below (input and its kinds,
the options of checkbox and radio groups, select, textarea) are short; here they are Python producing the very
same markup (tests/pages/test_widget_markup.py compares every page state's HTML with Django's templates). Any
other template still goes to Django's Jinja2 templates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.forms.renderers import Jinja2
from markupsafe import Markup, escape


def _attrs(attrs: Mapping[str, object]) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    return "".join(f" {name}" if value is True else f' {name}="{escape(value)}"'
                   for name, value in attrs.items() if value is not False)


def _input(widget: Mapping) -> str:  # input.html (text, email, date, number, checkbox, hidden, …)
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _input_option(widget: Mapping) -> str:  # input_option.html (a checkbox or radio button of a group)
    if not widget.get("wrap_label"):
        return _input(widget)
    label_for = f' for="{escape(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(widget)} {escape(widget['label'])}</label>"


def _select_option(widget: Mapping) -> str:  # select_option.html
    return f'<option value="{escape(widget["value"])}"{_attrs(widget["attrs"])}>{escape(widget["label"])}</option>'


def _select(widget: Mapping) -> str:  # select.html
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in group_choices:
            parts.append(f"\n  {_OPTIONS[option['template_name']](option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: Mapping) -> str:  # textarea.html
    value = escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


_PREFIX = "django/forms/widgets/"
_OPTIONS: dict[str, Callable[[Mapping], str]] = {
    _PREFIX + "select_option.html": _select_option,
}
IN_PYTHON: dict[str, Callable[[Mapping], str]] = {
    **{f"{_PREFIX}{kind}.html": _input for kind in ("input", "text", "email", "number", "date", "url", "tel",
                                                     "password", "hidden", "checkbox")},
    **{f"{_PREFIX}{kind}.html": _input_option for kind in ("input_option", "checkbox_option", "radio_option")},
    _PREFIX + "select.html": _select,
    _PREFIX + "select_option.html": _select_option,
    _PREFIX + "textarea.html": _textarea,
}


class RecipientWidgetRenderer(Jinja2):
    """Django's Jinja2 forms renderer, with the templates of IN_PYTHON written in Python."""

    def render(self, template_name, context, request=None):
        write = IN_PYTHON.get(template_name)
        if write is None:
            return super().render(template_name, context, request=request)
        return Markup(write(context["widget"]))
