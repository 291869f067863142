"""The recipient pages of one page configuration, mounted at the root (the default page) and under /p/<slug>/,
and the page assets. Each POST that succeeds answers 303 to its confirmation (a GET, confirmations.py)."""

from django.urls import path

from .views import assets, coming_back, one_click, profile, staying, unsubscribe

RECIPIENT_PAGES = [
    ("profile/", profile.profile, "profile"),
    ("profile/saved/", profile.profile_saved, "profile_saved"),
    ("unsubscribe/", unsubscribe.unsubscribe, "unsubscribe"),
    ("unsubscribe/done/", unsubscribe.unsubscribe_done, "unsubscribe_done"),
    ("unsubscribe/reason/", unsubscribe.unsubscribe_reason, "unsubscribe_reason"),
    ("unsubscribe/undo/", unsubscribe.unsubscribe_undo, "unsubscribe_undo"),
    ("unsubscribe/undone/", unsubscribe.unsubscribe_undone, "unsubscribe_undone"),
    ("unsubscribe/downsell/", staying.unsubscribe_downsell, "unsubscribe_downsell"),
    ("unsubscribe/downsell/done/", staying.unsubscribe_downsell_done, "unsubscribe_downsell_done"),
    ("unsubscribe/topics/", staying.unsubscribe_topics, "unsubscribe_topics"),
    ("unsubscribe/topics/done/", staying.unsubscribe_topics_done, "unsubscribe_topics_done"),
    ("unsubscribe/pause/", staying.unsubscribe_pause, "unsubscribe_pause"),
    ("unsubscribe/pause/done/", staying.unsubscribe_pause_done, "unsubscribe_pause_done"),
    ("unsubscribe/one-click/", one_click.unsubscribe_one_click, "unsubscribe_one_click"),
    ("resubscribe/", coming_back.resubscribe, "resubscribe"),
    ("resubscribe/sent/", coming_back.resubscribe_sent, "resubscribe_sent"),
    ("link/new/", coming_back.new_link, "new_link"),
    ("link/new/sent/", coming_back.new_link_sent, "new_link_sent"),
]

urlpatterns = [
    path("healthz", assets.healthz, name="healthz"),
    *(path(route, view, name=name) for route, view, name in RECIPIENT_PAGES),
    *(path(f"p/<slug:slug>/{route}", view, name=f"page_{name}") for route, view, name in RECIPIENT_PAGES),
    path("p/<slug:slug>/theme.css", assets.page_theme, name="page_theme"),
    path("p/<slug:slug>/logo", assets.page_logo, name="page_logo"),
]
