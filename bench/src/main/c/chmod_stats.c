/* Per-program bpf_stats of the privilege sensor's path-text calls (README, TOCTOU of the privilege
 * sensor's paths): loads and attaches only the chmod and umount2 enter/exit programs of the given
 * priv.bpf.o objects, enabled for this process alone (prog_stats.h), and runs N calls on one file in
 * /tmp, printing each program's run_time_ns / run_cnt and the loop's CPU time per call.
 *   chmod_stats suid|plain|umount N OBJECT...   suid: chmod 04755 (reported: its path text kept at
 *                                               entry); plain: chmod 0644 (dropped by the enter
 *                                               filter); umount: umount2 of a path that is no mount
 *                                               point (EINVAL, reported)
 * Build: gcc -O2 -o chmod_stats chmod_stats.c -lbpf (from this directory) */
#define _GNU_SOURCE
#include "prog_stats.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int want(const char *n) {
    return !strcmp(n, "enter_chmod") || !strcmp(n, "exit_chmod") || !strcmp(n, "enter_umount") || !strcmp(n, "exit_umount");
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: chmod_stats suid|plain|umount N OBJECT...\n"); return 2; }
    int umounting = !strcmp(argv[1], "umount");
    mode_t mode = !strcmp(argv[1], "suid") ? 04755 : 0644;
    long n = atol(argv[2]);
    struct bpf_program *progs[8];
    int np = load_wanted(argv + 3, argc - 3, want, sensor_for_this_process, progs, 8);
    if (np < 0) return 1;
    struct ring_buffer *rb = dropped_records();
    if (!rb) return 1;
    char file[64];
    snprintf(file, sizeof file, "/tmp/chmod-stats-%d", getpid());
    close(open(file, O_CREAT | O_WRONLY, 0640));
    int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (long i = 0; i < n; i++) {
        if (umounting ? umount2(file, 0) == 0 : chmod(file, mode) != 0) { perror(argv[1]); unlink(file); return 1; }
        if ((i & 63) == 63) ring_buffer__consume(rb);
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    unlink(file);
    printf("%s: %.0f ns of CPU per call (loop)\n", argv[1], ns_between(a, b) / n);
    print_prog_stats(progs, np);
    if (stats >= 0) close(stats);
    return 0;
}
