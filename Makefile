# kbops — run `make demo` for the end-to-end demo and `make test` for all tests.
# Both install what they need (weaviate-server is built with `go install`).

WEAVIATE_VERSION ?= v1.35.2
GITEA_VERSION ?= v1.27.3
GOBIN ?= $(shell go env GOBIN)
ifeq ($(GOBIN),)
GOBIN := $(shell go env GOPATH)/bin
endif
export PATH := $(GOBIN):$(PATH)

.PHONY: all build tools tools-gitea demo test test-short test-race bench bench-go fuzz lint fmt clean

all: build

build:
	go build -o bin/kbops ./cmd/kbops

# weaviate-server for the embedded Weaviate and the integration tests; the
# official TypeScript client for the test that queries as a front-end would,
# and the LangChain.js and LlamaIndex.TS packages (versions pinned in
# $(FRAMEWORKS)/package-lock.json) for the retriever tests;
# and the MCP TypeScript SDK (versions pinned by its package-lock.json) for
# the test that drives the MCP server as an agent would;
# Gitea for the git-host tests (reviews/githost/giteatest). Gitea is built
# from its module source: `go install` refuses it (its go.mod has replace
# directives), and the module cache is read-only, so the source is copied
# to GITEA_SRC, which also serves the server's locales and templates
# (STATIC_ROOT_PATH); its path is recorded in $(GOBIN)/gitea.static.
TSCLIENT := pipeline/publish/testdata/tsclient
FRAMEWORKS := pipeline/release/testdata/frameworks
MCPCLIENT := pipeline/mcpserver/testdata/tsclient
GITEA_SRC ?= $(GOBIN)/../gitea-src-$(GITEA_VERSION)
tools:
	@command -v weaviate-server >/dev/null 2>&1 || { \
		echo "installing weaviate-server $(WEAVIATE_VERSION) (go install; a few minutes the first time)"; \
		go install github.com/weaviate/weaviate/cmd/weaviate-server@$(WEAVIATE_VERSION); }
	@if command -v npm >/dev/null 2>&1 && { [ ! -d $(TSCLIENT)/node_modules/weaviate-client ] || \
		[ ! -d $(TSCLIENT)/node_modules/snowball-stemmers ] || \
		[ $(TSCLIENT)/package-lock.json -nt $(TSCLIENT)/node_modules/.package-lock.json ]; }; then \
		echo "installing the weaviate-client and snowball-stemmers npm packages for the front-end tests"; \
		(cd $(TSCLIENT) && npm ci --no-audit --no-fund --loglevel=error); fi
	@if command -v npm >/dev/null 2>&1 && { [ ! -d $(FRAMEWORKS)/node_modules/@langchain/weaviate ] || \
		[ ! -d $(FRAMEWORKS)/node_modules/@llamaindex/weaviate ] || \
		[ $(FRAMEWORKS)/package-lock.json -nt $(FRAMEWORKS)/node_modules/.package-lock.json ]; }; then \
		echo "installing the LangChain.js and LlamaIndex.TS npm packages for the retriever tests"; \
		(cd $(FRAMEWORKS) && npm ci --no-audit --no-fund --loglevel=error); fi
	@if command -v npm >/dev/null 2>&1 && [ ! -d $(MCPCLIENT)/node_modules/@modelcontextprotocol/sdk ]; then \
		echo "installing the @modelcontextprotocol/sdk npm package for the MCP agent test"; \
		(cd $(MCPCLIENT) && npm ci --no-audit --no-fund --loglevel=error); fi

# Gitea only for the tests: the demo does not need it.
tools-gitea:
	@command -v gitea >/dev/null 2>&1 || { set -e; \
		echo "building gitea $(GITEA_VERSION) into $(GOBIN) (7 to 15 minutes on 2 cores the first time)"; \
		tmp=$$(mktemp -d); \
		dir=$$(cd "$$tmp" && go mod download -json code.gitea.io/gitea@$(GITEA_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
		rmdir "$$tmp"; \
		test -n "$$dir" || { echo "go mod download code.gitea.io/gitea@$(GITEA_VERSION) gave no directory"; exit 1; }; \
		mkdir -p "$(GITEA_SRC)"; src=$$(cd "$(GITEA_SRC)" && pwd -P); \
		cp -R "$$dir/." "$$src/"; chmod -R u+w "$$src"; \
		(cd "$$src" && go build -tags 'sqlite sqlite_unlock_notify' -o "$(GOBIN)/gitea" .); \
		echo "$$src" > "$(GOBIN)/gitea.static"; }

demo: build tools
	bash examples/demo/run.sh

# The race detector runs over the core packages (see docs/reliability.md
# for the list and its cost); the fault-injection suite runs with the rest.
RACE_PKGS := ./knowledge/... ./reviews/... ./pipeline/ingest/... ./pipeline/lock/... \
	./pipeline/serve/... ./pipeline/runs/... ./pipeline/config/... ./sources/... \
	./pipeline/apikeys/... ./pipeline/mcpserver/...
test: tools tools-gitea
	go test -count=1 -timeout 45m ./...
	$(MAKE) test-race

test-race:
	go test -count=1 -race -timeout 20m $(RACE_PKGS)

test-short:
	go test -count=1 -short ./...

# The pipeline benchmark: a generated corpus (default 10,000 documents ×
# 10 sections, 100,000 tickets, PDFs copied from BENCH_PDFS if present),
# each step as a child kbops process; prints the table of docs/performance.md
# and exits 3 when a goal is missed (built first: `go run` would turn 3 into 1).
# Small run: make bench BENCH_DOCS=500 BENCH_TICKETS=2000
BENCH_DOCS ?= 10000
BENCH_SECTIONS ?= 10
BENCH_TICKETS ?= 100000
BENCH_PDFS ?= $(firstword $(wildcard ../shared/corpus/manuals testdata/pdf))
bench: tools
	KBOPS_BENCH_DOCS=$(BENCH_DOCS) KBOPS_BENCH_SECTIONS=$(BENCH_SECTIONS) KBOPS_BENCH_TICKETS=$(BENCH_TICKETS) \
	KBOPS_BENCH_PDFS=$(BENCH_PDFS) sh -c 'go build -o bin/kbops-bench ./cmd/kbops-bench && exec bin/kbops-bench'

# The packages' Go benchmarks (publish vs raw import, PDF vs pdftotext, …).
bench-go: tools
	go test -run='^$$' -bench=. -benchmem -timeout 60m ./...

# Each fuzz target for FUZZTIME (go test allows one target per run).
FUZZTIME ?= 30s
FUZZ_TARGETS := ./knowledge:FuzzParse ./pipeline/config:FuzzParse ./glossary:FuzzImportTBX \
	./sources/tickets:FuzzTicketsCSV ./sources/tickets:FuzzTicketsJSON ./sources/html:FuzzParse ./sources/pdf:FuzzParse
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "== $$pkg $$fn ($(FUZZTIME))"; \
		go test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) -timeout 10m $$pkg; done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	@go mod tidy -diff >/dev/null || { echo "go.mod is not tidy: run go mod tidy"; go mod tidy -diff; exit 1; }

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
