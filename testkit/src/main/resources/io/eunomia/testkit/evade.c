/* Test helper for EvasionLiveTest, built with gcc -static (non-PIE: its data lies below 4 GiB,
 * where 32-bit calls can point): does a watched act the indirect way, then exits 0 whatever the
 * result (the test judges by the alerts, not by the exit code).
 *   open32 PATH            open(PATH, O_RDONLY) through int $0x80 (ia32 ABI)
 *   creat32 PATH           open(PATH, O_WRONLY|O_CREAT|O_TRUNC) through int $0x80
 *   utimes32 PATH          times set on PATH through int $0x80: utimensat (NULL times, then 2001-01-01
 *                          +0 s and +1 s), utimensat_time64 (+6 s, +7 s), futimesat (+8 s, +9 s),
 *                          utimes (+2 s, +3 s), utime (+4 s, +5 s)
 *   connect32 IP PORT      connect() through the ia32 socketcall(SYS_CONNECT, ...)
 *   connect32-cold IP PORT, socket32-cold FAM TYPE
 *                          connect32, socket32 with socketcall's args[] (and the sockaddr) in a page below
 *                          4 GiB that no access has faulted in (a fresh file mapping: see sendto ... cold)
 *   connect IP PORT        the same through the native call, non-blocking (the direct way)
 *   setuid32 UID           drop to uid 65534 (native), then setuid32(UID) through int $0x80
 *   setuid UID             the same through the native call (the direct way, for comparison)
 *   probe32                getpid through int $0x80: killed by SIGSEGV where the kernel runs no
 *                          32-bit code (ia32_emulation=off, some hypervisors): see EvasionProbe
 *   kill[32] PID SIG       kill(PID, SIG)
 *   ptrace[32] PID         ptrace(PTRACE_ATTACH, PID), then PTRACE_DETACH natively if it worked
 *   vmread[32] TARGET, vmwrite[32] TARGET
 *                          process_vm_readv (vmwrite: process_vm_writev) of 16 bytes of TARGET's vm_data (this
 *                          program's own static buffer, at the same address in every copy of it): TARGET is
 *                          child (a forked child that set its copy to "child-memory"), gone (a child already
 *                          reaped: ESRCH), self (getpid()) or a pid; prints "target PID result R data TEXT"
 *   procmem[32] TARGET, procmemtask TARGET
 *                          the same read through open("/proc/PID/mem", O_RDONLY) (procmemtask:
 *                          /proc/PID/task/PID/mem) and pread at vm_data; procmem32 opens through int $0x80
 *   socket[32] FAM TYPE    socket(FAM, TYPE, 0); the 32-bit way through socketcall(SYS_SOCKET, ...)
 *   bpf[32]                bpf(BPF_MAP_CREATE, zeroed attr) (fails: EINVAL)
 *   chmod[32] PATH MODE    chmod(PATH, MODE in octal)
 *   exec[32] PATH          execve(PATH, {PATH, "x"}, envp) expected to fail (ENOENT, EACCES)
 *   Without "32" each is the native call (the direct way), with it the ia32 call through int $0x80.
 *   standin PATH PID       after a line on stdin, native fstat(-1) and alarm(0) with ebx = PATH, then PID: what the ia32
 *                          open and kill would read (CompatChainTest's stand-in dispatcher)
 *   execfd PATH NAME ARG   execveat(open(PATH), "", {NAME, ARG}, AT_EMPTY_PATH): another name, no path
 *   uring PATH [sqpoll] [direct|alloc] [creat] [skip]
 *                          openat(PATH, O_RDONLY) submitted through an io_uring (SQPOLL: by the
 *                          kernel's polling thread, without any system call for it; direct: into
 *                          slot 0 of a registered, empty file table, no fd; alloc: into a slot the
 *                          kernel picks; creat: O_WRONLY|O_CREAT|O_TRUNC instead; skip: as below)
 *   uring-mkdir PATH, uring-rename OLD NEW, uring-unlink PATH, uring-rmdir PATH,
 *   uring-symlink TARGET LINK, uring-link OLD NEW   [sqpoll] [skip]
 *                          the file call through an io_uring (skip: IOSQE_CQE_SKIP_SUCCESS, no
 *                          completion when it succeeds; a linked NOP tells when it is done)
 *   uring-socket FAMILY TYPE [sqpoll] [direct] [skip]
 *                          socket(FAMILY, TYPE, 0) through an io_uring (direct: into a fixed-file slot)
 *   uring-connect IP PORT [sqpoll] [fixed] [nonblock] [skip]
 *                          connect() of a TCP socket submitted through an io_uring (fixed: the
 *                          socket registered with the ring, the request names no fd; nonblock: an
 *                          O_NONBLOCK socket, whose connect completes at once with EINPROGRESS)
 *   sendto IP PORT [cold], sendmsg IP PORT [cold], sendmmsg-cold IP PORT
 *                          a UDP datagram to IP:PORT without connect (cold: the sockaddr, and for sendmsg
 *                          the msghdr, for sendmmsg-cold two mmsghdrs, the first to 192.0.2.1:53, lie in a
 *                          file mapping no access has faulted in: a read at syscall entry that cannot fault fails)
 *   connect-cold IP PORT, bind-cold IP PORT
 *                          connect() of a blocking TCP socket, bind() of a UDP socket, with the sockaddr as cold
 *   sendmmsg IP PORT [N]   one sendmmsg of 1 + N UDP datagrams (N: 1 to 64): to 192.0.2.1:53, then to
 *                          IP:PORT, IP:PORT+1, ... IP:PORT+N-1
 *   uring-bind IP PORT     bind() of a UDP socket to IP:PORT through an io_uring
 *   uring-send IP PORT [sqpoll] [fixed] [zc] [skip], uring-sendmsg IP PORT [sqpoll] [fixed] [zc] [skip]
 *                          a UDP datagram to IP:PORT through an io_uring: IORING_OP_SEND with the
 *                          destination in addr2, or IORING_OP_SENDMSG with it in msg_name (zc: the
 *                          zero-copy SEND_ZC / SENDMSG_ZC; fixed: the socket registered with the ring;
 *                          skip: IOSQE_CQE_SKIP_SUCCESS, not with zc); prints the send's result
 *   uring-ftruncate PATH [sqpoll] [fixed] [skip]
 *                          open(PATH, O_WRONLY), then ftruncate(fd, 0) through an io_uring
 *   uring-accept [sqpoll] [direct]
 *                          listens on 127.0.0.1 (prints "listening PORT"), accepts one connection
 *                          through an io_uring (direct: into a fixed-file slot)
 *   hostns PID PATH        setns into PID's mount namespace, then open(PATH, O_RDONLY): no exec
 *   sendfile PATH          open(PATH), then its bytes copied without read(): sendfile to /dev/null,
 *                          splice into a pipe, copy_file_range into a memfd
 *   memexec PATH NAME ARG  PATH copied into a memfd named NAME, run by execveat(memfd, "", AT_EMPTY_PATH)
 *   xattr-MODE FILE [NAME] [sqpoll] [fixed] [skip] [netbind]
 *                          writes or removes FILE's extended attribute NAME (default security.capability,
 *                          whose value is then cap_setuid+ep: what `setcap cap_setuid+ep FILE` writes,
 *                          or with netbind cap_net_bind_service+ep;
 *                          system.posix_acl_access or _default an ACL granting user 65534 read:
 *                          u::rw-,u:65534:r--,g::r--,m::r--,o::---; any other name gets the value
 *                          "eunomia"). MODE: path (setxattr), link
 *                          (lsetxattr), fd (fsetxattr of open(FILE)), at (setxattrat, 6.13), uring
 *                          (IORING_OP_SETXATTR), uring-fd (IORING_OP_FSETXATTR; fixed: the file
 *                          registered with the ring), remove, lremove, fremove, removeat; prints
 *                          the result (0 or -errno, as a ring reports it). Two TOCTOU ways of
 *                          setxattr(FILE, "security.capability", cap_setuid+ep): flip (the value
 *                          lies in a userfaultfd page: while the kernel, which has copied the name,
 *                          waits for it, the name buffer becomes NAME, default "user.eunomia", as a
 *                          racing thread's would; needs CAP_SYS_PTRACE) and cold (the name lies in a file mapping no
 *                          access has faulted in: a read at syscall entry that cannot fault fails);
 *                          badname: setxattr(FILE, (char *)1, ...) 100 times (EFAULT each), prints 0
 *                          Two TOCTOU ways for the path of setxattr(FILE, "security.capability",
 *                          cap_setuid+ep): pathflip FILE COPIED (the value lies in a userfaultfd page:
 *                          the kernel copies the path after the value, so the path buffer, turned into
 *                          COPIED while it waits, names the file it writes; needs CAP_SYS_PTRACE) and
 *                          pathcold (FILE's text lies in a file mapping no access has faulted in)
 *   setattr-cold TARGET SET CLR
 *                          mount_setattr(AT_FDCWD, TARGET, 0, {attr_set SET, attr_clr CLR}) with struct
 *                          mount_attr in a cold page (as above); prints the result
 *   fsconfig-cold TARGET SOURCE
 *                          a tmpfs named SOURCE mounted at TARGET through the new mount API (fsopen,
 *                          fsconfig "source", fsconfig create, fsmount, move_mount), fsconfig's key and
 *                          value in a cold page; prints the first failing call's result, else 0
 *   path-flip CALL OLD NEW BENIGN [hold]
 *                          CALL (rename or link) of OLD to NEW whose OLD lies in a userfaultfd page:
 *                          the kernel copies NEW first, then waits for OLD; meanwhile NEW's buffer becomes
 *                          BENIGN (as a racing thread's would), so the caller's memory names BENIGN when
 *                          the call returns (TOCTOU; needs CAP_SYS_PTRACE); prints the result. hold: once
 *                          the call waits, prints "waiting" and serves the page after a line on stdin
 *   chmod-flip CALL FILE BENIGN
 *                          CALL (chmod, fchmodat, fchmodat2, or chmod32: chmod through int $0x80) of FILE to mode 04755 that waits for FILE's
 *                          inode lock, which a write() from a userfaultfd page holds (the kernel copied the
 *                          path already); meanwhile the path's buffer becomes BENIGN (as a racing thread's
 *                          would); needs CAP_SYS_PTRACE; prints the result
 *   mount-flip SOURCE ENTRY TARGET
 *                          mount(SOURCE, ENTRY, type, MS_BIND) whose type lies in a userfaultfd page: while
 *                          the kernel waits for it, the target's buffer becomes TARGET (copied after the
 *                          type), where SOURCE gets mounted; needs CAP_SYS_PTRACE; prints the result
 *   mount-textflip WAITED FLIPPED NEW SOURCE TARGET TYPE [bind]
 *                          mount(SOURCE, TARGET, TYPE, MS_BIND with bind, else 0, data) whose argument WAITED
 *                          (type, source, or data: then empty options, else data is NULL) lies in a
 *                          userfaultfd page (typetail: TYPE ends a ready page, its NUL starts the waited
 *                          one, so a read of its head needs no wait; a NEW type must be shorter than TYPE):
 *                          while the kernel waits for it, the buffer of FLIPPED (source, target, type, or
 *                          shared: source and target are one buffer holding SOURCE) becomes NEW (as a racing
 *                          thread's would); the kernel copies the type, the source, the options, then the
 *                          target; needs CAP_SYS_PTRACE; prints the result
 *   fsconfig-flip TARGET VALUE NEWKEY
 *                          a tmpfs mounted at TARGET through the new mount API whose fsconfig(SET_STRING,
 *                          "source", VALUE) has VALUE in a userfaultfd page: while the kernel (which copied
 *                          the key) waits for it, the key's buffer becomes NEWKEY; the mount's source is
 *                          VALUE; needs CAP_SYS_PTRACE; prints the first failing call's result, else 0
 *   path-cold CALL PATH [NEW]
 *                          CALL (unlink, or rename of PATH to NEW) with the path(s) in a file mapping no
 *                          access has faulted in: a read at syscall entry that cannot fault fails
 *   runas UID PROG ARG...  (as root) drops to UID and its gid, no groups, then execs PROG ARG...: PROG
 *                          runs with the capabilities its file capabilities give, none else
 *   race BENIGN SENSITIVE  openat of a buffer a second thread flips between the two paths (same
 *                          length) in a tight loop; each open that succeeded is told apart by the
 *                          inode it opened; prints "sensitive=K benign=M" (TOCTOU)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <linux/userfaultfd.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <unistd.h>

static char path[4096];
static struct sockaddr_in addr;
static unsigned int sockargs[3];

/* How uring_one hands its request over. */
struct ring_how {
    int sqpoll;   /* the kernel's polling thread submits it */
    int fixed;    /* >= 0: registered as the ring's file 0, which the request names (IOSQE_FIXED_FILE) */
    int sparse;   /* an empty one-slot file table registered, for a request that creates a file into it */
    int skip;     /* IOSQE_CQE_SKIP_SUCCESS, linked to a NOP whose completion is awaited */
};

