# make demo   set up .venv, build the examples into out/, say where to look
# make test   set up .venv with the test tools, then lint, type-check and test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck pytest chromium spamassassin dovecot postgresql benchmark clean

demo: $(VENV)/.installed
	@for example in examples/*/edition.md; do \
		name=$$(basename $$(dirname $$example)); \
		echo "\$$ bulletin build $$example -o out/$$name"; \
		$(BIN)/bulletin build $$example -o out/$$name || exit 1; \
		echo; \
	done
	@echo "\$$ bulletin send examples/dscp-2025-01/edition.md --recipients examples/dscp-2025-01/recipients.csv --outbox out/outbox"
	@BULLETIN_UNSUBSCRIBE_SECRET=demo-secret-for-make-demo-only \
		$(BIN)/bulletin send examples/dscp-2025-01/edition.md \
		--recipients examples/dscp-2025-01/recipients.csv --outbox out/outbox
	@echo
	@echo "Open a .web.html file in out/ in a browser to see an edition with its pictures."
	@echo "The .eml file opens in a mail client (Outlook, Thunderbird, Apple Mail) as readers"
	@echo "will see it; the .html is the email itself, the .txt its plain-text version."
	@echo "out/outbox/ holds each reader's own copy (.eml): their name, their unsubscribe link."
	@echo "Try: $(BIN)/bulletin check examples/dscp-2025-01/edition.md"

test: $(VENV)/.installed-test chromium spamassassin dovecot postgresql lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test chromium spamassassin dovecot postgresql
	$(BIN)/pytest

benchmark: $(VENV)/.installed-test
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/archive.py
	$(BIN)/python benchmarks/send.py
	$(BIN)/python benchmarks/recipients.py
	$(BIN)/python benchmarks/delivery.py
	$(BIN)/python benchmarks/audiences.py
	$(BIN)/python benchmarks/bounces.py
	$(BIN)/python benchmarks/service.py

# Debian's Chromium, for the real-browser tests (Playwright never downloads one).
chromium:
	@test -x /usr/bin/chromium || { \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's SpamAssassin, for the spam-score tests (local rules only, no network).
spamassassin:
	@test -x /usr/bin/spamassassin || { \
		echo "installing Debian's spamassassin for the spam-score tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq spamassassin; }

# Debian's PostgreSQL, for the unsubscribe service's storage tests (each run starts
# its own server in a temporary folder; the package's own cluster is not used).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "installing Debian's postgresql for the unsubscribe service's tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

# Debian's Dovecot, the real IMAP server of the bounce tests (started by them, no service).
dovecot:
	@test -x /usr/sbin/dovecot || { \
		echo "installing Debian's dovecot-imapd for the bounce tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd; }

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) out .mypy_cache .pytest_cache .ruff_cache
