/* Per-program bpf_stats of the privilege sensor's path-text calls (README, TOCTOU of the privilege
 * sensor's paths): loads and attaches only the chmod and umount2 enter/exit programs of the given
 * priv.bpf.o objects, enabled for this process alone (prog_stats.h), and runs N calls on one file in
 * /tmp, printing each program's run_time_ns / run_cnt and the loop's CPU time per call.
 *   chmod_stats suid|plain|umount|mount|fsconfig N OBJECT...
 *                                               suid: chmod 04755 (reported: its path text kept at
 *                                               entry); plain: chmod 0644 (dropped by the enter
 *                                               filter); umount: umount2 of a path that is no mount
 *                                               point (EINVAL, reported); mount: mount("none", the file,
 *                                               "eunomia-none", 0, NULL) (ENODEV, reported: type, source
 *                                               and target kept); fsconfig: fsconfig(SET_STRING, "source",
 *                                               "eunomia-src") on one tmpfs context (EINVAL after the first:
 *                                               one source; reported, key and value kept)
 *   chmod_stats insns OBJECT...                 loads every program of each object (attaches none) and
 *                                               prints the instructions the verifier checked: per object,
 *                                               and per program for the mount and fsconfig ones
 * Build: gcc -O2 -o chmod_stats chmod_stats.c -lbpf (from this directory) */
#define _GNU_SOURCE
#include "prog_stats.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char file[64];
static int umounting, mounting, configuring;
static long fs = -1;
static mode_t mode;
static const char *what;

static int want(const char *n) {
    return !strcmp(n, "enter_chmod") || !strcmp(n, "exit_chmod") || !strcmp(n, "enter_umount") || !strcmp(n, "exit_umount")
           || !strcmp(n, "enter_mount") || !strcmp(n, "exit_mount") || !strcmp(n, "enter_fsconfig") || !strcmp(n, "exit_fsconfig");
}

/* Mode insns (see the top). */
static int print_insns(char **files, int n) {
    for (int i = 0; i < n; i++) {
        struct bpf_object *o = bpf_object__open_file(files[i], NULL);
        if (!o || bpf_object__load(o)) { fprintf(stderr, "load %s failed\n", files[i]); return 1; }
        unsigned long long total = 0;
        struct bpf_program *p;
        bpf_object__for_each_program(p, o) {
            struct bpf_prog_info info = {}; __u32 len = sizeof info;
            if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len)) continue;
            total += info.verified_insns;
            const char *name = bpf_program__name(p);
            if (strstr(name, "mount") || strstr(name, "fsconfig") || strstr(name, "compat"))
                printf("  %-28s %8u insns\n", name, info.verified_insns);
        }
        printf("%s: %llu insns verified\n", files[i], total);
        bpf_object__close(o);
    }
    return 0;
}

static int call(long i) {
    int unexpected = umounting ? umount2(file, 0) == 0
                     : mounting ? mount("none", file, "eunomia-none", 0, NULL) == 0
                     : configuring ? syscall(431 /* fsconfig */, fs, 1 /* SET_STRING */, "source", "eunomia-src", 0) != 0 && i == 0
                     : chmod(file, mode) != 0;
    if (unexpected) { perror(what); return 1; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && !strcmp(argv[1], "insns")) return print_insns(argv + 2, argc - 2);
    if (argc < 4) { fprintf(stderr, "usage: chmod_stats suid|plain|umount|mount|fsconfig N OBJECT... | insns OBJECT...\n"); return 2; }
    what = argv[1];
    umounting = !strcmp(what, "umount");
    mounting = !strcmp(what, "mount");
    configuring = !strcmp(what, "fsconfig");
    mode = !strcmp(what, "suid") ? 04755 : 0644;
    if (configuring && (fs = syscall(430 /* fsopen */, "tmpfs", 0)) < 0) { perror("fsopen"); return 1; }
    snprintf(file, sizeof file, "/tmp/chmod-stats-%d", getpid());
    close(open(file, O_CREAT | O_WRONLY, 0640));
    int status = run_call_stats(argv + 3, argc - 3, want, what, "call", atol(argv[2]), call);
    unlink(file);
    return status;
}
