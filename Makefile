# The two commands (see README.md):
#   make bench   build in release mode and run the main benchmark
#   make test    run the test suite
#   make verify  model-check the delivery protocol with SPIN (verify/README.md)
# bench and test install libnuma-dev first when it is missing; verify
# installs spin (and gcc).

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: bench test deps build release codegen-check microbench verify verify-deps

deps:
	@if ! pkg-config --exists numa 2>/dev/null && [ ! -f /usr/include/numa.h ]; then \
		echo "installing libnuma-dev"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnuma-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

bench: release
	.build/release/evtchn-bench run

test: deps
	$(SWIFT) test
	./scripts/check-fast-path-codegen.sh

codegen-check: release
	./scripts/check-fast-path-codegen.sh

microbench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

verify-deps:
	@if ! command -v spin >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1; then \
		echo "installing spin and gcc"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq spin gcc; \
	fi

verify: verify-deps
	./verify/run-verify.sh
