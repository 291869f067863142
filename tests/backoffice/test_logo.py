"""The logo upload: PNG, JPEG, SVG or WebP up to 200 KB, stored in the page configuration; SVG only without
script. The file's bytes decide its type, never its name or the browser's claim."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from preference_center.models import PageConfig

from .formdata import page_form_data

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'


def _upload(client, default_page, content: bytes, name="logo.png", content_type="image/png", **extra):
    data = page_form_data(name="Standard", slug="default", is_default=True, **extra)
    data["logo_upload"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("admin:preference_center_pageconfig_change", args=[default_page.pk]), data)


@pytest.mark.parametrize(
    ("content", "media_type"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"), (SVG, "image/svg+xml"),
     (SVG.replace(b'<?xml version="1.0"?>', b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">'), "image/svg+xml")],
)
def test_accepted_images_are_stored_with_their_type(staff_client, maileon_down, default_page, content, media_type):
    response = _upload(staff_client, default_page, content, content_type="application/octet-stream")
    assert response.status_code == 302
    default_page.refresh_from_db()
    assert bytes(default_page.logo) == content
    assert default_page.logo_content_type == media_type


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a" + b"\x00" * 32, "Upload a PNG, JPEG, SVG or WebP image."),
        (b"<html><body>not an image</body></html>", "Upload a PNG, JPEG, SVG or WebP image."),
        (PNG + b"\x00" * 200 * 1024, "at most 200 KB"),
        (SVG.replace(b"<rect/>", b"<script>alert(1)</script>"), "contains a script"),
        (SVG.replace(b"<rect/>", b"<SCRIPT >alert(1)</SCRIPT>"), "contains a script"),
        (SVG.replace(b"<svg ", b'<svg onload="alert(1)" '), "event handler"),
        (SVG.replace(b"<rect/>", b'<a href="javascript:alert(1)"><rect/></a>'), "javascript: link"),
    ],
)
def test_refused_files_leave_the_logo_unchanged(staff_client, maileon_down, default_page, content, message):
    response = _upload(staff_client, default_page, content, name="logo.svg", content_type="image/svg+xml")
    assert response.status_code == 200
    assert message in response.content.decode()
    default_page.refresh_from_db()
    assert not default_page.logo


def test_exactly_200_kb_is_accepted(staff_client, maileon_down, default_page):
    content = PNG + b"\x00" * (200 * 1024 - len(PNG))
    assert _upload(staff_client, default_page, content).status_code == 302


def test_the_current_logo_is_shown_and_can_be_removed(staff_client, maileon_down, default_page):
    PageConfig.objects.filter(pk=default_page.pk).update(logo=PNG, logo_content_type="image/png")
    change_url = reverse("admin:preference_center_pageconfig_change", args=[default_page.pk])
    assert 'src="data:image/png;base64,' in staff_client.get(change_url).content.decode()

    data = page_form_data(name="Standard", slug="default", is_default=True, remove_logo="on")
    assert staff_client.post(change_url, data).status_code == 302
    default_page.refresh_from_db()
    assert not default_page.logo
    assert default_page.logo_content_type == ""
