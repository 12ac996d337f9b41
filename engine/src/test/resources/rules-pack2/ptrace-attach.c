/* Test helper for the default pack's ptrace rules: attaches to a child of its own with
 * PTRACE_ATTACH (what an injector does), then kills it. Built static so it runs in a busybox
 * container. */
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t child = fork();
    if (child == 0) {
        pause();
        return 0;
    }
    long r = ptrace(PTRACE_ATTACH, child, 0, 0);
    waitpid(child, NULL, 0);
    printf("attach %d: %ld\n", child, r);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return r == 0 ? 0 : 1;
}
