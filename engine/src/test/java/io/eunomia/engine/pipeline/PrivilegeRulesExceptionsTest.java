package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.WEB;
import static io.eunomia.engine.pipeline.TestEvents.execdOnHost;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SyscallEvent;
import io.eunomia.rules.RuleBase;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped file/privilege rules' exceptions, path shapes and time windows, on constructed events
 * with event time (what live runs cannot set up cheaply: package managers, sshd, Kubernetes tokens,
 * a minute passing). The live behaviour is {@link PrivilegeRulesLiveTest}'s.
 */
class PrivilegeRulesExceptionsTest {
    private static final long S = 1_000_000_000L;
    private static final ContainerInfo HOST = ContainerInfo.HOST;
    private static RuleBase pack;

    @BeforeAll
    static void load() throws Exception {
        pack = new RuleLoader(List.of(), true).load();
    }

    private static List<String> fire(Event... events) throws Exception {
        return TestEvents.replay(pack, List.of(events)).stream().map(Alert::rule).toList();
    }

    private static ProcessInfo proc(int pid, String comm, int uid, int euid, ContainerInfo c) {
        return new ProcessInfo(pid, pid, 1, uid, uid, euid, euid, comm, 4026531841L, 2, 4026531836L, 1, c);
    }

    private static FileEvent file(long t, int pid, String comm, ContainerInfo c, FileOp op, String path, String newPath,
                                  int flags, long result) {
        return new FileEvent(t, proc(pid, comm, 0, 0, c), op, op.name().toLowerCase(), path, newPath, flags, -1, -1, -1,
                result, true);
    }

    private static FileEvent read(int pid, String comm, ContainerInfo c, String path) {
        return file(T0, pid, comm, c, FileOp.OPEN, path, "", 0, 3);
    }

    private static FileEvent write(int pid, String comm, ContainerInfo c, String path) {
        return file(T0, pid, comm, c, FileOp.OPEN, path, "", 01101, 3); // O_WRONLY|O_CREAT|O_TRUNC
    }

    private static SyscallEvent call(long t, ProcessInfo p, String name, Map<String, Long> args, long result) {
        return new SyscallEvent(t, p, name, 0, args, Map.of(), result);
    }

    @Test
    void credentialFileShapesAndTheirOwners() throws Exception {
        assertThat(fire(read(1, "cat", WEB, "/var/run/secrets/kubernetes.io/serviceaccount/..2026_01_01/token")))
                .containsExactly("Read sensitive file");
        assertThat(fire(read(2, "python3", HOST, "/home/ann/.ssh/id_ed25519"))).containsExactly("Read sensitive file");
        assertThat(fire(read(3, "cat", HOST, "/etc/ssh/ssh_host_ed25519_key"))).containsExactly("Read sensitive file");
        assertThat(fire(read(4, "cat", HOST, "/etc/sudoers.d/90-users"))).containsExactly("Read sensitive file");
        // public keys are not secrets; ssh clients read their user's key; sshd its host keys;
        // dpkg/apt (base-passwd, adduser) during installs
        assertThat(fire(read(5, "cat", HOST, "/home/ann/.ssh/id_ed25519.pub"),
                read(6, "ssh", HOST, "/home/ann/.ssh/id_ed25519"),
                read(7, "sshd", HOST, "/etc/ssh/ssh_host_ed25519_key"),
                read(8, "dpkg", HOST, "/etc/shadow"),
                read(9, "cat", HOST, "/etc/shadow.bak"))).isEmpty();
        // but ssh reading someone else's sudoers is still an alert
        assertThat(fire(read(10, "ssh", HOST, "/etc/sudoers"))).containsExactly("Read sensitive file");
    }

    @Test
    void writesBelowSystemDirsByPackageManagersAndDaemonsAreQuiet() throws Exception {
        assertThat(fire(write(1, "dpkg", HOST, "/usr/bin/hello.dpkg-new"),
                file(T0, 2, "dpkg", HOST, FileOp.RENAME, "/usr/bin/hello.dpkg-new", "/usr/bin/hello", 0, 0),
                write(3, "ldconfig", HOST, "/etc/ld.so.cache~"),
                write(4, "useradd", HOST, "/etc/passwd+"),
                write(5, "systemd-resolve", HOST, "/etc/resolv.conf"),
                write(6, "runc:[2:INIT]", WEB, "/etc/hosts").withProcess(execdOnHost(proc(6, "runc:[2:INIT]", 0, 0, WEB))),
                write(7, "vim", HOST, "/etcetera/notes"),
                file(T0, 10, "mkdir", HOST, FileOp.MKDIR, "/etc", "", 0, -17))).isEmpty(); // mkdir -p: EEXIST
        assertThat(fire(file(T0, 11, "mkdir", HOST, FileOp.MKDIR, "/etc/cron.d/evil", "", 0, 0)))
                .containsExactly("Write below system directory");
        assertThat(fire(file(T0, 8, "mv", HOST, FileOp.RENAME, "/tmp/evil", "/usr/sbin/sshd", 0, 0)))
                .containsExactly("Write below system directory");
        assertThat(fire(write(9, "sh", WEB, "/boot/grub/grub.cfg"))).containsExactly("Write below system directory");
    }

