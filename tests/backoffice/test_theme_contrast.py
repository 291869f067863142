"""Safe themes: a primary colour the pages cannot be read in is refused with the measured contrast and a darker
shade of the same hue that passes; a page saved with one before keeps rendering, and its form warns on opening."""

from __future__ import annotations

import colorsys
import re
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import given, settings as hypothesis_settings, strategies as st

from preference_center import colours
from preference_center.models import PageConfig

from tests.support import ERIKA

from .formdata import page_form_data

ADD_URL = reverse("admin:preference_center_pageconfig_add")
SUGGESTION = re.compile(r"The nearest darker shade of the same hue that passes is (#[0-9a-f]{6}) \((\d\.\d\d):1\)")


def _add(client, colour: str, language: str = "en"):
    return client.post(ADD_URL, page_form_data(primary_colour=colour), HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("colour, ratio, where", [
    ("#ffcc00", "1.42", "as link text on the light grey boxes"),
    ("#ff0000", "3.75", "as link text on the light grey boxes"),
    ("#8a8a8a", "3.24", "as link text on the light grey boxes"),
    ("#ffffff", "1.00", "as link text on the white page background"),
])
def test_a_hard_to_read_primary_colour_is_refused_with_ratio_and_suggestion(
    staff_client, maileon_down, colour, ratio, where
):
    response = _add(staff_client, colour)
    html = response.content.decode()
    assert response.status_code == 200 and not PageConfig.objects.filter(slug="kampagne").exists()
    assert f"The primary colour {colour} is hard to read: its contrast {where}" in html
    assert f"is {ratio}:1, and WCAG AA asks for at least 4.5:1." in html
    suggestion, suggested_ratio = SUGGESTION.search(html).groups()
    assert float(suggested_ratio) >= 4.5

    # The suggestion is taken as it is.
    assert _add(staff_client, suggestion).status_code == 302
    assert PageConfig.objects.get(slug="kampagne").primary_colour == suggestion


def test_the_message_speaks_german_with_a_decimal_comma(staff_client, maileon_down):
    html = _add(staff_client, "#ffcc00", language="de").content.decode()
    assert "Die Hauptfarbe #ffcc00 ist schwer lesbar" in html and "1,42:1" in html and "4,5:1" in html


def test_a_ratio_just_below_the_line_is_not_rounded_up_to_it(staff_client, maileon_down):
    # #046cee: 4.4987:1 on the grey boxes; rounded it would read 4.50:1 in the message that refuses it.
    html = _add(staff_client, "#046cee").content.decode()
    assert "is 4.49:1, and WCAG AA asks for at least 4.5:1." in html


@pytest.mark.parametrize("colour", ["#1a5fb4", "#0066ff", "#000000", "#b42318"])
def test_readable_colours_are_taken(staff_client, maileon_down, colour):
    assert _add(staff_client, colour).status_code == 302


def test_a_page_saved_before_with_a_bad_colour_keeps_rendering_and_its_form_warns(
    staff_client, client, maileon_sandbox, default_page, link
):
    PageConfig.objects.filter(pk=default_page.pk).update(primary_colour="#ffcc00")  # saved before the check

    assert client.get(f"/profile/?{link(ERIKA)}").status_code == 200
    assert "--pc-primary: #ffcc00;" in client.get("/p/default/theme.css").content.decode()

    change_url = reverse("admin:preference_center_pageconfig_change", args=[default_page.pk])
    html = staff_client.get(change_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    warning = html[html.index('id="theme-contrast"'):]
    assert html.index('id="theme-contrast"') < html.index("<fieldset")
    assert "The primary colour #ffcc00 is hard to read" in warning
    assert "Recipients still see the pages in this colour" in warning

    data = page_form_data(name="Standard", slug="default", is_default=True, primary_colour="#ffcc00")
    assert staff_client.post(change_url, data).status_code == 200  # not saved again unchanged
    data["primary_colour"] = "#8b6f00"
    assert staff_client.post(change_url, data).status_code == 302
    assert 'id="theme-contrast"' not in staff_client.get(change_url).content.decode()


def test_the_backgrounds_measured_are_those_of_the_pages():
    css = (Path(__file__).resolve().parents[2] / "static" / "pages.css").read_text()
    assert f"--pc-background: {colours.PAGE_BACKGROUND};" in css
    assert f"--pc-surface: {colours.SURFACE};" in css


def _hls(colour: str) -> tuple[float, float, float]:
    return colorsys.rgb_to_hls(*(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)))


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=0xFFFFFF))
def test_the_suggestion_passes_keeps_the_hue_and_is_the_nearest_darker_shade(number):
    colour = f"#{number:06x}"
    suggestion = colours.darker_passing_shade(colour)
    assert colours.reading(suggestion).passes
    if colours.reading(colour).passes:
        assert suggestion == colour
        return
    assert colours.relative_luminance(suggestion) < colours.relative_luminance(colour)
    hue, lightness, saturation = _hls(colour)
    suggested_hue, suggested_lightness, _saturation = _hls(suggestion)
    if saturation > 0.2 and suggested_lightness > 0.1:  # a hue only means something with some colour in it
        assert min(abs(hue - suggested_hue), 1 - abs(hue - suggested_hue)) < 0.02
    # Nearest: a shade a little lighter (by one step of #rrggbb in lightness) no longer passes.
    lighter = colours._hex(colorsys.hls_to_rgb(hue, suggested_lightness + 2 / 255, saturation))
    assert not colours.reading(lighter).passes
