#!/bin/sh
# write-build-info.sh: fixes the binary's provenance at build time.
#
# Writes Sources/CBuildInfo/build_info.generated.h (ignored by git) with the
# commit of this repository and whether what is built (Package.swift,
# Sources/) has uncommitted changes, tracked or untracked,
# and touches build_info.c when that changes so that SwiftPM recompiles it
# (it does not notice a header that first appears). Run by make before
# every build. Outside a git checkout, or inside a checkout of some other
# repository, both read "unknown".
set -eu
cd "$(dirname "$0")/.."
root=$(pwd -P)
header=Sources/CBuildInfo/build_info.generated.h
commit=unknown
state=unknown
if top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$(cd "$top" && pwd -P)" = "$root" ]; then
    commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
    if [ "$commit" != unknown ]; then
        # Only what goes into the binary counts: a new report in results/
        # does not make a build dirty.
        if [ -z "$(git status --porcelain -- Package.swift Sources 2>/dev/null)" ]; then state=clean; else state=dirty; fi
    fi
fi
text="// Written by scripts/write-build-info.sh (make); not tracked.
#define EVTCHN_BUILD_COMMIT \"$commit\"
#define EVTCHN_BUILD_TREE_STATE \"$state\""
if [ ! -f "$header" ] || [ "$(cat "$header")" != "$text" ]; then
    printf '%s\n' "$text" > "$header"
    touch Sources/CBuildInfo/build_info.c
fi
echo "build info: commit $commit ($state)"
