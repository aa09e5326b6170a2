// Provenance fixed at build time, so that a report says what was built,
// not what happens to be checked out where the binary runs. The Makefile
// (target build-info) writes build_info.generated.h next to this file
// before every build, and touches this file when the header changes, so
// SwiftPM recompiles it even the first time the header appears. A plain
// `swift build` without it records "unknown".
#include "evtchn_build_info.h"

#if __has_include("build_info.generated.h")
#include "build_info.generated.h"
#endif

#ifndef EVTCHN_BUILD_COMMIT
#define EVTCHN_BUILD_COMMIT "unknown"
#endif
#ifndef EVTCHN_BUILD_TREE_STATE
#define EVTCHN_BUILD_TREE_STATE "unknown"
#endif

const char *evtchn_build_commit(void) { return EVTCHN_BUILD_COMMIT; }

const char *evtchn_build_tree_state(void) { return EVTCHN_BUILD_TREE_STATE; }
