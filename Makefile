# kbops — run `make demo` for the end-to-end demo and `make test` for all tests.
# Both install what they need (weaviate-server is built with `go install`).

WEAVIATE_VERSION ?= v1.35.2
GOBIN ?= $(shell go env GOBIN)
ifeq ($(GOBIN),)
GOBIN := $(shell go env GOPATH)/bin
endif
export PATH := $(GOBIN):$(PATH)

.PHONY: all build tools demo test test-short bench lint fmt clean

all: build

build:
	go build -o bin/kbops ./cmd/kbops

# weaviate-server for the embedded Weaviate and the integration tests; the
# official TypeScript client for the test that queries as a front-end would.
TSCLIENT := pipeline/publish/testdata/tsclient
tools:
	@command -v weaviate-server >/dev/null 2>&1 || { \
		echo "installing weaviate-server $(WEAVIATE_VERSION) (go install; a few minutes the first time)"; \
		go install github.com/weaviate/weaviate/cmd/weaviate-server@$(WEAVIATE_VERSION); }
	@if command -v npm >/dev/null 2>&1 && [ ! -d $(TSCLIENT)/node_modules/weaviate-client ]; then \
		echo "installing the weaviate-client npm package for the front-end test"; \
		(cd $(TSCLIENT) && npm install --no-audit --no-fund --loglevel=error); fi

demo: build tools
	bash examples/demo/run.sh

test: tools
	go test -count=1 -timeout 45m ./...

test-short:
	go test -count=1 -short ./...

bench: tools
	go test -run='^$$' -bench=. -benchmem -timeout 60m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