    @Test
    void runtimeSetupInAContainerIsNotTheWorkload() throws Exception {
        ProcessInfo init = execdOnHost(proc(20, "runc:[2:INIT]", 0, 0, WEB));
        ProcessInfo sh = proc(21, "sh", 0, 0, WEB);
        assertThat(fire(call(T0, init, "mount", Map.of("flags", 0L), 0), call(T0, init, "setns", Map.of("fd", 3L, "nstype", 0L), 0)))
                .isEmpty();
        // the name without the exec on the host: a workload that named itself so (prctl PR_SET_NAME)
        ProcessInfo forged = proc(25, "runc:[2:INIT]", 0, 0, WEB);
        assertThat(fire(call(T0, forged, "mount", Map.of("flags", 0L), 0))).containsExactly("Mount or namespace change in container");
        assertThat(fire(write(26, "runc:[2:INIT]", WEB, "/etc/hosts"))).containsExactly("Write below system directory");
        assertThat(fire(call(T0, sh, "setns", Map.of("fd", 3L, "nstype", 0L), -1))).containsExactly("Mount or namespace change in container");
        assertThat(fire(call(T0, proc(22, "sh", 0, 0, HOST), "mount", Map.of("flags", 0L), 0))).isEmpty();
        // after unshare -m the process's new mount namespace is unknown: the pid namespace decides
        ProcessInfo hostUnshared = new ProcessInfo(23, 23, 1, 0, 0, 0, 0, "unshare", 4026532999L, 99, 4026531836L, 1,
                ContainerInfo.UNRESOLVED);
        ProcessInfo containerUnshared = new ProcessInfo(24, 24, 1, 0, 0, 0, 0, "unshare", 4026532998L, 98, 4026532500L, 7,
                ContainerInfo.UNRESOLVED);
        assertThat(fire(call(T0, hostUnshared, "mount", Map.of("flags", 0L), 0))).isEmpty();
        assertThat(fire(call(T0, containerUnshared, "mount", Map.of("flags", 0L), 0)))
                .containsExactly("Mount or namespace change in container");
    }

    @Test
    void kernelOnDemandModuleLoadingIsNotAnAttack() throws Exception {
        ProcessInfo autoload = new ProcessInfo(50, 50, 2, 0, 0, 0, 0, "modprobe", 4026531841L, 2, 4026531836L, 1, HOST);
        ProcessInfo byHand = new ProcessInfo(51, 51, 900, 0, 0, 0, 0, "modprobe", 4026531841L, 2, 4026531836L, 1, HOST);
        assertThat(fire(call(T0, autoload, "finit_module", Map.of("fd", 3L, "flags", 0L), 0))).isEmpty();
        assertThat(fire(call(T0, byHand, "finit_module", Map.of("fd", 3L, "flags", 0L), 0))).containsExactly("Kernel module load attempt");
        assertThat(fire(call(T0, proc(52, "sh", 0, 0, WEB), "init_module", Map.of("len", 10L), -38)))
                .containsExactly("Kernel module load attempt");
    }

    @Test
    void logRotationIsNotLogClearing() throws Exception {
        assertThat(fire(file(T0, 1, "logrotate", HOST, FileOp.UNLINK, "/var/log/syslog.4.gz", "", 0, 0),
                file(T0, 2, "logrotate", HOST, FileOp.OPEN, "/var/log/syslog", "", 01101, 3),
                file(T0, 3, "rsyslogd", HOST, FileOp.OPEN, "/var/log/syslog", "", 02101, 3),
                file(T0, 5, "kubelet", HOST, FileOp.UNLINK, "/var/log/pods/ns_web/nginx/0.log.20260101", "", 0, 0))).isEmpty();
        assertThat(fire(file(T0, 4, "rm", WEB, FileOp.UNLINK, "/var/log/nginx/access.log", "", 0, 0)))
                .containsExactly("Log file cleared");
    }

