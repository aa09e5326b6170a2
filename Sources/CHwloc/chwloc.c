// hwloc's topology flattened for Swift (chwloc.h). Every hwloc, libc and
// pthread return code is checked; failures become one line in `error`.
#include "chwloc.h"
#include "flatten.h"

#include <errno.h>
#include <hwloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// hwloc 2 reads HWLOC_FSROOT and friends from the environment during a
/// load, so every load (a plain one would see a dump's variables) takes
/// this lock. Other code reading the environment meanwhile would see the
/// dump's values too; nothing in this program reads HWLOC_* but hwloc.
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/// What a dump load sets: the root, "not this machine" (no binding, no
/// cgroup of ours), and no x86 CPUID, which would fill in this host's caches.
static const char *const dump_names[3] = { "HWLOC_FSROOT", "HWLOC_THISSYSTEM", "HWLOC_COMPONENTS" };

struct saved_environment {
    char *value[3];   // NULL: unset before the load
};

static int fail(char *error, size_t size, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error, size, format, arguments);
    va_end(arguments);
    return -1;
}

static int restore_environment(struct saved_environment *saved, char *error, size_t size)
{
    int rc = 0;
    for (int i = 0; i < 3; i++) {
        int failed = saved->value[i] ? setenv(dump_names[i], saved->value[i], 1) : unsetenv(dump_names[i]);
        if (failed != 0 && rc == 0)
            rc = fail(error, size, "cannot restore %s: %s", dump_names[i], strerror(errno));
        free(saved->value[i]);
        saved->value[i] = NULL;
    }
    return rc;
}

static int set_dump_environment(const char *root, struct saved_environment *saved, char *error, size_t size)
{
    const char *values[3] = { root, "0", "-x86" };
    for (int i = 0; i < 3; i++) {
        const char *old = getenv(dump_names[i]);
        saved->value[i] = old ? strdup(old) : NULL;
        if (old && !saved->value[i])
            return fail(error, size, "cannot save %s: %s", dump_names[i], strerror(ENOMEM));
    }
    for (int i = 0; i < 3; i++) {
        if (setenv(dump_names[i], values[i], 1) != 0)
            return fail(error, size, "cannot set %s: %s", dump_names[i], strerror(errno));
    }
    return 0;
}

static int configure(hwloc_topology_t topology, enum chwloc_source source, const char *argument,
                     char *error, size_t size)
{
    switch (source) {
    case CHWLOC_THIS_SYSTEM:
    case CHWLOC_DUMP:
        return 0;
    case CHWLOC_XML:
        if (hwloc_topology_set_xml(topology, argument) != 0)
            return fail(error, size, "%s: hwloc cannot read it as a topology XML file (%s)", argument, strerror(errno));
        return 0;
    case CHWLOC_SYNTHETIC:
        if (hwloc_topology_set_synthetic(topology, argument) != 0)
            return fail(error, size, "\"%s\": not a synthetic topology hwloc accepts", argument);
        return 0;
    }
    return fail(error, size, "unknown topology source %d", (int)source);
}

/// hwloc's default restriction leaves in a node whose nodeset the machine
/// allows even when none of the CPUs near it are (a cgroup's cpus and mems
/// disagreeing), with the package around it. Restricting again to the
/// allowed CPUs, dropping what holds none (REMOVE_CPULESS), keeps exactly
/// the objects holding an allowed PU, and memory-only nodes near one.
static int restrict_to_allowed(hwloc_topology_t topology, char *error, size_t size)
{
    hwloc_bitmap_t allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topology));
    if (!allowed)
        return fail(error, size, "hwloc_bitmap_dup: %s", strerror(ENOMEM));
    int rc = hwloc_topology_restrict(topology, allowed, HWLOC_RESTRICT_FLAG_REMOVE_CPULESS);
    int code = errno;
    hwloc_bitmap_free(allowed);
    return rc == 0 ? 0 : fail(error, size, "hwloc_topology_restrict to the allowed CPUs: %s", strerror(code));
}

/// init, configure, load, restrict and flatten, with the environment set.
static int load_locked(enum chwloc_source source, const char *argument, struct chwloc_machine *machine,
                       char *error, size_t size)
{
    hwloc_topology_t topology;
    if (hwloc_topology_init(&topology) != 0)
        return fail(error, size, "hwloc_topology_init: %s", strerror(errno));
    int rc = configure(topology, source, argument, error, size);
    if (rc == 0 && hwloc_topology_load(topology) != 0)
        rc = fail(error, size, "%s: hwloc cannot load this topology (%s)",
                  source == CHWLOC_THIS_SYSTEM ? "this machine" : argument, strerror(errno));
    if (rc == 0)
        rc = restrict_to_allowed(topology, error, size);
    if (rc == 0)
        rc = chwloc_flatten(topology, machine, error, size);
    hwloc_topology_destroy(topology);
    return rc;
}

int chwloc_load(enum chwloc_source source, const char *argument, struct chwloc_machine *machine,
                char *error, size_t size)
{
    memset(machine, 0, sizeof(*machine));
    if (size > 0)
        error[0] = '\0';
    int code = pthread_mutex_lock(&load_lock);
    if (code != 0)
        return fail(error, size, "pthread_mutex_lock: %s", strerror(code));
    struct saved_environment saved = { { NULL, NULL, NULL } };
    int rc = source == CHWLOC_DUMP ? set_dump_environment(argument, &saved, error, size) : 0;
    if (rc == 0)
        rc = load_locked(source, argument, machine, error, size);
    // Restored even when setting failed half-way; a load error is kept.
    if (source == CHWLOC_DUMP && restore_environment(&saved, rc == 0 ? error : NULL, rc == 0 ? size : 0) != 0)
        rc = -1;
    code = pthread_mutex_unlock(&load_lock);
    if (code != 0 && rc == 0)
        rc = fail(error, size, "pthread_mutex_unlock: %s", strerror(code));
    if (rc != 0)
        chwloc_release(machine);
    return rc;
}

void chwloc_release(struct chwloc_machine *machine)
{
    free(machine->pus);
    free(machine->nodes);
    free(machine->llcs);
    free(machine->distances);
    memset(machine, 0, sizeof(*machine));
}
