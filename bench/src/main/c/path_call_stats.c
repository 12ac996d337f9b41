/* Per-program bpf_stats of the file sensor's path call programs (README, Evasion routes: a path
 * call's text read at entry too): loads and attaches only the enter/exit programs of one call of the
 * given file.bpf.o objects, enabled for this process alone, runs N calls on files in /tmp and prints
 * each program's run_time_ns / run_cnt and the loop's CPU time per call (prog_stats.h's
 * run_call_stats).
 *   path_call_stats unlink|rename|chmod N OBJECT...   unlink: a file made by the loop (its open is not
 *                                                     traced); unlinkthread: the same unlink in a new thread
 *                                                     each time (a task's first path call: its entry_texts
 *                                                     slot is made, as for a gcc driver's); rename: one file back and forth;
 *                                                     chmod: one file, mode 0640; fchmod: the same
 *                                                     through an fd opened once (the kernel's host path
 *                                                     of an fd call: STATS_HOST=1 and STATS_OPEN=PATH, a
 *                                                     file through a bind mount, as for open)
 *   path_call_stats open|openproc N OBJECT...          openat read-only of a file in /tmp (open) or of
 *                                                     /proc/self/status (openproc: a procfs file, which
 *                                                     other_proc_mem looks at by name); the exit program.
 *                                                     STATS_OPEN=PATH: open reads PATH instead; STATS_HOST=1:
 *                                                     the settings name the host's mount namespace and root
 *                                                     (run in a mount namespace of its own, PATH through a
 *                                                     bind mount: the host walk of a container's open)
 * Build: gcc -O2 -o path_call_stats path_call_stats.c -lbpf */
#define _GNU_SOURCE
#include "prog_stats.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <unistd.h>

static const char *what;
static char a[64], b[64];
static int fd_once = -1;

static int opens(void) {
    return !strcmp(what, "open") || !strcmp(what, "openproc");
}

static int want(const char *n) {
    char enter[64], exit_[64];
    const char *call = opens() ? "openat" : !strcmp(what, "unlinkthread") ? "unlink" : what;
    snprintf(enter, sizeof enter, "enter_%s", call);
    snprintf(exit_, sizeof exit_, "exit_%s", call);
    return !strcmp(n, enter) || !strcmp(n, exit_);
}

static long thread_result;

static void *unlink_once(void *unused) {
    thread_result = syscall(SYS_unlink, a);
    return NULL;
}

static int call(long i) {
    long r;
    pthread_t t;
    if (opens()) {
        const char *given = getenv("STATS_OPEN");
        int fd = open(!strcmp(what, "open") ? (given ? given : a) : "/proc/self/status", O_RDONLY);
        r = fd < 0 ? -1 : close(fd);
    } else if (!strcmp(what, "unlink")) {
        close(open(a, O_CREAT | O_WRONLY, 0640));
        r = syscall(SYS_unlink, a);
    } else if (!strcmp(what, "unlinkthread")) {
        close(open(a, O_CREAT | O_WRONLY, 0640));
        r = pthread_create(&t, NULL, unlink_once, NULL) || pthread_join(t, NULL) ? -1 : thread_result;
    } else if (!strcmp(what, "rename")) {
        r = (i & 1) ? syscall(SYS_rename, b, a) : syscall(SYS_rename, a, b);
    } else if (!strcmp(what, "fchmod")) {
        if (fd_once < 0) {
            const char *given = getenv("STATS_OPEN");
            fd_once = open(given ? given : a, O_RDONLY);
        }
        r = syscall(SYS_fchmod, fd_once, 0640);
    } else {
        r = syscall(SYS_chmod, a, 0640);
    }
    if (r) { perror(what); return 1; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4 || (strcmp(argv[1], "unlink") && strcmp(argv[1], "unlinkthread") && strcmp(argv[1], "rename") && strcmp(argv[1], "chmod")
                     && strcmp(argv[1], "fchmod") && strcmp(argv[1], "open") && strcmp(argv[1], "openproc"))) {
        fprintf(stderr, "usage: path_call_stats unlink|unlinkthread|rename|chmod|fchmod|open|openproc N OBJECT...\n");
        return 2;
    }
    what = argv[1];
    snprintf(a, sizeof a, "/tmp/path-call-stats-%d-a", getpid());
    snprintf(b, sizeof b, "/tmp/path-call-stats-%d-b", getpid());
    close(open(a, O_CREAT | O_WRONLY, 0640));
    int status = run_call_stats(argv + 3, argc - 3, want, what, "iteration", atol(argv[2]), call);
    unlink(a);
    unlink(b);
    return status;
}
