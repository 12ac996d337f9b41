package io.eunomia.bpf.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SyscallEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage over a /proc of the test's making: task 42 in mount namespace 7, its root a temporary
 * directory whose /tmp/prog really holds cap_setuid+ep (setcap), /tmp/plain none, /tmp/link a symlink
 * to prog, and /tmp/esc a symlink that would leave the root for a file outside it that holds capabilities.
 */
class RealFileCapabilitiesTest {
    private static final long NS = 7;
    private static final long CAP_SETUID = 1L << 7;
    @TempDir
    Path proc;
    private Path root;
    private RealFileCapabilities stage;

    @BeforeEach
    void task() throws Exception {
        root = FakeTasks.task(proc, 42, NS);
        Files.createDirectories(root.resolve("tmp"));
        setcap("cap_setuid+ep", Files.createFile(root.resolve("tmp/prog")));
        Files.createFile(root.resolve("tmp/plain"));
        setcap("cap_setuid+ep", Files.createFile(proc.resolve("outside")));
        Files.createSymbolicLink(root.resolve("tmp/esc"), Path.of("../../../outside"));
        Files.createSymbolicLink(root.resolve("tmp/link"), Path.of("prog"));
        Files.writeString(proc.resolve("42/mountinfo"), """
                26 1 254:0 / / rw - ext4 /dev/vda rw
                60 26 0:77 / /tmp/fuse rw - fuse.evil evil rw
                """);
        Files.createDirectories(root.resolve("tmp/fuse"));
        setcap("cap_setuid+ep", Files.createFile(root.resolve("tmp/fuse/prog")));  // a real file where the table says FUSE
        stage = new RealFileCapabilities(proc, 1, id -> id == 3 ? Optional.of(root) : Optional.empty(), new MountTables(System::nanoTime));
    }

