# One entry point for people and CI: `make run` and `make test` create the virtualenv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test shell migrate lint bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

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

messages: $(STAMP)  ## re-extract translatable strings and merge them into both catalogs
	$(VENV)/bin/pybabel extract -F babel.cfg -k t -k N_ --no-location --omit-header -o bot/locales/messages.pot bot handlers jobs
	$(VENV)/bin/pybabel update -i bot/locales/messages.pot -d bot/locales --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
