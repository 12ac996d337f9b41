/* Per-program bpf_stats of the process sensor (bench/README.md, "The process sensor's own cost"):
 * loads process.bpf.o's fork, exec and exit programs and the execve ones (for every process, this
 * one's forks included: run it on a quiet machine, or alternate objects), with forced reader
 * wake-ups off (their cost is the poller's business: bench/progcost.sh measures them with the real
 * monitor), holds a BPF_ENABLE_STATS fd (bpf_stats off again when it exits), spawns PROGRAM N
 * times draining the ring after each, and prints each program's ns per run. Run as root:
 *   process_stats OBJECT N [PROGRAM]      (PROGRAM: /bin/true)
 * Build: gcc -O2 -o process_stats process_stats.c -lbpf */
#define _GNU_SOURCE
#include "prog_stats.h"
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static struct ring_buffer *ring;

static int want(const char *n) {
    static const char *const names[] = {"handle_exec", "handle_fork", "handle_exit", "enter_execve", "exit_execve", NULL};
    for (int i = 0; names[i]; i++)
        if (!strcmp(n, names[i])) return 1;
    return 0;
}

static int drained(void *ctx, void *data, size_t size) { return 0; }

/* Enabled for every process, a wake-up interval no record reaches, the host's mount namespace known. */
static int ready(struct bpf_object *o) {
    struct stat mnt;
    if (stat("/proc/self/ns/mnt", &mnt)) { perror("/proc/self/ns/mnt"); return -1; }
    struct settings s = {.enabled = 1, .wakeup = ~0ULL >> 1, .host_mntns = mnt.st_ino, .v1 = -1};
    if (write_settings(o, &s)) {
        fprintf(stderr, "settings\n");
        return -1;
    }
    ring = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(o, "events")), drained, NULL, NULL);
    return ring ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: process_stats OBJECT N [PROGRAM]\n"); return 2; }
    long n = atol(argv[2]);
    char *prog = argc > 3 ? argv[3] : "/bin/true";
    struct bpf_program *progs[8];
    int np = load_wanted(&argv[1], 1, want, ready, progs, 8);
    if (np < 0) return 1;
    int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
    char *args[] = {prog, NULL};
    for (long i = 0; i < n; i++) {
        pid_t pid;
        if (posix_spawn(&pid, prog, NULL, NULL, args, environ)) { perror(prog); return 1; }
        waitpid(pid, NULL, 0);
        ring_buffer__consume(ring);
    }
    printf("%s x%ld:\n", prog, n);
    print_prog_stats(progs, np);
    close(stats);
    return 0;
}
