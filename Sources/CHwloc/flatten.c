// hwloc's object tree to plain arrays (chwloc.h).
#include "flatten.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// The PU's last-level cache: the outermost data or unified cache above it
/// (its L3 where it has one, else its L2, ...), or NULL when none is.
static hwloc_obj_t llc_above(hwloc_obj_t pu)
{
    hwloc_obj_t llc = NULL;
    for (hwloc_obj_t obj = pu->parent; obj; obj = obj->parent) {
        if (hwloc_obj_type_is_dcache(obj->type))
            llc = obj;
    }
    return llc;
}

/// The node (logical index) the kernel puts the PU in. hwloc attaches
/// memory-only nodes (HBM, NVM, CXL) beside the node holding the CPUs, with
/// the same locality, so: of the nodes whose locality holds the PU, the one
/// with the smallest locality, and among equals the lowest os_index (Linux
/// numbers the nodes with CPUs before memory-only ones); -1 when none.
static int node_of(hwloc_topology_t topology, unsigned os_index)
{
    int best = -1, best_weight = 0;
    unsigned best_os = 0;
    hwloc_obj_t node = NULL;
    while ((node = hwloc_get_next_obj_by_type(topology, HWLOC_OBJ_NUMANODE, node)) != NULL) {
        if (!node->cpuset || !hwloc_bitmap_isset(node->cpuset, os_index))
            continue;
        int weight = hwloc_bitmap_weight(node->cpuset);
        if (best < 0 || weight < best_weight || (weight == best_weight && node->os_index < best_os)) {
            best = (int)node->logical_index;
            best_weight = weight;
            best_os = node->os_index;
        }
    }
    return best;
}

/// The index of `llc` in `machine->llcs`, appending it when new.
static int llc_index(hwloc_obj_t llc, hwloc_obj_t *seen, struct chwloc_machine *machine)
{
    if (!llc)
        return -1;
    for (int i = 0; i < machine->llc_count; i++) {
        if (seen[i] == llc)
            return i;
    }
    seen[machine->llc_count] = llc;
    machine->llcs[machine->llc_count].level = (int)llc->attr->cache.depth;
    machine->llcs[machine->llc_count].size_bytes = llc->attr->cache.size;
    return machine->llc_count++;
}

/// One PU's memberships; coreless PUs become cores of their own and
/// packageless ones share one extra package. A PU whose node is offline or
/// not allowed (a cgroup's mems) is in no node: -1.
static void flatten_pu(hwloc_topology_t topology, hwloc_obj_t pu, hwloc_obj_t *seen,
                       struct chwloc_machine *machine)
{
    struct chwloc_pu *out = &machine->pus[pu->logical_index];
    hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topology, HWLOC_OBJ_CORE, pu);
    hwloc_obj_t package = hwloc_get_ancestor_obj_by_type(topology, HWLOC_OBJ_PACKAGE, pu);
    int packages = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PACKAGE);
    out->os_index = (int)pu->os_index;
    out->core = core ? (int)core->logical_index : machine->core_count++;
    out->package = package ? (int)package->logical_index : packages;
    if (!package && machine->package_count == packages)
        machine->package_count = packages + 1;
    out->llc = llc_index(llc_above(pu), seen, machine);
    out->node = node_of(topology, pu->os_index);
    out->allowed = hwloc_bitmap_isset(hwloc_topology_get_allowed_cpuset(topology), pu->os_index);
}

static int flatten_pus(hwloc_topology_t topology, struct chwloc_machine *machine, char *error, size_t size)
{
    machine->core_count = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_CORE);
    machine->package_count = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PACKAGE);
    hwloc_obj_t *seen = calloc((size_t)machine->pu_count, sizeof(*seen));
    if (!seen) {
        snprintf(error, size, "cannot allocate the PU table: %s", strerror(ENOMEM));
        return -1;
    }
    hwloc_obj_t pu = NULL;
    while ((pu = hwloc_get_next_obj_by_type(topology, HWLOC_OBJ_PU, pu)) != NULL)
        flatten_pu(topology, pu, seen, machine);
    free(seen);
    return 0;
}

/// The OS's SLIT latencies, kept only when they cover every node.
static int flatten_distances(hwloc_topology_t topology, struct chwloc_machine *machine, char *error, size_t size)
{
    struct hwloc_distances_s *found[1] = { NULL };
    unsigned count = 1;
    unsigned long kind = HWLOC_DISTANCES_KIND_FROM_OS | HWLOC_DISTANCES_KIND_MEANS_LATENCY;
    if (hwloc_distances_get_by_type(topology, HWLOC_OBJ_NUMANODE, &count, found, kind, 0) != 0) {
        snprintf(error, size, "hwloc_distances_get_by_type: %s", strerror(errno));
        return -1;
    }
    if (count == 0 || !found[0])
        return 0;
    struct hwloc_distances_s *matrix = found[0];
    unsigned n = matrix->nbobjs;
    int rc = 0;
    if (n == (unsigned)machine->node_count) {
        machine->distances = calloc((size_t)n * n, sizeof(uint64_t));
        if (!machine->distances) {
            snprintf(error, size, "cannot allocate the distance matrix: %s", strerror(ENOMEM));
            rc = -1;
        }
        for (unsigned i = 0; rc == 0 && i < n; i++)
            for (unsigned j = 0; j < n; j++)
                machine->distances[matrix->objs[i]->logical_index * n + matrix->objs[j]->logical_index] =
                    matrix->values[i * n + j];
    }
    hwloc_distances_release(topology, matrix);
    return rc;
}

static int allocate(struct chwloc_machine *machine, char *error, size_t size)
{
    machine->pus = calloc((size_t)machine->pu_count, sizeof(*machine->pus));
    machine->llcs = calloc((size_t)machine->pu_count, sizeof(*machine->llcs));
    machine->nodes = calloc((size_t)machine->node_count, sizeof(*machine->nodes));
    if (machine->pus && machine->llcs && machine->nodes)
        return 0;
    snprintf(error, size, "cannot allocate the topology arrays: %s", strerror(ENOMEM));
    return -1;
}

int chwloc_flatten(hwloc_topology_t topology, struct chwloc_machine *machine, char *error, size_t size)
{
    machine->pu_count = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PU);
    machine->node_count = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_NUMANODE);
    if (machine->pu_count <= 0 || machine->node_count <= 0) {
        snprintf(error, size, "hwloc found %d PUs and %d NUMA nodes; a machine needs both",
                 machine->pu_count, machine->node_count);
        return -1;
    }
    if (allocate(machine, error, size) != 0)
        return -1;
    hwloc_obj_t node = NULL;
    while ((node = hwloc_get_next_obj_by_type(topology, HWLOC_OBJ_NUMANODE, node)) != NULL) {
        machine->nodes[node->logical_index].os_index = (int)node->os_index;
        machine->nodes[node->logical_index].memory_bytes = node->attr->numanode.local_memory;
    }
    if (flatten_pus(topology, machine, error, size) != 0)
        return -1;
    return flatten_distances(topology, machine, error, size);
}
