/* What the *_stats tools share: load only some programs of BPF objects, attach them, and read
 * their bpf_stats (run_time_ns / run_cnt) after a loop (run_call_stats: the whole loop of one call). Header-only: each tool is one gcc call,
 *   gcc -O2 -o TOOL TOOL.c -lbpf   (from this directory) */
#ifndef PROG_STATS_H
#define PROG_STATS_H

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Which programs of an object to load and attach, by name. */
typedef int (*prog_wanted)(const char *name);
/* Called after an object is loaded, before its programs are attached (maps to set); 0 = go on. */
typedef int (*object_ready)(struct bpf_object *o);

/* Called for each wanted program of a loaded object before it is attached: 1 when it took the program
 * elsewhere (e.g. into a dispatcher's program array: not attached), 0 to attach it, -1 on failure. */
typedef int (*prog_taken)(struct bpf_object *o, struct bpf_program *p);

/* Opens each of the n object files, loads only the wanted programs, calls ready (if any) and attaches
 * them (those take, if any, does not take) into progs (at most max). Returns how many were attached,
 * or -1 after saying what failed. */
static int load_wanted_taking(char **files, int n, prog_wanted want, object_ready ready, prog_taken take,
                              struct bpf_program **progs, int max) {
    int np = 0;
    for (int i = 0; i < n; i++) {
        struct bpf_object *o = bpf_object__open_file(files[i], NULL);
        if (!o) { perror("open"); return -1; }
        struct bpf_program *prog;
        bpf_object__for_each_program(prog, o) bpf_program__set_autoload(prog, want(bpf_program__name(prog)));
        if (bpf_object__load(o)) { fprintf(stderr, "load %s failed\n", files[i]); return -1; }
        if (ready && ready(o)) return -1;
        bpf_object__for_each_program(prog, o) if (want(bpf_program__name(prog))) {
            int taken = take ? take(o, prog) : 0;
            if (taken < 0) return -1;
            if (taken) continue;
            if (np == max) {
                fprintf(stderr, "%s: more than %d wanted programs in all (the caller's bound)\n", files[i], max);
                return -1;
            }
            if (!bpf_program__attach(prog)) { fprintf(stderr, "attach %s of %s failed\n", bpf_program__name(prog), files[i]); return -1; }
            progs[np++] = prog;
        }
    }
    return np;
}

static inline int load_wanted(char **files, int n, prog_wanted want, object_ready ready, struct bpf_program **progs, int max) {
    return load_wanted_taking(files, n, want, ready, NULL, progs, max);
}

