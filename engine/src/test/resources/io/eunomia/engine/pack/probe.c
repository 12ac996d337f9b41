/* Test helper for the default pack's live tests, built with gcc -static so it runs in a busybox
 * container: does one kernel-surface thing an attacker would, then exits 0 whatever the result. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp) {
    const char *mode = argc > 1 ? argv[1] : "true";
    if (!strcmp(mode, "bpf")) {
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.map_type = BPF_MAP_TYPE_ARRAY;
        a.key_size = 4;
        a.value_size = 4;
        a.max_entries = 1;
        syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
    } else if (!strcmp(mode, "packet")) {
        socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    } else if (!strcmp(mode, "raw")) {
        socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
    } else if (!strcmp(mode, "udp")) {
        socket(AF_INET, SOCK_DGRAM, 0);
    } else if (!strcmp(mode, "console") && argc > 2) {
        /* Host side of "runc exec -t --console-socket PATH" (what containerd-shim/conmon do for
         * docker/podman exec -it): receive the pty master, drain it until the process exits. */
        int l = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        strncpy(sa.sun_path, argv[2], sizeof sa.sun_path - 1);
        if (bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 1)) {
            perror("console socket");
            return 1;
        }
        puts("ready");
        fflush(stdout);
        int c = accept(l, NULL, NULL);
        char buf[256], ctl[CMSG_SPACE(sizeof(int))];
        struct iovec io = {.iov_base = buf, .iov_len = sizeof buf};
        struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
        if (recvmsg(c, &m, 0) < 0 || !CMSG_FIRSTHDR(&m)) {
            perror("recvmsg");
            return 1;
        }
        int master;
        memcpy(&master, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof master);
        while (read(master, buf, sizeof buf) > 0) {
        }
    } else if (!strcmp(mode, "unix") && argc > 2) {
        /* Connect to a unix stream socket: a container talking to an engine's API socket. */
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        strncpy(a.sun_path, argv[2], sizeof a.sun_path - 1);
        if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
            perror("connect");
        }
    } else if (!strcmp(mode, "memfd")) {
        /* Copy ourselves into an anonymous memory file and run it: fileless execution. */
        int in = open("/proc/self/exe", O_RDONLY);
        struct stat st;
        fstat(in, &st);
        int fd = memfd_create("payload", MFD_CLOEXEC);
        sendfile(fd, in, NULL, st.st_size);
        char *args[] = {"payload", "true", NULL};
        fexecve(fd, args, envp);
        perror("fexecve");
        return 1;
    }
    return 0;
}
