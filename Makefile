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

.PHONY: demo test install build lint bench clean node

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

test: build
	npm run -s typecheck
	npm run -s lint
	npm test

demo: build
	node bin/jitr.js demo

bench: build
	npm run -s bench

clean:
	rm -rf dist coverage .serverless .esbuild .jitr
