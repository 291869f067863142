from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .pages import views

# The recipient pages of one page configuration; mounted at the root (default page) and under /p/<slug>/.
_recipient_pages = [
    ("profile/", views.profile, "profile"),
    ("unsubscribe/", views.unsubscribe, "unsubscribe"),
    ("unsubscribe/reason/", views.unsubscribe_reason, "unsubscribe_reason"),
    ("unsubscribe/downsell/", views.unsubscribe_downsell, "unsubscribe_downsell"),
    ("unsubscribe/one-click/", views.unsubscribe_one_click, "unsubscribe_one_click"),
    ("resubscribe/", views.resubscribe, "resubscribe"),
]

# Django's bare English pages would answer otherwise: our pages, in the recipient's language (pages/handlers.py).
handler400 = "preference_center.pages.handlers.bad_request"
handler404 = "preference_center.pages.handlers.page_not_found"
handler500 = "preference_center.pages.handlers.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    *(path(route, view, name=name) for route, view, name in _recipient_pages),
    *(path(f"p/<slug:slug>/{route}", view, name=f"page_{name}") for route, view, name in _recipient_pages),
    path("p/<slug:slug>/theme.css", views.page_theme, name="page_theme"),
    path("p/<slug:slug>/logo", views.page_logo, name="page_logo"),
]

if settings.MAILEON_SANDBOX:
    urlpatterns.append(path("sandbox/maileon/1.0/", include("preference_center.dev.sandbox.urls")))
    urlpatterns.append(path("sandbox/embed-demo/", include("preference_center.dev.embed_demo")))  # docs/embedding.md
