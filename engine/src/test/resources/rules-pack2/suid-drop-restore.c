/* Test helper for the default pack's setuid rules, installed setuid root and run by a non-root
 * user: acts as that user for a while (euid dropped, saved uid still 0), then becomes root again
 * through the saved uid, as sudo does around the work it does on the user's behalf. No capability
 * is needed for that: not a privilege escalation. */
#define _GNU_SOURCE /* setresuid */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    uid_t user = getuid();
    if (setresuid(-1, user, -1) != 0) {
        perror("drop");
        return 1;
    }
    if (setresuid(0, 0, 0) != 0) {
        perror("restore");
        return 2;
    }
    return getuid() == 0 && geteuid() == 0 ? 0 : 3;
}
