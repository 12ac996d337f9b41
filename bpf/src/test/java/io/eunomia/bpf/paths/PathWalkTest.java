package io.eunomia.bpf.paths;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walk below a task's root, with a temporary directory standing for that root (/proc/PID/root). */
class PathWalkTest {
    @TempDir
    Path root;

    @Test
    void symlinksAreTakenAgainstTheTasksRoot() throws Exception {
        Files.createDirectories(root.resolve("etc/cron.d"));
        Files.createDirectories(root.resolve("tmp"));
        Files.createSymbolicLink(root.resolve("tmp/e"), Path.of("/etc"));           // absolute: the task's /etc
        Files.createSymbolicLink(root.resolve("tmp/r"), Path.of("../etc/cron.d"));  // relative
        Files.createSymbolicLink(root.resolve("tmp/up"), Path.of("../../../../etc")); // ".." stops at the root
        assertThat(PathWalk.resolve(root, "/tmp/e/cron.d/job", false, null)).isEqualTo("/etc/cron.d/job");
        assertThat(PathWalk.resolve(root, "/tmp/r/job", false, null)).isEqualTo("/etc/cron.d/job");
        assertThat(PathWalk.resolve(root, "/tmp/up/x", false, null)).isEqualTo("/etc/x");
    }

    @Test
    void theLastComponentIsFollowedOnlyWhenAsked() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("l"), Path.of("/etc/shadow"));
        assertThat(PathWalk.resolve(root, "/l", false, null)).isEqualTo("/l");
        assertThat(PathWalk.resolve(root, "/l", true, null)).isEqualTo("/etc/shadow");
    }

    @Test
    void whatDoesNotExistIsKeptAsGiven() throws Exception {
        Files.createSymbolicLink(root.resolve("e"), Path.of("/etc"));
        assertThat(PathWalk.resolve(root, "/no/such/dir/x", false, null)).isEqualTo("/no/such/dir/x");
        assertThat(PathWalk.resolve(root, "/e/x/y", false, null)).isEqualTo("/etc/x/y");
    }

    @Test
    void aLoopGivesUp() throws Exception {
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
        assertThat(PathWalk.resolve(root, "/a/x", false, null)).isNull();
    }

    @Test
    void unsafeMountsAreNotWalked() throws Exception {
        Files.createDirectories(root.resolve("proc"));
        Files.createSymbolicLink(root.resolve("proc/self"), Path.of("/etc"));
        MountTable mounts = MountTable.parse("""
                1 0 8:1 / / rw - ext4 /dev/sda rw
                2 1 0:5 / /proc rw - proc proc rw
                """);
        assertThat(PathWalk.resolve(root, "/proc/self/x", false, mounts)).isEqualTo("/proc/self/x");
    }
}
