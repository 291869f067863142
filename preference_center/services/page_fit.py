"""What of a page configuration the Maileon account has: a page shows that part and leaves the rest out.

A field, category, preference, DOI mailing or down-sell preference the account lacks (renamed or deleted in
Maileon, or named for another account) must never break a page. `fit()` says what is there and what is not; the
profile and unsubscribe pages use the first, the admin and `check_pages` show the second. Each missing name is
logged once per process, not on every view.
"""

from __future__ import annotations

import enum
import logging
import threading
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .standard_fields import STANDARD_FIELDS
from ..maileon import CustomFieldType, PreferenceDefinition, RejectedError
from ..models import FieldSource, PageConfig, PreferenceGroup, ProfileField
from . import definitions

logger = logging.getLogger(__name__)


class MissingKind(enum.Enum):
    STANDARD_FIELD = _("standard field")
    CUSTOM_FIELD = _("custom field")
    CATEGORY = _("preference category")
    PREFERENCE = _("preference")
    DOWNSELL = _("down-sell preference")
    DOI_MAILING = _("double opt-in mailing")
    PAUSE_FIELD = _("pause date field (a custom field of type date)")
    TRANSACTION_TYPE = _("transaction type")


@dataclass(frozen=True)
class Missing:
    kind: MissingKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind.value} {self.name}"


@dataclass(frozen=True)
class GroupFit:
    group: PreferenceGroup
    preferences: tuple[PreferenceDefinition, ...]  # what the account defines in the group's category


@dataclass(frozen=True)
class PageFit:
    fields: tuple[ProfileField, ...]
    groups: tuple[GroupFit, ...]
    downsell: bool  # the page's down-sell switch exists in the account
    doi_mailing: bool  # the page names a DOI mailing Maileon has not refused
    missing: tuple[Missing, ...] = ()
    pause: bool = False  # the page's pause field is a date field of the account: "pause instead of leaving"

    @property
    def standard_field_names(self) -> list[str]:
        return [f.name for f in self.fields if f.source == FieldSource.STANDARD]

    @property
    def custom_field_names(self) -> list[str]:
        return [f.name for f in self.fields if f.source == FieldSource.CUSTOM]

    @property
    def categories(self) -> list[str]:
        return [fit.group.category for fit in self.groups]

    def preferences_of(self, category: str) -> tuple[PreferenceDefinition, ...]:
        return next((fit.preferences for fit in self.groups if fit.group.category == category), ())

    @classmethod
    def assumed(cls, page: PageConfig, preferences: dict[str, list[PreferenceDefinition]]) -> PageFit:
        """Everything the page names taken as present, with the given preferences (admin previews, which must
        not ask Maileon)."""
        groups = tuple(GroupFit(g, tuple(preferences.get(g.category, ()))) for g in page.preference_groups.all())
        return cls(fields=tuple(page.fields.all()), groups=groups, downsell=page.offers_downsell_switch,
                   doi_mailing=bool(page.doi_mailing_key), pause=bool(page.pause_field))


# A page view asks for the fit once or twice (the unsubscribe page: the form and the down-sell offer), and it
# only changes with the page object (page_cache hands out the same one for seconds) or the definitions: kept per
# page object while definitions.version() stays the same.
_MEMO_LIMIT = 256
_memo: dict[int, tuple[PageConfig, tuple[int, int], PageFit]] = {}  # id(page) -> (page, version, fit)


def fit(page: PageConfig, *, with_transaction_type: bool = False) -> PageFit:
    """What of `page` the account has (cached account definitions; MaileonError when they cannot be read).

    `with_transaction_type`: check the "send me a new link" transaction type too (the admin and check_pages). The
    recipient pages leave it out: a profile page has no use for the list of types, nor should it fail when the
    API key may not read it."""
    if with_transaction_type:
        return _fit(page, with_transaction_type=True)
    version = definitions.version()
    kept = _memo.get(id(page))
    if kept is not None and kept[0] is page and kept[1] == version:
        return kept[2]
    result = _fit(page, with_transaction_type=False)
    if definitions.version() == version:  # nothing was read afresh meanwhile
        if len(_memo) >= _MEMO_LIMIT:
            _memo.clear()
        _memo[id(page)] = (page, version, result)
    return result