/* Nanoseconds from a to b. */
static double ns_between(struct timespec a, struct timespec b) {
    return (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
}

/* Prints each program's run count and ns per run (bpf_stats must have been on); returns the sum of ns per run. */
static double print_prog_stats(struct bpf_program **progs, int n) {
    double total = 0;
    for (int i = 0; i < n; i++) {
        struct bpf_prog_info info = {}; __u32 len = sizeof info;
        bpf_obj_get_info_by_fd(bpf_program__fd(progs[i]), &info, &len);
        double per = info.run_cnt ? (double)info.run_time_ns / info.run_cnt : 0;
        total += per;
        printf("  %-24s runs %10llu  %7.1f ns/run\n", bpf_program__name(progs[i]), info.run_cnt, per);
    }
    return total;
}

/* struct sensor_settings of events.h (an older object's map holds fewer members: those are written) */
struct settings { unsigned enabled, self_tgid, filter_tgid, filter_mntns; unsigned long long wakeup; unsigned flags, host_mntns, v1;
                  unsigned host_root_dev; unsigned long long host_root_ino; };

/* Writes s into o's settings map at the map's own value size (objects of other versions side by side); 0 when done. */
static inline int write_settings(struct bpf_object *o, const struct settings *s) {
    struct bpf_map *m = bpf_object__find_map_by_name(o, "settings");
    unsigned char v[256] = {0};
    unsigned zero = 0;
    size_t n = m ? bpf_map__value_size(m) : 0;
    if (n < offsetof(struct settings, host_root_dev) || n > sizeof v) return -1;
    memcpy(v, s, n < sizeof *s ? n : sizeof *s);
    return bpf_map__update_elem(m, &zero, sizeof zero, v, n, 0);
}

/* With STATS_HOST set: the host's mount namespace and root (pid 1's), as the monitor gives them (the file
 * sensor's host paths of a container's opens through a bind mount); left 0 otherwise. */
static inline void host_settings(struct settings *s) {
    struct stat ns, root;
    if (!getenv("STATS_HOST") || stat("/proc/1/ns/mnt", &ns) || stat("/proc/1/root/", &root)) return;
    s->host_mntns = ns.st_ino;
    s->host_root_dev = (major(root.st_dev) << 20) | minor(root.st_dev);  /* the kernel's dev_t, as stat_dev reads it */
    s->host_root_ino = root.st_ino;
}

/* The sensor objects sensor_for_this_process set up: whose ring buffers ("events") the loop drains
 * (each object has its own: an undrained one fills, and its programs then skip the record's copy). */
#define STATS_SENSORS 8
static struct bpf_object *stats_sensors[STATS_SENSORS];
static int stats_sensor_count;

/* An object_ready: the sensor's settings map enabled for this process alone, records woken for every ms. */
static inline int sensor_for_this_process(struct bpf_object *o) {
    struct settings s = {.enabled = 1, .filter_tgid = getpid(), .wakeup = 1000000};
    host_settings(&s);
    if (write_settings(o, &s)) { fprintf(stderr, "settings\n"); return 1; }
    if (stats_sensor_count == STATS_SENSORS) { fprintf(stderr, "more than %d sensor objects\n", STATS_SENSORS); return 1; }
    stats_sensors[stats_sensor_count++] = o;
    return 0;
}

static inline int drop_record(void *ctx, void *data, size_t size) { return 0; }

/* The ring buffers of stats_sensors, their records dropped when consumed (a full ring would skip their copy); NULL after saying so. */
static inline struct ring_buffer *dropped_records(void) {
    struct ring_buffer *rb = NULL;
    for (int i = 0; i < stats_sensor_count; i++) {
        int fd = bpf_map__fd(bpf_object__find_map_by_name(stats_sensors[i], "events"));
        if (i == 0 ? !(rb = ring_buffer__new(fd, drop_record, NULL, NULL)) : ring_buffer__add(rb, fd, drop_record, NULL) != 0) {
            if (rb) ring_buffer__free(rb);
            rb = NULL;
            break;
        }
    }
    if (!rb) fprintf(stderr, "ring buffer\n");
    return rb;
}

/* One iteration of a *_stats tool's loop (i from 0): 0 when the call did what it should, else
 * nonzero after saying why (perror). */
typedef int (*stats_call)(long i);

#define PROGS_PER_OBJECT 16  /* a tool's want() matches at most this many programs of one object */

/* The loop the per-call tools (chmod_stats, xattr_stats, path_call_stats) share: loads and attaches
 * the wanted programs of the n object files, enabled for this process alone, turns bpf_stats on
 * (this process's own fd: the sysctl stays as it is), runs call iters times, its records consumed
 * every 64 calls (a full ring would skip their copy), and prints
 * "label: N ns of CPU per unit (loop)" and each program's run_time_ns / run_cnt. Returns the
 * tool's exit status: 0, or 1 after saying what failed. Unused by the other tools (no -Wall warning). */
static __attribute__((unused)) int run_call_stats(char **files, int n, prog_wanted want, const char *label, const char *unit,
                          long iters, stats_call call) {
    struct bpf_program *progs[n * PROGS_PER_OBJECT];  /* old and new objects side by side: a bound per object */
    int np = load_wanted(files, n, want, sensor_for_this_process, progs, n * PROGS_PER_OBJECT);
    if (np < 0) return 1;
    struct ring_buffer *rb = dropped_records();
    if (!rb) return 1;
    int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (long i = 0; i < iters; i++) {
        if (call(i)) { if (stats >= 0) close(stats); return 1; }
        if ((i & 63) == 63) ring_buffer__consume(rb);
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    printf("%s: %.0f ns of CPU per %s (loop)\n", label, ns_between(a, b) / iters, unit);
    print_prog_stats(progs, np);
    if (stats >= 0) close(stats);
    return 0;
}

#endif
