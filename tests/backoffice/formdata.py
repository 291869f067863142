"""POST data for the PageConfig admin form: the page plus its two inline formsets (new rows only)."""

from __future__ import annotations


def page_form_data(
    *, name="Kampagne", slug="kampagne", is_default=False, fields=(), groups=(), **overrides
) -> dict[str, str]:
    """POST data for the PageConfig add/change form. `fields`: dicts of ProfileField values; `groups`: dicts of
    PreferenceGroup values (new rows only)."""
    data = {
        "name": name,
        "slug": slug,
        "default_language": "de",
        "page_key": "",
        "src": "preference-center",
        "doi_mailing_key": "",
        "new_link_transaction_type": "",
        "newsletter_account_ids": "",
        "resubscribe_url": "",
        "downsell_profile_link": "on",
        "downsell_category": "",
        "downsell_preference": "",
        "primary_colour": "#1a5fb4",
        "font_stack": "",
        "logo_alt": "",
        "privacy_url": "",
        "imprint_url": "",
        **{f"{text}_{language}": "" for text in ("profile_intro", "unsubscribe_intro", "confirmation", "downsell_label")
           for language in ("de", "en", "fr", "it", "es", "nl")},
    }
    if is_default:
        data["is_default"] = "on"
    for prefix, rows in (("fields", fields), ("preference_groups", groups)):
        data.update({
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        })
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{key}": str(value) for key, value in row.items()})
    data.update({key: value for key, value in overrides.items() if value is not None})
    return data


def profile_field(name, *, source="standard", field_type="text", position=10, **extra) -> dict[str, str]:
    return {"name": name, "source": source, "field_type": field_type, "position": position, "label_de": "",
            "label_en": "", "choices": "", **extra}


def preference_group(category, *, position=10, **extra) -> dict[str, str]:
    return {"category": category, "position": position, "title_de": "", "title_en": "", "description_de": "",
            "description_en": "", "preference_labels": "", **extra}