    @Test
    void onlyAHomeDirectorysHistoryCountsAndNotWhatEnginesOrAccountToolsRemove() throws Exception {
        String cleared = "Shell history cleared";
        // A removed container's layer, a CI workspace, a backup: the name, not a home's history.
        assertThat(fire(file(T0, 1, "rm", HOST, FileOp.UNLINK, "/var/lib/x/diff/root/.bash_history", "", 0, 0),
                file(T0, 2, "dockerd", HOST, FileOp.UNLINK, "/var/lib/docker/overlay2/ab12/diff/root/.bash_history", "", 0, 0),
                file(T0, 3, "rm", HOST, FileOp.UNLINK, "/home/runner/work/repo/.bash_history", "", 0, 0),
                // userdel -r / deluser --remove-home, a package's file, a rootless engine's layer below a home
                file(T0, 4, "userdel", HOST, FileOp.UNLINK, "/home/ann/.bash_history", "", 0, 0),
                file(T0, 5, "deluser", HOST, FileOp.UNLINK, "/home/bob/.zsh_history", "", 0, 0),
                file(T0, 6, "podman", HOST, FileOp.UNLINK, "/root/.bash_history", "", 0, 0),
                file(T0, 7, "containerd-shim", HOST, FileOp.UNLINK, "/root/.bash_history", "", 0, 0),
                file(T0, 8, "dpkg", HOST, FileOp.UNLINK, "/root/.bash_history", "", 0, 0),
                // tcsh saving its history at logout (a truncating creat)
                file(T0, 9, "tcsh", HOST, FileOp.OPEN, "/home/ann/.history", "", 01101, 3))).isEmpty();
        assertThat(fire(file(T0, 10, "rm", HOST, FileOp.UNLINK, "/root/.bash_history", "", 0, 0))).containsExactly(cleared);
        assertThat(fire(file(T0, 11, "rm", WEB, FileOp.UNLINK, "/home/ann/.bash_history", "", 0, 0))).containsExactly(cleared);
        assertThat(fire(file(T0, 12, "rm", HOST, FileOp.UNLINK, "/home/ann/.history", "", 0, 0))).containsExactly(cleared);
        assertThat(fire(file(T0, 13, "sh", HOST, FileOp.OPEN, "/home/ann/.history", "", 01101, 3))).containsExactly(cleared);
    }

    @Test
    void hostHelpersAreNamedByTheirCommAndAtdKeepsItsSpool() throws Exception {
        String helper = "Kernel usermode helper changed";
        // comm is 15 characters: systemd-coredump is systemd-coredum; binfmt registration at boot and by dpkg
        assertThat(fire(write(1, "systemd-coredum", HOST, "/proc/sys/kernel/core_pattern"),
                write(2, "abrt-install-cc", HOST, "/proc/sys/kernel/core_pattern"),
                write(3, "systemd-binfmt", HOST, "/proc/sys/fs/binfmt_misc/register"),
                write(4, "update-binfmts", HOST, "/proc/sys/fs/binfmt_misc/register"))).isEmpty();
        assertThat(fire(write(5, "systemd-binfmt", WEB, "/proc/sys/fs/binfmt_misc/register"))).containsExactly(helper);
        assertThat(fire(write(6, "sh", HOST, "/proc/sys/kernel/core_pattern"))).containsExactly(helper);

        String spool = "Write to SSH authorized keys or cron spool";
        ProcessInfo waagent = proc(7, "python3", 0, 0, HOST).withFacts(new io.eunomia.event.ProcessFacts("/usr/bin/python3.11",
                "/usr/bin/python3 -u /usr/sbin/waagent -daemon", List.of(), "/", "root", 0, -1, -1, -1, false, -1, false, false, 0));
        assertThat(fire(write(8, "at", HOST, "/var/spool/cron/atjobs/a0000101a2b3c4"),
                file(T0, 9, "atd", HOST, FileOp.UNLINK, "/var/spool/cron/atjobs/a0000101a2b3c4", "", 0, 0),
                file(T0, 10, "atd", HOST, FileOp.RENAME, "/var/spool/cron/atjobs/=a0000101a2b3c4", "/var/spool/cron/atjobs/a0000101a2b3c4", 0, 0),
                write(11, "python3", HOST, "/root/.ssh/authorized_keys").withProcess(waagent))).isEmpty();
        assertThat(fire(write(12, "python3", HOST, "/root/.ssh/authorized_keys"))).containsExactly(spool);
        assertThat(fire(write(13, "at", WEB, "/var/spool/cron/atjobs/a0000101a2b3c4"))).containsExactly(spool);
    }

    /** A set*uid call's own ids, then the caller's real, effective and saved uid from before it (as the sensor reports them). */
    private static Map<String, Long> ids(Map<String, Long> target, long uid, long euid, long suid) {
        Map<String, Long> m = new LinkedHashMap<>(target);
        m.put("prev_uid", uid);
        m.put("prev_euid", euid);
        m.put("prev_suid", suid);
        return m;
    }

