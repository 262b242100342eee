# The two commands a newcomer runs. Each installs what it needs first.
SHELL := /bin/bash
STAMP := node_modules/.install-stamp

.PHONY: demo test install build lint bench clean

$(STAMP): package-lock.json package.json
	npm ci
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
