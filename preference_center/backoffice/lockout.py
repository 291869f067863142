"""The client address django-axes counts admin sign-in failures by (settings.AXES_CLIENT_IP_CALLABLE).

The same address as the link-failure throttle (`throttle.client_address`, which knows about the proxies in
front), so an administrator unlocks with the address the rest of the app reports.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from preference_center.pages import throttle


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address, or None when it is no IP address (a forged or mangled X-Forwarded-For).

    axes stores the address in a GenericIPAddressField (PostgreSQL `inet`): anything else there fails the
    INSERT and the sign-in would answer 500. None still counts: such attempts share one count per username.
    """
    address = throttle.client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
