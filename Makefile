# The two commands a newcomer runs. Each installs what it needs first, the Node the Lambda runs included.
SHELL := /bin/bash
STAMP := node_modules/.install-stamp

# The Lambda runs nodejs24.x; the tests run on the same major. Where the system Node is another major, make brings
# Node 24 from the npm registry (the node-linux-<arch> package holds the official binary) into .tools/ and uses it.
NODE_MAJOR := 24
SYSTEM_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
NODE_ARCH := $(subst aarch64,arm64,$(subst x86_64,x64,$(shell uname -m)))
NODE_TOOL := .tools/node$(NODE_MAJOR)
ifneq ($(SYSTEM_NODE_MAJOR),$(NODE_MAJOR))
NODE_DEP := $(NODE_TOOL)/.stamp
export PATH := $(CURDIR)/$(NODE_TOOL)/node_modules/node-linux-$(NODE_ARCH)/bin:$(PATH)
endif

.PHONY: demo test install build lint bench clean node awscli chromium

# The tests run the README's `aws` examples, and SQS's query protocol, with the AWS CLI of Debian's awscli package.
# Missing: installed with apt-get when make runs as root, else make stops and says what to install (no test is skipped).
AWS_CLI := $(or $(JITR_AWS_CLI),/usr/bin/aws)
# test/e2e/report-browser.test.ts opens simulate's HTML report in headless Chromium (Debian's chromium package), the same way.
CHROMIUM := $(or $(JITR_CHROMIUM),/usr/bin/chromium)

$(NODE_TOOL)/.stamp:
	@echo "make: system Node is $(or $(SYSTEM_NODE_MAJOR),missing); installing Node $(NODE_MAJOR) into $(NODE_TOOL)"
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix $(NODE_TOOL) node-linux-$(NODE_ARCH)@$(NODE_MAJOR)
	@touch $@

node: $(NODE_DEP)
	@node --version

$(STAMP): package-lock.json package.json $(NODE_DEP)
	npm ci --no-audit --no-fund
	@touch $(STAMP)

install: $(STAMP)

build: install
	npm run -s build

lint: install
	npm run -s lint

awscli:
	@if [ ! -x "$(AWS_CLI)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "make: installing Debian's awscli with apt-get (the tests run the README's aws examples with it)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null \
	      && [ -x "$(AWS_CLI)" ] || { echo "make: no AWS CLI at $(AWS_CLI) after installing awscli" >&2; exit 1; }; \
	  else \
	    echo "make: the tests need the AWS CLI at $(AWS_CLI): install Debian's awscli package (sudo apt-get install awscli), or set JITR_AWS_CLI to an AWS CLI" >&2; \
	    exit 1; \
	  fi; \
	fi

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "make: installing Debian's chromium with apt-get (a test opens simulate's HTML report in it, headless)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      && [ -x "$(CHROMIUM)" ] || { echo "make: no Chromium at $(CHROMIUM) after installing chromium" >&2; exit 1; }; \
	  else \
	    echo "make: the tests need Chromium at $(CHROMIUM): install Debian's chromium package (sudo apt-get install chromium), or set JITR_CHROMIUM to a Chromium" >&2; \
	    exit 1; \
	  fi; \
	fi

test: build awscli chromium
	npm run -s typecheck
	npm run -s lint
	npm test

demo: build
	node bin/jitr.js demo

bench: build
	npm run -s bench

clean:
	rm -rf dist coverage .serverless .esbuild .jitr
