/* Per-program bpf_stats of the io_uring programs (bench/README.md, "io_uring routes"): loads and
 * attaches only the io_uring programs of the given objects (file.bpf.o, net.bpf.o), enabled for this
 * process alone, enables bpf_stats, runs N requests one at a time through one ring and prints each
 * program's run_time_ns / run_cnt and the loop's CPU time per request. Run as root:
 *   uring_path_stats read N OBJECT...    IORING_OP_READ of a file with IOSQE_ASYNC: every request is
 *                                        punted to an io-wq worker (io_uring_queue_async_work fires)
 *                                        and completes: what any other ring request pays
 *   uring_path_stats mkdir N OBJECT...   IORING_OP_MKDIRAT then IORING_OP_UNLINKAT (AT_REMOVEDIR) of
 *                                        one directory below /tmp: the programs' full path
 *   uring_path_stats send N OBJECT...    IORING_OP_SEND of a UDP datagram with its destination (addr2)
 *                                        to a socket of this process on 127.0.0.1: reported once, then
 *                                        the per-process dedup (dest_seen) on every request
 *   uring_path_stats sendmmsg N OBJECT...  no ring: sendmmsg of 8 datagrams to 2 destinations of this
 *                                        process, with the objects' sendmmsg programs loaded instead
 *   uring_path_stats sendto N OBJECT...  no ring: sendto of a datagram to one destination of this
 *                                        process (reported once, then repeats), the sendto programs
 *   uring_path_stats openrc N OBJECT...  IORING_OP_OPENAT of /etc/os-release, IORING_OP_READ of it,
 *                                        IORING_OP_CLOSE, one request at a time, all completed inline:
 *                                        a ring-heavy loop (N iterations, 3 requests each)
 * With uring_dispatch.bpf.o as the first OBJECT, the shared dispatcher is attached to the submit and
 * complete tracepoints and the later objects' programs there are plugged into its opcode slots
 * (uring_routes.h) instead of attached: their run time counts in the dispatcher's. No OBJECT: the
 * loop alone. UPS_NOSTATS=1: bpf_stats stay off (loop CPU without the stats' own clock reads).
 * Build: gcc -O2 -o uring_path_stats uring_path_stats.c -lbpf (from any directory, as the other tools)
 *   (prog_stats.h: the loading and bpf_stats; uring_routes.h: which handler takes which opcode, the
 *   sensors' own list, included by its place in the tree: no -I, nothing generated) */
#define _GNU_SOURCE
#include "prog_stats.h"
#include "../../../../bpf/src/main/bpf/uring_routes.h"
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *plain;  /* a plain send call's programs instead of the ring's: "_sendmmsg", "_sendto" */

static int want(const char *n) {
    return plain ? strstr(n, plain) != NULL : !strncmp(n, "io_uring_", 9) || !strncmp(n, "uring_dispatch_", 15);
}

/* The dispatcher, when its object came first. */
static struct bpf_object *dispatcher;
struct route { int opcode; const char *sensor; };
#define ROUTE(op, sensor) {op, #sensor},
static const struct route submit_routes[] = {URING_SUBMIT_ROUTES(ROUTE)}, complete_routes[] = {URING_COMPLETE_ROUTES(ROUTE)};

/* A sensor's handler on a dispatched tracepoint goes into its opcodes' slots (1), anything else is attached (0). */
static int plug(struct bpf_object *o, struct bpf_program *prog) {
    if (!strcmp(bpf_object__name(o), "uring_dispatch")) {
        dispatcher = o;
        return 0;
    }
    const char *sec = bpf_program__section_name(prog), *obj = bpf_object__name(o);
    int submit = !strcmp(sec, "tp_btf/io_uring_submit_req");
    if (!dispatcher || (!submit && strcmp(sec, "tp_btf/io_uring_complete"))) return 0;
    const struct route *routes = submit ? submit_routes : complete_routes;
    size_t n = submit ? sizeof submit_routes / sizeof *routes : sizeof complete_routes / sizeof *routes;
    struct bpf_map *calls = bpf_object__find_map_by_name(dispatcher, submit ? "uring_submit_calls" : "uring_complete_calls");
    int fd = bpf_program__fd(prog), plugged = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned key = routes[i].opcode;
        if (strcmp(routes[i].sensor, obj)) continue;
        if (!calls || bpf_map__update_elem(calls, &key, sizeof key, &fd, sizeof fd, 0)) { perror("plug"); return -1; }
        plugged++;
    }
    if (!plugged) { fprintf(stderr, "no io_uring routes for %s at %s\n", obj, sec); return -1; }
    return 1;
}

/* The sensors' settings map: enabled, for this process alone (the dispatcher has none). */
static int only_this_process(struct bpf_object *o) {
    return strcmp(bpf_object__name(o), "uring_dispatch") ? sensor_for_this_process(o) : 0;
}

static int ring;
static struct io_uring_params p;
static char *sq;
static struct io_uring_sqe *sqes;

