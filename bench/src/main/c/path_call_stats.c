/* Per-program bpf_stats of the file sensor's path call programs (README, Evasion routes: a path
 * call's text read at entry too): loads and attaches only the enter/exit programs of one call of the
 * given file.bpf.o objects, enabled for this process alone, enables bpf_stats (this process's own fd:
 * the sysctl stays as it is), runs N calls on files in /tmp and prints each program's run_time_ns /
 * run_cnt and the loop's CPU time per call. The records are consumed every 64 calls.
 *   path_call_stats unlink|rename|chmod N OBJECT...   unlink: a file made by the loop (its open is not
 *                                                     traced); rename: one file back and forth;
 *                                                     chmod: one file, mode 0640
 * Build: gcc -O2 -o path_call_stats path_call_stats.c -lbpf */
#define _GNU_SOURCE
#include "prog_stats.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *call;

static int want(const char *n) {
    char enter[64], exit_[64];
    snprintf(enter, sizeof enter, "enter_%s", call);
    snprintf(exit_, sizeof exit_, "exit_%s", call);
    return !strcmp(n, enter) || !strcmp(n, exit_);
}

int main(int argc, char **argv) {
    if (argc < 4 || (strcmp(argv[1], "unlink") && strcmp(argv[1], "rename") && strcmp(argv[1], "chmod"))) {
        fprintf(stderr, "usage: path_call_stats unlink|rename|chmod N OBJECT...\n");
        return 2;
    }
    call = argv[1];
    long n = atol(argv[2]);
    struct bpf_program *progs[8];
    int np = load_wanted(argv + 3, argc - 3, want, sensor_for_this_process, progs, 8);
    if (np < 0) return 1;
    struct ring_buffer *rb = dropped_records();
    if (!rb) return 1;
    char a[64], b[64];
    snprintf(a, sizeof a, "/tmp/path-call-stats-%d-a", getpid());
    snprintf(b, sizeof b, "/tmp/path-call-stats-%d-b", getpid());
    close(open(a, O_CREAT | O_WRONLY, 0640));
    int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    for (long i = 0; i < n; i++) {
        long r;
        if (!strcmp(call, "unlink")) {
            close(open(a, O_CREAT | O_WRONLY, 0640));
            r = syscall(SYS_unlink, a);
        } else if (!strcmp(call, "rename")) {
            r = (i & 1) ? syscall(SYS_rename, b, a) : syscall(SYS_rename, a, b);
        } else {
            r = syscall(SYS_chmod, a, 0640);
        }
        if (r) { perror(call); unlink(a); unlink(b); return 1; }
        if ((i & 63) == 63) ring_buffer__consume(rb);
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    unlink(a);
    unlink(b);
    printf("%s: %.0f ns of CPU per iteration (loop)\n", call, ns_between(t0, t1) / n);
    print_prog_stats(progs, np);
    if (stats >= 0) close(stats);
    return 0;
}
