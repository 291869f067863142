"""The production settings plus the bench's floor views (bench/urls.py). Used only by `make bench`: the floors
must run in the same server with the same middleware and worker settings as the pages, and never in production.
"""

from preference_center.settings import *  # noqa: F403
from preference_center.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
# The floor renders with Django's template engine, as the pages did before they moved to Jinja2 (issue 15).
_DJANGO_ENGINE = next(engine for engine in TEMPLATES if engine["BACKEND"].endswith("DjangoTemplates"))
_DJANGO_ENGINE["DIRS"] = [*_DJANGO_ENGINE.get("DIRS", []), BASE_DIR / "bench" / "templates"]