/* One request through a fresh ring; returns its result (the fd, slot or -errno). */
static long uring_one(const struct io_uring_sqe *req, struct ring_how how) {
    int sqpoll = how.sqpoll, fixed = how.fixed;
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    if (sqpoll) {
        p.flags = IORING_SETUP_SQPOLL;
        p.sq_thread_idle = 1000;
    }
    int ring = syscall(SYS_io_uring_setup, 4, &p);
    if (ring < 0) {
        perror("io_uring_setup");
        return -1;
    }
    int empty = -1;
    if ((fixed >= 0 || how.sparse)
        && syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES, fixed >= 0 ? &fixed : &empty, 1) < 0) {
        perror("io_uring_register");
        return -1;
    }
    size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t len = sq_len > cq_len ? sq_len : cq_len;  /* IORING_FEAT_SINGLE_MMAP: one mapping for both */
    char *sq = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
    struct io_uring_sqe *sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
    if (sq == MAP_FAILED || sqes == MAP_FAILED) {
        perror("mmap");
        return -1;
    }
    char *cq = sq;
    unsigned *tail = (unsigned *)(sq + p.sq_off.tail);
    unsigned *array = (unsigned *)(sq + p.sq_off.array);
    unsigned index = *tail & *(unsigned *)(sq + p.sq_off.ring_mask);
    struct io_uring_sqe *e = &sqes[index];
    *e = *req;
    if (fixed >= 0) {
        e->fd = 0;
        e->flags |= IOSQE_FIXED_FILE;
    }
    array[index] = index;
    unsigned queued = 1;
    if (how.skip) {
        e->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
        unsigned next = (*tail + 1) & *(unsigned *)(sq + p.sq_off.ring_mask);
        memset(&sqes[next], 0, sizeof sqes[next]);
        sqes[next].opcode = IORING_OP_NOP;
        array[next] = next;
        queued = 2;
    }
    __atomic_store_n(tail, *tail + queued, __ATOMIC_RELEASE);
    unsigned flags = IORING_ENTER_GETEVENTS;
    if (sqpoll && (__atomic_load_n((unsigned *)(sq + p.sq_off.flags), __ATOMIC_ACQUIRE) & IORING_SQ_NEED_WAKEUP)) {
        flags |= IORING_ENTER_SQ_WAKEUP;
    }
    /* With SQPOLL the thread submits; this call only waits for the completion. */
    if (syscall(SYS_io_uring_enter, ring, sqpoll ? 0 : queued, 1, flags, NULL, 0) < 0) {
        perror("io_uring_enter");
        return -1;
    }
    unsigned head = *(unsigned *)(cq + p.cq_off.head);
    struct io_uring_cqe *cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    return cqes[head & *(unsigned *)(cq + p.cq_off.ring_mask)].res;
}

static char path2[4096];
static int has(int argc, char **argv, int from, const char *word);

/*
 * The file calls and socket through a ring (modes uring-NAME): -1000 when NAME is none of them.
 * The names are copied into the kernel when the request is prepared.
 */
