# Revdesk: `make run` starts the app with demo data; `make test` runs every test.
# Each target installs what it needs and is missing, and is quiet when it is there.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.10
# Must equal the wasm-bindgen crate pinned in Cargo.toml.
WASM_BINDGEN_VERSION := 0.2.130
SQLX_CLI_VERSION := 0.8.6
OHA_VERSION := 1.16.0

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# Playwright drives Debian's chromium; it must never try to download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# Debug builds of cargo-leptos use this flag; the test build uses it too, so both share
# compiled dependencies instead of building everything twice.
TEST_RUSTFLAGS := --cfg erase_components
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# The database: DATABASE_URL if given, else the private cluster under .data/.
DB_URL = $${DATABASE_URL:-$$(scripts/devdb.sh)}

.PHONY: help run test tools lint fmt clippy test-cargo test-e2e build seed-scale bench sqlx-prepare clean-db

help:
	@echo "make run    start Revdesk with demo data (private PostgreSQL unless DATABASE_URL is set)"
	@echo "make test   run every test: unit, database and browser"
	@echo "make lint   rustfmt check and clippy -D warnings for the server and the wasm build"
	@echo "make bench  load the leads pages of the 2,000,000-lead benchmark data (builds it once)"

## --- tools -------------------------------------------------------------------------

tools: .tools/wasm-target .tools/cargo-leptos .tools/wasm-bindgen node_modules/.installed

.tools/wasm-target:
	@mkdir -p .tools
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@touch $@

.tools/cargo-leptos:
	@mkdir -p .tools
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)" || \
	  { echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 20 minutes, once)"; \
	    cargo install --locked --quiet cargo-leptos --version $(CARGO_LEPTOS_VERSION); }
	@touch $@

.tools/wasm-bindgen:
	@mkdir -p .tools
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)" || \
	  { echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 4 minutes, once)"; \
	    cargo install --quiet wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); }
	@touch $@

.tools/node:
	@mkdir -p .tools
	@command -v npm >/dev/null || { echo "installing Node.js"; $(SUDO) apt-get update -qq; $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	@touch $@

node_modules/.installed: package.json package-lock.json .tools/node
	@echo "installing npm packages (Tailwind CLI, wasm-opt, Playwright)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.tools/chromium:
	@mkdir -p .tools
	@command -v chromium >/dev/null || { echo "installing chromium"; $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@touch $@

## --- build and run ------------------------------------------------------------------

build: tools
	@cargo leptos build

run: build
	@url="$(DB_URL)"; \
	export DATABASE_URL="$$url"; \
	addr="$${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"; export LEPTOS_SITE_ADDR="$$addr"; \
	./target/debug/revdesk seed --if-empty; \
	printf '\nRevdesk is starting at http://%s (Ctrl-C stops it).\n\n' "$$addr"; \
	exec ./target/debug/revdesk serve

## --- tests ----------------------------------------------------------------------------

test: build .tools/chromium
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test-cargo
	@$(MAKE) --no-print-directory test-e2e

# (A plain assignment first: `export X=$$(…)` would hide a failure of devdb.sh.)
test-cargo:
	@url="$(DB_URL)"; export DATABASE_URL="$$url"; \
	RUSTFLAGS="$(TEST_RUSTFLAGS)" cargo test --features ssr,islands --no-fail-fast -- --show-output

test-e2e:
	@url="$(DB_URL)"; export DATABASE_URL="$$url"; scripts/e2e.sh

# Benchmark data (300 organizations, 2,000,000 leads, 10,000,000 journey events) in its
# own database, revdesk_bench, next to the one `make run` uses.
seed-scale: tools
	@cargo leptos build --release --precompress
	@base="$(DB_URL)"; \
	psql "$${base%/*}/postgres" -tAc "select 1 from pg_database where datname = 'revdesk_bench'" | grep -q 1 || \
	  psql "$${base%/*}/postgres" -qc "create database revdesk_bench"; \
	DATABASE_URL="$${base%/*}/revdesk_bench" ./target/release/revdesk seed --scale

# The load tool of `make bench`.
.tools/oha:
	@mkdir -p .tools
	@oha --version 2>/dev/null | grep -q " $(OHA_VERSION)" || \
	  { echo "installing oha $(OHA_VERSION) (a few minutes, once)"; \
	    cargo install --locked --quiet oha --version $(OHA_VERSION); }
	@touch $@

# Loads the list, a deep page, a filter, both searches and the detail, against the release
# server and the ceiling (scripts/bench.sh); prints the table and the wasm size.
bench: seed-scale .tools/oha
	@base="$(DB_URL)"; DATABASE_URL="$${base%/*}/revdesk_bench" scripts/bench.sh

## --- quality --------------------------------------------------------------------------

lint: fmt clippy

fmt:
	@cargo fmt --check

clippy: .tools/wasm-target
	@RUSTFLAGS="$(TEST_RUSTFLAGS)" cargo clippy --features ssr,islands --all-targets -- -D warnings
	@cargo clippy --lib --target wasm32-unknown-unknown --features hydrate,islands -- -D warnings
	@cargo clippy --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

# Regenerates .sqlx/ (the offline query cache) against a migrated scratch database.
sqlx-prepare:
	@cargo sqlx --version 2>/dev/null | grep -q "$(SQLX_CLI_VERSION)" || \
	  cargo install --locked --quiet sqlx-cli --version $(SQLX_CLI_VERSION) --no-default-features --features postgres,rustls
	@base="$(DB_URL)"; url="$${base%/*}/revdesk_prepare"; \
	psql "$${base%/*}/postgres" -qc "drop database if exists revdesk_prepare with (force)" -c "create database revdesk_prepare" >/dev/null; \
	DATABASE_URL="$$url" cargo sqlx migrate run; \
	DATABASE_URL="$$url" SQLX_OFFLINE=false cargo sqlx prepare -- --all-targets --features ssr

# Stops and deletes the private database cluster.
clean-db:
	@if [ -e .data/pg ]; then \
	  d="$$(readlink -f .data/pg)"; b="$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"; \
	  if [ "$$(id -u)" -eq 0 ]; then runuser -u postgres -- "$$b/pg_ctl" -D "$$d" stop -m fast || true; else "$$b/pg_ctl" -D "$$d" stop -m fast || true; fi; \
	  rm -rf "$$d" .data; fi
