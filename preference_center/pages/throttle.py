"""Limit link failures (unknown contact id, refused checksum, malformed link), so ids and checksums cannot be
guessed by trying.

Two counts, each over the last WINDOW_SECONDS:
- per contact id: what a guesser of one contact's checksum must repeat, from however many addresses;
- per client address: a guesser trying many contact ids from one place.
A contact id or address at its ceiling gets the 429 page before anything is asked of Maileon.

The counts are sliding windows (services/sliding_window.py) in Django's default cache (CACHE_URL: the database
cache, or Redis), which every process and host shares: each failure claims a slot key with the atomic
`cache.add`, so concurrent failures are never lost, and a slot expires WINDOW_SECONDS after its failure. Keys are
keyed hashes (HMAC with SECRET_KEY): the cache holds no addresses, and a hash of an IPv4 address cannot be
reversed by trying all 2^32.

The check comes before the call to Maileon and the count after it, so requests already in flight when the
ceiling is reached still get their answer: concurrency can add at most the requests in flight to a ceiling.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from ..services import sliding_window
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


# The counts themselves: services/sliding_window.py, as the new-link limits below.
PER_CONTACT = SlidingWindow("link-failures-contact", ceiling=CONTACT_MAX_FAILURES, seconds=WINDOW_SECONDS)
PER_ADDRESS = SlidingWindow("link-failures-address", ceiling=ADDRESS_MAX_FAILURES, seconds=WINDOW_SECONDS)


def _counts(request: HttpRequest, *, count_address: bool = True) -> list[tuple[SlidingWindow, str]]:
    contact_id = _contact_id(request)
    counts = [] if contact_id is None else [(PER_CONTACT, str(contact_id))]
    if count_address:
        counts.append((PER_ADDRESS, _address_group(client_address(request))))
    return counts


def seconds_blocked(request: HttpRequest, *, count_address: bool = True) -> int:
    """0 when the request's contact id and address may be tried; else the seconds until one more failure is
    allowed (Retry-After). `count_address=False`: only the contact id counts (the one-click POST). Almost every
    request (no failures) costs one read of two cache keys."""
    return sliding_window.seconds_blocked(*_counts(request, count_address=count_address))


def is_blocked(request: HttpRequest, *, count_address: bool = True) -> bool:
    return seconds_blocked(request, count_address=count_address) > 0


def record_failure(request: HttpRequest) -> None:
    """Count one failure against the request's contact id and its address: each takes a free slot (a full count
    stays full: the failure changes nothing)."""
    sliding_window.take(*_counts(request))


# --- "send me a new link" requests per client address (the same address and /64 grouping as the failures above)

# Each request may make Maileon send a mail: one place may ask for a handful of addresses (a family, an office's
# shared NAT) but cannot turn the form into a way of mailing many addresses or of hammering Maileon.
NEW_LINK_PER_ADDRESS = SlidingWindow("new-link-address", ceiling=10, seconds=600)


def new_link_seconds_blocked(request: HttpRequest) -> int:
    """0 while this client address may ask for another new link; else the seconds to wait (Retry-After)."""
    return NEW_LINK_PER_ADDRESS.seconds_blocked(_address_group(client_address(request)))


def count_new_link_request(request: HttpRequest) -> None:
    NEW_LINK_PER_ADDRESS.take(_address_group(client_address(request)))
