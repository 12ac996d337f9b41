// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * No programs: the maps every sensor object shares (common.bpf.h: the ring buffer "events",
 * ns_known, last_wakeup, forced_wakeups, reader_in_rounds), created by user space before any sensor
 * loads (SharedMaps), so that the sensors can load in parallel, each reusing them.
 */
#define EUNOMIA_MAPS_ONLY  /* no programs: common.bpf.h leaves out its functions */
#include "common.bpf.h"
