package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.WEB;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ProcessFacts;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SyscallEvent;
import io.eunomia.rules.RuleBase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default pack's extended attribute rules (40-privilege.yaml) on constructed events: where a
 * file capability write raises which rule, and what is excepted. The live routes are
 * {@link XattrLiveTest}'s.
 */
class XattrRulesTest {
    private static final String SET = "File capabilities set";
    private static final String HOST_FILE = "File capabilities set on host file";
    private static final String LABEL = "Security attribute written below system directory";
    private static final String CAP = "security.capability";
    private static final String ACL = "ACL written on sensitive or system file";
    private static final String ACCESS = "system.posix_acl_access";
    private static RuleBase pack;

    @BeforeAll
    static void load() throws Exception {
        pack = new RuleLoader(List.of(), true).load();
    }

    private static List<String> fire(SyscallEvent... events) throws Exception {
        return TestEvents.replay(pack, List.of(events)).stream().map(Alert::rule).toList();
    }

    private static ProcessInfo proc(int pid, String comm, ContainerInfo c, String... ancestors) {
        List<ProcessFacts.Ancestor> chain = new java.util.ArrayList<>();
        for (int i = 0; i < ancestors.length; i++) {
            chain.add(new ProcessFacts.Ancestor(pid + 1 + i, ancestors[i], "", ""));
        }
        ProcessFacts facts = new ProcessFacts("/usr/sbin/" + comm, comm, chain, "/", "root", 0, -1, -1, -1, false, -1, false,
                false, 0);
        return new ProcessInfo(pid, pid, pid + 1, 0, 0, 0, 0, comm, 4026531841L, 2, 4026531836L, 1, c).withFacts(facts);
    }

    private static SyscallEvent xattr(ProcessInfo p, String call, String path, String name, long result) {
        return new SyscallEvent(T0, p, call, 0, Map.of("size", 20L, "flags", 0L, "cap_permitted", 1L << 7, "cap_inheritable", 0L,
                "cap_effective", 1L), Map.of("path", path, "name", name), result);
    }

    @Test
    void fileCapabilitiesInExposedPlacesOrInAContainerAreSetEveryWay() throws Exception {
        for (String call : List.of("setxattr", "lsetxattr", "fsetxattr", "setxattrat", "removexattr", "fremovexattr")) {
            assertThat(fire(xattr(proc(1, "setcap", ContainerInfo.HOST), call, "/usr/bin/python3.11", CAP, 0)))
                    .as(call).containsExactly(SET);
        }
        assertThat(fire(xattr(proc(2, "x", ContainerInfo.HOST), "setxattr", "/tmp/x", CAP, 0))).containsExactly(SET);
        assertThat(fire(xattr(proc(3, "x", ContainerInfo.HOST), "setxattr", "/dev/shm/x", CAP, -1))).containsExactly(SET);
        List<Alert> box = TestEvents.replay(pack, List.of(xattr(proc(4, "x", WEB), "fsetxattr", "/app/bin/server", CAP, 0)));
        assertThat(box).extracting(Alert::rule).containsExactly(SET);
        assertThat(box.getFirst().output()).contains("op=fsetxattr", "file=/app/bin/server", "caps=cap_setuid+ep", "container=web");
    }

    @Test
    void fileCapsAreShownAsGetcapShowsThem() {
        assertThat(io.eunomia.rules.EventFields.fileCaps(Map.of("cap_permitted", (1L << 7) | (1L << 39), "cap_inheritable", 1L << 39,
                "cap_effective", 1L))).isEqualTo("cap_setuid,cap_bpf+ep cap_bpf+i");
        assertThat(io.eunomia.rules.EventFields.fileCaps(Map.of("cap_permitted", 1L << 13, "cap_effective", 0L))).isEqualTo("cap_net_raw+p");
        assertThat(io.eunomia.rules.EventFields.fileCaps(Map.of("size", 7L))).isEmpty();
    }

    @Test
    void fileCapabilitiesElsewhereOnTheHostAreTheLowerRule() throws Exception {
        assertThat(fire(xattr(proc(5, "setcap", ContainerInfo.HOST), "setxattr", "/opt/tool/bin/tool", CAP, 0)))
                .containsExactly(HOST_FILE);
        assertThat(fire(xattr(proc(6, "setcap", ContainerInfo.HOST), "setxattr", "/tmpfoo/x", CAP, 0)))
                .as("a name that only starts like /tmp").containsExactly(HOST_FILE);
    }

    @Test
    void packageInstallsAndTheirScriptsAreExcepted() throws Exception {
        // iputils-ping's postinst: dpkg -> sh -> setcap cap_net_raw+ep /bin/ping
        assertThat(fire(xattr(proc(7, "setcap", ContainerInfo.HOST, "sh", "dpkg"), "setxattr", "/bin/ping", CAP, 0))).isEmpty();
        assertThat(fire(xattr(proc(8, "rpm", ContainerInfo.HOST), "setxattr", "/usr/bin/ping", CAP, 0))).isEmpty();
        assertThat(fire(xattr(proc(9, "setcap", ContainerInfo.HOST, "sh", "bash"), "setxattr", "/bin/ping", CAP, 0)))
                .containsExactly(SET);
    }

    private static SyscallEvent acl(ProcessInfo p, String call, String path, String name) {
        return new SyscallEvent(T0, p, call, 0, Map.of("size", 44L, "flags", 0L, "cap_permitted", 0L), Map.of("path", path, "name", name,
                "acl", "u::rw-,u:1000:r--,g::r--,m::r--,o::---"), 0);
    }

    @Test
    void aclsOnSensitiveAndSystemFilesButNotElsewhereNorByPackagesNorSystemd() throws Exception {
        for (String call : List.of("setxattr", "lsetxattr", "fsetxattr", "setxattrat")) {
            assertThat(fire(acl(proc(20, "setfacl", ContainerInfo.HOST), call, "/etc/shadow", ACCESS))).as(call).containsExactly(ACL);
        }
        List<Alert> box = TestEvents.replay(pack, List.of(acl(proc(21, "x", WEB), "setxattr", "/usr/bin/sudo", ACCESS)));
        assertThat(box).extracting(Alert::rule).containsExactly(ACL);
        assertThat(box.getFirst().output()).contains("file=/usr/bin/sudo", "acl=u::rw-,u:1000:r--,g::r--,m::r--,o::---", "container=web");
        assertThat(fire(acl(proc(22, "setfacl", ContainerInfo.HOST), "setxattr", "/root/.ssh/authorized_keys", ACCESS))).containsExactly(ACL);
        assertThat(fire(acl(proc(23, "setfacl", ContainerInfo.HOST), "setxattr", "/home/ann/.ssh/id_ed25519", ACCESS))).containsExactly(ACL);
        assertThat(fire(acl(proc(24, "setfacl", ContainerInfo.HOST), "setxattr", "/etc/sudoers.d", "system.posix_acl_default")))
                .containsExactly(ACL);
        assertThat(fire(acl(proc(25, "setfacl", ContainerInfo.HOST), "setxattr", "/tmp/work/x", ACCESS),
                acl(proc(26, "setfacl", ContainerInfo.HOST), "setxattr", "/home/ann/project/x", ACCESS),
                acl(proc(27, "systemd-tmpfile", ContainerInfo.HOST), "setxattr", "/etc/credstore", ACCESS),
                acl(proc(28, "setfacl", ContainerInfo.HOST, "sh", "dpkg"), "setxattr", "/etc/x", ACCESS),
                acl(proc(29, "setfacl", ContainerInfo.HOST), "removexattr", "/etc/shadow", ACCESS))).as("no ACL rule, no label rule")
                .isEmpty();
    }

    @Test
    void securityLabelsBelowSystemDirectoriesButNotElsewhereOrByLabellingTools() throws Exception {
        assertThat(fire(xattr(proc(10, "setfattr", ContainerInfo.HOST), "setxattr", "/usr/sbin/sshd", "security.selinux", 0)))
                .containsExactly(LABEL);
        assertThat(fire(xattr(proc(11, "setfattr", WEB), "removexattr", "/etc/passwd", "security.ima", -13)))
                .containsExactly(LABEL);
        assertThat(fire(xattr(proc(12, "x", ContainerInfo.HOST), "lsetxattr", "/bin/sh", "trusted.overlay.opaque", 0)))
                .containsExactly(LABEL);
        assertThat(fire(xattr(proc(13, "restorecon", ContainerInfo.HOST), "setxattr", "/etc/shadow", "security.selinux", 0),
                xattr(proc(14, "setfattr", ContainerInfo.HOST), "setxattr", "/home/ann/x", "security.selinux", 0),
                xattr(proc(15, "dpkg", ContainerInfo.HOST), "setxattr", "/usr/bin/x", "security.ima", 0))).isEmpty();
    }
}
