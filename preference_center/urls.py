from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
]

if settings.MAILEON_SANDBOX:
    urlpatterns.append(path("sandbox/maileon/1.0/", include("preference_center.sandbox.urls")))
