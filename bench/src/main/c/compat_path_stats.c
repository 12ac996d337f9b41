/* Per-program bpf_stats of the 32-bit call path on native calls (bench/README.md, "32-bit call
 * dispatcher"): loads and attaches only the 32-bit call programs of the given objects, enables
 * bpf_stats, runs a getppid loop and prints each program's run_time_ns / run_cnt and the loop's CPU
 * time per call. Run as root:  compat_path_stats ITERATIONS OBJECT...
 *   before: the sensors' own pairs (objects built from a checkout before the dispatcher:
 *           file.bpf.o net.bpf.o priv.bpf.o, programs compat_enter/compat_exit)
 *   after:  compat32.bpf.o (compat_dispatch_enter/exit); the sensors' compat programs are only
 *           tail-called from it, so they are not given here. No object: the loop alone. */
#include "prog_stats.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static int want(const char *n) {
    return !strcmp(n, "compat_enter") || !strcmp(n, "compat_exit") || !strncmp(n, "compat_dispatch_", 16);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: compat_path_stats ITERATIONS OBJECT...\n"); return 2; }
    long iters = atol(argv[1]);
    struct bpf_program *progs[32];
    int np = load_wanted(argv + 2, argc - 2, want, NULL, progs, 32);
    if (np < 0) return 1;
    int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (long i = 0; i < iters; i++) syscall(SYS_getppid);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    printf("getppid x%ld: %.1f ns CPU per call\n", iters, ns_between(a, b) / iters);
    printf("  sum per syscall: %.1f ns\n", print_prog_stats(progs, np));
    close(stats);
    return 0;
}
