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
    ("unsubscribe/downsell/", views.unsubscribe_downsell, "unsubscribe_downsell"),
    ("unsubscribe/downsell/done/", views.unsubscribe_downsell_done, "unsubscribe_downsell_done"),
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
