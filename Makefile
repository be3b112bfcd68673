# Verdict: two commands for a new machine.
#   make emulator   install what is missing, build release binaries, start PostgreSQL and serve them
#   make test       install what is missing, build, run every test against a throw-away database
SHELL := /bin/bash
SWIFT ?= swift
PORT ?= 8080
PG_PORT ?= 5433
STATE_DIR := .verdict
TEMPLATE := infra-templates/template.yaml
DEB_PACKAGES := libpq-dev libcurl4-openssl-dev libssl-dev libxml2-dev pkg-config postgresql postgresql-client curl wrk libxml2-utils chromium chromium-driver
PY_PACKAGES := cfn-lint botocore junitparser openapi-spec-validator jsonschema selenium html5lib pytest-split
# The manifest lists one executable per functions/ folder; a cached manifest would miss a new one.
SWIFT_FLAGS := --manifest-cache none
LAMBDA_FUNCTIONS := $(notdir $(patsubst %/main.swift,%,$(wildcard functions/*/main.swift)))
# `make emulator` (and seed, routes) serve release builds: a server CI posts reports to. DEBUG=1
# serves the debug build instead, quicker to rebuild while working on Verdict itself.
SERVE_CONFIG := $(if $(filter-out 0 no false,$(DEBUG)),debug,release)
SERVE_DIR := .build/$(SERVE_CONFIG)
# Release takes `make package`'s flags: --static-swift-stdlib changes every compile command, so
# with other flags the two would rebuild all of .build/release (4 to 5 minutes on 2 cores) each
# time one follows the other. Linking the stdlib in costs about 0.5 s a binary.
SERVE_BUILD_FLAGS := -c $(SERVE_CONFIG) $(if $(filter release,$(SERVE_CONFIG)),--static-swift-stdlib)
# Handlers come from the build just made, never from a packaged bootstrap that may be older.
SERVE_FLAGS := --build-dir $(SERVE_DIR) --ignore-bootstraps

.PHONY: deps py-deps build serve-build emulator seed routes test lint bench package format clean openapi contract browser

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

py-deps:
	@python3 -c 'import cfnlint, botocore, junitparser, openapi_spec_validator, jsonschema, selenium, html5lib, pytest_split' 2>/dev/null \
	  || python3 -m pip install --quiet $(PY_PACKAGES)

# The debug build `make test` runs against. The served copy of the API contract is regenerated
# from infra-templates/openapi.yaml first, where PyYAML is at hand (an unchanged spec writes nothing).
build: deps
	@if python3 -c 'import yaml' 2>/dev/null; then python3 Tests/Contract/generate_openapi_swift.py; fi
	$(SWIFT) build $(SWIFT_FLAGS)

# What the emulator serves: every function and the emulator.
serve-build: deps
	$(SWIFT) build $(SWIFT_FLAGS) $(SERVE_BUILD_FLAGS)

# Starts (or reuses) the project-local database unless DATABASE_URL points elsewhere.
# CLUSTER_SUMMARY_COMMAND='…' turns failure-cluster summaries on (the ClusterSummaryCommand parameter).
emulator: serve-build
	@url="$${DATABASE_URL:-$$(emulator/scripts/local-postgres.sh start $(STATE_DIR)/pg $(PG_PORT))}" || exit 1; \
	exec $(SERVE_DIR)/verdict-emulator $(SERVE_FLAGS) --port $(PORT) --state-dir $(STATE_DIR) \
	  --parameter DatabaseUrl="$$url" $${CLUSTER_SUMMARY_COMMAND:+--parameter "ClusterSummaryCommand=$$CLUSTER_SUMMARY_COMMAND"}

# Applies migrations and prints the development key without serving.
seed: serve-build
	@url="$${DATABASE_URL:-$$(emulator/scripts/local-postgres.sh start $(STATE_DIR)/pg $(PG_PORT))}" || exit 1; \
	$(SERVE_DIR)/verdict-emulator startup $(SERVE_FLAGS) --state-dir $(STATE_DIR) \
	  --parameter DatabaseUrl="$$url"

routes: serve-build
	@$(SERVE_DIR)/verdict-emulator routes --parameter DatabaseUrl=unused

lint: py-deps
	cfn-lint $(TEMPLATE)

test: py-deps build lint
	@set -e; dir=$$(mktemp -d /tmp/verdict-test.XXXXXX); chmod 755 $$dir; \
	port=$$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	trap "emulator/scripts/local-postgres.sh stop $$dir/pg; rm -rf $$dir" EXIT; \
	url=$$(emulator/scripts/local-postgres.sh start $$dir/pg $$port --throwaway); \
	DATABASE_URL="$$url" $(SWIFT) test $(SWIFT_FLAGS)
	@# The published contract and the dashboard, checked against the running emulator.
	@$(MAKE) --no-print-directory contract browser cli-test

# Release, statically linked `bootstrap` per function, in the CodeUri folders the template names.
package: deps
	$(SWIFT) build $(SWIFT_FLAGS) -c release --static-swift-stdlib
	@# Copied then renamed: a running emulator may hold the old bootstrap open (cp would fail).
	@set -e; for f in $(LAMBDA_FUNCTIONS); do \
	  mkdir -p .build/lambda/$$f && cp .build/release/$$f .build/lambda/$$f/bootstrap.new; \
	  strip .build/lambda/$$f/bootstrap.new && mv -f .build/lambda/$$f/bootstrap.new .build/lambda/$$f/bootstrap; \
	done; echo "packaged $(words $(LAMBDA_FUNCTIONS)) functions into .build/lambda/"

.PHONY: cli

# The `verdict` CLI as one binary at .build/cli/verdict: release, Swift's standard library linked
# in (the flags `make package` builds with, so the two share .build/release), stripped. libcurl,
# libxml2 and libcrypto stay shared libraries, as on any Debian or Ubuntu CI runner.
cli: deps
	$(SWIFT) build $(SWIFT_FLAGS) -c release --static-swift-stdlib --product verdict
	@mkdir -p .build/cli && cp .build/release/verdict .build/cli/verdict.new && strip .build/cli/verdict.new \
	  && mv -f .build/cli/verdict.new .build/cli/verdict && ls -l .build/cli/verdict

bench: package py-deps
	@bash Tests/Benchmarks/run.sh

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources functions emulator Tests

clean:
	rm -rf .build .build-* $(STATE_DIR)/SeedFunction.json

.PHONY: openapi contract cli-test

# Regenerates the served copy of infra-templates/openapi.yaml (ContractTests fails until it is).
openapi:
	python3 Tests/Contract/generate_openapi_swift.py

# Schemathesis against the emulator on a throw-away database: every route of openapi.yaml,
# valid and invalid requests, each answer checked against the spec. CONTRACT_ARGS are passed
# on to `schemathesis run` (e.g. --exclude-path /api/v1/team); reports stay in .build/contract.
contract: build py-deps
	@SCHEMATHESIS_REPORT_DIR=$${SCHEMATHESIS_REPORT_DIR:-$(CURDIR)/.build/contract} Tests/Support/with-emulator.sh .build/debug \
	  bash -c 'Tests/Contract/schemathesis.sh "$$VERDICT_BASE" "$$VERDICT_KEY" $(CONTRACT_ARGS)'

# The dashboard in headless Chromium: every page, live updates, XSS, no-JavaScript, dark mode,
# a phone's width. Screenshots go to .build/browser.
browser: build py-deps
	@Tests/Support/with-emulator.sh .build/debug python3 Tests/Browser/test_pages.py .build/browser

# The verdict CLI against the emulator: two workers running a shell suite, the offline plan,
# Ctrl-C giving a lease back, upload/status/export.
cli-test: build py-deps
	@Tests/Support/with-emulator.sh .build/debug python3 Tests/CLI/test_cli.py .build/debug/verdict
