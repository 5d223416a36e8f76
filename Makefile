# exdesk — the two commands: `make demo` and `make test`.
GO        ?= go
BIN       := bin/exdesk
SERVICES  := scripts/services.sh

# go.mod names the toolchain (`toolchain` line). Go installs often default
# to GOTOOLCHAIN=local, which ignores that line; auto makes the go command
# fetch and use it through the module proxy (once per machine).
GOTOOLCHAIN ?= auto
export GOTOOLCHAIN

.PHONY: demo test vet unit services services-stop bench bench-scale fuzz eval build cases clean vuln browser

build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/exdesk

## demo: a simulated business day on embedded defaults (no keys, no servers)
demo: build
	./$(BIN) demo

## test: vet, start the real Postgres+pgvector and Redis servers, install headless Chromium, run every test with -race
test: vet services browser
	export $$($(SERVICES) env) && CI=$${CI:-} $(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

services:
	$(SERVICES) start

services-stop:
	$(SERVICES) stop

## browser: headless Chromium (Debian's chromium) for the console's browser test
browser:
	scripts/browser.sh install

## eval: the playbook planner on the project's corpus and the shared examples
eval: build
	./$(BIN) eval --cases evals/cases --report /tmp/exdesk-report.json --junit /tmp/exdesk-junit.xml --quiet
	@if [ -d ../shared/evals/examples ]; then ./$(BIN) eval --cases ../shared/evals/examples --report /tmp/exdesk-examples.json --quiet; fi

## bench: benchmarks (policy, planner, eval, store, slack ack, llm overhead),
## and the cost of a day as it grows at 2,000 and 8,000 orders
bench: services
	export $$($(SERVICES) env) && $(GO) test -run '^$$' -skip DemoScale -bench . -benchmem -benchtime 2s ./...
	$(GO) test ./casework -run '^$$' -bench DemoScale -benchtime 1x -short -timeout 30m

## bench-scale: the cost of a day as it grows, 2,000 to 50,000 orders (minutes)
bench-scale:
	$(GO) test ./casework -run '^$$' -bench DemoScale -benchtime 1x -timeout 60m

## vuln: govulncheck over every package; exit 3 when vulnerabilities are
## found, exit 4 when its database cannot be reached (nothing was checked)
vuln:
	GO=$(GO) scripts/vuln.sh

## fuzz: a short run of every fuzz target
fuzz:
	@for p in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list 'Fuzz.*' $$p 2>/dev/null | grep '^Fuzz'); do \
	    echo "fuzz $$p $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 10s $$p || exit 1; \
	  done; \
	done

## cases: regrow the eval corpus from its generator
cases:
	$(GO) run ./evals/casegen -out evals/cases -seed 1

clean:
	rm -rf bin
