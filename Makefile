# Thin wrappers; README.md documents each target.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

BENCH_DB ?= postgres://postgres@127.0.0.1:5432/ideology_bench
BENCH_BROKER ?= redis://127.0.0.1:6379/14
BUNDLE_BRANCHES ?= 1000

SCALE_DB ?= postgres://postgres@127.0.0.1:5432/ideology_scale

.PHONY: run test worker beat lint fmt install bench bench-web bench-export bench-export-scale browser-deps fonts readme-images clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## make run: set up and serve on the embedded default (SQLite, in-process tasks, demo data)
run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_demo
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py send_reminders
	@echo "打开 http://$(HOST):$(PORT)/ （Ctrl-C 退出）"
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: install what the tests need and run them (DATABASE_URL / CELERY_BROKER_URL honoured)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make worker: a real Celery worker against CELERY_BROKER_URL / REDIS_URL
worker: $(STAMP)
	$(BIN)/celery -A ideology_review worker --loglevel=INFO --concurrency=$${WORKERS:-2}

## make beat: celery beat, which runs the daily reminders (通知) on the worker
beat: $(STAMP)
	$(BIN)/celery -A ideology_review beat --loglevel=INFO --schedule=$${BEAT_SCHEDULE_FILE:-/tmp/ideology-beat-schedule}

## make bench: DOCX renderer vs docxtpl (median, ratio), and a 200-branch bundle on two workers
## (bench/: plain scripts, text from bench/corpus/; the same figures on a fresh clone)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	SECRET_KEY=bench-only $(BIN)/python -m bench docx
	psql "$(dir $(BENCH_DB))postgres" -tc "select 1 from pg_database where datname='$(notdir $(BENCH_DB))'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres $(notdir $(BENCH_DB))
	DATABASE_URL=$(BENCH_DB) SECRET_KEY=bench-only $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DB) CELERY_BROKER_URL=$(BENCH_BROKER) SECRET_KEY=bench-only \
		$(BIN)/python -m bench bundle --branches 200 --workers 2

## make bench-web: per page on the scale dataset (created on first use): single-client service time,
## closed-loop capacity at 2 and 4 clients, an open-loop mix, against two floors (bench/web_bench.py);
## BENCH_QUICK=1 for a short run, SCALE_DB=… for a copy of the dataset
bench-web: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	psql "$(dir $(SCALE_DB))postgres" -tc "select 1 from pg_database where datname='$(notdir $(SCALE_DB))'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres $(notdir $(SCALE_DB))
	DATABASE_URL=$(SCALE_DB) SECRET_KEY=bench-only $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(SCALE_DB) SECRET_KEY=bench-only $(BIN)/python manage.py shell -c \
		"from meetings.models import Organisation as O; import sys; sys.exit(0 if O.objects.filter(name='中共省级基准测试委员会').exists() else 1)" \
		|| DATABASE_URL=$(SCALE_DB) SECRET_KEY=bench-only $(BIN)/python -m bench load_scale
	DATABASE_URL=$(SCALE_DB) SECRET_KEY=bench-only \
		$$(command -v taskset >/dev/null && echo taskset -c $${BENCH_CLIENT_CPU:-0}) \
		$(BIN)/python bench/web_bench.py

## make bench-export: 导出本季度报告 of 1,000 approved reports on two real workers
bench-export: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	psql "$(dir $(BENCH_DB))postgres" -tc "select 1 from pg_database where datname='$(notdir $(BENCH_DB))'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres $(notdir $(BENCH_DB))
	DATABASE_URL=$(BENCH_DB) SECRET_KEY=bench-only $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DB) CELERY_BROKER_URL=$(BENCH_BROKER) SECRET_KEY=bench-only \
		$(BIN)/python -m bench bundle --branches $(BUNDLE_BRANCHES) --workers 2

## make bench-export-scale: the same at 1,000 and 5,000 reports in one run, and the ratio of
## their per-report times (linear within 10%); the 5,000-branch tree is created on first use
bench-export-scale:
	$(MAKE) bench-export BUNDLE_BRANCHES="1000 5000"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=$${SECRET_KEY:-only-for-the-migrations-check} $(BIN)/python manage.py makemigrations --check --dry-run

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## browser tests need the system Chromium and CJK fonts (Debian packages)
browser-deps:
	apt-get install -y --no-install-recommends chromium fonts-noto-cjk

## fonts: free stand-ins for 仿宋_GB2312/楷体_GB2312/黑体/方正小标宋简体 and their fontconfig map,
## so that LibreOffice renders a report's PDF as Word would (Debian, as root)
fonts:
	bash .ci/install-fonts

## readme-images: README's page images from the demo school's report (needs LibreOffice, make fonts)
readme-images: $(STAMP)
	$(BIN)/python bench/readme_pages.py

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache
