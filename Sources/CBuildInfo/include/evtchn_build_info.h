#ifndef EVTCHN_BUILD_INFO_H
#define EVTCHN_BUILD_INFO_H

/// The commit this binary was built from (12 hex digits), or "unknown"
/// when it was built outside `make` or outside a git checkout.
const char *evtchn_build_commit(void);

/// "clean", "dirty" (uncommitted changes when it was built) or "unknown".
const char *evtchn_build_tree_state(void);

#endif
