# The commands (see README.md):
#   make bench          build in release mode, run the main benchmark, draw its plots
#   make test           run the test suite (and the hot loop's codegen check)
# and
#   make instructions   instructions per operation of every design (callgrind),
#                       checked against Benchmarks/instructions-baseline.txt
#   make numa-check     run the plan and a quick suite in 2- and 4-node VMs, and compact,
#                       smt and split in a 2-node SMT VM, and check every thread and
#                       page landed where the plan said, at the tier it said
#   make verify        model-check the delivery and relocation protocols with SPIN
#                       (verify/README.md)
#   make verify-mutants check that make verify's configurations catch every
#                       one-place bug in verify/mutants/
#   make verify-large   SPIN at the larger bounds (long: not in CI); writes
#                       verify/large-results.md
#   make fuzz           fuzz the report reader and the cpulist syntax (libFuzzer),
#                       FUZZ_SECONDS per target
#   make hostile        run the debug binary under hostile conditions (closed
#                       descriptors, odd --histograms folders, environment,
#                       signals, --mem-node): scripts/hostile-cases.sh
# Each installs what it needs (libnuma-dev, gnuplot-nox, valgrind, spin) when missing.

SWIFT ?= swift
# Extra options for `make bench`, e.g. BENCH_ARGS=--quick
BENCH_ARGS ?=

FUZZ_SECONDS ?= 20

# Installs the Debian packages (package:probe) whose probe fails.
NEED := ./scripts/need.sh

.PHONY: bench test deps build-info build release codegen-check microbench numa-check instructions fuzz hostile verify verify-deps verify-large verify-mutants

deps:
	@$(NEED) libnuma-dev:/usr/include/numa.h libhwloc-dev:/usr/include/hwloc.h pkg-config:pkg-config gnuplot-nox:gnuplot

# The commit and tree state the binary reports (git_sha, git_dirty).
build-info:
	@./scripts/write-build-info.sh

build: deps build-info
	$(SWIFT) build

release: deps build-info
	$(SWIFT) build -c release

# run chooses the report's path (results/<utc>-<host>.csv), says it, and
# with --plot draws the report's pictures when the sweep finishes.
bench: release
	.build/release/evtchn-bench run --plot $(BENCH_ARGS)

test: deps build-info
	$(SWIFT) test
	./scripts/check-fast-path-codegen.sh

codegen-check: release
	./scripts/check-fast-path-codegen.sh

# Instructions per operation of every design under callgrind, checked
# against Benchmarks/instructions-baseline.txt (RECORD=1 re-records it).
instructions: deps build-info
	@$(NEED) valgrind:valgrind
	./scripts/instruction-counts.sh $(if $(RECORD),--record)

microbench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

numa-check: deps build-info
	./scripts/numa-check.sh

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz.sh

# The cases use script (a terminal), flock and setsid; `env --block-signal`
# needs coreutils 8.31 or later.
hostile: build
	@$(NEED) util-linux:flock util-linux:setsid bsdutils:script
	./scripts/hostile-cases.sh .build/debug/evtchn-bench

verify-deps:
	@$(NEED) spin:spin gcc:gcc patch:patch

verify: verify-deps
	./verify/run-verify.sh

verify-mutants: verify-deps
	./verify/run-mutants.sh

verify-large: verify-deps
	./verify/run-verify-large.sh