    private static void setcap(String caps, Path file) throws Exception {
        Process p = new ProcessBuilder("/usr/sbin/setcap", caps, file.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }

    private static SyscallEvent call(int pid, String syscall, String name, String path, long permitted, long result) {
        ProcessInfo p = new ProcessInfo(pid, pid, 41, 0, 0, 0, 0, "evade", "sh", NS, 3, 0, 1, ContainerInfo.HOST);
        Map<String, Long> args = new LinkedHashMap<>();
        args.put("size", 20L);
        args.put("flags", 0L);
        args.put("cap_permitted", permitted);
        args.put("cap_inheritable", 0L);
        args.put("cap_effective", permitted == 0 ? 0L : 1L);
        return new SyscallEvent(1L, p, syscall, 188, args, Map.of("path", path, "name", name, "acl", ""), result);
    }

    @Test
    void aNameChangedAfterTheKernelCopiedItIsTheCapabilitiesTheFileHolds() {
        SyscallEvent e = (SyscallEvent) stage.apply(call(42, "setxattr", "user.eunomia", "/tmp/prog", 0, 0));
        assertThat(e.strings()).containsEntry("name", "security.capability").containsEntry("path", "/tmp/prog");
        assertThat(e.args()).containsEntry("cap_permitted", CAP_SETUID).containsEntry("cap_effective", 1L)
                .containsEntry("cap_inheritable", 0L).containsEntry("size", 20L);
        assertThat(stage.corrected()).isEqualTo(1);
    }

    @Test
    void aNameChangedToAnotherWatchedOneIsTheCapabilitiesTheFileHolds() {
        // The name buffer flipped from security.capability to security.x while the kernel waited: the
        // record names security.x (watched, so no rule on it fires) though the kernel wrote the capabilities.
        for (String told : new String[] {"security.x", "trusted.x", "system.posix_acl_access"}) {
            SyscallEvent e = (SyscallEvent) stage.apply(call(42, "setxattr", told, "/tmp/prog", 0, 0));
            assertThat(e.strings()).as(told).containsEntry("name", "security.capability");
            assertThat(e.args()).as(told).containsEntry("cap_permitted", CAP_SETUID).containsEntry("cap_effective", 1L);
        }
        assertThat(stage.corrected()).isEqualTo(3);
    }

    @Test
    void aValueChangedAfterTheKernelCopiedItIsTheOneTheFileHolds() {
        SyscallEvent told = call(42, "fsetxattr", "security.capability", "/tmp/prog", 1L << 13 /* cap_net_raw */, 0);
        assertThat(((SyscallEvent) stage.apply(told)).args()).containsEntry("cap_permitted", CAP_SETUID);
    }

    @Test
    void whatTheFileHoldsLeavesTheEventAsItIs() {
        SyscallEvent right = call(42, "setxattr", "security.capability", "/tmp/prog", CAP_SETUID, 0);
        assertThat(stage.apply(right)).isSameAs(right);
        SyscallEvent user = call(42, "setxattr", "user.eunomia", "/tmp/plain", 0, 0);
        assertThat(stage.apply(user)).isSameAs(user);
        SyscallEvent label = call(42, "setxattr", "security.selinux", "/tmp/plain", 0, 0);
        assertThat(stage.apply(label)).as("another watched name on a file without capabilities").isSameAs(label);
        SyscallEvent failed = call(42, "setxattr", "user.eunomia", "/tmp/prog", 0, -1);
        assertThat(stage.apply(failed)).isSameAs(failed);
        assertThat(stage.corrected()).isZero();
    }

    @Test
    void aSymlinkOutOfTheRootIsNotFollowedOutOfIt() {
        SyscallEvent e = call(42, "setxattr", "user.eunomia", "/tmp/esc", 0, 0);
        assertThat(stage.apply(e)).isSameAs(e);
    }

    @Test
    void lsetxattrOnASymlinkIsNotTheTargetsCapabilities() {
        // lsetxattr wrote the link's own attribute: ping's real capabilities behind it are no news of this call.
        SyscallEvent link = call(42, "lsetxattr", "user.eunomia", "/tmp/link", 0, 0);
        assertThat(stage.apply(link)).isSameAs(link);
        SyscallEvent followed = (SyscallEvent) stage.apply(call(42, "setxattr", "user.eunomia", "/tmp/link", 0, 0));
        assertThat(followed.strings()).as("setxattr follows the link").containsEntry("name", "security.capability");
    }

    @Test
    void aFileOnAFuseMountIsNotLookedAtAndCounted() {
        // A getxattr there waits on a daemon the caller may run: two stuck ones would blind every later look.
        SyscallEvent e = call(42, "setxattr", "user.eunomia", "/tmp/fuse/prog", 0, 0);
        assertThat(stage.apply(e)).isSameAs(e);
        assertThat(stage.stats()).isEqualTo(new RealFileCapabilities.Stats(0, 0, 1));
    }

    @Test
    void aTaskGoneIsLookedAtThroughItsContainersRoot() {
        SyscallEvent e = (SyscallEvent) stage.apply(call(4242, "lsetxattr", "user.eunomia", "/tmp/prog", 0, 0));
        assertThat(e.strings()).containsEntry("name", "security.capability");
    }

    @Test
    void aTaskInTheMiddleOfItsExitIsLookedAtThroughItsContainersRoot() throws Exception {
        // Its namespace link still there, its root gone (exit_fs runs before exit_task_namespaces).
        Files.delete(FakeTasks.task(proc, 43, NS));
        SyscallEvent e = (SyscallEvent) stage.apply(call(43, "setxattr", "user.eunomia", "/tmp/prog", 0, 0));
        assertThat(e.strings()).containsEntry("name", "security.capability");
    }

    @Test
    void capabilityValuesOfEveryRevision() {
        assertThat(RealFileCapabilities.Sets.of(value(0x01000000, 5, 6))).isEqualTo(new RealFileCapabilities.Sets(5, 6, 0, 12));
        assertThat(RealFileCapabilities.Sets.of(value(0x02000001, 5, 6, 1, 2)))
                .isEqualTo(new RealFileCapabilities.Sets(5 | 1L << 32, 6 | 2L << 32, 1, 20));
        assertThat(RealFileCapabilities.Sets.of(value(0x03000001, 5, 6, 0, 0, 1000))).isEqualTo(new RealFileCapabilities.Sets(5, 6, 1, 24));
        assertThat(RealFileCapabilities.Sets.of(value(0x04000000, 5, 6, 0, 0))).isNull();
        assertThat(RealFileCapabilities.Sets.of(value(0x02000000, 5, 6))).isNull();
        assertThat(RealFileCapabilities.Sets.of(null)).isNull();
    }

    private static byte[] value(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }
}
