/* Per-program bpf_stats of the capability sensor's check program (bench/README, per-call cost of
 * the kernel side): loads and attaches only handle_cap of the given cap.bpf.o objects, enabled for
 * this process alone, and runs N private writable mmap + munmap pairs: each mmap makes the kernel's
 * memory-accounting CAP_SYS_ADMIN check (security_vm_enough_memory_mm), the most frequent check a
 * workload makes, which the sensor decides by the call number and drops. Prints each program's
 * run_time_ns / run_cnt and the loop's CPU time per pair (prog_stats.h's run_call_stats).
 *   cap_stats N OBJECT...
 * Build: gcc -O2 -o cap_stats cap_stats.c -lbpf (from this directory) */
#define _GNU_SOURCE
#include "prog_stats.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int want(const char *n) {
    return !strcmp(n, "handle_cap");
}

static int call(long i) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    munmap(p, 4096);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: cap_stats N OBJECT...\n"); return 2; }
    return run_call_stats(argv + 2, argc - 2, want, "mmap+munmap", "pair", atol(argv[1]), call);
}
