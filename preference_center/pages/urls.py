"""The recipient pages of one page configuration, mounted at the root (the default page) and under /p/<slug>/,
and the page assets. Each POST that succeeds answers 303 to its confirmation (a GET, confirmations.py)."""

from django.urls import path

from . import views

RECIPIENT_PAGES = [
    ("profile/", views.profile, "profile"),
    ("profile/saved/", views.profile_saved, "profile_saved"),
    ("unsubscribe/", views.unsubscribe, "unsubscribe"),
    ("unsubscribe/done/", views.unsubscribe_done, "unsubscribe_done"),
    ("unsubscribe/reason/", views.unsubscribe_reason, "unsubscribe_reason"),
    ("unsubscribe/undo/", views.unsubscribe_undo, "unsubscribe_undo"),
    ("unsubscribe/undone/", views.unsubscribe_undone, "unsubscribe_undone"),
    ("unsubscribe/downsell/", views.unsubscribe_downsell, "unsubscribe_downsell"),
    ("unsubscribe/downsell/done/", views.unsubscribe_downsell_done, "unsubscribe_downsell_done"),
    ("unsubscribe/topics/", views.unsubscribe_topics, "unsubscribe_topics"),
    ("unsubscribe/topics/done/", views.unsubscribe_topics_done, "unsubscribe_topics_done"),
    ("unsubscribe/pause/", views.unsubscribe_pause, "unsubscribe_pause"),
    ("unsubscribe/pause/done/", views.unsubscribe_pause_done, "unsubscribe_pause_done"),
    ("unsubscribe/one-click/", views.unsubscribe_one_click, "unsubscribe_one_click"),
    ("resubscribe/", views.resubscribe, "resubscribe"),
    ("resubscribe/sent/", views.resubscribe_sent, "resubscribe_sent"),
    ("link/new/", views.new_link, "new_link"),
    ("link/new/sent/", views.new_link_sent, "new_link_sent"),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    *(path(route, view, name=name) for route, view, name in RECIPIENT_PAGES),
    *(path(f"p/<slug:slug>/{route}", view, name=f"page_{name}") for route, view, name in RECIPIENT_PAGES),
    path("p/<slug:slug>/theme.css", views.page_theme, name="page_theme"),
    path("p/<slug:slug>/logo", views.page_logo, name="page_logo"),
]
