"""`make bench`: the pages under gunicorn against the sandbox process, beside plain-view floors (run.py)."""
