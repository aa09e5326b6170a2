# The commands (see README.md):
#   make bench          build in release mode, run the main benchmark, draw its plots
#   make test           run the test suite (and the hot loop's codegen check)
# and
#   make instructions   instructions per operation of every design (callgrind),
#                       checked against Benchmarks/instructions-baseline.txt
#   make numa-check     run the plan and a quick suite in 2- and 4-node VMs and check
#                       every thread and page landed where the plan said
#   make verify        model-check the delivery and relocation protocols with SPIN
#                       (verify/README.md)
#   make verify-mutants check that make verify's configurations catch every
#                       one-place bug in verify/mutants/
#   make verify-large   SPIN at the larger bounds (long: not in CI); writes
#                       verify/large-results.md
#   make fuzz           fuzz the report reader and the cpulist syntax (libFuzzer),
#                       FUZZ_SECONDS per target
# Each installs what it needs (libnuma-dev, gnuplot-nox, valgrind, spin) when missing.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Extra options for `make bench`, e.g. BENCH_ARGS=--quick
BENCH_ARGS ?=

FUZZ_SECONDS ?= 20

.PHONY: bench test deps build-info build release codegen-check microbench numa-check instructions fuzz verify verify-deps verify-large verify-mutants

deps:
	@missing=""; \
	if ! pkg-config --exists numa 2>/dev/null && [ ! -f /usr/include/numa.h ]; then missing="libnuma-dev pkg-config"; fi; \
	if ! command -v gnuplot >/dev/null 2>&1; then missing="$$missing gnuplot-nox"; fi; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The commit and tree state the binary reports (git_sha, git_dirty).
build-info:
	@./scripts/write-build-info.sh

build: deps build-info
	$(SWIFT) build

release: deps build-info
	$(SWIFT) build -c release

# The report's name is fixed here so that its plots can be drawn after it.
bench: release
	@host=$$(hostname | tr -c 'A-Za-z0-9._\n-' '_'); \
	csv=results/$$(date -u +%Y%m%dT%H%M%SZ)-$$host.csv; \
	.build/release/evtchn-bench run --output "$$csv" $(BENCH_ARGS) && \
	.build/release/evtchn-bench plot "$$csv"

test: deps build-info
	$(SWIFT) test
	./scripts/check-fast-path-codegen.sh

codegen-check: release
	./scripts/check-fast-path-codegen.sh

# Instructions per operation of every design under callgrind, checked
# against Benchmarks/instructions-baseline.txt (RECORD=1 re-records it).
instructions: deps build-info
	@if ! command -v valgrind >/dev/null 2>&1; then \
		echo "installing valgrind"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; \
	fi
	./scripts/instruction-counts.sh $(if $(RECORD),--record)

microbench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

numa-check: deps build-info
	./scripts/numa-check.sh

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz.sh

verify-deps:
	@if ! command -v spin >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1 || ! command -v patch >/dev/null 2>&1; then \
		echo "installing spin, gcc and patch"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq spin gcc patch; \
	fi

verify: verify-deps
	./verify/run-verify.sh

verify-mutants: verify-deps
	./verify/run-mutants.sh

verify-large: verify-deps
	./verify/run-verify-large.sh
