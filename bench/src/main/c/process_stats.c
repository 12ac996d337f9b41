/* Per-program bpf_stats of the process sensor (bench/README.md, "The process sensor's own cost"):
 * loads process.bpf.o's fork, exec and exit programs and the execve ones (for every process, this
 * one's forks included: run it on a quiet machine), with forced reader wake-ups off (their cost is the
 * poller's business: bench/progcost.sh measures them with the real monitor), holds a
 * BPF_ENABLE_STATS fd (bpf_stats off again when it exits), spawns PROGRAM N times per round and
 * drains the ring after each, and prints each program's ns per run for every round. Run as root:
 *   process_stats OBJECT N ROUNDS [PROGRAM]      (PROGRAM: /bin/true)
 * Build: gcc -O2 -o process_stats process_stats.c -lbpf */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* struct sensor_settings of events.h */
struct settings { unsigned enabled, self_tgid, filter_tgid, filter_mntns; unsigned long long wakeup; unsigned flags, host_mntns, v1, reserved; };

static const char *const PROGRAMS[] = {"handle_exec", "handle_fork", "handle_exit", "enter_execve", "exit_execve", NULL};

static int wanted(const char *name) {
    for (int i = 0; PROGRAMS[i]; i++)
        if (!strcmp(name, PROGRAMS[i])) return 1;
    return 0;
}

static int drained(void *ctx, void *data, size_t size) { return 0; }

static void stats(struct bpf_program *p, unsigned long long *ns, unsigned long long *runs) {
    struct bpf_prog_info info = {};
    __u32 len = sizeof info;
    bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len);
    *ns = info.run_time_ns;
    *runs = info.run_cnt;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: process_stats OBJECT N ROUNDS [PROGRAM]\n"); return 2; }
    long n = atol(argv[2]);
    int rounds = atoi(argv[3]);
    char *prog = argc > 4 ? argv[4] : "/bin/true";
    struct bpf_object *o = bpf_object__open_file(argv[1], NULL);
    if (!o) { perror("open"); return 1; }
    struct bpf_program *p, *progs[8];
    int np = 0;
    bpf_object__for_each_program(p, o) bpf_program__set_autoload(p, wanted(bpf_program__name(p)));
    if (bpf_object__load(o)) { fprintf(stderr, "load %s failed\n", argv[1]); return 1; }
    struct stat mnt;
    if (stat("/proc/self/ns/mnt", &mnt)) { perror("/proc/self/ns/mnt"); return 1; }
    /* a wake-up interval no record reaches: no forced wake-ups */
    struct settings s = {.enabled = 1, .wakeup = ~0ULL >> 1, .host_mntns = mnt.st_ino, .v1 = -1};
    unsigned zero = 0;
    if (bpf_map__update_elem(bpf_object__find_map_by_name(o, "settings"), &zero, sizeof zero, &s, sizeof s, 0)) {
        fprintf(stderr, "settings\n");
        return 1;
    }
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(o, "events")), drained, NULL, NULL);
    bpf_object__for_each_program(p, o) if (wanted(bpf_program__name(p))) {
        if (!bpf_program__attach(p) || np == 8) { fprintf(stderr, "attach %s failed\n", bpf_program__name(p)); return 1; }
        progs[np++] = p;
    }
    int enabled = bpf_enable_stats(BPF_STATS_RUN_TIME);
    char *args[] = {prog, NULL};
    for (int r = 0; r < rounds; r++) {
        unsigned long long ns0[8], runs0[8], ns, runs;
        for (int i = 0; i < np; i++) stats(progs[i], &ns0[i], &runs0[i]);
        for (long i = 0; i < n; i++) {
            pid_t pid;
            if (posix_spawn(&pid, prog, NULL, NULL, args, environ)) { perror(prog); return 1; }
            waitpid(pid, NULL, 0);
            ring_buffer__consume(rb);
        }
        printf("round %d:", r);
        for (int i = 0; i < np; i++) {
            stats(progs[i], &ns, &runs);
            printf("  %s %.0f ns (%llu runs)", bpf_program__name(progs[i]), runs > runs0[i] ? (double)(ns - ns0[i]) / (runs - runs0[i]) : 0,
                   runs - runs0[i]);
        }
        printf("\n");
    }
    close(enabled);
    return 0;
}
