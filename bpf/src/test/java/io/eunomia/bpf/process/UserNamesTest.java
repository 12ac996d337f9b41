package io.eunomia.bpf.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's /etc/passwd is the container's to shape: a link out of its root, a FIFO, a device
 * or a huge file must name no one and never block or exhaust the monitor. The process's root is a
 * plain directory here (as /proc/PID/root is to the kernel's lookup below it).
 */
class UserNamesTest {
    private static final int PID = 4242;
    @TempDir Path tmp;
    private Path root;
    private Path hostPasswd;
    private UserNames names;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("proc/" + PID + "/root"));
        Files.createDirectories(root.resolve("etc"));
        hostPasswd = tmp.resolve("host-passwd");
        Files.writeString(hostPasswd, "hostonly:x:777:777::/:/bin/sh\n");
        names = new UserNames(new ProcReader(tmp.resolve("proc")));
    }

    @Test
    void theContainersOwnFileNamesItsUsers() throws Exception {
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\nbad\nweb:x:33:33::/:/bin/false\n");
        assertThat(names.name(PID, 1, 33, 0)).isEqualTo("web");
        assertThat(names.name(PID, 1, 0, 0)).isEqualTo("root");
        assertThat(names.name(PID, 1, 5, 0)).isEmpty();
    }

    /** A process gone before its event was handled says nothing of its namespace: the next one is asked. */
    @Test
    void aProcessGoneBeforeItsLookLeavesTheNamespaceToTheNextOne() throws Exception {
        Files.writeString(root.resolve("etc/passwd"), "nobody:x:65534:65534::/:/bin/false\n");
        int gone = PID + 1;  // no /proc entry
        assertThat(names.name(gone, 1, 65534, 0)).isEmpty();
        assertThat(names.name(PID, 1, 65534, 1)).as("within the recheck interval").isEqualTo("nobody");
    }

    /**
     * A zombie (exited, not yet reaped) still has its /proc entry and root link, but the link leads
     * nowhere: it says nothing of its namespace either. The shell forks a child and execs a sleep
     * that never reaps it; this JVM reaps only the sleep.
     */
    @Test
    void aZombieLeavesTheNamespaceToTheNextOne() throws Exception {
        Process parent = new ProcessBuilder("sh", "-c", "true & exec sleep 60").start();
        try {
            long zombie = awaitZombieChild(parent.pid());
            Path realRoot = Path.of("/proc/" + zombie + "/root");
            assertThat(Files.exists(realRoot, java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("a zombie's root link").isTrue();
            UserNames live = new UserNames(ProcReader.system());
            assertThat(live.name((int) zombie, 1, 0, 0)).isEmpty();
            assertThat(live.name((int) ProcessHandle.current().pid(), 1, 0, 1)).as("within the recheck interval").isEqualTo("root");
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }

    private static long awaitZombieChild(long parent) throws Exception {
        for (int i = 0; i < 200; i++) {
            Optional<ProcessHandle> child = ProcessHandle.of(parent).stream().flatMap(ProcessHandle::children).findFirst();
            if (child.isPresent()) {
                String stat = Files.readString(Path.of("/proc/" + child.get().pid() + "/stat"));
                if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                    return child.get().pid();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no zombie child of " + parent + " within 10 s");
    }

    @Test
    void anAbsoluteLinkStaysInTheContainersRoot() throws Exception {
        Files.createSymbolicLink(root.resolve("etc/passwd"), hostPasswd);  // absolute: the host's file
        assertThat(names.name(PID, 1, 777, 0)).isEmpty();
    }

    @Test
    void dotDotStaysInTheContainersRoot() throws Exception {
        Path up = Path.of("../".repeat(12) + hostPasswd.toString().substring(1));
        Files.createSymbolicLink(root.resolve("etc/passwd"), up);
        assertThat(names.name(PID, 1, 777, 0)).isEmpty();
    }

    @Test
    void aLinkInsideTheRootIsFollowedThere() throws Exception {
        Files.writeString(root.resolve("etc/real-passwd"), "app:x:1000:1000::/:/bin/sh\n");
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/etc/real-passwd"));
        assertThat(names.name(PID, 1, 1000, 0)).isEqualTo("app");
    }

    @Test
    void aFifoOrADeviceIsNeverRead() throws Exception {
        new ProcessBuilder("mkfifo", root.resolve("etc/passwd").toString()).inheritIO().start().waitFor();
        assertThat(Files.isRegularFile(root.resolve("etc/passwd"))).isFalse();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThat(names.name(PID, 1, 0, 0)).isEmpty());

        Files.delete(root.resolve("etc/passwd"));
        Files.createDirectories(root.resolve("dev"));
        new ProcessBuilder("mknod", root.resolve("dev/zero").toString(), "c", "1", "5").inheritIO().start().waitFor();
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/dev/zero"));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThat(names.name(PID, 2, 0, 0)).isEmpty());
    }

    @Test
    void aFileLargerThanAnyPasswdNamesNoOne() throws Exception {
        StringBuilder big = new StringBuilder("first:x:1:1::/:/bin/sh\n");
        String pad = "x".repeat(1023) + "\n";
        while (big.length() < (9 << 20)) {
            big.append(pad);
        }
        Files.writeString(root.resolve("etc/passwd"), big);
        assertThat(names.name(PID, 1, 1, 0)).isEmpty();
    }
}
