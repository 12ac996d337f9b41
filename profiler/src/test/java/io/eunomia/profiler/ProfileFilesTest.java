package io.eunomia.profiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileFilesTest {
    static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");
    static final Instant T1 = Instant.parse("2026-11-02T10:05:00.250Z");

    @TempDir
    Path dir;

    static Profile sample() {
        ProfileMetadata meta = new ProfileMetadata("web-1", "registry.example/web:1.2",
                new TreeSet<>(Set.of(new RuntimeInfo("runc", "1.1.5", "docker"))), List.of("abc123", "def456"),
                new TreeSet<>(Set.of(0, 1000)), false, T0, T1, List.of());
        TreeMap<String, SyscallUse> work = new TreeMap<>();
        work.put("read", new SyscallUse("read", T0));
        work.put("mkdir", new SyscallUse("mkdir", T1, 3L));
        TreeMap<String, SyscallUse> rt = new TreeMap<>();
        rt.put("pivot_root", new SyscallUse("pivot_root", T0));
        ArchProfile x64 = new ArchProfile(Arch.X86_64, work, rt, List.of(
                new ArgumentValues(ArgumentSpec.SOCKET_FAMILY, new TreeSet<>(Set.of(1L, 2L)), false, T0),
                new ArgumentValues(ArgumentSpec.IOCTL_REQUEST, new TreeSet<>(Set.of(0x5401L)), true, T1)));
        TreeMap<String, SyscallUse> ia32 = new TreeMap<>();
        ia32.put("getpid", new SyscallUse("getpid", T1));
        ArchProfile x86 = new ArchProfile(Arch.X86, ia32, new TreeMap<>(), List.of());
        TreeMap<Capability, CapabilityUse> granted = new TreeMap<>();
        granted.put(Capability.CHOWN, new CapabilityUse(Capability.CHOWN, T1, 2L,
                new TreeMap<>(Map.of(Arch.X86_64, new TreeSet<>(Set.of("chown", "fchownat"))))));
        TreeMap<Capability, CapabilityUse> denied = new TreeMap<>();
        denied.put(Capability.SYS_ADMIN, new CapabilityUse(Capability.SYS_ADMIN, T1));
        TreeMap<String, Executable> exes = new TreeMap<>();
        exes.put("/bin/sh", new Executable("/bin/sh", new TreeSet<>(Set.of("a".repeat(64))), 2, T0));
        exes.put("/opt/my app/\"x\"\u00e9", new Executable("/opt/my app/\"x\"\u00e9", new TreeSet<>(), 1, T1));
        return new Profile(meta, new TreeMap<>(Map.of(Arch.X86_64, x64, Arch.X86, x86)), granted, denied, exes);
    }

    @Test
    void yamlAndJsonRoundTrip() throws Exception {
        Profile p = sample();
        Path f = dir.resolve("web-1.yaml");
        ProfileFiles.write(f, p);
        assertThat(ProfileFiles.read(f)).isEqualTo(p);
        assertThat(ProfileFiles.parse("x.json", ProfileFiles.toJson(p))).isEqualTo(p);
        String yaml = Files.readString(f);
        assertThat(yaml).contains("  x86:\n", "    - {name: mkdir, first_seen: \"2026-11-02T10:05:00.250Z\", count: 3}",
                "mask: 0xffffffff", "values: [0x5401]", "\\u00e9");
        assertThat(Files.list(dir)).containsExactly(f);   // no temporary file left behind
    }

    @Test
    void writeReplacesAtomicallyAndKeepsPermissionsReadable() throws Exception {
        Path f = dir.resolve("p.yaml");
        ProfileFiles.write(f, sample());
        Profile bigger = sample().union(sample());
        ProfileFiles.write(f, bigger);
        assertThat(ProfileFiles.read(f)).isEqualTo(bigger);
        assertThat(Files.getPosixFilePermissions(f).toString()).contains("OTHERS_READ");
    }

    @Test
    void writeRefusesSymlinks() throws Exception {
        Path target = dir.resolve("elsewhere");
        Files.writeString(target, "keep");
        Path link = Files.createSymbolicLink(dir.resolve("p.yaml"), target);
        assertThatThrownBy(() -> ProfileFiles.write(link, sample())).hasMessageContaining("symbolic link");
        assertThat(Files.readString(target)).isEqualTo("keep");
    }

    private static ProfileFormatException error(String text) {
        try {
            ProfileFiles.parse("p.yaml", text);
        } catch (ProfileFormatException e) {
            return e;
        }
        throw new AssertionError("no error for:\n" + text);
    }

    private static String yaml() {
        return ProfileFiles.toYaml(sample());
    }

    /** 1-based line and column of the first occurrence of {@code needle}. */
    private static int[] position(String text, String needle) {
        int at = text.indexOf(needle);
        assertThat(at).as(needle).isGreaterThanOrEqualTo(0);
        String before = text.substring(0, at);
        int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
        return new int[] {line, at - before.lastIndexOf('\n')};
    }

    @Test
    void truncatedAtALineBoundaryIsCaught() {
        String text = yaml();
        String cut = text.substring(0, text.indexOf("  - {path: \"/opt"));
        ProfileFormatException e = error(cut);
        assertThat(e.line()).isEqualTo((int) cut.chars().filter(c -> c == '\n').count());
        assertThat(e.getMessage()).startsWith("p.yaml:" + e.line() + ":1: ").contains("truncated");
    }

    @Test
    void truncatedInsideAnItemIsASyntaxError() {
        String text = yaml();
        String cut = text.substring(0, text.indexOf("first_seen", text.indexOf("name: mkdir")));
        ProfileFormatException e = error(cut);
        assertThat(e.getMessage()).startsWith("p.yaml:").contains("invalid YAML");
        assertThat(e.line()).as(e.getMessage()).isEqualTo(position(text, "name: mkdir")[0]);
        assertThat(e.getMessage()).endsWith("invalid YAML: while parsing a flow node: expected the node content, but found '<stream end>'");
    }

    @Test
    void wrongVersionPointsAtTheVersion() {
        ProfileFormatException e = error(yaml().replace("eunomia.io/v1", "eunomia.io/v2"));
        assertThat(e.getMessage()).isEqualTo("p.yaml:2:13: unsupported profile version 'eunomia.io/v2'; this build reads apiVersion: eunomia.io/v1");
    }

    @Test
    void handBrokenValuesPointAtThemselves() {
        String text = yaml().replace("name: mkdir", "name: mkdri");
        int[] pos = position(text, "mkdri");
        ProfileFormatException e = error(text);
        assertThat(e.line()).isEqualTo(pos[0]);
        assertThat(e.column()).isEqualTo(pos[1]);
        assertThat(e.problem()).contains("unknown syscall 'mkdri' for x86_64");

        text = yaml().replace("name: CAP_CHOWN", "name: CAP_CHOWNN");
        assertThat(error(text).problem()).contains("unknown capability 'CAP_CHOWNN'");

        text = yaml().replace("  x86:\n", "  i386:\n");
        e = error(text);
        assertThat(e.line()).isEqualTo(position(text, "i386")[0]);
        assertThat(e.problem()).contains("unknown architecture 'i386'; expected one of x86_64, x86, aarch64");

        text = yaml().replace("    workload:", "    workloads:");
        e = error(text);
        assertThat(e.problem()).startsWith("unknown key 'workloads'");
        assertThat(e.line()).isEqualTo(position(text, "workloads")[0]);

        text = yaml().replace("count: 3", "count: three");
        assertThat(error(text).problem()).contains("found 'three'; expected count (an integer");

        text = yaml().replace("mask: 0xf,", "mask: 0xff,").replace("mask: 0xffffffffffffffff", "mask: 0x1");
        assertThat(error(text).problem()).contains("differs from the mask");

        text = yaml().replace("  image:", "  imagee:");
        assertThat(error(text).problem()).startsWith("unknown key 'imagee'");

        assertThat(error("").problem()).startsWith("empty file");
        assertThat(error("just: text\n").problem()).startsWith("no apiVersion");
        assertThat(error("- a\n").problem()).contains("expected the profile (a mapping)");
    }

    @Test
    void compatSyscallsAreCheckedAgainstTheirOwnTable() throws Exception {
        // 'fork' exists in both tables, 'socketcall' only in ia32's
        String text = yaml().replace("{name: getpid,", "{name: socketcall,");
        assertThat(ProfileFiles.parse("p.yaml", text).arch(Arch.X86).workload()).containsKey("socketcall");
        text = yaml().replace("{name: read,", "{name: socketcall,");
        assertThat(error(text).problem()).contains("unknown syscall 'socketcall' for x86_64");
    }

    @Test
    void readErrorsLeaveTheFileAlone() throws Exception {
        Path f = dir.resolve("broken.yaml");
        String broken = yaml().replace("count: 3", "count: -3");
        Files.writeString(f, broken);
        assertThatThrownBy(() -> ProfileFiles.read(f)).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining(f + ":");
        assertThat(Files.readString(f)).isEqualTo(broken);
    }

    @Test
    void fileNamesCannotEscapeTheDirectory() {
        assertThat(ProfileFiles.fileName("../../etc/passwd")).isEqualTo("_.._.._etc_passwd.yaml");
        assertThat(ProfileFiles.fileName("registry.example/web:1.2")).isEqualTo("registry.example_web_1.2.yaml");
        assertThat(ProfileFiles.fileName(".hidden")).isEqualTo("_.hidden.yaml");
    }
}
