# Tests run in sandbox mode (DEBUG on, no API key) unless the caller says otherwise; set before Django loads.
import os

os.environ.setdefault("DEBUG", "1")
os.environ.pop("MAILEON_API_KEY", None) if os.environ.get("MAILEON_API_KEY") == "" else None
