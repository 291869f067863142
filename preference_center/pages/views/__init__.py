"""Recipient pages. Thin: parse the link, pick the page configuration, call a service, render.

One module per journey: `profile`, `unsubscribe` (the page, its confirmation, "tell us more", "by mistake"),
`staying` (down-sell, topics, pause: the unsubscribe page's alternatives), `one_click` (RFC 8058),
`coming_back` (the way back after leaving, "send me a new link"), `assets` (theme, logo, health);
what every view shares is in `common`. Only urls.py imports them (import-linter holds it).
"""
