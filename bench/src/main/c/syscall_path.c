/* Where a syscall pays for the hooks on it (bench/README.md, "Where a syscall pays"): CPU time per
 * operation of getppid (never traced), openat+close of /dev/null and a 1-byte read of /dev/zero
 * (traced in the "traced" configurations), pinned to one CPU, with the programs of
 * syscallpath.bpf.o attached in turn:
 *   none         nothing attached
 *   tp-other     perf tracepoints sys_enter_mincore/sys_exit_mincore: a call the loops never make
 *   tp-traced    perf tracepoints sys_{enter,exit}_{openat,close,read}: how the sensors hook today
 *   noop         one tp_btf sys_enter program that returns at once: what any program on every call costs
 *   disp-empty   a tp_btf sys_enter + sys_exit dispatcher with empty program arrays
 *   disp-traced  the same with handlers in the openat, close and read slots (tail calls)
 * Every handler does the same work, so configurations differ only in the path to it. Each round runs
 * every configuration (the order rotated per round) and every loop; per configuration and loop the
 * median CPU ns per op, the median of the per-round differences against the same round's "none", and
 * the difference of the minima over rounds (others' work on the CPU only ever adds to a short run's
 * CPU time: cache and TLB refills after each preemption; on a loaded machine the minima are the
 * steadier figure, so many short rounds serve better than a few long ones).
 * As root:  syscall_path OBJECT [ROUNDS [ITERATIONS [CPU]]]
 * Build:    gcc -O2 -Wall -o syscall_path syscall_path.c -lbpf */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NCONF 6
#define NLOOP 3
#define MAX_ROUNDS 101
static const char *conf_names[NCONF] = { "none", "tp-other", "tp-traced", "noop", "disp-empty", "disp-traced" };
static const char *loop_names[NLOOP] = { "getppid", "openat+close", "read 1 B" };
static const int traced_nrs[] = { __NR_openat, __NR_close, __NR_read };

static struct bpf_object *obj;
static struct bpf_link *links[16];
static int nlinks;

static void attach(const char *name) {
    struct bpf_program *p = bpf_object__find_program_by_name(obj, name);
    struct bpf_link *l = p ? bpf_program__attach(p) : NULL;
    if (!l) { fprintf(stderr, "syscall_path: cannot attach %s\n", name); exit(1); }
    links[nlinks++] = l;
}

static void slots(int fill) {
    int ein = bpf_object__find_map_fd_by_name(obj, "enter_calls");
    int eout = bpf_object__find_map_fd_by_name(obj, "exit_calls");
    int hin = bpf_program__fd(bpf_object__find_program_by_name(obj, "h_enter"));
    int hout = bpf_program__fd(bpf_object__find_program_by_name(obj, "h_exit"));
    for (unsigned i = 0; i < sizeof traced_nrs / sizeof traced_nrs[0]; i++) {
        __u32 k = traced_nrs[i];
        if (fill) {
            bpf_map_update_elem(ein, &k, &hin, BPF_ANY);
            bpf_map_update_elem(eout, &k, &hout, BPF_ANY);
        } else {
            bpf_map_delete_elem(ein, &k);
            bpf_map_delete_elem(eout, &k);
        }
    }
}

static void setup(int c) {
    static const char *tp_traced[] = { "tp_enter_openat", "tp_exit_openat", "tp_enter_close", "tp_exit_close",
                                       "tp_enter_read", "tp_exit_read" };
    switch (c) {
    case 1: attach("tp_enter_mincore"); attach("tp_exit_mincore"); break;
    case 2: for (int i = 0; i < 6; i++) attach(tp_traced[i]); break;
    case 3: attach("noop_enter"); break;
    case 4: slots(0); attach("disp_enter"); attach("disp_exit"); break;
    case 5: slots(1); attach("disp_enter"); attach("disp_exit"); break;
    }
}

static void teardown(void) {
    while (nlinks) bpf_link__destroy(links[--nlinks]);
    slots(0);
}

static double cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* CPU ns per operation of one loop. */
static double run(int loop, long n, int zero) {
    char b;
    double t0 = cpu_ns();
    for (long i = 0; i < n; i++) {
        if (loop == 0) {
            syscall(SYS_getppid);
        } else if (loop == 1) {
            long fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
            syscall(SYS_close, fd);
        } else {
            syscall(SYS_read, zero, &b, 1);
        }
    }
    return (cpu_ns() - t0) / n;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    double s[MAX_ROUNDS];
    memcpy(s, v, n * sizeof *v);
    qsort(s, n, sizeof *s, cmp);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: syscall_path OBJECT [ROUNDS [ITERATIONS [CPU]]]\n"); return 2; }
    int rounds = argc > 2 ? atoi(argv[2]) : 31;
    long iters = argc > 3 ? atol(argv[3]) : 30000;
    int cpu = argc > 4 ? atoi(argv[4]) : (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
    if (rounds < 1 || rounds > MAX_ROUNDS) { fprintf(stderr, "syscall_path: ROUNDS 1..%d\n", MAX_ROUNDS); return 2; }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set)) { perror("sched_setaffinity"); return 1; }
    obj = bpf_object__open_file(argv[1], NULL);
    if (!obj || bpf_object__load(obj)) { fprintf(stderr, "syscall_path: cannot load %s\n", argv[1]); return 1; }
    int zero = open("/dev/zero", O_RDONLY);
    if (zero < 0) { perror("/dev/zero"); return 1; }
    static double ns[NCONF][NLOOP][MAX_ROUNDS], diff[NCONF][NLOOP][MAX_ROUNDS];
    double load[3];
    getloadavg(load, 3);
    printf("syscall_path: %d rounds, %ld iterations per loop, CPU %d, load average %.2f %.2f %.2f\n",
           rounds, iters, cpu, load[0], load[1], load[2]);
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < NCONF; k++) {
            int c = (k + r) % NCONF;
            setup(c);
            for (int l = 0; l < NLOOP; l++) {
                run(l, iters / 10, zero);   /* warm-up */
                ns[c][l][r] = run(l, iters, zero);
            }
            teardown();
        }
        for (int c = 0; c < NCONF; c++)
            for (int l = 0; l < NLOOP; l++)
                diff[c][l][r] = ns[c][l][r] - ns[0][l][r];
    }
    getloadavg(load, 3);
    printf("%-12s", "CPU ns/op");
    for (int l = 0; l < NLOOP; l++) printf(" | %-12s %-16s %-9s", loop_names[l], "added: median", "by minima");
    printf("\n");
    for (int c = 0; c < NCONF; c++) {
        printf("%-12s", conf_names[c]);
        for (int l = 0; l < NLOOP; l++) {
            double lo = ns[c][l][0], base = ns[0][l][0];
            for (int r = 1; r < rounds; r++) {
                if (ns[c][l][r] < lo) lo = ns[c][l][r];
                if (ns[0][l][r] < base) base = ns[0][l][r];
            }
            printf(" | %8.1f     %+8.1f         %+8.1f ", median(ns[c][l], rounds), median(diff[c][l], rounds), lo - base);
        }
        printf("\n");
    }
    printf("load average at the end %.2f %.2f %.2f\n", load[0], load[1], load[2]);
    return 0;
}
