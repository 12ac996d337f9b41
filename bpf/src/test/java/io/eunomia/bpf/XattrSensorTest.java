package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.SyscallEvent;
import io.eunomia.testkit.EvasionProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extended attribute writes (evade.c's xattr-MODE) (priv_calls.h, priv.bpf.c): every way to set security.capability on a
 * file gives the record of the call it is or stands for, with the file's absolute path, the name, the
 * value's size and the result; a POSIX ACL (system.posix_acl_access) also what it grants, as setfacl's
 * short text; names outside security.*, trusted.* and the ACLs give none.
 */
class XattrSensorTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String CAP = "security.capability";
    private static final String ACL = "system.posix_acl_access";
    @RegisterExtension
    static final LoadedSensors SENSORS = LoadedSensors.shared(Sensor.SYSCALL);

    @TempDir
    Path dir;

    /** Runs the probe on a fresh file; returns its record of that file and name. */
    private SyscallEvent probe(String call, String mode, String name, String... how) throws Exception {
        Path file = Files.createFile(dir.resolve(mode + "-" + name + "-" + String.join("-", how)));
        List<String> cmd = new ArrayList<>(List.of(EvasionProbe.binary().toString(), "xattr-" + mode, file.toString(), name));
        cmd.addAll(List.of(how));
        try (EventCollector events = new EventCollector(SENSORS.get(), SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
            assertThat(output).as("the probe's own result").endsWith(": 0\n");
            String path = file.toRealPath().toString();
            SyscallEvent e = events.await(SyscallEvent.class, s -> s.process().pid() == p.pid()
                    && path.equals(s.strings().get("path")) && name.equals(s.strings().get("name")), WAIT);
            assertThat(e.syscall()).as(output).isEqualTo(call);
            assertThat(e.result()).as(output).isZero();
            return e;
        }
    }

    /** What evade.c writes: cap_setuid+ep, VFS_CAP_REVISION_2 (20 bytes). */
    private static void setuidEp(SyscallEvent e) {
        assertThat(e.args()).as("%s", e).containsEntry("size", 20L).containsEntry("flags", 0L)
                .containsEntry("cap_permitted", 1L << 7).containsEntry("cap_inheritable", 0L).containsEntry("cap_effective", 1L);
    }

    @Test
    void fileCapabilitiesSetByPathLinkFdAndAt() throws Exception {
        setuidEp(probe("setxattr", "path", CAP));
        setuidEp(probe("lsetxattr", "link", CAP));
        setuidEp(probe("fsetxattr", "fd", CAP));
        SyscallEvent at = probe("setxattrat", "at", CAP);
        setuidEp(at);
        assertThat(at.args()).containsEntry("at_flags", 0L);
    }

    @Test
    void fileCapabilitiesSetThroughARingAreTheCallsTheyStandFor() throws Exception {
        setuidEp(probe("setxattr", "uring", CAP));
        setuidEp(probe("setxattr", "uring", CAP, "sqpoll"));
        setuidEp(probe("setxattr", "uring", CAP, "skip"));
        setuidEp(probe("fsetxattr", "uring-fd", CAP));
        setuidEp(probe("fsetxattr", "uring-fd", CAP, "fixed"));
        setuidEp(probe("fsetxattr", "uring-fd", CAP, "sqpoll", "fixed"));
    }

    @Test
    void posixAclsAreReportedWithWhatTheyGrantEveryWay() throws Exception {
        // evade.c's ACL (44 bytes): what `setfacl -m u:65534:r` writes on a file of mode 0640.
        String grant = "u::rw-,u:65534:r--,g::r--,m::r--,o::---";
        for (List<String> way : List.of(List.of("setxattr", "path"), List.of("lsetxattr", "link"), List.of("fsetxattr", "fd"),
                List.of("setxattrat", "at"), List.of("setxattr", "uring"), List.of("fsetxattr", "uring-fd", "fixed"))) {
            SyscallEvent e = probe(way.get(0), way.get(1), ACL, way.subList(2, way.size()).toArray(String[]::new));
            assertThat(e.strings()).as("%s", way).containsEntry("acl", grant);
            assertThat(e.args()).as("%s", way).containsEntry("size", 44L).containsEntry("cap_permitted", 0L);
        }
        assertThat(probe("setxattr", "path", CAP).strings()).as("no ACL text for another name").containsEntry("acl", "");
    }

    @Test
    void setfaclItselfIsReported() throws Exception {
        Path file = Files.createFile(dir.resolve("setfacl"));
        try (EventCollector events = new EventCollector(SENSORS.get(), SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder("setfacl", "-m", "u:65534:r,g:65534:rw", file.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
            String path = file.toRealPath().toString();
            SyscallEvent e = events.await(SyscallEvent.class, s -> s.process().pid() == p.pid()
                    && path.equals(s.strings().get("path")) && ACL.equals(s.strings().get("name")), WAIT);
            assertThat(e.syscall()).isIn("setxattr", "lsetxattr", "fsetxattr");
            assertThat(e.result()).isZero();
            assertThat(e.strings()).containsEntry("acl", "u::rw-,u:65534:r--,g::r--,g:65534:rw-,m::rw-,o::r--");
        }
    }

    @Test
    void trustedNamesAndRemovalsAreReportedUserNamesAreNot() throws Exception {
        SyscallEvent trusted = probe("setxattr", "path", "trusted.eunomia");
        assertThat(trusted.args()).containsEntry("size", 7L).containsEntry("cap_permitted", 0L).containsEntry("cap_effective", 0L);
        assertThat(probe("setxattr", "uring", "trusted.eunomia").args()).containsEntry("size", 7L).containsEntry("cap_permitted", 0L);
        Path file = Files.createFile(dir.resolve("removed"));
        try (EventCollector events = new EventCollector(SENSORS.get(), SyscallEvent.class::isInstance)) {
            String bin = EvasionProbe.binary().toString();
            List<Long> pids = new ArrayList<>();
            for (List<String> cmd : List.of(List.of(bin, "xattr-path", file.toString(), "user.eunomia"),
                    List.of(bin, "xattr-path", file.toString(), CAP), List.of(bin, "xattr-remove", file.toString(), CAP),
                    List.of(bin, "xattr-fremove", file.toString(), CAP), List.of(bin, "xattr-removeat", file.toString(), CAP))) {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                assertThat(p.waitFor()).isZero();
                pids.add(p.pid());
            }
            String path = file.toRealPath().toString();
            SyscallEvent removed = events.await(SyscallEvent.class, s -> s.process().pid() == pids.get(2), WAIT);
            assertThat(removed.syscall()).isEqualTo("removexattr");
            assertThat(removed.strings()).containsEntry("path", path).containsEntry("name", CAP);
            assertThat(removed.result()).isZero();
            // Removed already: the later removals fail with ENODATA, and are reported all the same.
            SyscallEvent byFd = events.await(SyscallEvent.class, s -> s.process().pid() == pids.get(3), WAIT);
            assertThat(byFd.syscall()).isEqualTo("fremovexattr");
            assertThat(byFd.result()).isEqualTo(-61L);
            SyscallEvent at = events.await(SyscallEvent.class, s -> s.process().pid() == pids.get(4), WAIT);
            assertThat(at.syscall()).isEqualTo("removexattrat");
            assertThat(at.strings()).containsEntry("path", path);
            // Events of one process arrive in order: the user.* write came before its own exit-time events.
            assertThat(events.drain()).noneMatch(e -> e instanceof SyscallEvent s && s.process().pid() == pids.get(0));
        }
    }

    /**
     * A failed call whose name pointer is bad (EFAULT at once) gives no record (the enter keeps a name
     * it cannot read, for a cold page): otherwise any process could make a record per microsecond.
     */
    @Test
    void failedCallsWithABadNamePointerGiveNoRecord() throws Exception {
        Path file = Files.createFile(dir.resolve("badname"));
        try (EventCollector events = new EventCollector(SENSORS.get(), SyscallEvent.class::isInstance)) {
            Process bad = new ProcessBuilder(EvasionProbe.binary().toString(), "xattr-badname", file.toString())
                    .redirectErrorStream(true).start();
            String output = new String(bad.getInputStream().readAllBytes());
            assertThat(bad.waitFor()).as(output).isZero();
            assertThat(output).as("100 calls, EFAULT each").endsWith(": 0\n");
            // A later process's watched write, awaited: the bad calls' records, had they been made, came before it.
            Process marker = new ProcessBuilder(EvasionProbe.binary().toString(), "xattr-path", file.toString(), "trusted.eunomia")
                    .redirectErrorStream(true).start();
            marker.getInputStream().readAllBytes();
            assertThat(marker.waitFor()).isZero();
            events.await(SyscallEvent.class, s -> s.process().pid() == marker.pid(), WAIT);
            assertThat(events.drain()).noneMatch(e -> e instanceof SyscallEvent s && s.process().pid() == bad.pid());
        }
    }

    /**
     * The path of setxattr rewritten while the kernel waits for the value (evade.c xattr-pathflip: the
     * kernel copies name and value first, the path last): the record names the file the kernel wrote
     * (the path as the exit reads it) and says the text changed (the entry read the other one).
     * Before the path was read at entry too, the record named the same file but said nothing changed.
     */
    @Test
    void aPathRewrittenWhileTheKernelWaitsNamesTheFileWrittenAndSaysSo() throws Exception {
        Path atEntry = Files.createFile(dir.resolve("flip-at-entry"));
        Path copied = Files.createFile(dir.resolve("flip-copied"));
        try (EventCollector events = new EventCollector(SENSORS.get(), SyscallEvent.class::isInstance)) {
            ProbeRun r = ProbeRun.of("xattr-pathflip", atEntry.toString(), copied.toString());
            SyscallEvent e = events.await(SyscallEvent.class, s -> s.process().pid() == r.pid()
                    && CAP.equals(s.strings().get("name")), WAIT);
            assertThat(e.strings()).as(r.output()).containsEntry("path", copied.toRealPath().toString());
            assertThat(e.textChanged()).as("%s", e).isTrue();
            setuidEp(e);
        }
        SyscallEvent plain = probe("setxattr", "path", CAP);
        assertThat(plain.textChanged()).as("%s", plain).isFalse();
        assertThat(plain.args()).doesNotContainKey(SyscallEvent.TEXT_CHANGED);
    }

    /** A path in a page no access has faulted in cannot be read at entry: the exit's text names the file. */
    @Test
    void aPathInAPageNeverTouchedIsReadAtExit() throws Exception {
        Path file = Files.createFile(dir.resolve("path-cold"));
        try (EventCollector events = new EventCollector(SENSORS.get(), SyscallEvent.class::isInstance)) {
            ProbeRun r = ProbeRun.of("xattr-pathcold", file.toString());
            SyscallEvent e = events.await(SyscallEvent.class, s -> s.process().pid() == r.pid()
                    && CAP.equals(s.strings().get("name")), WAIT);
            assertThat(e.strings()).as(r.output()).containsEntry("path", file.toRealPath().toString());
            assertThat(e.textChanged()).as("%s", e).isFalse();
            setuidEp(e);
        }
    }
}
