/* Per-program bpf_stats of the privilege sensor's setxattr programs (README, extended attributes):
 * loads and attaches only the setxattr enter/exit programs of the given priv.bpf.o objects, enabled
 * for this process alone, runs N setxattr calls on one file in /tmp and prints each program's
 * run_time_ns / run_cnt and the loop's CPU time per call (prog_stats.h's run_call_stats).
 *   xattr_stats acl|cap|user N OBJECT...   acl: system.posix_acl_access with a 5-entry ACL (the ACL
 *                                          text is decoded); cap: security.capability (cap_setuid+ep);
 *                                          user: user.eunomia (dropped by the enter filter)
 * Build: gcc -O2 -o xattr_stats xattr_stats.c -lbpf */
#define _GNU_SOURCE
#include "prog_stats.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

static char file[64];
static const char *name;
static const void *value;
static size_t size;

static int want(const char *n) {
    return !strcmp(n, "enter_setxattr") || !strcmp(n, "exit_setxattr");
}

static int call(long i) {
    if (setxattr(file, name, value, size, 0)) { perror("setxattr"); return 1; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: xattr_stats acl|cap|user N OBJECT\n"); return 2; }
    static struct { uint32_t version; struct { uint16_t tag, perm; uint32_t id; } e[5]; } acl = {2, {
        {1, 6, -1}, {2, 4, 65534}, {4, 4, -1}, {0x10, 4, -1}, {0x20, 0, -1}}};
    static uint32_t cap[5] = {0x02000000 | 1, 1u << 7};
    name = !strcmp(argv[1], "acl") ? "system.posix_acl_access" : !strcmp(argv[1], "cap") ? "security.capability" : "user.eunomia";
    value = !strcmp(argv[1], "acl") ? (const void *)&acl : !strcmp(argv[1], "cap") ? (const void *)cap : "eunomia";
    size = !strcmp(argv[1], "acl") ? sizeof acl : !strcmp(argv[1], "cap") ? sizeof cap : 7;
    snprintf(file, sizeof file, "/tmp/xattr-stats-%d", getpid());
    close(open(file, O_CREAT | O_WRONLY, 0640));
    int status = run_call_stats(argv + 3, argc - 3, want, argv[1], "call", atol(argv[2]), call);
    unlink(file);
    return status;
}