static long uring_file_call(const char *name, int argc, char **argv) {
    /* addr2 (the second name) shares its place with off, which the one-name calls want 0. */
    struct io_uring_sqe e = {.fd = AT_FDCWD, .addr = (unsigned long)path};
    int from = 3;
    if (argc > 2) {
        strncpy(path, argv[2], sizeof path - 1);
    }
    if (argc > 3) {
        strncpy(path2, argv[3], sizeof path2 - 1);
    }
    if (!strcmp(name, "mkdir") && argc > 2) {
        e.opcode = IORING_OP_MKDIRAT;
        e.len = 0755;
    } else if ((!strcmp(name, "unlink") || !strcmp(name, "rmdir")) && argc > 2) {
        e.opcode = IORING_OP_UNLINKAT;
        e.unlink_flags = !strcmp(name, "rmdir") ? AT_REMOVEDIR : 0;
    } else if (!strcmp(name, "rename") && argc > 3) {
        e.opcode = IORING_OP_RENAMEAT;
        e.addr2 = (unsigned long)path2;
        e.len = AT_FDCWD;  /* the new name's dirfd */
        from = 4;
    } else if (!strcmp(name, "link") && argc > 3) {
        e.opcode = IORING_OP_LINKAT;
        e.addr2 = (unsigned long)path2;
        e.len = AT_FDCWD;
        from = 4;
    } else if (!strcmp(name, "symlink") && argc > 3) {
        e.opcode = IORING_OP_SYMLINKAT;  /* addr: the link's text, fd + addr2: the link */
        e.addr2 = (unsigned long)path2;
        from = 4;
    } else if (!strcmp(name, "socket") && argc > 3) {
        memset(&e, 0, sizeof e);
        e.opcode = IORING_OP_SOCKET;
        e.fd = atoi(argv[2]);
        e.off = atoi(argv[3]);
        e.file_index = has(argc, argv, 4, "direct");
        struct ring_how how = {.sqpoll = has(argc, argv, 4, "sqpoll"), .fixed = -1, .sparse = e.file_index != 0,
                               .skip = has(argc, argv, 4, "skip")};
        return uring_one(&e, how);
    } else {
        return -1000;
    }
    struct ring_how how = {.sqpoll = has(argc, argv, from, "sqpoll"), .fixed = -1, .skip = has(argc, argv, from, "skip")};
    return uring_one(&e, how);
}

static volatile int racing = 1;
static char flips[2][4096];

static void *flipper(void *unused) {
    (void)unused;
    size_t n = strlen(flips[0]) + 1;
    for (unsigned i = 0; racing; i++) {
        memcpy(path, flips[i & 1], n);
    }
    return NULL;
}

/* Opens the flipping buffer until each path was opened at least 50 times (or 200000 tries). */
static int race(const char *benign, const char *sensitive) {
    struct stat target;
    if (strlen(benign) != strlen(sensitive) || strlen(benign) >= sizeof path || stat(sensitive, &target) != 0) {
        fprintf(stderr, "race: two existing paths of one length\n");
        return 1;
    }
    strcpy(flips[0], benign);
    strcpy(flips[1], sensitive);
    strcpy(path, benign);
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    long hit = 0, other = 0;
    for (int i = 0; i < 200000 && (hit < 50 || other < 50); i++) {
        int fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
        if (fd < 0) {
            continue;
        }
        struct stat st;
        fstat(fd, &st);
        if (st.st_dev == target.st_dev && st.st_ino == target.st_ino) {
            hit++;
        } else {
            other++;
        }
        close(fd);
    }
    racing = 0;
    pthread_join(t, NULL);
    printf("sensitive=%ld benign=%ld\n", hit, other);
    return 0;
}

static long copy_without_read(const char *file) {
    int fd = open(file, O_RDONLY);
    int null = open("/dev/null", O_WRONLY);
    int pipes[2];
    if (fd < 0 || null < 0 || pipe(pipes) != 0) {
        perror("sendfile setup");
        return -1;
    }
    long sent = sendfile(null, fd, NULL, 4096);
    off_t at = 0;
    long spliced = splice(fd, &at, pipes[1], NULL, 4096, 0);
    int mem = memfd_create("copy", 0);
    at = 0;
    long copied = copy_file_range(fd, &at, mem, NULL, 4096, 0);
    printf("sendfile %ld splice %ld copy_file_range %ld\n", sent, spliced, copied);
    return sent;
}

static void memexec(const char *file, char *name, char *arg) {
    int in = open(file, O_RDONLY);
    int mem = memfd_create(name, MFD_CLOEXEC);
    struct stat st;
    if (in < 0 || mem < 0 || fstat(in, &st) != 0 || sendfile(mem, in, NULL, st.st_size) != st.st_size) {
        perror("memexec setup");
        return;
    }
    char *args[] = {name, arg, NULL};
    extern char **environ;
    syscall(SYS_execveat, mem, "", args, environ, AT_EMPTY_PATH);
    perror("execveat");
}

static int has(int argc, char **argv, int from, const char *word) {
    for (int i = from; i < argc; i++) {
        if (!strcmp(argv[i], word)) {
            return 1;
        }
    }
    return 0;
}

static long int80(long nr, long a, long b, long c) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

static long int80_4(long nr, long a, long b, long c, long d) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
    return r;
}

/* ia32 calls with six arguments: the sixth goes in ebp, zero here (below the red zone, which the push may not touch). */
static __attribute__((noinline)) long int80_5_zero6(long nr, long a, long b, long c, long d, long e) {
    long r;
    __asm__ volatile("sub $128, %%rsp\n\tpush %%rbp\n\txor %%ebp, %%ebp\n\tint $0x80\n\tpop %%rbp\n\tadd $128, %%rsp"
                     : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
    return r;
}

static char vm_data[17] = "parent-memory...";
static char vm_local[17];
static struct iovec vm_iov[2];
static unsigned int vm_iov32[4];

/*
 * process_vm_readv/writev between vm_local and the target's vm_data (the modes vmread/vmwrite): the
 * target is a forked child of this program, a reaped one, this process or a given pid.
 */
static long vm_copy(int writing, int ia32, const char *target, const char *proc) {
    int ready[2];
    pid_t child = 0;
    if (!strcmp(target, "child") || !strcmp(target, "gone")) {
        if (pipe(ready) != 0 || (child = fork()) < 0) {
            return -errno;
        }
        if (child == 0) {
            if (!strcmp(target, "gone")) {
                _exit(0);
            }
            memcpy(vm_data, "child-memory....", 16);
            (void)!write(ready[1], "r", 1);
            pause();
            _exit(0);
        }
        if (!strcmp(target, "gone")) {
            waitpid(child, NULL, 0);
        } else {
            char c;
            (void)!read(ready[0], &c, 1);
        }
    }
    pid_t pid = child ? child : !strcmp(target, "self") ? getpid() : atoi(target);
    memcpy(vm_local, writing ? "written-memory.." : "................", 16);
    long r;
    if (proc) {
        snprintf(path, sizeof path, !strcmp(proc, "task") ? "/proc/%d/task/%d/mem" : "/proc/%d/mem", pid, pid);
        long fd = ia32 ? int80(5, (long)path, O_RDONLY, 0) : open(path, O_RDONLY);
        if (fd < 0) {
            r = ia32 ? fd : -errno;
        } else {
            r = pread(fd, vm_local, 16, (off_t)(unsigned long)vm_data);
            r = r < 0 ? -errno : r;
            close(fd);
        }
    } else if (ia32) {
        vm_iov32[0] = (unsigned int)(unsigned long)vm_local;
        vm_iov32[1] = 16;
        vm_iov32[2] = (unsigned int)(unsigned long)vm_data;
        vm_iov32[3] = 16;
        r = int80_5_zero6(writing ? 348 : 347, pid, (long)&vm_iov32[0], 1, (long)&vm_iov32[2], 1);
    } else {
        vm_iov[0] = (struct iovec){vm_local, 16};
        vm_iov[1] = (struct iovec){vm_data, 16};
        r = syscall(writing ? SYS_process_vm_writev : SYS_process_vm_readv, pid, &vm_iov[0], 1, &vm_iov[1], 1, 0);
        if (r < 0) {
            r = -errno;
        }
    }
    printf("target %d result %ld data %s\n", pid, r, vm_local);
    fflush(stdout);
    if (child && strcmp(target, "gone")) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    return r;
}

static char arg1[] = "x";
static unsigned int argv32[3];
static unsigned char bpf_attr_buf[128];

/* The calls of the modes with an optional "32" suffix: native through syscall(), else int $0x80. */
static long act(const char *name, int ia32, int argc, char **argv) {
    if (!strcmp(name, "kill") && argc > 3) {
        return ia32 ? int80(37, atoi(argv[2]), atoi(argv[3]), 0) : syscall(SYS_kill, atoi(argv[2]), atoi(argv[3]));
    }
    if (!strcmp(name, "ptrace") && argc > 2) {
        int pid = atoi(argv[2]);
        long r = ia32 ? int80_4(26, 16 /* PTRACE_ATTACH */, pid, 0, 0) : syscall(SYS_ptrace, 16, pid, 0, 0);
        if (r == 0) {
            syscall(SYS_ptrace, 17 /* PTRACE_DETACH */, pid, 0, 0);
        }
        return r;
    }
    if ((!strcmp(name, "vmread") || !strcmp(name, "vmwrite")) && argc > 2) {
        return vm_copy(name[2] == 'w', ia32, argv[2], NULL);
    }
    if ((!strcmp(name, "procmem") || !strcmp(name, "procmemtask")) && argc > 2) {
        return vm_copy(0, ia32, argv[2], name[7] ? "task" : "proc");
    }
    if (!strcmp(name, "socket") && argc > 3) {
        if (!ia32) {
            return syscall(SYS_socket, atoi(argv[2]), atoi(argv[3]), 0);
        }
        sockargs[0] = atoi(argv[2]);
        sockargs[1] = atoi(argv[3]);
        sockargs[2] = 0;
        return int80(102, 1 /* SYS_SOCKET */, (long)sockargs, 0);
    }
    if (!strcmp(name, "bpf")) {
        return ia32 ? int80(357, 0, (long)bpf_attr_buf, sizeof bpf_attr_buf)
                    : syscall(SYS_bpf, 0, bpf_attr_buf, sizeof bpf_attr_buf);
    }
    if (!strcmp(name, "chmod") && argc > 3) {
        strncpy(path, argv[2], sizeof path - 1);
        long mode = strtol(argv[3], NULL, 8);
        return ia32 ? int80(15, (long)path, mode, 0) : syscall(SYS_chmod, path, mode);
    }
    if (!strcmp(name, "exec") && argc > 2) {
        strncpy(path, argv[2], sizeof path - 1);
        extern char **environ;
        if (!ia32) {
            char *args[] = {path, arg1, NULL};
            return syscall(SYS_execve, path, args, environ);
        }
        argv32[0] = (unsigned int)(unsigned long)path;
        argv32[1] = (unsigned int)(unsigned long)arg1;
        argv32[2] = 0;
        return int80(11, (long)path, (long)argv32, 0);
    }
    return -1000;
}

#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#define SYS_removexattrat 466
#endif

/*
 * A fresh anonymous page registered with a new userfaultfd (returned; -errno on failure): its first
 * access waits for the handler. lead ready (zeroed) pages come right before it.
 */
static int missing_page_after(long pagesize, int lead, void **page) {
    int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
    struct uffdio_api api = {.api = UFFD_API};
    if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) != 0) {
        return -errno;
    }
    char *pages = mmap(NULL, pagesize * (lead + 1), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) {
        return -errno;
    }
    memset(pages, 0, pagesize * lead);
    *page = pages + pagesize * lead;
    struct uffdio_register reg = {.range = {.start = (uintptr_t)*page, .len = pagesize}, .mode = UFFDIO_REGISTER_MODE_MISSING};
    if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0) {
        return -errno;
    }
    return uffd;
}

