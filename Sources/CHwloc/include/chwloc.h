// hwloc's topology, flattened into plain arrays that Swift reads without
// walking hwloc's object tree (whose pointers and unions Swift imports
// poorly). One call loads and flattens; one call frees.
// Functions return 0, or -1 with a one-line reason written to `error`.
#ifndef CHWLOC_H
#define CHWLOC_H
#include <stddef.h>
#include <stdint.h>

/// Where the topology comes from.
enum chwloc_source {
    /// The machine this process runs on.
    CHWLOC_THIS_SYSTEM = 0,
    /// A folder holding another machine's sys/ and proc/
    /// (hwloc-gather-topology), read through HWLOC_FSROOT.
    CHWLOC_DUMP = 1,
    /// An XML file written by `lstopo machine.xml`.
    CHWLOC_XML = 2,
    /// A synthetic description such as "pack:2 numa:1 core:4 pu:2".
    CHWLOC_SYNTHETIC = 3,
};

/// One PU (hardware thread). Indexes point into the machine's arrays.
struct chwloc_pu {
    int os_index;   // the Linux CPU number
    int core;       // core index; a PU with no Core above it is a core of its own
    int llc;        // index into llcs, -1 when no cache is above it
    int package;    // package index; PUs with no Package above share one extra package
    int node;       // index into nodes, -1 for none (the rule: flatten.c)
    int allowed;    // 1 when in hwloc's allowed cpuset
};

/// One NUMA node, memory-only ones included.
struct chwloc_node {
    int os_index;
    uint64_t memory_bytes;  // local memory, 0 when unknown
};

/// One last-level cache domain.
struct chwloc_llc {
    int level;              // 3 for an L3 ...
    uint64_t size_bytes;    // 0 when unknown
};

struct chwloc_machine {
    int pu_count;
    struct chwloc_pu *pus;          // hwloc's logical order
    int node_count;
    struct chwloc_node *nodes;      // hwloc's logical order
    int llc_count;
    struct chwloc_llc *llcs;
    int core_count;
    int package_count;
    /// node_count * node_count SLIT latencies, row-major in `nodes` order;
    /// NULL when the OS gives none for every node.
    uint64_t *distances;
};

/// Loads the topology `source` names (`argument`: the dump folder, XML
/// path or synthetic description; ignored for this system) into `machine`,
/// restricted to what the machine allows (its cgroup cpuset): the objects
/// holding an allowed PU, and the allowed NUMA nodes near one. Loads are
/// serialised process-wide: a dump load sets HWLOC_FSROOT,
/// HWLOC_THISSYSTEM=0 and HWLOC_COMPONENTS=-x86 and restores them after.
int chwloc_load(enum chwloc_source source, const char *argument,
                struct chwloc_machine *machine, char *error, size_t error_size);

/// Frees what chwloc_load allocated; the machine is zeroed.
void chwloc_release(struct chwloc_machine *machine);
#endif
