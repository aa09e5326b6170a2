# The two commands (see README.md):
#   make bench   build in release mode and run the main benchmark
#   make test    run the test suite
# Both install libnuma-dev first when it is missing.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: bench test deps build release codegen-check microbench instructions

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

# Instructions per operation of every design under callgrind, checked
# against Benchmarks/instructions-baseline.txt (RECORD=1 re-records it).
instructions: deps
	@if ! command -v valgrind >/dev/null 2>&1; then \
		echo "installing valgrind"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; \
	fi
	./scripts/instruction-counts.sh $(if $(RECORD),--record)

microbench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark
