package io.eunomia.engine.learn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.testkit.BesideTheStream;
import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eunomia learn} and {@code eunomia profile} for real: runc containers, the CLI in its own JVM. */
@BesideTheStream
class LearnCommandTest {
    private static Runc runc;

    @TempDir
    Path dir;
    private String rootfsName;

    @BeforeAll
    static void up() {
        runc = new Runc();
    }

    @AfterAll
    static void down() {
        if (runc != null) {
            runc.close();
        }
    }

    /** A busybox script with CAP_CHOWN (runc's default set has none), which ends by creating /done. */
    static ContainerSpec script(String script) {
        return ContainerSpec.of("sh", "-c", script + "; touch /done; sleep 60").withConfigEdit(cfg -> {
            var caps = (ObjectNode) cfg.get("process").get("capabilities");
            for (String set : new String[] {"bounding", "effective", "permitted"}) {
                ((ArrayNode) caps.get(set)).add("CAP_CHOWN");
            }
        });
    }

    static void awaitDone(RunningContainer c) throws InterruptedException {
        Path done = c.bundle().rootfs().resolve("done");
        for (int i = 0; i < 400 && !Files.exists(done); i++) {
            Thread.sleep(25);
        }
        assertThat(done).exists();
    }

    static Set<String> names(Set<Integer> numbers) {
        SyscallTable t = SyscallTable.of(Arch.X86_64);
        Set<String> out = new TreeSet<>();
        numbers.forEach(n -> out.add(t.nameOrNumber(n)));
        return out;
    }

    @Test
    void aContainerStartedAfterLearningBeganIsLearnedFromItsFirstSyscall() throws Exception {
        String id = OciRuntime.uniqueId("learn-busybox");
        Path out = dir.resolve("p.yaml");
        Set<Integer> census;
        try (SyscallCensus bpftrace = SyscallCensus.start();
             LearnRun learn = LearnRun.start("--container", id, "--out", out.toString(), "--until-stable", "3s",
                     "--poll", "200ms")) {
            // The container does not exist yet: learning waits for it.
            JsonNode waiting = learn.await("waiting");
            assertThat(waiting.path("containers").get(0).asText()).isEqualTo(id);
            try (RunningContainer c = runc.start(id, script("mkdir /d && chown 1:1 /d && cat /etc/hostname >/dev/null"))) {
                awaitDone(c);
                // The container sleeps now: nothing more happens in its namespace until learning ends.
                assertThat(learn.finish()).as(learn.stderr.toString()).isZero();
                census = bpftrace.stop(c.pid());
            }
            JsonNode done = learn.await("done");
            assertThat(done.path("file").asText()).isEqualTo(out.toString());
        }
        Profile p = ProfileFiles.read(out);
        assertThat(p.metadata().name()).isEqualTo(id);
        assertThat(p.metadata().containerIds()).containsExactly(id);
        assertThat(p.metadata().runtimes()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("runc");
            assertThat(r.version()).startsWith("1.");
        });
        ArchProfile x64 = p.arch(Arch.X86_64);
        assertThat(x64.workload().keySet()).contains("execve").containsAnyOf("mkdir", "mkdirat")
                .containsAnyOf("chown", "fchownat", "lchown");
        // runc init's set-up is apart: it switches the root, the workload never does
        assertThat(x64.runtime()).containsKeys("pivot_root", "sethostname");
        assertThat(x64.workload()).doesNotContainKeys("pivot_root", "sethostname");
        assertThat(p.capsGranted()).containsKey(Capability.CHOWN);
        assertThat(p.capsGranted()).doesNotContainKey(Capability.SYS_ADMIN);
        assertThat(p.executables()).containsKey("/bin/busybox");
        assertThat(p.executables().get("/bin/busybox").sha256()).hasSize(1);

