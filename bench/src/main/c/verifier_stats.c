/* Loads one BPF object with the verifier's statistics on, one line per program (issue 15: what the
 * monitor's start pays the verifier for): its verified instructions, states, the verifier's time
 * and the wall/CPU of the whole load. Programs named with -x are left out (the monitor leaves out
 * the 32-bit call programs when no 32-bit process runs: -x compat_enter -x compat_exit).
 * With -v PROG the full verifier log (level 2) of that one program goes to stderr, with -v all every
 * program's, each after a "=== PROG name" line (bench/trusted_loads.py counts what in them makes the
 * verifier search vmlinux BTF by name).
 * As root:  verifier_stats [-x PROG]... [-v PROG|all] OBJECT
 * Build:    gcc -O2 -Wall -o verifier_stats verifier_stats.c -lbpf */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATS_BUF (64 * 1024)
#define FULL_BUF (512u << 20) /* calloc maps it lazily: only what the kernel writes is resident */

static double seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* The last line of a stats log that starts with the prefix, without its newline. */
static void stat_line(const char *log, const char *prefix, char *out, size_t n) {
    out[0] = 0;
    for (const char *p = log; (p = strstr(p, prefix)); p++) {
        if (p == log || p[-1] == '\n') {
            size_t len = strcspn(p, "\n");
            snprintf(out, n, "%.*s", (int)len, p);
        }
    }
}

/* Whether -v asked for this program's full log. */
static int logged(const char *verbose, const char *name) {
    return verbose && (!strcmp(verbose, "all") || !strcmp(verbose, name));
}

int main(int argc, char **argv) {
    const char *excluded[64];
    int nexcluded = 0, opt;
    const char *verbose = NULL;
    while ((opt = getopt(argc, argv, "x:v:")) != -1) {
        if (opt == 'x' && nexcluded < 64) {
            excluded[nexcluded++] = optarg;
        } else if (opt == 'v') {
            verbose = optarg;
        } else {
            fprintf(stderr, "usage: %s [-x PROG]... [-v PROG|all] OBJECT\n", argv[0]);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: %s [-x PROG]... [-v PROG|all] OBJECT\n", argv[0]);
        return 2;
    }
    struct bpf_object *obj = bpf_object__open_file(argv[optind], NULL);
    if (!obj) {
        perror(argv[optind]);
        return 1;
    }
    struct bpf_program *p;
    int n = 0;
    bpf_object__for_each_program(p, obj) {
        n++;
    }
    char **logs = calloc(n, sizeof(char *));
    int i = 0;
    bpf_object__for_each_program(p, obj) {
        const char *name = bpf_program__name(p);
        for (int k = 0; k < nexcluded; k++) {
            if (!strcmp(excluded[k], name)) {
                bpf_program__set_autoload(p, false);
            }
        }
        int full = logged(verbose, name);
        size_t size = full ? FULL_BUF : STATS_BUF;
        logs[i] = calloc(1, size);
        bpf_program__set_log_buf(p, logs[i], size);
        bpf_program__set_log_level(p, full ? (2 | 4) : 4);
        i++;
    }
    double wall = seconds(CLOCK_MONOTONIC), cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
    int err = bpf_object__load(obj);
    wall = seconds(CLOCK_MONOTONIC) - wall;
    cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    i = 0;
    bpf_object__for_each_program(p, obj) {
        if (bpf_program__autoload(p)) {
            char processed[256], verif_time[256];
            stat_line(logs[i], "processed ", processed, sizeof processed);
            stat_line(logs[i], "verification time", verif_time, sizeof verif_time);
            printf("%-32s %s; %s\n", bpf_program__name(p), processed, verif_time);
            if (logged(verbose, bpf_program__name(p))) {
                fprintf(stderr, "=== PROG %s\n", bpf_program__name(p));
                fputs(logs[i], stderr);
            }
        }
        i++;
    }
    printf("load %s: %.2f s wall, %.2f s cpu\n", err ? "FAILED" : "ok", wall, cpu);
    bpf_object__close(obj);
    return err ? 1 : 0;
}
