"""Exactly one page configuration is the default: saving another as default moves the flag."""

from __future__ import annotations

import pytest
from django.urls import reverse

from preference_center.models import PageConfig

from .formdata import page_form_data

ADD_URL = reverse("admin:preference_center_pageconfig_add")


def _defaults() -> list[str]:
    return list(PageConfig.objects.filter(is_default=True).values_list("slug", flat=True))


def test_saving_another_page_as_default_moves_the_flag(staff_client, maileon_down, default_page):
    response = staff_client.post(ADD_URL, page_form_data(slug="neu", is_default=True))
    assert response.status_code == 302
    assert _defaults() == ["neu"]

    change_url = reverse("admin:preference_center_pageconfig_change", args=[default_page.pk])
    response = staff_client.post(change_url, page_form_data(name="Standard", slug="default", is_default=True))
    assert response.status_code == 302
    assert _defaults() == ["default"]


def test_a_new_page_without_the_tick_leaves_the_default_alone(staff_client, maileon_down, default_page):
    assert staff_client.post(ADD_URL, page_form_data(slug="neu")).status_code == 302
    assert _defaults() == ["default"]


def test_the_default_page_cannot_give_up_its_flag(staff_client, maileon_down, default_page):
    change_url = reverse("admin:preference_center_pageconfig_change", args=[default_page.pk])
    response = staff_client.post(change_url, page_form_data(name="Standard", slug="default", is_default=False))
    assert response.status_code == 200
    assert "make it the default instead" in " ".join(str(e) for e in response.context["errors"])
    assert _defaults() == ["default"]


def test_the_first_page_becomes_the_default(staff_client, maileon_down):
    PageConfig.objects.all().delete()
    assert staff_client.post(ADD_URL, page_form_data(slug="erste")).status_code == 302
    assert _defaults() == ["erste"]


def test_the_default_page_cannot_be_deleted(staff_client, default_page):
    other = PageConfig.objects.create(slug="andere", name="Andere")
    delete_url = reverse("admin:preference_center_pageconfig_delete", args=[default_page.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    response = staff_client.post(
        reverse("admin:preference_center_pageconfig_changelist"),
        {"action": "delete_selected", "_selected_action": [str(default_page.pk), str(other.pk)], "post": "yes"},
    )
    assert response.status_code == 403
    assert sorted(PageConfig.objects.values_list("slug", flat=True)) == ["andere", "default"]


@pytest.mark.postgres  # the in-memory SQLite test database cannot take writes from threads at all
@pytest.mark.django_db(transaction=True)
def test_requests_that_find_no_page_at_all_create_one_default_page_between_them():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    PageConfig.objects.all().delete()

    def get_default(_):
        try:
            return PageConfig.get_default().pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = set(pool.map(get_default, range(8)))
    assert len(pages) == 1 and PageConfig.objects.filter(is_default=True).count() == 1