        // Complete from its first syscall: exactly what bpftrace counted in that namespace.
        Set<String> learned = new TreeSet<>(x64.workload().keySet());
        learned.addAll(x64.runtime().keySet());
        assertThat(learned).isEqualTo(names(census));
    }

    /**
     * A namespace that died before learning named it, whose number the container then takes (the
     * kernel hands the lowest free number out at once), is not the container: here a short-lived
     * {@code unshare -m} whose shell mounts (CAP_SYS_ADMIN granted, {@code mount} made by a file of
     * its own namespace, as a workload's would be). Learning once filed both under the container.
     */
    @Test
    void aDeadNamespaceWhoseNumberTheContainerTakesIsNotLearnedAsIt() throws Exception {
        for (int attempt = 1; attempt <= 3; attempt++) {
            String id = OciRuntime.uniqueId("learn-reuse");
            Path out = dir.resolve(id + ".yaml");
            long dead;
            long container;
            try (LearnRun learn = LearnRun.start("--container", id, "--out", out.toString(), "--until-stable", "3s",
                    "--poll", "200ms")) {
                learn.await("waiting");
                Process u = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                        "readlink /proc/self/ns/mnt; mount -t tmpfs none /mnt").redirectErrorStream(true).start();
                String said = new String(u.getInputStream().readAllBytes());
                assertThat(u.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(u.exitValue()).as(said).isZero();
                dead = Long.parseLong(said.strip().replaceAll("\\D", ""));
                try (RunningContainer c = runc.start(id, script("mkdir /d"))) {
                    container = io.eunomia.bpf.container.Namespaces.mountNamespace(c.pid()).orElseThrow();
                    awaitDone(c);
                    assertThat(learn.finish()).as(learn.stderr.toString()).isZero();
                }
            }
            if (container != dead) {
                System.out.println("LearnCommandTest: attempt " + attempt + ": the container has mount namespace "
                        + container + ", the dead one had " + dead + " (another namespace came in between)");
                continue;
            }
            Profile p = ProfileFiles.read(out);
            assertThat(p.arch(Arch.X86_64).workload().keySet()).containsAnyOf("mkdir", "mkdirat").doesNotContain("mount");
            assertThat(p.capsGranted()).doesNotContainKey(Capability.SYS_ADMIN);
            return;
        }
        String reason = "the container never took the number of the namespace that died just before (3 attempts)";
        System.out.println("LearnCommandTest: reused number not tested, " + reason);
        org.junit.jupiter.api.Assumptions.abort(reason);
    }

    /**
     * A private copy of the busybox root file system, for {@code learn --runtime runc --rootfs}. Its
     * directory name names the container ({@code NAME-learn}): unique, so that builds running side by
     * side never share a container name (runc would refuse the second; learning files a namespace of
     * that name as the workload's).
     */
    Path rootfs() {
        if (rootfsName == null) {
            rootfsName = OciRuntime.uniqueId("rootfs");
        }
        Path r = dir.resolve(rootfsName);
        if (!Files.exists(r)) {
            BusyboxRootfs.get().copyTo(r);
        }
        return r;
    }

    LearnRun.Finished learnCommand(Path out, String... command) throws Exception {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("learn", "--runtime", "runc",
                "--rootfs", rootfs().toString(), "--out", out.toString(), "--"));
        all.addAll(java.util.List.of(command));
        LearnRun.Finished f = LearnRun.run(all.toArray(String[]::new));
        assertThat(f.exit()).as(f.stderr()).isZero();
        assertThat(out).as("stdout:\n" + f.stdout() + "stderr:\n" + f.stderr()).exists();
        return f;
    }

    /**
     * A workload of a millisecond: /bin/true (a file of its own here, not busybox's applet link) is
     * gone before /proc/PID/exe could be read; its file is hashed by its path in the container's
     * root, and the hash is that of the root file system's file.
     */
    @Test
    void aMillisecondWorkloadsExecutableIsHashed() throws Exception {
        Path root = rootfs();
        Path trueFile = root.resolve("bin/true");
        Files.delete(trueFile);
        Files.copy(root.resolve("bin/busybox"), trueFile, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Path out = dir.resolve("true.yaml");
        LearnRun.Finished f = learnCommand(out, "/bin/true");
        Profile p = ProfileFiles.read(out);
        assertThat(p.executables()).as(f.stderr()).containsKey("/bin/true");
        Process sum = new ProcessBuilder("sha256sum", trueFile.toString()).redirectErrorStream(true).start();
        String expected = new String(sum.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split(" ")[0];
        assertThat(sum.waitFor()).isZero();
        assertThat(p.executables().get("/bin/true").sha256()).containsExactly(expected);
    }

    @Test
    void runsMergeDiffAndContinue() throws Exception {
        // Two runs of one binary that differ by one call: busybox 'true' and 'sync'.
        Path a = dir.resolve("a.yaml");
        Path b = dir.resolve("b.yaml");
        learnCommand(a, "/bin/true");
        learnCommand(b, "/bin/sync");
        Profile pa = ProfileFiles.read(a);
        assertThat(pa.arch(Arch.X86_64).workload().keySet()).contains("exit_group")
                .doesNotContain("mkdir", "mkdirat", "sync");

        // The workload differs by exactly that call. (runc init's own set-up varies from run to run,
        // e.g. the Go runtime's preemption signals: it is listed apart.)
        LearnRun.Finished diff = LearnRun.inProcess("profile", "diff", a.toString(), b.toString());
        assertThat(diff.exit()).as(diff.stderr()).isEqualTo(1);
        assertThat(diff.stdout()).startsWith("--- " + a + "\n+++ " + b + "\nx86_64 syscalls:\n  + sync\n");
        assertThat(diff.stdout().lines().filter(l -> l.startsWith("  ")).count()).as(diff.stdout())
                .isEqualTo(1 + runtimeChanges(diff.stdout()));
        LearnRun.Finished json = LearnRun.inProcess("profile", "diff", "--format", "json", b.toString(), a.toString());
        JsonNode d = LearnRun.JSON.readTree(json.stdout());
        assertThat(d.at("/syscalls").toString()).isEqualTo("{\"x86_64\":{\"added\":[],\"removed\":[\"sync\"]}}");
        for (String part : new String[] {"/arguments", "/capabilitiesGranted/added", "/capabilitiesGranted/removed",
                "/capabilitiesDenied/added", "/capabilitiesDenied/removed", "/executables/added", "/executables/removed"}) {
            assertThat(d.at(part).size()).as(part).isZero();
        }

        Path merged = dir.resolve("merged.yaml");
        LearnRun.Finished m = LearnRun.inProcess("profile", "merge", a.toString(), b.toString(), "-o", merged.toString());
        assertThat(m.exit()).as(m.stderr()).isZero();
        Profile pm = ProfileFiles.read(merged);
        assertThat(pm.arch(Arch.X86_64).workload().keySet()).contains("sync", "exit_group");
        assertThat(pm.metadata().containerIds()).hasSize(1);   // both runs were the same container name
        JsonNode mergedVsB = LearnRun.JSON.readTree(LearnRun.inProcess("profile", "diff", "--format", "json", merged.toString(),
                b.toString()).stdout());
        assertThat(mergedVsB.at("/syscalls").toString()).isEqualTo("{}");

        LearnRun.Finished show = LearnRun.inProcess("profile", "show", b.toString());
        assertThat(show.exit()).isZero();
        assertThat(show.stdout()).contains("x86_64: ").contains(" sync").contains("runtime set-up (");
        assertThat(LearnRun.inProcess("profile", "show", "--format", "json", b.toString()).stdout())
                .contains("\"apiVersion\" : \"eunomia.io/v1\"");

        // Learning the same container (name and image) again continues its profile.
        Profile pb = ProfileFiles.read(b);
        learnCommand(b, "/bin/sh", "-c", "mkdir /tmp/x");
        Profile again = ProfileFiles.read(b);
        assertThat(again.arch(Arch.X86_64).workload().keySet()).contains("sync").containsAnyOf("mkdir", "mkdirat");
        assertThat(again.metadata().learnedFrom()).isEqualTo(pb.metadata().learnedFrom());
        assertThat(again.metadata().learnedUntil()).isAfter(pb.metadata().learnedUntil());
        assertThat(again.arch(Arch.X86_64).workload().get("sync").firstSeen())
                .isEqualTo(pb.arch(Arch.X86_64).workload().get("sync").firstSeen());
    }

    /**
     * {@code learn --runtime crun -- COMMAND} on this host: crun 1.8 refuses its hybrid cgroup
     * layout unless started the way {@code CrunCgroups} does; the workload is learned apart from
     * crun's set-up.
     */
    @Test
    void aCrunWorkloadIsLearned() throws Exception {
        Path out = dir.resolve("crun.yaml");
        java.util.List<String> all = java.util.List.of("learn", "--runtime", "crun", "--rootfs", rootfs().toString(),
                "--out", out.toString(), "--", "/bin/sh", "-c", "mkdir /tmp/c && sync");
        LearnRun.Finished f = LearnRun.run(all.toArray(String[]::new));
        assertThat(f.exit()).as(f.stderr()).isZero();
        assertThat(f.stderr()).doesNotContain("hybrid mode not supported");
        Profile p = ProfileFiles.read(out);
        assertThat(p.metadata().runtimes()).singleElement().satisfies(r -> assertThat(r.name()).isEqualTo("crun"));
        ArchProfile x64 = p.arch(Arch.X86_64);
        assertThat(x64.workload().keySet()).contains("execve", "sync").containsAnyOf("mkdir", "mkdirat")
                .doesNotContain("pivot_root");
        assertThat(x64.runtime().keySet()).contains("pivot_root");
        assertThat(p.executables()).containsKey("/bin/busybox");
    }

    /** Lines listed under "runtime set-up syscalls" sections of a text diff. */
    static long runtimeChanges(String diff) {
        long n = 0;
        boolean inRuntime = false;
        for (String l : diff.lines().toList()) {
            if (!l.startsWith("  ")) {
                inRuntime = l.contains("runtime set-up syscalls:");
            } else if (inRuntime) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aThirtyTwoBitCallIsRecordedUnderX86() throws Exception {
        io.eunomia.testkit.EvasionProbe.ia32Unavailable().ifPresent(reason -> {
            System.out.println("LearnCommandTest: 32-bit call skipped, " + reason);
            org.junit.jupiter.api.Assumptions.abort(reason);
        });
        // int $0x80 from a 64-bit static binary is an ia32 call: eax 20 is getpid there, writev on x86_64.
        Path src = dir.resolve("ia32.S");
        Files.writeString(src, ".globl _start\n_start:\n  mov $20, %eax\n  int $0x80\n  mov $60, %eax\n  xor %edi, %edi\n  syscall\n");
        Path bin = rootfs().resolve("ia32");
        Process gcc = new ProcessBuilder("gcc", "-nostdlib", "-static", "-o", bin.toString(), src.toString())
                .redirectErrorStream(true).start();
        String gccOut = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as("gcc: " + gccOut).isZero();
        Path out = dir.resolve("ia32.yaml");
        learnCommand(out, "/ia32");
        Profile p = ProfileFiles.read(out);
        assertThat(p.arch(Arch.X86).workload().keySet()).containsExactly("getpid");
        assertThat(p.arch(Arch.X86_64).workload().keySet()).containsExactly("exit").doesNotContain("writev");
    }

    @Test
    void killMinusNineLeavesTheLastCheckpoint() throws Exception {
        String id = OciRuntime.uniqueId("learn-kill");
        Path out = dir.resolve("k.yaml");
        try (LearnRun learn = LearnRun.start("--container", id, "--out", out.toString(), "--checkpoint", "1",
                "--metrics-address", "127.0.0.1:0");
             RunningContainer c = runc.start(id, script("mkdir /d"))) {
            awaitDone(c);
            // A checkpoint may be written before the container's calls were folded in: wait for
            // one that holds its mkdir (each checkpoint line comes after its file was renamed).
            boolean learned = false;
            for (int i = 0; i < 30 && !learned; i++) {
                JsonNode cp = learn.await("checkpoint");
                assertThat(cp.path("file").asText()).isEqualTo(out.toString());
                learned = hasMkdir(out);
            }
            assertThat(learned).as("a checkpoint holding the container's mkdir; stderr:\n" + learn.stderr).isTrue();

            // While it learns: the metrics say what and how much.
            String at = learn.stderr.toString().replaceAll("(?s).*metrics on (http://\\S+/metrics).*", "$1");
            // The gauges are registered by the learner's own thread: scrape until they show, then judge.
            String metrics = scrape(at);
            for (long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                 !metrics.matches("(?s).*eunomia_learning_items\\{profile=\"" + id + "\"} [1-9].*") && System.nanoTime() < end; ) {
                Thread.sleep(200);
                metrics = scrape(at);
            }
            assertThat(metrics).contains("eunomia_learning_containers 1.0")
                    .containsPattern("eunomia_learning_items\\{profile=\"" + id + "\"} [1-9]")
                    .containsPattern("eunomia_learning_last_new_item_age_seconds\\{profile=\"" + id + "\"} ")
                    .contains("eunomia_learning_map_capacity{map=\"syscalls\"} 4096.0")
                    .containsPattern("eunomia_learning_map_entries\\{map=\"syscalls\"} [1-9]")
                    .contains("eunomia_learning_not_recorded_total{reason=\"map_full\"} 0.0");
            new ProcessBuilder("kill", "-KILL", Long.toString(learn.process.pid())).start().waitFor();
            assertThat(learn.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Profile p = ProfileFiles.read(out);
        assertThat(p.metadata().containerIds()).containsExactly(id);
        assertThat(p.arch(Arch.X86_64).workload().keySet()).containsAnyOf("mkdir", "mkdirat");
    }

    private static String scrape(String url) throws Exception {
        try (var in = java.net.URI.create(url).toURL().openStream()) {
            return new String(in.readAllBytes());
        }
    }

    private static boolean hasMkdir(Path profile) throws Exception {
        var calls = ProfileFiles.read(profile).arch(Arch.X86_64).workload().keySet();
        return calls.contains("mkdir") || calls.contains("mkdirat");
    }

    @Test
    void aBrokenProfileIsReportedAtItsLineAndNeverOverwritten() throws Exception {
        Path out = dir.resolve("broken.yaml");
        learnCommand(out, "/bin/true");
        String broken = Files.readString(out).replace("name: exit_group", "name: exit_grop");
        Files.writeString(out, broken);
        int line = (int) broken.substring(0, broken.indexOf("exit_grop")).chars().filter(ch -> ch == '\n').count() + 1;

        LearnRun.Finished show = LearnRun.inProcess("profile", "show", out.toString());
        assertThat(show.exit()).isEqualTo(2);
        assertThat(show.stderr()).startsWith("eunomia: " + out + ":" + line + ":")
                .contains("unknown syscall 'exit_grop' for x86_64").doesNotContain("Exception");

        LearnRun.Finished learn = LearnRun.run("learn", "--runtime", "runc", "--rootfs", rootfs().toString(),
                "--out", out.toString(), "--", "/bin/true");
        assertThat(learn.exit()).isEqualTo(2);
        assertThat(learn.stderr()).contains(out + ":" + line + ":").contains("nothing was learned or written");
        assertThat(Files.readString(out)).isEqualTo(broken);

        Files.writeString(out, broken.substring(0, broken.length() / 2));
        LearnRun.Finished cut = LearnRun.inProcess("profile", "show", out.toString());
        assertThat(cut.exit()).isEqualTo(2);
        assertThat(cut.stderr()).matches("(?s)eunomia: " + java.util.regex.Pattern.quote(out.toString()) + ":\\d+:\\d+: .*");
    }
}
