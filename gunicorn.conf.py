"""gunicorn's configuration for the pages: `gunicorn -c gunicorn.conf.py` (make serve; README "Run in production").

The pages spend most of a request waiting for Maileon, so each worker process runs a pool of threads
(gthread) rather than one request at a time; CPU-bound work is small and the GIL is released while waiting.

Only gunicorn's own environment variables are read, with gunicorn's own meaning:
- WEB_CONCURRENCY: worker processes (default here: the CPUs this process may run on, not gunicorn's 1);
- PORT: listen on 0.0.0.0:PORT (gunicorn's convention for platforms that assign the port); else 127.0.0.1:8000;
- GUNICORN_CMD_ARGS, and the command line, override anything here, e.g. `--threads 16 --bind 0.0.0.0:8000`.
"""

import os

wsgi_app = "preference_center.wsgi:application"

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)) or 1)
# Threads per worker: requests in flight per process. Each keeps its own pooled keep-alive connection to
# Maileon (preference_center/maileon/transport.py), so workers x threads bounds the connections to Maileon.
threads = 8

bind = [f"0.0.0.0:{os.environ['PORT']}"] if os.environ.get("PORT") else ["127.0.0.1:8000"]
backlog = 2048

# A worker that stops reporting for `timeout` seconds is killed and replaced. With gthread the report comes
# from the worker's main loop, not from a request, so a slow Maileon answer (at most connect 3 s + read 5 s,
# plus retries within that budget) cannot trigger it.
timeout = 30
# On SIGTERM (deploys, scale-in) requests in flight get this long to finish before the worker is killed.
graceful_timeout = 30
# Seconds an idle client connection stays open. Behind a load balancer set it above the balancer's own idle
# timeout (e.g. --keep-alive 75 behind one that closes after 60 s), or the balancer may reuse a connection we
# are just closing.
keepalive = 5

# Headers of a proxy on the same host (127.0.0.1) are trusted for the scheme; Django's SECURE_PROXY_SSL_HEADER
# decides for the app. Requests' lines and header sizes stay at gunicorn's limits (4094 / 8190 bytes).

# gunicorn >= 25 opens a control socket at a fixed path by default: two servers on one host would collide,
# and nothing here needs runtime control.
control_socket_disable = True

# --- logging

# The access log prints the request line (query string with the checksum) and the Referer (our own page's
# URL, checksum included): every gunicorn handler carries the same RedactSecrets filter as Django's log
# (preference_center/redaction.py). gunicorn's loggers have handlers of their own and do not propagate, so
# Django's LOGGING never sees them; this dictionary is applied by gunicorn (logconfig_dict), which also turns
# the access log on. %(M)s: request duration in milliseconds.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

_REDACT = {"()": "preference_center.redaction.RedactSecrets"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": _REDACT},
    "formatters": {
        "generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
                    "datefmt": "[%Y-%m-%d %H:%M:%S %z]"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "generic", "filters": ["redact_secrets"],
                    "stream": "ext://sys.stdout"},
        "error_console": {"class": "logging.StreamHandler", "formatter": "generic", "filters": ["redact_secrets"],
                          "stream": "ext://sys.stderr"},
        "access_console": {"class": "logging.StreamHandler", "formatter": "access", "filters": ["redact_secrets"],
                           "stream": "ext://sys.stdout"},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
}