static int missing_page(long pagesize, void **page) {
    return missing_page_after(pagesize, 0, page);
}

/* xattr-flip's fault handler: turns the name into a user.* one, then gives the kernel the value. */
struct flip { int uffd; char *name; const char *to; void *page; const void *value; size_t size; long pagesize; };

static void *flip_name(void *arg) {
    struct flip *f = arg;
    struct uffd_msg m;
    if (read(f->uffd, &m, sizeof m) != sizeof m || m.event != UFFD_EVENT_PAGEFAULT) {
        return NULL;
    }
    snprintf(f->name, 32, "%s", f->to);  /* the kernel holds "security.capability" by now */
    char *src = aligned_alloc(f->pagesize, f->pagesize);
    memset(src, 0, f->pagesize);
    memcpy(src, f->value, f->size);
    struct uffdio_copy c = {.dst = (uintptr_t)f->page, .src = (uintptr_t)src, .len = f->pagesize};
    ioctl(f->uffd, UFFDIO_COPY, &c);
    return NULL;
}

/* setxattr whose name changes after the kernel copied it (xattr-flip), or lies in a cold page (xattr-cold). */
static long xattr_toctou(const char *mode, const char *file, const char *to, const void *value, size_t size) {
    long pagesize = sysconf(_SC_PAGESIZE);
    if (!strcmp(mode, "cold")) {
        char tmp[] = "/tmp/eunomia-xattr-name-XXXXXX";
        int fd = mkstemp(tmp);
        if (fd < 0 || write(fd, "security.capability", 20) != 20) {
            return -errno;
        }
        unlink(tmp);
        const char *name = mmap(NULL, pagesize, PROT_READ, MAP_PRIVATE, fd, 0);  /* not touched before the call */
        return setxattr(file, name, value, size, 0) < 0 ? -errno : 0;
    }
    static char name[32] = "security.capability";
    void *page;
    int uffd = missing_page(pagesize, &page);
    if (uffd < 0) {
        return uffd;
    }
    struct flip f = {uffd, name, to, page, value, size, pagesize};
    pthread_t t;
    pthread_create(&t, NULL, flip_name, &f);
    long r = setxattr(file, name, page, size, 0) < 0 ? -errno : 0;
    pthread_join(t, NULL);
    return r;
}

/* path-flip's fault handler: NEW (copied by the kernel already) becomes BENIGN, then OLD is served. lead: ready pages before the waited one. */
struct path_flip { int uffd; char *copied; const char *benign; void *page; const void *waited; size_t waited_len; long pagesize; int hold; int lead; };

static void *flip_copied_path(void *arg) {
    struct path_flip *f = arg;
    struct uffd_msg m;
    if (read(f->uffd, &m, sizeof m) != sizeof m || m.event != UFFD_EVENT_PAGEFAULT) {
        return NULL;
    }
    snprintf(f->copied, PATH_MAX, "%s", f->benign);
    if (f->hold) {
        char go[8];
        printf("waiting\n");
        fflush(stdout);
        if (read(0, go, sizeof go) <= 0) {
            /* served all the same: the call must end */
        }
    }
    char *src = aligned_alloc(f->pagesize, f->pagesize);
    memset(src, 0, f->pagesize);
    memcpy(src, f->waited, f->waited_len < (size_t)f->pagesize ? f->waited_len : (size_t)f->pagesize);
    struct uffdio_copy c = {.dst = (uintptr_t)f->page, .src = (uintptr_t)src, .len = f->pagesize};
    ioctl(f->uffd, UFFDIO_COPY, &c);
    return NULL;
}

/*
 * A fresh userfaultfd page in f->page whose first access runs flip_copied_path on thread t (f's
 * copied, benign, waited, waited_len and hold set by the caller); -errno on failure.
 */
static int path_flip_start(struct path_flip *f, pthread_t *t) {
    f->pagesize = sysconf(_SC_PAGESIZE);
    f->uffd = missing_page_after(f->pagesize, f->lead, &f->page);
    if (f->uffd < 0) {
        return f->uffd;
    }
    pthread_create(t, NULL, flip_copied_path, f);
    return 0;
}

/* Mode path-flip (see the top). */
static long path_flip(const char *call, const char *old, const char *new, const char *benign, int hold) {
    static char copied[PATH_MAX];
    snprintf(copied, sizeof copied, "%s", new);
    struct path_flip f = {.copied = copied, .benign = benign, .waited = old, .waited_len = strlen(old) + 1, .hold = hold};
    pthread_t t;
    int started = path_flip_start(&f, &t);
    if (started < 0) {
        return started;
    }
    long r = (!strcmp(call, "link") ? link(f.page, copied) : rename(f.page, copied)) < 0 ? -errno : 0;
    pthread_join(t, NULL);
    return r;
}

/* chmod-flip's writer: holds FILE's inode lock while its write waits for a userfaultfd page. */
struct held_write { int fd; void *page; };

static void *write_from_page(void *arg) {
    struct held_write *w = arg;
    if (write(w->fd, w->page, 1) < 0) {
        /* the chmod's result is what the probe reports */
    }
    return NULL;
}

