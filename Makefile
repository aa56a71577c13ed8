# One entry point for people and CI: `make run` and `make test` create the virtualenv on first use, installing
# the exact versions (with hashes) of requirements-dev.lock; `make lock` refreshes the lock files from
# pyproject.toml (the Docker image installs requirements.lock, the runtime part).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LOCK := requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
LOCK_OPTIONS := --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" --quiet

.PHONY: run test shell migrate lint bench messages clean lock

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

lock:  ## re-resolve pyproject.toml's ranges to exact versions with hashes (commit both files)
	test -x $(VENV)/bin/uv || { $(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet uv; }
	$(VENV)/bin/uv pip compile pyproject.toml $(LOCK_OPTIONS) --upgrade -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev $(LOCK_OPTIONS) --upgrade -o requirements-dev.lock

run: $(STAMP)  ## install, then start the bot (needs BOT_TOKEN)
	$(PY) -m bot run

test: $(STAMP)  ## install, then run the whole test suite (SQLite and PostgreSQL), one worker per CPU
	$(PY) -m pytest -n auto

shell: $(STAMP)  ## the offline playground: fake Telegram, real bot
	$(PY) -m bot shell

migrate: $(STAMP)
	$(PY) -m bot migrate

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: $(STAMP)  ## print the benchmark figures recorded in docs/benchmarks.md (about 12 minutes)
	PYTHONPATH=. $(PY) bench/throughput.py
	PYTHONPATH=. $(PY) bench/records.py
	PYTHONPATH=. $(PY) bench/alarms.py
	PYTHONPATH=. $(PY) bench/reports.py
	PYTHONPATH=. $(PY) bench/files.py
	PYTHONPATH=. $(PY) bench/startup.py
	PYTHONPATH=. $(PY) bench/failover.py

messages: $(STAMP)  ## re-extract translatable strings and merge them into both catalogs
	$(VENV)/bin/pybabel extract -F babel.cfg -k t -k N_ --no-location --omit-header -o bot/locales/messages.pot bot handlers jobs
	$(VENV)/bin/pybabel update -i bot/locales/messages.pot -d bot/locales --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