    @Test
    void setuidToRootIsJudgedByTheCallersIdsFromBeforeTheCall() throws Exception {
        String rule = "Setuid to root by non-root process";
        ProcessInfo nowRoot = proc(30, "python3", 0, 0, HOST); // the header: ids after the call
        // one event is enough: nothing earlier of the process needs to be in the session
        assertThat(fire(call(T0, nowRoot, "setuid", ids(Map.of("uid", 0L), 1000, 1000, 1000), 0))).containsExactly(rule);
        assertThat(fire(call(T0, nowRoot, "setreuid", ids(Map.of("ruid", -1L, "euid", 0L), 1000, 1000, 1000), 0)))
                .containsExactly(rule);
        assertThat(fire(call(T0, nowRoot, "setresuid", ids(Map.of("ruid", 0L, "euid", 0L, "suid", 0L), 1000, 1000, 1000), 0)))
                .containsExactly(rule);
        // a setuid-root program (sudo, su): euid 0 from its exec on, or dropped to the user for a
        // while and back through its saved uid 0
        Map<String, Long> allRoot = Map.of("ruid", 0L, "euid", 0L, "suid", 0L);
        assertThat(fire(call(T0, proc(31, "sudo", 0, 0, HOST), "setresuid", ids(allRoot, 1000, 0, 0), 0))).isEmpty();
        assertThat(fire(call(T0, proc(32, "sudo", 0, 0, HOST), "setresuid", ids(allRoot, 1000, 1000, 0), 0))).isEmpty();
        // root all along; a non-root process setting its own uid; refused (the attempt rule's)
        assertThat(fire(call(T0, nowRoot, "setuid", ids(Map.of("uid", 0L), 0, 0, 0), 0))).isEmpty();
        assertThat(fire(call(T0, proc(33, "python3", 1000, 1000, HOST), "setuid", ids(Map.of("uid", 1000L), 1000, 1000, 1000), 0)))
                .isEmpty();
        assertThat(fire(call(T0, proc(34, "python3", 1000, 1000, HOST), "setuid", ids(Map.of("uid", 0L), 1000, 1000, 1000), -1)))
                .containsExactly("Setuid to root attempted by non-root process");
        // an event without the previous ids (an older sensor's recording) cannot tell
        assertThat(fire(call(T0, nowRoot, "setuid", Map.of("uid", 0L), 0))).isEmpty();
    }

    @Test
    void setuidToRootIsASingleEventRuleSoItKeepsNoEventInTheSession(@TempDir Path dir) throws Exception {
        // A join would keep every event of the types it reads in the session (with no time bound,
        // for as long as retention allows); a single-event rule lets them go right after the fire.
        Path drl = dir.resolve("45-setuid.drl");
        try (InputStream in = PrivilegeRulesExceptionsTest.class.getResourceAsStream("/io/eunomia/rules/default/45-setuid.drl")) {
            Files.copy(in, drl);
        }
        RuleBase alone = new RuleLoader(List.of(drl), false).load();
        assertThat(alone.rules()).hasSize(1);
        try (RuleSession session = new RuleSession(alone, ClockMode.EVENT_TIME, (c, e) -> {})) {
            // Non-root processes' set*id calls: before, each had to stay for a later setuid to join.
            List<Event> nonRoot = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                ProcessInfo p = proc(100 + i, "app", 1000, 1000, HOST);
                nonRoot.add(call(T0 + i, p, "setuid", Map.of("uid", 1000L, "prev_uid", 1000L, "prev_euid", 1000L,
                        "prev_suid", 1000L), 0));
            }
            session.process(nonRoot);
            assertThat(session.factCount()).isZero();
        }
    }

    @Test
    void repeatedDenialsCountWithinOneMinutePerHostProcessOrPerContainer() throws Exception {
        List<Event> spread = new ArrayList<>();
        List<Event> burst = new ArrayList<>();
        List<Event> containerLoop = new ArrayList<>();
        List<Event> hostLoop = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            spread.add(file(T0 + i * 15 * S, 40, "perl", HOST, FileOp.OPEN, "/etc/shadow", "", 0, -13));
            burst.add(file(T0 + i * S, 41, "perl", HOST, FileOp.OPEN, "/etc/shadow", "", 0, -13));
            containerLoop.add(file(T0 + i * S, 100 + i, "cat", WEB, FileOp.OPEN, "/etc/shadow", "", 0, -13));
            hostLoop.add(file(T0 + i * S, 200 + i, "cat", HOST, FileOp.OPEN, "/etc/shadow", "", 0, -13));
        }
        String rule = "Repeated denied opens of sensitive files";
        assertThat(fire(spread.toArray(Event[]::new))).doesNotContain(rule); // 6 in 75 s: at most 5 in any minute
        assertThat(fire(burst.toArray(Event[]::new))).filteredOn(rule::equals).hasSize(1);
        assertThat(fire(containerLoop.toArray(Event[]::new))).filteredOn(rule::equals).hasSize(1);
        assertThat(fire(hostLoop.toArray(Event[]::new))).doesNotContain(rule); // six host processes, one each
    }
}