static char chmod_path[PATH_MAX];
static volatile pid_t chmod_tid;

static void *chmod_setuid(void *call) {
    chmod_tid = gettid();
    if (!strcmp(call, "chmod32")) {
        return (void *)int80(15, (long)chmod_path, 04755, 0);  /* -errno itself */
    }
    long r = !strcmp(call, "fchmodat") ? syscall(SYS_fchmodat, AT_FDCWD, chmod_path, 04755)
             : !strcmp(call, "fchmodat2") ? syscall(452 /* fchmodat2 */, AT_FDCWD, chmod_path, 04755, 0)
             : chmod(chmod_path, 04755);
    return (void *)(r < 0 ? (long)-errno : 0L);
}

/* Whether thread tid sleeps uninterruptibly (a lock) inside system call nr. */
static int waits_in(pid_t tid, long nr) {
    char name[64], buf[512];
    snprintf(name, sizeof name, "/proc/self/task/%d/syscall", tid);
    FILE *f = fopen(name, "r");
    long in = -1;
    if (!f || fscanf(f, "%ld", &in) != 1) {
        in = -1;
    }
    if (f) {
        fclose(f);
    }
    snprintf(name, sizeof name, "/proc/self/task/%d/stat", tid);
    f = fopen(name, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) {
        fclose(f);
    }
    buf[n] = 0;
    char *end = strrchr(buf, ')');
    return in == nr && end && end[1] == ' ' && end[2] == 'D';
}

/* Mode chmod-flip (see the top). */
static long chmod_flip(const char *call, const char *file, const char *benign) {
    snprintf(chmod_path, sizeof chmod_path, "%s", file);
    long pagesize = sysconf(_SC_PAGESIZE);
    struct held_write w;
    int uffd = missing_page(pagesize, &w.page);
    w.fd = open(file, O_WRONLY | O_APPEND);
    if (uffd < 0 || w.fd < 0) {
        return uffd < 0 ? uffd : -errno;
    }
    pthread_t writer, chmoder;
    pthread_create(&writer, NULL, write_from_page, &w);
    struct uffd_msg m;
    if (read(uffd, &m, sizeof m) != sizeof m) {  /* the writer waits, holding the inode lock */
        return -errno;
    }
    pthread_create(&chmoder, NULL, chmod_setuid, (void *)call);
    long nr = !strcmp(call, "fchmodat") ? SYS_fchmodat : !strcmp(call, "fchmodat2") ? 452
              : !strcmp(call, "chmod32") ? 15 /* ia32 chmod */ : SYS_chmod;
    int waited = 0;
    for (int i = 0; i < 30000 && !(waited = chmod_tid && waits_in(chmod_tid, nr)); i++) {
        usleep(1000);
    }
    snprintf(chmod_path, sizeof chmod_path, "%s", benign);
    char *src = aligned_alloc(pagesize, pagesize);
    memset(src, 'x', pagesize);
    struct uffdio_copy c = {.dst = (uintptr_t)w.page, .src = (uintptr_t)src, .len = pagesize};
    ioctl(uffd, UFFDIO_COPY, &c);
    void *r;
    pthread_join(writer, NULL);
    pthread_join(chmoder, &r);
    return waited ? (long)r : -ETIMEDOUT;
}

/* Mode mount-flip (see the top). */
static long mount_flip(const char *source, const char *entry, const char *target) {
    static char at[PATH_MAX];
    snprintf(at, sizeof at, "%s", entry);
    static const char type[] = "none";
    struct path_flip f = {.copied = at, .benign = target, .waited = type, .waited_len = sizeof type};
    pthread_t t;
    int started = path_flip_start(&f, &t);
    if (started < 0) {
        return started;
    }
    long r = mount(source, at, f.page, MS_BIND, NULL) < 0 ? -errno : 0;
    pthread_join(t, NULL);
    return r;
}

/* Mode mount-textflip (see the top): argv from WAITED on. */
static long mount_text_flip(char **argv, int bind) {
    static const char *const names[] = {"source", "target", "type", "shared"};
    static char texts[3][PATH_MAX];  /* source, target, type */
    static char options[] = "";
    int waited = -1, flipped = -1;
    for (int i = 0; i < 4; i++) {
        if (i < 3) {
            snprintf(texts[i], PATH_MAX, "%s", argv[3 + i]);
            waited = !strcmp(argv[0], names[i]) ? i : waited;
        }
        flipped = !strcmp(argv[1], names[i]) ? i : flipped;
    }
    int data = !strcmp(argv[0], "data"), tail = !strcmp(argv[0], "typetail"), shared = flipped == 3;
    long pagesize = sysconf(_SC_PAGESIZE);
    if ((waited < 0 && !data && !tail) || waited == 1 || flipped < 0
        || (tail && (strlen(texts[2]) >= (size_t)pagesize || (flipped == 2 && strlen(argv[2]) >= strlen(texts[2]))))) {
        return -EINVAL;  /* typetail: the type fits its page, and a NEW type (NUL included) writes no byte into the waited one */
    }
    struct path_flip f = {.copied = texts[shared ? 0 : flipped], .benign = argv[2], .waited = waited < 0 ? options : texts[waited],
                          .waited_len = waited < 0 ? sizeof options : strlen(texts[waited]) + 1, .lead = tail};
    pthread_t t;
    int started = path_flip_start(&f, &t);
    if (started < 0) {
        return started;
    }
    char *arg[3] = {texts[0], texts[shared ? 0 : 1], texts[2]};
    if (tail) {
        size_t len = strlen(texts[2]);
        arg[2] = (char *)f.page - len;  /* its NUL: the waited page's first byte, served zeroed */
        memcpy(arg[2], texts[2], len);
        f.copied = flipped == 2 ? arg[2] : f.copied;  /* read by the handler only once the kernel faults */
    } else if (waited >= 0) {
        arg[waited] = f.page;
    }
    long r = mount(arg[0], arg[1], arg[2], bind ? MS_BIND : 0, data ? f.page : NULL) < 0 ? -errno : 0;
    pthread_join(t, NULL);
    return r;
}

/* Mode fsconfig-flip (see the top). */
static long fsconfig_flip(const char *target, const char *value, const char *newkey) {
    static char key[64] = "source";
    struct path_flip f = {.copied = key, .benign = newkey, .waited = value, .waited_len = strlen(value) + 1};
    pthread_t t;
    long fs = syscall(430 /* fsopen */, "tmpfs", 0);
    int started = fs < 0 ? -errno : path_flip_start(&f, &t);
    if (started < 0) {
        return started;
    }
    long r = syscall(431 /* fsconfig */, fs, 1 /* FSCONFIG_SET_STRING */, key, f.page, 0) < 0 ? -errno : 0;
    pthread_join(t, NULL);
    if (r < 0 || syscall(431, fs, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0) < 0) {
        return r < 0 ? r : -errno;
    }
    long mnt = syscall(432 /* fsmount */, fs, 0, 0);
    if (mnt < 0 || syscall(429 /* move_mount */, mnt, "", AT_FDCWD, target, 4 /* MOVE_MOUNT_F_EMPTY_PATH */) < 0) {
        return -errno;
    }
    return 0;
}

/*
 * One page of a fresh private file mapping holding bytes (len <= the page size): no access has faulted it
 * in. base is where it will be mapped, so bytes may point into themselves; NULL on failure.
 */
static void *cold_page(void *base, const void *bytes, size_t len) {
    long pagesize = sysconf(_SC_PAGESIZE);
    char tmp[] = "/tmp/eunomia-cold-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        unlink(tmp);
    } else {
        fd = memfd_create("eunomia-cold", 0);  /* a container without a writable /tmp */
    }
    if (fd < 0 || write(fd, bytes, len) != (ssize_t)len) {
        return NULL;
    }
    void *p = mmap(base, pagesize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);  /* sendmmsg writes msg_len */
    return p == MAP_FAILED ? NULL : p;
}

