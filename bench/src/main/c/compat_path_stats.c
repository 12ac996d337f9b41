/* Per-program bpf_stats of the 32-bit call path on native calls (bench/README.md, "32-bit call
 * dispatcher"): loads and attaches only the 32-bit call programs of the given objects, enables
 * bpf_stats, runs a getppid loop and prints each program's run_time_ns / run_cnt and the loop's CPU
 * time per call. Run as root:  compat_path_stats ITERATIONS OBJECT...
 *   before: the sensors' own pairs (objects built from a checkout before the dispatcher:
 *           file.bpf.o net.bpf.o priv.bpf.o, programs compat_enter/compat_exit)
 *   after:  compat32.bpf.o (compat_dispatch_enter/exit); the sensors' compat programs are only
 *           tail-called from it, so they are not given here. No object: the loop alone. */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <time.h>

static int want(const char *n) {
    return !strcmp(n, "compat_enter") || !strcmp(n, "compat_exit") || !strncmp(n, "compat_dispatch_", 16);
}

int main(int argc, char **argv) {
    long iters = atol(argv[1]);
    struct bpf_program *progs[32]; int np = 0;
    for (int i = 2; i < argc; i++) {
        struct bpf_object *o = bpf_object__open_file(argv[i], NULL);
        if (!o) { perror("open"); return 1; }
        struct bpf_program *p;
        bpf_object__for_each_program(p, o) bpf_program__set_autoload(p, want(bpf_program__name(p)));
        if (bpf_object__load(o)) { fprintf(stderr, "load %s failed\n", argv[i]); return 1; }
        bpf_object__for_each_program(p, o) if (want(bpf_program__name(p))) {
            if (!bpf_program__attach(p) || np == 32) { fprintf(stderr, "attach failed\n"); return 1; }
            progs[np++] = p;
        }
    }
    int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (long i = 0; i < iters; i++) syscall(SYS_getppid);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    printf("getppid x%ld: %.1f ns CPU per call\n", iters, ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / iters);
    double total = 0;
    for (int i = 0; i < np; i++) {
        struct bpf_prog_info info = {}; __u32 len = sizeof info;
        bpf_obj_get_info_by_fd(bpf_program__fd(progs[i]), &info, &len);
        double per = info.run_cnt ? (double)info.run_time_ns / info.run_cnt : 0;
        total += per;
        printf("  %-24s runs %10llu  %6.1f ns/run\n", bpf_program__name(progs[i]), info.run_cnt, per);
    }
    printf("  sum per syscall: %.1f ns\n", total);
    close(stats);
    return 0;
}
