"""What the admin's "delete?" page lists, without Django's rows that only link a page to a reason.

Django lists every row a delete takes along, those of the automatic table behind PageConfig.reasons too, as
"Unsubscribereason-pageconfig relationship: UnsubscribeReason_pages object (1)": an English technical name in
every language, about nothing the marketer loses (the reasons themselves stay). The page says which reasons are
shown on it elsewhere; here they are left out.
"""

from __future__ import annotations

from django.utils.text import capfirst

from ..models import UnsubscribeReason

LINK_ROWS = UnsubscribeReason.pages.through._meta


def without_link_rows(deleted: tuple) -> tuple:
    """ModelAdmin.get_deleted_objects()'s (to_delete, model_count, perms_needed, protected), link rows left out."""
    to_delete, model_count, perms_needed, protected = deleted
    prefix = f"{capfirst(LINK_ROWS.verbose_name)}:"
    counts = {name: count for name, count in model_count.items() if name != LINK_ROWS.verbose_name_plural}
    return _drop(to_delete, prefix), counts, perms_needed, protected


def _drop(items: list, prefix: str) -> list:
    kept = []
    for item in items:
        if isinstance(item, list):
            nested = _drop(item, prefix)
            if nested:
                kept.append(nested)
        elif not str(item).startswith(prefix):
            kept.append(item)
    return kept
