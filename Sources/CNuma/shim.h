#ifndef EVTCHN_CNUMA_SHIM_H
#define EVTCHN_CNUMA_SHIM_H
#include <numa.h>
#include <numaif.h>
#endif
