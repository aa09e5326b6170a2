# The two commands (see README.md):
#   make bench   build in release mode and run the main benchmark
#   make test    run the test suite
# and
#   make fuzz    fuzz the report reader and the cpulist syntax (libFuzzer),
#                FUZZ_SECONDS per target
# Both install libnuma-dev first when it is missing.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

FUZZ_SECONDS ?= 20

.PHONY: bench test deps plot-deps build release codegen-check microbench fuzz

deps:
	@if ! pkg-config --exists numa 2>/dev/null && [ ! -f /usr/include/numa.h ]; then \
		echo "installing libnuma-dev"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnuma-dev pkg-config; \
	fi

# gnuplot for the plot tests (they draw hostile file names and check that
# nothing ran); best effort: without it those tests skip, they do not fail.
plot-deps:
	@command -v gnuplot >/dev/null 2>&1 || { \
		echo "installing gnuplot-nox (for the plot tests)"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null 2>&1 || \
		{ $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 && \
		  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null 2>&1; } || \
		echo "gnuplot-nox could not be installed; the tests that run gnuplot will skip"; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

bench: release
	.build/release/evtchn-bench run

test: deps plot-deps
	$(SWIFT) test
	./scripts/check-fast-path-codegen.sh

codegen-check: release
	./scripts/check-fast-path-codegen.sh

microbench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz.sh
