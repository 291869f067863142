"""After `migrate` the database holds one unsubscribe reason per Maileon reason type and a default page
configuration; reversing the seed removes exactly what it created."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
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


def test_a_default_page_that_names_nothing_an_account_may_lack(db):
    page = PageConfig.objects.get(is_default=True)
    assert (page.slug, page.src, page.page_key, page.doi_mailing_key) == ("default", "preference-center", "", "")
    # Standard fields every Maileon account has; no custom field, category, DOI mailing or down-sell.
    assert list(page.fields.values_list("source", "name", "field_type")) == [
        ("standard", "FIRSTNAME", "text"), ("standard", "LASTNAME", "text")]
    assert not page.preference_groups.exists()
    assert (page.downsell_category, page.downsell_preference) == ("", "")
    assert page.profile_intro_de and page.profile_intro_en and page.unsubscribe_intro_de


def test_no_name_of_the_sandboxs_demo_account_reaches_a_fresh_database(db):
    from preference_center.dev.sandbox.store import SandboxStore

    demo = SandboxStore()
    names = {*demo.categories, *demo.custom_field_definitions, *demo.doi_mailing_keys,
             *(p.name for prefs in demo.preference_definitions.values() for p in prefs)}
    stored = {value for page in PageConfig.objects.all()
              for value in (page.doi_mailing_key, page.downsell_category, page.downsell_preference, page.page_key)}
    stored |= set(ProfileField.objects.values_list("name", flat=True))
    stored |= set(PreferenceGroup.objects.values_list("category", flat=True))
    assert not names & stored


# No serialized_rollback: after another transactional test's flush it re-inserts content types and fails;
# the test migrates forward again itself, which restores the seed.
@pytest.mark.django_db(transaction=True)
def test_the_seed_is_reversible_and_keeps_what_marketers_added():
    mine = UnsubscribeReason.objects.create(label_de="Eigener", label_en="Own", reason_type="other")
    executor = MigrationExecutor(connection)
    executor.migrate([("preference_center", "0001_initial")])
    try:
        # Only the pk: the model of today has columns the schema of 0001 lacks.
        assert list(UnsubscribeReason.objects.values_list("pk", flat=True)) == [mine.pk]
        assert not PageConfig.objects.exists()
        assert not ProfileField.objects.exists() and not PreferenceGroup.objects.exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert UnsubscribeReason.objects.count() == 7
    assert PageConfig.objects.filter(is_default=True, slug="default").exists()


@pytest.mark.django_db
def test_the_seeded_other_reason_asks_for_nothing_and_a_changed_one_is_left_alone():
    other = UnsubscribeReason.objects.get(reason_type="other")
    assert (other.label_de, other.label_en, other.label_nl) == ("Anderer Grund", "Another reason", "Een andere reden")
    migration = importlib.import_module("preference_center.migrations.0011_other_reason_label")
    UnsubscribeReason.objects.filter(pk=other.pk).update(label_de="Etwas anderes")
    migration.backwards(django_apps, None)  # only rows exactly as seeded change
    other.refresh_from_db()
    assert (other.label_de, other.label_en) == ("Etwas anderes", "Another reason")
