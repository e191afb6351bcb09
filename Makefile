# firstclass: the few commands a user and CI run. Everything is offline.
#
#   make local   synthesize the app and serve both APIs on localhost (Ctrl-C stops)
#   make watch   the same, reloading on every change to the sources, with each request's trace
#   make test    the whole test suite, as CI runs it (.ci/run calls exactly this)
#   make synth   cdk synth with the pinned CDK CLI
#   make deploy  cdk deploy to your AWS account, writing out.json for firstclass bench
#   make fuzz    every fuzz target for FUZZTIME each
#   make bench   the Go benchmarks

# The pinned Node.js and CDK CLI (package.json) come first on PATH; jsii runs on that Node.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CDK_DISABLE_CLI_TELEMETRY := true

GO      ?= go
FUZZTIME ?= 60s

.PHONY: local watch test synth deploy fuzz bench clean

# npm ci runs again only when the pins change.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

local: node_modules/.installed
	$(GO) run ./cmd/firstclass local

watch: node_modules/.installed
	$(GO) run ./cmd/firstclass local --watch --trace

test: node_modules/.installed
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test ./...

synth: node_modules/.installed
	cdk synth --quiet

deploy: node_modules/.installed
	cdk deploy --outputs-file out.json

fuzz:
	@for pkg in ./internal/mapping ./internal/vtl ./internal/awslocal/events ./internal/awslocal/jsonvalue ./internal/awslocal/sfn ./internal/awslocal/sqs ./internal/cfn ./internal/localapi; do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

bench: node_modules/.installed
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

clean:
	rm -rf cdk.out
