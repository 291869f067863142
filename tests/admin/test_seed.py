"""After `migrate` the database holds one unsubscribe reason per Maileon reason type and a default page
configuration; reversing the seed removes exactly what it created."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from preference_center.maileon import ReasonType
from preference_center.models import PageConfig, PreferenceGroup, ProfileField, UnsubscribeReason


def test_six_reasons_one_per_maileon_type(db):
    reasons = UnsubscribeReason.objects.all()
    assert sorted(r.reason_type for r in reasons) == sorted(t.value for t in ReasonType)
    assert all(r.active and r.label_de and r.label_en and not r.pages.exists() for r in reasons)
    assert UnsubscribeReason.objects.get(reason_type="too_many_messages").label_de == "Ich bekomme zu viele E-Mails"
    assert [r.reason_type for r in reasons if r.asks_free_text] == ["other"]


def test_a_default_page_with_fields_groups_and_down_sell(db):
    page = PageConfig.objects.get(is_default=True)
    assert (page.slug, page.page_key, page.src, page.doi_mailing_key) == (
        "default", "profil", "preference-center", "doi-standard")
    fields = list(page.fields.values_list("source", "name", "field_type"))
    assert fields == [
        ("standard", "SALUTATION", "choice"), ("standard", "FIRSTNAME", "text"), ("standard", "LASTNAME", "text"),
        ("standard", "BIRTHDAY", "date"), ("custom", "Lieblingsfarbe", "text"),
    ]
    assert [value for value, _label in page.fields.get(name="SALUTATION").choice_list("de")] == [
        "Frau", "Herr", "Divers"]
    groups = list(page.preference_groups.all())
    assert [g.category for g in groups] == ["Themen", "Frequenz"]
    assert all(g.title_de and g.title_en and g.description_de and g.description_en for g in groups)
    assert (page.downsell_category, page.downsell_preference) == ("Frequenz", "Monatlicher Digest")
    assert page.profile_intro_de and page.profile_intro_en


# No serialized_rollback: after another transactional test's flush it re-inserts content types and fails;
# the test migrates forward again itself, which restores the seed.
@pytest.mark.django_db(transaction=True)
def test_the_seed_is_reversible_and_keeps_what_marketers_added():
    mine = UnsubscribeReason.objects.create(label_de="Eigener", label_en="Own", reason_type="other")
    executor = MigrationExecutor(connection)
    executor.migrate([("preference_center", "0001_initial")])
    try:
        assert list(UnsubscribeReason.objects.all()) == [mine]
        assert not PageConfig.objects.exists()
        assert not ProfileField.objects.exists() and not PreferenceGroup.objects.exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert UnsubscribeReason.objects.count() == 7
    assert PageConfig.objects.filter(is_default=True, slug="default").exists()