static int ring_setup(void) {
    ring = syscall(SYS_io_uring_setup, 8, &p);
    if (ring < 0) { perror("io_uring_setup"); return -1; }
    size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    sq = mmap(NULL, sq_len > cq_len ? sq_len : cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
    sqes = mmap(NULL, p.sq_entries * sizeof *sqes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
    return sq == MAP_FAILED || sqes == MAP_FAILED ? -1 : 0;
}

/* Submits one request and waits for its completion; returns its result. */
static int one(const struct io_uring_sqe *req) {
    unsigned *tail = (unsigned *)(sq + p.sq_off.tail), mask = *(unsigned *)(sq + p.sq_off.ring_mask);
    unsigned idx = *tail & mask;
    sqes[idx] = *req;
    ((unsigned *)(sq + p.sq_off.array))[idx] = idx;
    __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
    if (syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) { perror("enter"); exit(1); }
    unsigned *head = (unsigned *)(sq + p.cq_off.head);
    int res = ((struct io_uring_cqe *)(sq + p.cq_off.cqes))[*head & *(unsigned *)(sq + p.cq_off.ring_mask)].res;
    __atomic_store_n(head, *head + 1, __ATOMIC_RELEASE);
    return res;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: uring_path_stats read|mkdir|send|sendmmsg|sendto|openrc N [uring_dispatch.bpf.o] OBJECT...\n"); return 2; }
    int mkdirs = !strcmp(argv[1], "mkdir"), sends = !strcmp(argv[1], "send"), openrc = !strcmp(argv[1], "openrc");
    int per = mkdirs ? 2 : openrc ? 3 : 1;
    int mmsg = !strcmp(argv[1], "sendmmsg"), sendtos = !strcmp(argv[1], "sendto");
    plain = mmsg ? "_sendmmsg" : sendtos ? "_sendto" : NULL;
    long n = atol(argv[2]);
    struct bpf_program *progs[8];
    int np = load_wanted_taking(argv + 3, argc - 3, want, only_this_process, plug, progs, 8);
    if (np < 0) return 1;
    if (ring_setup()) return 1;
    int fd = open("/etc/os-release", O_RDONLY);
    /* Two sinks of this process on 127.0.0.1 that never read (the kernel drops what they cannot hold). */
    static struct sockaddr_in to[2];
    socklen_t tl = sizeof to[0];
    for (int i = 0; i < 2; i++) {
        int sink = socket(AF_INET, SOCK_DGRAM, 0);
        to[i].sin_family = AF_INET;
        to[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (sink < 0 || bind(sink, (struct sockaddr *)&to[i], sizeof to[i]) || getsockname(sink, (struct sockaddr *)&to[i], &tl)) {
            perror("sink");
            return 1;
        }
    }
    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    static struct mmsghdr msgs[8];
    static struct iovec iov = {.iov_base = "x", .iov_len = 1};
    for (int i = 0; i < 8; i++) {
        msgs[i].msg_hdr = (struct msghdr){.msg_name = &to[i & 1], .msg_namelen = sizeof to[0], .msg_iov = &iov, .msg_iovlen = 1};
    }
    static char buf[64], dir[64];
    snprintf(dir, sizeof dir, "/tmp/uring-path-stats-%d", getpid());
    int stats = getenv("UPS_NOSTATS") ? -1 : bpf_enable_stats(BPF_STATS_RUN_TIME);
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (long i = 0; i < n; i++) {
        if (mmsg) {
            if (sendmmsg(udp, msgs, 8, 0) != 8) { perror("sendmmsg"); return 1; }
        } else if (sendtos) {
            if (sendto(udp, "x", 1, 0, (struct sockaddr *)&to[0], sizeof to[0]) != 1) { perror("sendto"); return 1; }
        } else if (sends) {
            struct io_uring_sqe sd = {.opcode = IORING_OP_SEND, .fd = udp, .addr = (unsigned long)"x", .len = 1,
                                      .addr2 = (unsigned long)&to[0], .addr_len = sizeof to[0]};
            if (one(&sd) < 0) { fprintf(stderr, "send failed\n"); return 1; }
        } else if (openrc) {
            struct io_uring_sqe op = {.opcode = IORING_OP_OPENAT, .fd = AT_FDCWD, .addr = (unsigned long)"/etc/os-release"};
            int f = one(&op);
            struct io_uring_sqe rd = {.opcode = IORING_OP_READ, .fd = f, .addr = (unsigned long)buf, .len = sizeof buf};
            struct io_uring_sqe cl = {.opcode = IORING_OP_CLOSE, .fd = f};
            if (f < 0 || one(&rd) < 0 || one(&cl) != 0) { fprintf(stderr, "open/read/close failed\n"); return 1; }
        } else if (mkdirs) {
            struct io_uring_sqe mk = {.opcode = IORING_OP_MKDIRAT, .fd = AT_FDCWD, .addr = (unsigned long)dir, .len = 0700};
            struct io_uring_sqe rm = {.opcode = IORING_OP_UNLINKAT, .fd = AT_FDCWD, .addr = (unsigned long)dir,
                                      .unlink_flags = AT_REMOVEDIR};
            if (one(&mk) != 0 || one(&rm) != 0) { fprintf(stderr, "mkdir/rmdir failed\n"); return 1; }
        } else {
            struct io_uring_sqe rd = {.opcode = IORING_OP_READ, .fd = fd, .addr = (unsigned long)buf, .len = sizeof buf,
                                      .flags = IOSQE_ASYNC};
            if (one(&rd) < 0) { fprintf(stderr, "read failed\n"); return 1; }
        }
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    printf("%s x%ld: %.0f ns CPU per request (this thread)\n", argv[1], n * per, ns_between(a, b) / (n * per));
    print_prog_stats(progs, np);
    if (stats >= 0) close(stats);
    return 0;
}
