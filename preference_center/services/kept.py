"""Counting what was kept: each successful action a recipient takes instead of leaving (or to come back, or on the
profile) becomes one anonymous KeptEvent row: kind, page, the link's mailing id and the day; never who.

A repeat is counted once: the same contact's same kind within REPEAT_SECONDS (a double click, a second save of the
same topics, a pause extended twice in a row) is the same decision, as a repeated unsubscribe within a day is the
same unsubscribe. The memory of who was counted lives in the shared cache only, as a keyed hash (HMAC with
SECRET_KEY) that expires, never in the table. Counting never costs the recipient their action: a database that does
not take the row loses one count and logs it.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..links import ContactLink
from ..models import KeptEvent, KeptKind, PageConfig

logger = logging.getLogger(__name__)

REPEAT_SECONDS = 24 * 3600  # services/unsubscribe.REPEAT_WINDOW: the same span makes the same unsubscribe


def record(kind: KeptKind, *, link: ContactLink, page: PageConfig | None) -> bool:
    """Count one `kind` for `link`'s mailing and `page`, today; False when it repeats one counted within
    REPEAT_SECONDS, or the database did not take it."""
    digest = salted_hmac("preference_center.kept", f"{kind.value}:{link.contact_id}").hexdigest()[:32]
    key = f"kept:{digest}"
    try:
        if not cache.add(key, 1, REPEAT_SECONDS):
            return False
        with transaction.atomic():
            KeptEvent.objects.create(kind=kind, page=page if page is not None and page.pk else None,
                                     mailing_id=link.mailing_id, day=timezone.localdate())
    except DatabaseError as error:
        logger.warning("%s of contact %s not counted: %s", kind.value, link.contact_id, type(error).__name__)
        _forget(key)
        return False
    return True


def _forget(key: str) -> None:
    """Not counted after all: a retry may count it. (The database cache may be down with the database.)"""
    try:
        cache.delete(key)
    except DatabaseError:
        pass
