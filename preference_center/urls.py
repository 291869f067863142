from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# Django's bare English pages would answer otherwise: our pages, in the recipient's language (pages/handlers.py).
handler400 = "preference_center.pages.handlers.bad_request"
handler404 = "preference_center.pages.handlers.page_not_found"
handler500 = "preference_center.pages.handlers.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("preference_center.pages.urls")),
]

if settings.MAILEON_SANDBOX:
    urlpatterns.append(path("sandbox/maileon/1.0/", include("preference_center.dev.sandbox.urls")))
    urlpatterns.append(path("sandbox/embed-demo/", include("preference_center.dev.embed_demo")))  # docs/embedding.md
    urlpatterns.append(path("sandbox/mails/", include("preference_center.dev.mailbox")))  # the sandbox's outbox