/* A page-aligned address nothing is mapped at, for cold_page. */
static char *cold_base(void) {
    void *p = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/*
 * xattr-pathflip: setxattr(ENTRY, name, value) whose value lies in a userfaultfd page; the kernel
 * copies the name and value before the path, so the path buffer turned into COPIED while it waits
 * is the file the kernel writes (as a racing thread's would).
 */
static long xattr_path_flip(const char *entry, const char *copied, const char *name, const void *value, size_t size) {
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", entry);
    struct path_flip f = {.copied = path, .benign = copied, .waited = value, .waited_len = size};
    pthread_t t;
    int started = path_flip_start(&f, &t);
    if (started < 0) {
        return started;
    }
    long r = setxattr(path, name, f.page, size, 0) < 0 ? -errno : 0;
    pthread_join(t, NULL);
    return r;
}

/* xattr-pathcold: setxattr(FILE, name, value) with FILE's text in a page no access has faulted in. */
static long xattr_path_cold(const char *file, const char *name, const void *value, size_t size) {
    char *base = cold_base();
    const char *path = base ? cold_page(base, file, strlen(file) + 1) : NULL;
    if (!path) {
        return -errno;
    }
    return setxattr(path, name, value, size, 0) < 0 ? -errno : 0;
}

/* connect32-cold, socket32-cold (see the top): socketcall's args[] and the sockaddr in a cold page below 4 GiB. */
static long socketcall_cold(const char *mode, const char *a, const char *b) {
    void *p = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    char *base = p == MAP_FAILED ? NULL : p;
    int connecting = !strcmp(mode, "connect32-cold");
    struct { unsigned int args[3]; struct sockaddr_in to; } c;
    memset(&c, 0, sizeof c);
    if (connecting) {
        c.to.sin_family = AF_INET;
        c.to.sin_port = htons(atoi(b));
        inet_pton(AF_INET, a, &c.to.sin_addr);
        c.args[0] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        c.args[1] = (unsigned int)(unsigned long)(base + offsetof(__typeof__(c), to));
        c.args[2] = sizeof c.to;
    } else {
        c.args[0] = atoi(a);
        c.args[1] = atoi(b);
    }
    if (!base || !cold_page(base, &c, sizeof c)) {
        return -errno;
    }
    return int80(102, connecting ? 3 /* SYS_CONNECT */ : 1 /* SYS_SOCKET */, (long)base, 0);
}

/* sendto, sendmsg, sendmmsg-cold, connect-cold or bind-cold (see the top) with what the call reads in a cold page. */
static long send_cold(const char *mode, const char *ip, int port) {
    int fd = socket(AF_INET, !strcmp(mode, "connect-cold") ? SOCK_STREAM : SOCK_DGRAM, 0);
    static char data[] = "{\"method\":\"login\"}";
    static struct iovec iov = {.iov_base = data, .iov_len = sizeof data - 1};
    char *base = cold_base();
    /* Layout: [0] msghdr or two mmsghdrs, [256] the sockaddrs (IP:PORT first, then 192.0.2.1:53). */
    struct cold_send { struct mmsghdr m[2]; char pad[256 - 2 * sizeof(struct mmsghdr)]; struct sockaddr_in to[2]; } b;
    memset(&b, 0, sizeof b);
    struct sockaddr_in *to = (struct sockaddr_in *)(base + offsetof(struct cold_send, to));
    b.to[0].sin_family = b.to[1].sin_family = AF_INET;
    b.to[0].sin_port = htons(port);
    inet_pton(AF_INET, ip, &b.to[0].sin_addr);
    b.to[1].sin_port = htons(53);
    inet_pton(AF_INET, "192.0.2.1", &b.to[1].sin_addr);
    for (int i = 0; i < 2; i++) {  /* the watched destination second, for sendmmsg */
        b.m[i].msg_hdr = (struct msghdr){.msg_name = &to[1 - i], .msg_namelen = sizeof *to, .msg_iov = &iov, .msg_iovlen = 1};
    }
    if (!strcmp(mode, "sendmsg")) {
        b.m[0].msg_hdr.msg_name = &to[0];
    }
    if (!base || !cold_page(base, &b, sizeof b)) {
        return -errno;
    }
    long r = !strcmp(mode, "connect-cold") ? connect(fd, (struct sockaddr *)to, sizeof *to)
             : !strcmp(mode, "bind-cold") ? bind(fd, (struct sockaddr *)to, sizeof *to)
             : !strcmp(mode, "sendto") ? sendto(fd, data, sizeof data - 1, 0, (struct sockaddr *)to, sizeof *to)
             : !strcmp(mode, "sendmsg") ? sendmsg(fd, (struct msghdr *)base, 0)
                                        : sendmmsg(fd, (struct mmsghdr *)base, 2, 0);
    return r < 0 ? -errno : r;
}

/* setattr-cold and fsconfig-cold (see the top): what the call reads from the caller lies in a cold page. */
static long mount_cold(const char *mode, char **argv) {
    char *base = cold_base();
    if (!strcmp(mode, "setattr-cold")) {
        struct { uint64_t attr_set, attr_clr, propagation, userns_fd; } attr = {strtoull(argv[3], NULL, 0),
                                                                               strtoull(argv[4], NULL, 0), 0, 0};
        if (!base || !cold_page(base, &attr, sizeof attr)) {
            return -errno;
        }
        return syscall(442 /* mount_setattr */, AT_FDCWD, argv[2], 0, base, sizeof attr) < 0 ? -errno : 0;
    }
    char kv[4096] = "source";
    strncpy(kv + 64, argv[3], sizeof kv - 65);  /* the key at 0, the value at 64 */
    if (!base || !cold_page(base, kv, sizeof kv)) {
        return -errno;
    }
    long fs = syscall(430 /* fsopen */, "tmpfs", 0);
    if (fs < 0 || syscall(431 /* fsconfig */, fs, 1 /* FSCONFIG_SET_STRING */, base, base + 64, 0) < 0
        || syscall(431, fs, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0) < 0) {
        return -errno;
    }
    long mnt = syscall(432 /* fsmount */, fs, 0, 0);
    if (mnt < 0 || syscall(429 /* move_mount */, mnt, "", AT_FDCWD, argv[2], 4 /* MOVE_MOUNT_F_EMPTY_PATH */) < 0) {
        return -errno;
    }
    return 0;
}

/* Mode xattr-MODE (see the top): -1000 when MODE is none of them. */
static long xattr_call(const char *mode, int argc, char **argv) {
    if (argc < 3) {
        return -1000;
    }
    const char *file = argv[2];
    const char *name = argc > 3 && strchr(argv[3], '.') ? argv[3] : "security.capability";
    /* struct vfs_cap_data, revision 2: magic_etc, then {permitted, inheritable} of caps 0-31 and 32-63 */
    static uint32_t cap[5] = {0x02000000 | 1 /* VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE */, 1u << 7 /* CAP_SETUID */};
    if (has(argc, argv, 4, "netbind")) {
        cap[1] = 1u << 10;  /* CAP_NET_BIND_SERVICE: in runc's default bounding set, so an exec can get it */
    }
    static char text[] = "eunomia";
    /* posix_acl_xattr format (version 2, then {tag, perm, id}): what `setfacl -m u:65534:r FILE` writes */
    static struct { uint32_t version; struct { uint16_t tag, perm; uint32_t id; } e[5]; } acl = {2, {
        {1 /* ACL_USER_OBJ */, 6, -1}, {2 /* ACL_USER */, 4, 65534}, {4 /* ACL_GROUP_OBJ */, 4, -1},
        {0x10 /* ACL_MASK */, 4, -1}, {0x20 /* ACL_OTHER */, 0, -1}}};
    const void *value = !strncmp(name, "system.posix_acl_", 17) ? (const void *)&acl
                        : strcmp(name, "security.capability") ? (const void *)text : (const void *)cap;
    size_t size = value == (const void *)text ? sizeof text - 1 : value == (const void *)&acl ? sizeof acl : sizeof cap;
    long r;
    if (!strcmp(mode, "pathflip") && argc > 3) {
        return xattr_path_flip(file, argv[3], "security.capability", cap, sizeof cap);
    } else if (!strcmp(mode, "pathcold")) {
        return xattr_path_cold(file, "security.capability", cap, sizeof cap);
    } else if (!strcmp(mode, "flip") || !strcmp(mode, "cold")) {
        return xattr_toctou(mode, file, argc > 3 && strchr(argv[3], '.') ? argv[3] : "user.eunomia", cap, sizeof cap);
    } else if (!strcmp(mode, "badname")) {
        for (int i = 0; i < 100; i++) {
            if (setxattr(file, (const char *)1, value, size, 0) == 0 || errno != EFAULT) {
                return errno ? -errno : -1;
            }
        }
        return 0;
    } else if (!strcmp(mode, "path")) {
        r = setxattr(file, name, value, size, 0);
    } else if (!strcmp(mode, "link")) {
        r = lsetxattr(file, name, value, size, 0);
    } else if (!strcmp(mode, "fd")) {
        r = fsetxattr(open(file, O_RDONLY), name, value, size, 0);
    } else if (!strcmp(mode, "at")) {
        struct { uint64_t value; uint32_t size, flags; } a = {.value = (uintptr_t)value, .size = size};  /* struct xattr_args */
        r = syscall(SYS_setxattrat, AT_FDCWD, file, 0, name, &a, sizeof a);
    } else if (!strcmp(mode, "remove")) {
        r = removexattr(file, name);
    } else if (!strcmp(mode, "lremove")) {
        r = lremovexattr(file, name);
    } else if (!strcmp(mode, "fremove")) {
        r = fremovexattr(open(file, O_RDONLY), name);
    } else if (!strcmp(mode, "removeat")) {
        r = syscall(SYS_removexattrat, AT_FDCWD, file, 0, name);
    } else if (!strcmp(mode, "uring") || !strcmp(mode, "uring-fd")) {
        struct io_uring_sqe e = {.addr = (uintptr_t)name, .addr2 = (uintptr_t)value, .len = size};
        int fd = -1;
        if (!strcmp(mode, "uring")) {
            e.opcode = IORING_OP_SETXATTR;
            e.addr3 = (uintptr_t)file;
        } else {
            fd = open(file, O_RDONLY);
            e.opcode = IORING_OP_FSETXATTR;
            e.fd = fd;
        }
        struct ring_how how = {.sqpoll = has(argc, argv, 3, "sqpoll"), .fixed = has(argc, argv, 3, "fixed") ? fd : -1,
                               .skip = has(argc, argv, 3, "skip")};
        return uring_one(&e, how);
    } else {
        return -1000;
    }
    return r < 0 ? -errno : r;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    long r = 0;
    char name[32];
    strncpy(name, mode, sizeof name - 1);
    name[sizeof name - 1] = 0;
    size_t n = strlen(name);
    int ia32 = n > 2 && !strcmp(name + n - 2, "32");
    if (ia32) {
        name[n - 2] = 0;
    }
    if (!strcmp(mode, "probe32")) {
        r = int80(20 /* getpid */, 0, 0, 0);
    } else if (!strcmp(mode, "standin") && argc > 3) {
        strncpy(path, argv[2], sizeof path - 1);
        long pid = atol(argv[3]);
        char go[8];
        if (read(0, go, sizeof go) <= 0) {  /* the test knows this pid now */
            return 1;
        }
        __asm__ volatile("syscall" : "=a"(r) : "a"(5L), "D"(-1L), "S"(0L), "b"(path) : "rcx", "r11", "memory");
        __asm__ volatile("syscall" : "=a"(r) : "a"(37L), "D"(0L), "b"(pid) : "rcx", "r11", "memory");
    } else if ((r = act(name, ia32, argc, argv)) != -1000) {
        /* done */
    } else if (!strcmp(mode, "open32") && argc > 2) {
        strncpy(path, argv[2], sizeof path - 1);
        r = int80(5, (long)path, O_RDONLY, 0);
    } else if (!strcmp(mode, "utimes32") && argc > 2) {
        /* old_timespec32, old_timeval32, old_utimbuf32: 32-bit fields */
        static int ts[4] = {978307200, 5, 978307201, 6}, tv[4] = {978307202, 7, 978307203, 8}, ub[2] = {978307204, 978307205},
                   fv[4] = {978307208, 12, 978307209, 13};
        static long long t64[4] = {978307206, 10, 978307207, 11}; /* utimensat_time64: 64-bit fields */
        strncpy(path, argv[2], sizeof path - 1);
        r = int80_4(320, -100 /* AT_FDCWD */, (long)path, 0, 0);
        r |= int80_4(320, -100, (long)path, (long)ts, 0);
        r |= int80_4(412, -100, (long)path, (long)t64, 0);
        r |= int80(299, -100, (long)path, (long)fv);
        r |= int80(271, (long)path, (long)tv, 0);
        r |= int80(30, (long)path, (long)ub, 0);
    } else if (!strcmp(mode, "creat32") && argc > 2) {
        strncpy(path, argv[2], sizeof path - 1);
        r = int80(5, (long)path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    } else if ((!strcmp(mode, "connect32-cold") || !strcmp(mode, "socket32-cold")) && argc > 3) {
        r = socketcall_cold(mode, argv[2], argv[3]);
    } else if (!strcmp(mode, "connect32") && argc > 3) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        addr.sin_family = AF_INET;
        addr.sin_port = htons(atoi(argv[3]));
        inet_pton(AF_INET, argv[2], &addr.sin_addr);
        sockargs[0] = fd;
        sockargs[1] = (unsigned int)(unsigned long)&addr;
        sockargs[2] = sizeof addr;
        r = int80(102, 3 /* SYS_CONNECT */, (long)sockargs, 0);
    } else if ((!strcmp(mode, "setuid32") || !strcmp(mode, "setuid")) && argc > 2) {
        if (setresuid(65534, 65534, 65534) != 0) {
            perror("setresuid");
            return 1;
        }
        r = !strcmp(mode, "setuid") ? syscall(SYS_setuid, atoi(argv[2])) : int80(213, atoi(argv[2]), 0, 0);
    } else if (!strcmp(mode, "uring") && argc > 2) {
        strncpy(path, argv[2], sizeof path - 1);
        int alloc = has(argc, argv, 3, "alloc");
        struct io_uring_sqe e = {.opcode = IORING_OP_OPENAT, .fd = AT_FDCWD, .addr = (unsigned long)path,
                                 .open_flags = has(argc, argv, 3, "creat") ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY,
                                 .len = 0644,
                                 .file_index = alloc ? IORING_FILE_INDEX_ALLOC : has(argc, argv, 3, "direct")};
        struct ring_how how = {.sqpoll = has(argc, argv, 3, "sqpoll"), .fixed = -1, .sparse = e.file_index != 0,
                               .skip = has(argc, argv, 3, "skip")};
        r = uring_one(&e, how);
    } else if (!strncmp(mode, "uring-", 6) && (r = uring_file_call(mode + 6, argc, argv)) != -1000) {
        /* done */
    } else if (!strcmp(mode, "connect") && argc > 3) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        addr.sin_family = AF_INET;
        addr.sin_port = htons(atoi(argv[3]));
        inet_pton(AF_INET, argv[2], &addr.sin_addr);
        r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    } else if ((!strcmp(mode, "sendto") || !strcmp(mode, "sendmsg")) && argc > 4 && !strcmp(argv[4], "cold")) {
        r = send_cold(mode, argv[2], atoi(argv[3]));
    } else if ((!strcmp(mode, "sendmmsg-cold") || !strcmp(mode, "connect-cold") || !strcmp(mode, "bind-cold")) && argc > 3) {
        r = send_cold(mode, argv[2], atoi(argv[3]));
    } else if ((!strcmp(mode, "sendto") || !strcmp(mode, "sendmsg")) && argc > 3) {
        /* A datagram to a destination without connect: UDP's implicit connect. */
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        addr.sin_family = AF_INET;
        addr.sin_port = htons(atoi(argv[3]));
        inet_pton(AF_INET, argv[2], &addr.sin_addr);
        char data[] = "{\"method\":\"login\"}";
        struct iovec iov = {.iov_base = data, .iov_len = sizeof data - 1};
        struct msghdr msg = {.msg_name = &addr, .msg_namelen = sizeof addr, .msg_iov = &iov, .msg_iovlen = 1};
        r = !strcmp(mode, "sendto") ? sendto(fd, data, sizeof data - 1, 0, (struct sockaddr *)&addr, sizeof addr)
                                    : sendmsg(fd, &msg, 0);
    } else if (!strcmp(mode, "sendmmsg") && argc > 3) {
        /* The watched destination second: a sensor reading only the first message misses it. */
        static struct sockaddr_in to[65];
        static struct mmsghdr msgs[65];
        int n = argc > 4 ? atoi(argv[4]) : 1;
        n = n < 1 ? 1 : n > 64 ? 64 : n;
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        static char data[] = "{\"method\":\"login\"}";
        static struct iovec iov = {.iov_base = data, .iov_len = sizeof data - 1};
        for (int i = 0; i <= n; i++) {
            to[i].sin_family = AF_INET;
            to[i].sin_port = htons(i == 0 ? 53 : atoi(argv[3]) + i - 1);
            inet_pton(AF_INET, i == 0 ? "192.0.2.1" : argv[2], &to[i].sin_addr);
            msgs[i].msg_hdr.msg_name = &to[i];
            msgs[i].msg_hdr.msg_namelen = sizeof to[i];
            msgs[i].msg_hdr.msg_iov = &iov;
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        r = sendmmsg(fd, msgs, n + 1, 0);
    } else if (!strcmp(mode, "uring-bind") && argc > 3) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        addr.sin_family = AF_INET;
        addr.sin_port = htons(atoi(argv[3]));
        inet_pton(AF_INET, argv[2], &addr.sin_addr);
        struct io_uring_sqe e = {.opcode = 56 /* IORING_OP_BIND (6.11) */, .fd = fd, .addr = (unsigned long)&addr,
                                 .addr2 = sizeof addr};
        r = uring_one(&e, (struct ring_how){.fixed = -1});
    } else if ((!strcmp(mode, "uring-send") || !strcmp(mode, "uring-sendmsg")) && argc > 3) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        addr.sin_family = AF_INET;
        addr.sin_port = htons(atoi(argv[3]));
        inet_pton(AF_INET, argv[2], &addr.sin_addr);
        static char data[] = "{\"method\":\"login\"}";
        static struct iovec iov = {.iov_base = data, .iov_len = sizeof data - 1};
        static struct msghdr msg = {.msg_name = &addr, .msg_namelen = sizeof addr, .msg_iov = &iov, .msg_iovlen = 1};
        int zc = has(argc, argv, 4, "zc");
        struct io_uring_sqe e = {.fd = fd};
        if (!strcmp(mode, "uring-send")) {
            e.opcode = zc ? IORING_OP_SEND_ZC : IORING_OP_SEND;
            e.addr = (unsigned long)data;
            e.len = sizeof data - 1;
            e.addr2 = (unsigned long)&addr;
            e.addr_len = sizeof addr;
        } else {
            e.opcode = zc ? IORING_OP_SENDMSG_ZC : IORING_OP_SENDMSG;
            e.addr = (unsigned long)&msg;
            e.len = 1;
        }
        struct ring_how how = {.sqpoll = has(argc, argv, 4, "sqpoll"), .fixed = has(argc, argv, 4, "fixed") ? fd : -1,
                               .skip = has(argc, argv, 4, "skip")};
        r = uring_one(&e, how);
    } else if (!strcmp(mode, "uring-ftruncate") && argc > 2) {
        int fd = open(argv[2], O_WRONLY);
        struct io_uring_sqe e = {.opcode = 55 /* IORING_OP_FTRUNCATE (6.9), newer than this libc's header */,
                                 .fd = fd, .off = 0};
        struct ring_how how = {.sqpoll = has(argc, argv, 3, "sqpoll"), .fixed = has(argc, argv, 3, "fixed") ? fd : -1,
                               .skip = has(argc, argv, 3, "skip")};
        r = fd < 0 ? -1 : uring_one(&e, how);
    } else if (!strcmp(mode, "uring-connect") && argc > 3) {
        int fd = socket(AF_INET, SOCK_STREAM | (has(argc, argv, 4, "nonblock") ? SOCK_NONBLOCK : 0), 0);
        addr.sin_family = AF_INET;
        addr.sin_port = htons(atoi(argv[3]));
        inet_pton(AF_INET, argv[2], &addr.sin_addr);
        struct io_uring_sqe e = {.opcode = IORING_OP_CONNECT, .fd = fd, .addr = (unsigned long)&addr,
                                 .off = sizeof addr};
        struct ring_how how = {.sqpoll = has(argc, argv, 4, "sqpoll"), .fixed = has(argc, argv, 4, "fixed") ? fd : -1,
                               .skip = has(argc, argv, 4, "skip")};
        r = uring_one(&e, how);
    } else if (!strcmp(mode, "uring-accept")) {
        int srv = socket(AF_INET, SOCK_STREAM, 0);
        socklen_t alen = sizeof addr;
        addr.sin_family = AF_INET;
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) || listen(srv, 1)
            || getsockname(srv, (struct sockaddr *)&addr, &alen)) {
            perror("listen");
            return 1;
        }
        printf("listening %d\n", ntohs(addr.sin_port));
        fflush(stdout);
        struct io_uring_sqe e = {.opcode = IORING_OP_ACCEPT, .fd = srv, .file_index = has(argc, argv, 2, "direct")};
        struct ring_how how = {.sqpoll = has(argc, argv, 2, "sqpoll"), .fixed = -1, .sparse = e.file_index != 0};
        r = uring_one(&e, how);
    } else if (!strcmp(mode, "hostns") && argc > 3) {
        snprintf(path, sizeof path, "/proc/%s/ns/mnt", argv[2]);
        int ns = open(path, O_RDONLY | O_CLOEXEC);
        if (ns < 0 || syscall(SYS_setns, ns, 0x00020000 /* CLONE_NEWNS */) != 0) {
            perror("setns");
            return 1;
        }
        r = open(argv[3], O_RDONLY);
    } else if (!strcmp(mode, "sendfile") && argc > 2) {
        r = copy_without_read(argv[2]);
    } else if ((!strcmp(mode, "setattr-cold") && argc > 4) || (!strcmp(mode, "fsconfig-cold") && argc > 3)) {
        r = mount_cold(mode, argv);
    } else if (!strcmp(mode, "path-flip") && argc > 5) {
        r = path_flip(argv[2], argv[3], argv[4], argv[5], argc > 6 && !strcmp(argv[6], "hold"));
    } else if (!strcmp(mode, "chmod-flip") && argc > 4) {
        r = chmod_flip(argv[2], argv[3], argv[4]);
    } else if (!strcmp(mode, "mount-flip") && argc > 4) {
        r = mount_flip(argv[2], argv[3], argv[4]);
    } else if (!strcmp(mode, "mount-textflip") && argc > 7) {
        r = mount_text_flip(argv + 2, argc > 8 && !strcmp(argv[8], "bind"));
    } else if (!strcmp(mode, "fsconfig-flip") && argc > 4) {
        r = fsconfig_flip(argv[2], argv[3], argv[4]);
    } else if (!strcmp(mode, "path-cold") && argc > 3) {
        /* both texts in one cold page: the first at its start, the second after the first's NUL */
        char texts[2 * PATH_MAX];
        size_t first = strlen(argv[3]) + 1;
        size_t second = argc > 4 ? strlen(argv[4]) + 1 : 0;
        memcpy(texts, argv[3], first);
        if (second) {
            memcpy(texts + first, argv[4], second);
        }
        char *cold = cold_page(cold_base(), texts, first + second);
        r = !cold ? -ENOMEM : (!strcmp(argv[2], "rename") && second ? rename(cold, cold + first) : unlink(cold)) < 0 ? -errno : 0;
    } else if (!strncmp(mode, "xattr-", 6) && (r = xattr_call(mode + 6, argc, argv)) != -1000) {
        /* done */
    } else if (!strcmp(mode, "race") && argc > 3) {
        return race(argv[2], argv[3]);
    } else if (!strcmp(mode, "memexec") && argc > 4) {
        memexec(argv[2], argv[3], argv[4]);
        return 1;
    } else if (!strcmp(mode, "runas") && argc > 3) {
        /* root drops to UID (and its gid) and runs PROG: no capabilities left but what PROG's file gives */
        uid_t id = atoi(argv[2]);
        if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id)) {
            perror("runas");
            return 1;
        }
        execv(argv[3], argv + 3);
        perror("execv");
        return 1;
    } else if (!strcmp(mode, "execfd") && argc > 4) {
        int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
        char *args[] = {argv[3], argv[4], NULL};
        extern char **environ;
        syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
        perror("execveat");
        return 1;
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    printf("%s: %ld\n", mode, r);
    return 0;
}