def _fit(page: PageConfig, *, with_transaction_type: bool) -> PageFit:
    missing: list[Missing] = []
    fields = []
    custom = None
    for field in page.fields.all():
        if field.source == FieldSource.STANDARD:
            present = field.name in STANDARD_FIELDS
            kind = MissingKind.STANDARD_FIELD
        else:
            custom = definitions.custom_fields() if custom is None else custom
            present, kind = field.name in custom, MissingKind.CUSTOM_FIELD
        if present:
            fields.append(field)
        else:
            missing.append(Missing(kind, field.name))

    groups = []
    for group in page.preference_groups.all():
        defined = definitions.preferences(group.category)
        if defined is None:
            missing.append(Missing(MissingKind.CATEGORY, group.category))
            continue
        names = {definition.name for definition in defined}
        missing += [Missing(MissingKind.PREFERENCE, f"{group.category}/{name}")
                    for name in group.listed_preferences() if name not in names]
        groups.append(GroupFit(group, defined))

    downsell = page.offers_downsell_switch and _downsell_exists(page)
    if page.offers_downsell_switch and not downsell:
        missing.append(Missing(MissingKind.DOWNSELL, f"{page.downsell_category}/{page.downsell_preference}"))
    doi_mailing = bool(page.doi_mailing_key) and not definitions.doi_mailing_refused(page.doi_mailing_key)
    if page.doi_mailing_key and not doi_mailing:
        missing.append(Missing(MissingKind.DOI_MAILING, page.doi_mailing_key))
    if with_transaction_type and not _transaction_type_exists(page):
        missing.append(Missing(MissingKind.TRANSACTION_TYPE, str(page.new_link_transaction_type)))

    # A pause is a date that target groups compare with today: a field of another type would take the value
    # and filter nothing, so it counts as missing.
    pause = bool(page.pause_field) and _date_field_exists(page.pause_field, custom)
    if page.pause_field and not pause:
        missing.append(Missing(MissingKind.PAUSE_FIELD, page.pause_field))

    _warn_once(page, missing)
    return PageFit(tuple(fields), tuple(groups), downsell, doi_mailing, tuple(missing), pause)


def _date_field_exists(name: str, custom: dict[str, CustomFieldType] | None) -> bool:
    custom = definitions.custom_fields() if custom is None else custom
    return custom.get(name) is CustomFieldType.DATE


def _transaction_type_exists(page: PageConfig) -> bool:
    """True when the page names no type, or one the account lists (or may have: a key not allowed to list types
    cannot check). A type Maileon refused a transaction with lately counts as missing, as a refused DOI mailing."""
    type_id = page.new_link_transaction_type
    if type_id is None:
        return True
    if definitions.transaction_type_refused(type_id):
        return False
    try:
        return type_id in definitions.transaction_types()
    except RejectedError:  # e.g. 403: this key may not list transaction types; Maileon will say so when sending
        return True


def _downsell_exists(page: PageConfig) -> bool:
    defined = definitions.preferences(page.downsell_category)
    return defined is not None and any(d.name == page.downsell_preference for d in defined)


_warned: set[tuple[str, Missing]] = set()
_warned_lock = threading.Lock()


def _warn_once(page: PageConfig, missing: list[Missing]) -> None:
    for item in missing:
        with _warned_lock:
            if (page.slug, item) in _warned:
                continue
            _warned.add((page.slug, item))
        logger.warning("page %s names %s %r, which the Maileon account lacks: left out of the page",
                       page.slug, item.kind.name.lower().replace("_", " "), item.name)
