"""The production settings plus the bench's floor views (bench/urls.py). Used only by `make bench`: the floors
must run in the same server with the same middleware and worker settings as the pages, and never in production.
"""

from preference_center.settings import *  # noqa: F403
from preference_center.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
