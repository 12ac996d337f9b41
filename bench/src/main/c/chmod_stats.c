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

static char file[64];
static int umounting;
static mode_t mode;
static const char *what;

static int want(const char *n) {
    return !strcmp(n, "enter_chmod") || !strcmp(n, "exit_chmod") || !strcmp(n, "enter_umount") || !strcmp(n, "exit_umount");
}

static int call(long i) {
    if (umounting ? umount2(file, 0) == 0 : chmod(file, mode) != 0) { perror(what); return 1; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: chmod_stats suid|plain|umount N OBJECT...\n"); return 2; }
    what = argv[1];
    umounting = !strcmp(what, "umount");
    mode = !strcmp(what, "suid") ? 04755 : 0644;
    snprintf(file, sizeof file, "/tmp/chmod-stats-%d", getpid());
    close(open(file, O_CREAT | O_WRONLY, 0640));
    int status = run_call_stats(argv + 3, argc - 3, want, what, "call", atol(argv[2]), call);
    unlink(file);
    return status;
}
