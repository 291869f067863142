"""Limit link failures (unknown contact id, refused checksum, malformed link), so ids and checksums cannot be
guessed by trying.

Two counts, each over the last WINDOW_SECONDS:
- per contact id: what a guesser of one contact's checksum must repeat, from however many addresses;
- per client address: a guesser trying many contact ids from one place.
A contact id or address at its ceiling gets the 429 page before anything is asked of Maileon.

The counts live in Django's default cache (CACHE_URL: the database cache, or Redis), which every process and
host shares. Each failure claims one *slot* key with `cache.add`, atomic on every backend (on the database cache
the INSERT meets the primary key); Django's database cache implements `incr` as a read and a write, so
concurrent failures counted with it could lose counts. A slot expires WINDOW_SECONDS after its failure, so the
window slides; a key is full when every slot is taken. Keys are keyed hashes (HMAC with SECRET_KEY): the cache
holds no addresses, and a hash of an IPv4 address cannot be reversed by trying all 2^32.

The check comes before the call to Maileon and the count after it, so requests already in flight when the
ceiling is reached still get their answer: concurrency can add at most the requests in flight to a ceiling.
"""

from __future__ import annotations

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from ..services.sliding_window import SlidingWindow

# Per contact id and window. Nobody mistypes their own link ten times in ten minutes, while a guesser gets at
# most 1,440 tries a day at one contact's checksum, hopeless against Maileon's checksums. The price: whoever
# knows a contact id can lock that contact's pages for ten minutes with ten bad links.
CONTACT_MAX_FAILURES = 10
# Per client address and window: higher, since many recipients may share an address (an office, a carrier's
# NAT) and each broken link (a mail client cutting a long URL) counts. An IPv6 client counts per /64, the
# network one subscriber usually gets.
ADDRESS_MAX_FAILURES = 50
WINDOW_SECONDS = 600


def client_address(request: HttpRequest) -> str:
    """The client's address as the outermost trusted proxy saw it.

    TRUSTED_PROXY_HOPS = 0: the socket's peer; X-Forwarded-For, which anyone can send, is ignored. N >= 1: each
    of the N proxies appends the address it received the request from, so the N-th entry from the right is the
    one the outermost proxy appended; entries further left are whatever the client sent. A header shorter than
    N (a request that bypassed a proxy) gives its leftmost entry, one without entries the socket's peer.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops > 0:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [entry for entry in forwarded if entry]
        if forwarded:
            return _canonical(forwarded[-hops] if len(forwarded) >= hops else forwarded[0])
    return _canonical(peer)


def _canonical(entry: str) -> str:
    """One spelling per address: proxies may add a port (`203.0.113.7:4711`, `[2001:db8::1]:443`)."""
    candidates = [entry]
    if entry.startswith("[") and "]" in entry:
        candidates.append(entry[1:entry.index("]")])
    elif entry.count(":") == 1:
        candidates.append(entry.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return entry[:64]  # not an address (a proxy's "unknown"): counted as given


def _address_group(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _contact_id(request: HttpRequest) -> int | None:
    """The contact id Maileon would be asked about, as links.parse reads it (`007` is contact 7). Several
    different values make the link malformed (never sent to Maileon): then only the address counts, and a
    query with many ids cannot charge many contacts at once."""
    values = {value for name in ("contactid", "id") for value in request.GET.getlist(name)}
    if len(values) != 1:
        return None
    value = values.pop()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _slots(kind: str, value: str, ceiling: int) -> list[str]:
    digest = salted_hmac("preference_center.throttle", f"{kind}:{value}").hexdigest()[:32]  # a key salt, not a path
    return [f"link-failures:{kind}:{digest}:{slot}" for slot in range(ceiling)]


def _windows(request: HttpRequest, *, count_address: bool = True) -> list[list[str]]:
    contact_id = _contact_id(request)
    windows = [] if contact_id is None else [_slots("contact", str(contact_id), CONTACT_MAX_FAILURES)]
    if count_address:
        windows.append(_slots("address", _address_group(client_address(request)), ADDRESS_MAX_FAILURES))
    return windows


def seconds_blocked(request: HttpRequest, *, count_address: bool = True) -> int:
    """0 when the request's contact id and address may be tried; else the seconds until one more failure is
    allowed (Retry-After). `count_address=False`: only the contact id counts (the one-click POST)."""
    windows = _windows(request, count_address=count_address)
    # A new failure takes the first free slot, so a window is full only when its last slot is taken: asking for
    # the last slots first answers almost every request (no failures) with a read of two keys, not of sixty.
    last_taken = cache.get_many([window[-1] for window in windows])
    windows = [window for window in windows if window[-1] in last_taken]
    if not windows:
        return 0
    taken = cache.get_many([key for window in windows for key in window])
    now = time.time()
    waits = [
        min(taken[key] for key in window) + WINDOW_SECONDS - now
        for window in windows if all(key in taken for key in window)
    ]
    return max(1, math.ceil(max(waits))) if waits else 0


def is_blocked(request: HttpRequest, *, count_address: bool = True) -> bool:
    return seconds_blocked(request, count_address=count_address) > 0


def record_failure(request: HttpRequest) -> None:
    """Count one failure against the request's contact id and its address: each takes a free slot."""
    windows = _windows(request)
    taken = cache.get_many([key for window in windows for key in window])  # also drops expired slots
    now = time.time()
    for window in windows:
        for key in window:
            # Another process may take the same free slot at the same moment: add() lets only one win, and the
            # loser takes the next one. A full window stays full: the failure changes nothing.
            if key not in taken and cache.add(key, now, WINDOW_SECONDS):
                break


# --- "send me a new link" requests per client address (the same address and /64 grouping as the failures above)

# Each request may make Maileon send a mail: one place may ask for a handful of addresses (a family, an office's
# shared NAT) but cannot turn the form into a way of mailing many addresses or of hammering Maileon.
NEW_LINK_PER_ADDRESS = SlidingWindow("new-link-address", ceiling=10, seconds=600)


def new_link_seconds_blocked(request: HttpRequest) -> int:
    """0 while this client address may ask for another new link; else the seconds to wait (Retry-After)."""
    return NEW_LINK_PER_ADDRESS.seconds_blocked(_address_group(client_address(request)))


def count_new_link_request(request: HttpRequest) -> None:
    NEW_LINK_PER_ADDRESS.take(_address_group(client_address(request)))
