// Inside the shim only: hwloc's object tree to chwloc_machine's arrays.
#ifndef CHWLOC_FLATTEN_H
#define CHWLOC_FLATTEN_H
#include <hwloc.h>
#include "chwloc.h"

/// Fills `machine` from a loaded topology; 0, or -1 with `error` set.
int chwloc_flatten(hwloc_topology_t topology, struct chwloc_machine *machine, char *error, size_t size);
#endif
