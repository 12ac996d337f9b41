package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.event.CapEvent;
import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.FileTimes;
import io.eunomia.event.SyscallEvent;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleBase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped pack loads from the class path and its rules fire on what they should, only. */
class DefaultPackTest {
    private static RuleBase pack;

    @BeforeAll
    static void load() throws Exception {
        pack = new RuleLoader(List.of(), true).load();
    }

    private static List<Alert> run(Event... events) throws Exception {
        return TestEvents.replay(pack, List.of(events));
    }

    @Test
    void loadsFromTheClassPath() throws Exception {
        assertThat(DefaultPack.sources()).extracting(s -> s.name()).contains("default:30-files.yaml");
        assertThat(pack.rule("Read sensitive file")).isPresent();
        assertThat(pack.eventTypes()).contains(EventType.FILE);
    }

    @Test
    void readSensitiveFileFiresOnSuccessAndOnDenial() throws Exception {
        List<Alert> alerts = run(TestEvents.open(T0, 10, "cat", "/etc/shadow"),
                TestEvents.open(T0 + 1, 11, "python3", "/etc/sudoers.d/90-cloud", -13));
        assertThat(alerts).extracting(Alert::rule).containsOnly("Read sensitive file");
        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(0).output()).contains("file=/etc/shadow", "result=SUCCESS", "process=cat", "pid=10",
                "container=web");
        assertThat(alerts.get(1).output()).contains("result=EACCES");
    }

    @Test
    void readSensitiveFileIsQuietOnOrdinaryFilesAndLoginTools() throws Exception {
        assertThat(run(TestEvents.open(T0, 10, "cat", "/etc/passwd"),
                TestEvents.open(T0 + 1, 12, "sshd", "/etc/shadow"),
                TestEvents.open(T0 + 2, 13, "unix_chkpwd", "/etc/shadow"),
                TestEvents.open(T0 + 3, 14, "cat", "/etc/shadow.bak.txt"),
                TestEvents.open(T0 + 4, 15, "luserdel", "/etc/shadow"))).isEmpty();
    }

    /** deluser (Debian's perl script) leaves shadow to userdel: a deluser reading it is not an account tool at work. */
    @Test
    void aDeluserReadingShadowIsNotExcused() throws Exception {
        assertThat(run(TestEvents.open(T0, 10, "deluser", "/etc/shadow"))).extracting(Alert::rule).containsExactly("Read sensitive file");
    }

    private static ViolationEvent violation(long nanos, ViolationKind kind, String syscall, String cap, String exe, boolean killed) {
        return new ViolationEvent(nanos, TestEvents.proc(20, "sh", TestEvents.WEB), kind, syscall, syscall.isEmpty() ? -1 : 133,
                syscall.isEmpty() ? "" : "x86_64", cap, !cap.isEmpty(), exe, killed, 3, 9, "web.yaml");
    }

    @Test
    void profileRulesFireEachOnItsKindOfViolation() throws Exception {
        List<Alert> alerts = run(violation(T0, ViolationKind.SYSCALL, "mknod", "", "", false),
                violation(T0 + 1, ViolationKind.CAPABILITY, "chown", "CAP_CHOWN", "", false),
                violation(T0 + 2, ViolationKind.EXEC, "", "", "/tmp/nb", true));
        assertThat(alerts).extracting(Alert::rule).containsExactly("Syscall outside learned profile",
                "Capability outside learned profile", "Unlearned executable");
        assertThat(alerts.get(0).output()).contains("syscall=mknod", "abi=x86_64", "action=reported", "suppressed=3",
                "profile=web.yaml", "container=web");
        assertThat(alerts.get(1).output()).contains("capability=CAP_CHOWN", "granted=true", "syscall=chown");
        assertThat(alerts.get(2).output()).contains("exe=/tmp/nb", "action=killed");
        assertThat(alerts).allSatisfy(a -> assertThat(a.tags()).contains("profile"));
        assertThat(alerts.get(0).tags()).contains("T1611");
        assertThat(alerts.get(2).tags()).contains("T1059");
    }

    @Test
    void profileRulesAreQuietWithoutViolations() throws Exception {
        // A container that execs from /tmp and uses a capability: other rules' business, not the profile rules'.
        List<Alert> alerts = run(TestEvents.exec(T0, 30, "/tmp/nb"),
                new CapEvent(T0 + 1, TestEvents.proc(30, "nb", TestEvents.WEB), 0, "CAP_CHOWN", true, "chown", 1, 1, 0));
        assertThat(alerts).extracting(Alert::rule).doesNotContain("Syscall outside learned profile",
                "Capability outside learned profile", "Unlearned executable");
    }

    /** `Path argument rewritten during call` (30-files.yaml): a file or xattr call whose path the caller rewrote (fd.text_changed). */
    private static final String REWRITTEN = "Path argument rewritten during call";

    private static FileEvent rename(int pid, boolean changed) {
        return new FileEvent(T0 + pid, TestEvents.proc(pid, "mv", TestEvents.WEB), FileOp.RENAME, "rename", "/tmp/a", "/tmp/b", 0,
                -1, -1, -1, 0, false, "", "", changed);
    }

    private static SyscallEvent setxattr(int pid, Map<String, Long> extra) {
        Map<String, Long> args = new java.util.LinkedHashMap<>(Map.of("size", 7L, "flags", 0L));
        args.putAll(extra);
        return new SyscallEvent(T0 + pid, TestEvents.proc(pid, "attr", TestEvents.WEB), "setxattr", 188, args,
                Map.of("path", "/tmp/f", "name", "trusted.x", "acl", ""), 0);
    }

    @Test
    void aPathRewrittenDuringAFileCallOrAnXattrCallIsAnAlert() throws Exception {
        List<Alert> file = run(rename(10, true));
        assertThat(file).extracting(Alert::rule).containsExactly(REWRITTEN);
        assertThat(file.getFirst().output()).contains("op=rename ", "file=/tmp/a ", "new=/tmp/b ", "process=mv", "container=web");
        List<Alert> xattr = run(setxattr(11, Map.of(SyscallEvent.TEXT_CHANGED, 1L)));
        assertThat(xattr).extracting(Alert::rule).containsExactly(REWRITTEN);
        assertThat(xattr.getFirst().output()).contains("op=setxattr ", "arg_path=/tmp/f ", "attr=trusted.x ", "process=attr");
    }

    @Test
    void callsWhosePathsStayedTheSameAreNoRewrite() throws Exception {
        assertThat(run(rename(12, false), setxattr(13, Map.of()), TestEvents.open(T0, 14, "cat", "/tmp/a"))).isEmpty();
    }

    /** `File timestamps set on a system file` (30-files.yaml): explicit times below system, library and log directories. */
    private static final String TIMESTOMP = "File timestamps set on a system file";

    private static FileEvent timesSet(int pid, String comm, String path) {
        return new FileEvent(T0 + pid, TestEvents.proc(pid, comm, TestEvents.WEB), FileOp.UTIMES, "utimensat", path, "", 0, -1, -1, -1, 0, true, "", "", false, false, "",
                new FileTimes(978307200, FileTimes.OMIT, 978307200, 0));
    }

    @Test
    void timesSetBelowSystemDirectoriesAreAnAlert() throws Exception {
        List<Alert> alerts = run(timesSet(10, "touch", "/usr/local/bin/x"), timesSet(11, "python3", "/usr/lib/libz.so.1"),
                timesSet(12, "touch", "/var/log/auth.log"));
        assertThat(alerts).extracting(Alert::rule).containsExactly(TIMESTOMP, TIMESTOMP, TIMESTOMP);
        assertThat(alerts.getFirst().output()).contains("file=/usr/local/bin/x ", "mtime=2001-01-01T00:00:00Z ", "atime=<NA> ",
                "syscall=utimensat ", "process=touch");
    }

    @Test
    void timesSetElsewhereOrByPackageManagersAndLogRotationAreQuiet() throws Exception {
        assertThat(run(timesSet(10, "touch", "/tmp/x"), timesSet(11, "dpkg", "/usr/bin/ls"),
                timesSet(12, "rpm", "/etc/hosts"), timesSet(13, "touch", "/usr/local/binary/x"),
                TestEvents.open(T0, 14, "touch", "/usr/local/bin/x"))).isEmpty();
    }

    /** A container's path call through a bind of a host directory: its container name, and the host's (fd.host_name, file.newpath_host). */
    private static FileEvent onHost(int pid, String comm, FileOp op, String path, String newPath, String hostPath, String hostNewPath) {
        return new FileEvent(T0 + pid, TestEvents.proc(pid, comm, TestEvents.WEB), op, op.name().toLowerCase(), path, newPath, 0, -1,
                -1, -1, 0, false, "", "", false, false, hostPath, hostNewPath, null);
    }

    @Test
    void pathCallsOnHostFilesThroughABindAreJudgedByTheirHostPath() throws Exception {
        List<Alert> alerts = run(onHost(10, "rm", FileOp.UNLINK, "/host/etc/cron.d/job", "", "/etc/cron.d/job", ""),
                onHost(11, "mv", FileOp.RENAME, "/tmp/job", "/host/etc/cron.d/job", "", "/etc/cron.d/job"),
                onHost(12, "rm", FileOp.UNLINK, "/host/root/.bash_history", "", "/root/.bash_history", ""),
                onHost(13, "truncate", FileOp.TRUNCATE, "/host/log/auth.log", "", "/var/log/auth.log", ""),
                onHost(14, "mv", FileOp.RENAME, "/tmp/k", "/host/root/.ssh/authorized_keys", "", "/root/.ssh/authorized_keys"),
                onHost(16, "chmod", FileOp.CHMOD, "/host/etc/shadow", "", "/etc/shadow", ""));
        assertThat(alerts).extracting(Alert::rule).containsExactlyInAnyOrder("Write below system directory",
                "Write below system directory", "Write below system directory", "Shell history cleared", "Log file cleared",
                "Write to SSH authorized keys or cron spool");
        assertThat(alerts).filteredOn(a -> a.output().contains("pid=10 ")).singleElement()
                .satisfies(a -> assertThat(a.output()).contains("file=/host/etc/cron.d/job ", "host_file=/etc/cron.d/job"));
        assertThat(alerts).filteredOn(a -> a.output().contains("pid=11 ")).singleElement()
                .satisfies(a -> assertThat(a.output()).contains("new=/host/etc/cron.d/job ", "host_new=/etc/cron.d/job"));
        List<Alert> stomp = run(new FileEvent(T0, TestEvents.proc(15, "touch", TestEvents.WEB), FileOp.UTIMES, "utimensat",
                "/host/bin/ls", "", 0, -1, -1, -1, 0, false, "", "", false, false, "/usr/bin/ls", "",
                new FileTimes(978307200, FileTimes.OMIT, 978307200, 0)));
        assertThat(stomp).extracting(Alert::rule).containsExactly(TIMESTOMP);
        assertThat(stomp.getFirst().output()).contains("host_file=/usr/bin/ls");
    }

    @Test
    void theSameCallsOnAContainersOwnFilesElsewhereAreQuiet() throws Exception {
        assertThat(run(onHost(10, "rm", FileOp.UNLINK, "/host/data/cron.d/job", "", "/srv/data/cron.d/job", ""),
                onHost(11, "mv", FileOp.RENAME, "/tmp/job", "/host/data/job", "", "/srv/data/job"),
                onHost(12, "rm", FileOp.UNLINK, "/host/tmp/.bash_history", "", "/tmp/.bash_history", ""),
                onHost(13, "chmod", FileOp.CHMOD, "/etc/shadow", "", "", ""))).as("a container's own /etc: its mode is its own").isEmpty();
    }
}
