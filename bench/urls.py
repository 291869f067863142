"""The app's URLs and two floors to compare the pages with (bench only, never mounted in production)."""

from django.urls import path

from preference_center.urls import urlpatterns as app_urlpatterns

from . import views

urlpatterns = [
    *app_urlpatterns,
    path("bench/plain/", views.plain_template, name="bench_plain"),
    path("bench/sleep/", views.sleep, name="bench_sleep"),
    path("bench/minimal/", views.minimal_read, name="bench_minimal"),
]
