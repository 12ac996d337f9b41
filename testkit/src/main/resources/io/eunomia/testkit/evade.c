/* Test helper for EvasionLiveTest, built with gcc -static (non-PIE: its data lies below 4 GiB,
 * where 32-bit calls can point): does a watched act the indirect way, then exits 0 whatever the
 * result (the test judges by the alerts, not by the exit code).
 *   open32 PATH            open(PATH, O_RDONLY) through int $0x80 (ia32 ABI)
 *   creat32 PATH           open(PATH, O_WRONLY|O_CREAT|O_TRUNC) through int $0x80
 *   connect32 IP PORT      connect() through the ia32 socketcall(SYS_CONNECT, ...)
 *   setuid32 UID           drop to uid 65534 (native), then setuid32(UID) through int $0x80
 *   setuid UID             the same through the native call (the direct way, for comparison)
 *   execfd PATH NAME ARG   execveat(open(PATH), "", {NAME, ARG}, AT_EMPTY_PATH): another name, no path
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static char path[4096];
static struct sockaddr_in addr;
static unsigned int sockargs[3];

static long int80(long nr, long a, long b, long c) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    long r = 0;
    if (!strcmp(mode, "open32") && argc > 2) {
        strncpy(path, argv[2], sizeof path - 1);
        r = int80(5, (long)path, O_RDONLY, 0);
    } else if (!strcmp(mode, "creat32") && argc > 2) {
        strncpy(path, argv[2], sizeof path - 1);
        r = int80(5, (long)path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
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
