# Each target creates .venv and installs the project first, so both work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve bench messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# SQLite with coverage, then the same suite on a throw-away PostgreSQL cluster when its server binaries are
# installed (required under CI=true: a CI run without the PostgreSQL pass must not pass).
# The PostgreSQL pass repeats everything that touches the database (tests/postgres.py); the browser tests exercise
# nothing database-specific and already ran in the first pass. Both passes on a worker per CPU (pytest-xdist);
# each test that runs collectstatic collects into its own STATIC_ROOT. XDIST= runs in one process.
XDIST ?= -n auto
test: $(VENV)/.installed
	DEBUG=1 $(PY) -m pytest $(XDIST) --cov=preference_center --cov-report=term
	@if scripts/with_postgres.sh --check 2>/dev/null; then \
		scripts/with_postgres.sh env DEBUG=1 $(PY) -m pytest $(XDIST) -q -p no:cacheprovider --ignore=tests/browser; \
	elif [ "$$CI" = true ]; then \
		echo "CI=true but no PostgreSQL server binaries (initdb): the PostgreSQL pass is required" >&2; exit 1; \
	else \
		echo "No PostgreSQL server binaries (initdb): PostgreSQL pass skipped"; \
	fi

# In sandbox mode make run's own server is the sandbox: point the client at this host and port, unless a key
# or a URL is configured (environment or .env).
SANDBOX_URL := $(shell [ -z "$$MAILEON_API_KEY$$MAILEON_API_URL" ] && ! grep -qsE '^MAILEON_API_(KEY|URL)=.+' .env \
	&& echo http://$(HOST):$(PORT)/sandbox/maileon/1.0)
ifneq ($(SANDBOX_URL),)
run: export MAILEON_API_URL = $(SANDBOX_URL)
endif
run: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py demo --base-url http://$(HOST):$(PORT)
	@echo "Starting the pages on http://$(HOST):$(PORT)/ and the unsubscribe delivery worker (Ctrl-C stops both)."
	@trap 'kill 0' INT TERM EXIT; \
	DEBUG=1 $(PY) manage.py deliver_unsubscribes & \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Production-like, locally: the standalone sandbox process as Maileon, DEBUG off, static files collected and served
# by whitenoise, gunicorn with gunicorn.conf.py (WEB_CONCURRENCY workers, gthread). A fresh SECRET_KEY each start.
SANDBOX_PORT ?= 8001
serve: $(VENV)/.installed
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) -m preference_center.dev.sandbox.serve --port $(SANDBOX_PORT) & \
	export DEBUG=off SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=off \
		MAILEON_API_KEY=sandbox MAILEON_API_URL=http://127.0.0.1:$(SANDBOX_PORT)/1.0; \
	$(PY) manage.py migrate --noinput && $(PY) manage.py demo >/dev/null 2>&1 && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) -c 'from preference_center.dev.sandbox.store import checksum_for as c; \
		[print(f"{p:<12} http://$(HOST):$(PORT)/{p}/?contactid={i}&checksum={c(i)}&mailingid=88120") \
		 for i in (1001, 1002) for p in ("profile", "unsubscribe")]' && \
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT)

# Performance figures (bench/run.py, ~15 minutes; BENCH_ARGS=--quick for a short run): writes bench/results.md.
# On a throw-away PostgreSQL cluster when its server binaries are installed (as production runs), else SQLite.
$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $@

bench: $(VENV)/.bench-installed
	@if scripts/with_postgres.sh --check 2>/dev/null; then \
		scripts/with_postgres.sh $(PY) bench/run.py $(BENCH_ARGS); \
	else \
		$(PY) bench/run.py $(BENCH_ARGS); \
	fi

# Every catalogue (tests/test_i18n.py checks the same list): extract from the project root, so templates/ is read
# too, then compile; translate the new entries and run it again. The .mo files are committed.
LANGUAGES := de en fr it es nl
MESSAGES_IGNORE := --ignore='.venv/*' --ignore='tests/*' --ignore='staticfiles/*' --ignore='scripts/*' \
	--ignore='bench/*'
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages $(addprefix -l ,$(LANGUAGES)) --no-obsolete $(MESSAGES_IGNORE)
	DEBUG=1 $(PY) manage.py compilemessages --ignore=$(VENV)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .coverage

# PNGs of every recipient page state (de/en, 320 and 1280 px) in docs/screenshots/, from Chromium against the
# sandbox (the browser tests' fixtures and page states).
.PHONY: screenshots
screenshots: $(VENV)/.installed
	DEBUG=1 $(PY) -m pytest tests/browser/screenshots.py -q -p no:cacheprovider
