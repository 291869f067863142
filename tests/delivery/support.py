"""Assertions shared by the delivery tests."""

from __future__ import annotations

from datetime import datetime

from preference_center.delivery import outbox
from preference_center.models import UnsubscribeRequest


def unsubscribe_calls(store):
    return [call for call in store.changing_calls() if call.method == "DELETE"]


def row_values(row: UnsubscribeRequest) -> str:
    """Every stored column of the row, as text (to look for what must not be kept)."""
    return " ".join(str(value) for value in UnsubscribeRequest.objects.filter(pk=row.pk).values().get().values())


def claim_one(*, now: datetime, **options) -> UnsubscribeRequest | None:
    """Claim the most overdue unsubscribe, as a worker's batch of one would."""
    rows = outbox.claim_batch(UnsubscribeRequest, now=now, size=1, **options)
    return rows[0] if rows else None
