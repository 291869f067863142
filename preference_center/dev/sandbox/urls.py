"""Included under /sandbox/maileon/1.0/ only in sandbox mode (see preference_center/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<path:rest>", views.maileon_api, name="sandbox_maileon_api"),
]
