package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.abi.Arch;
import io.eunomia.engine.EunomiaProcess;
import io.eunomia.engine.Main;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.SyscallUse;
import io.eunomia.testkit.BesideTheStream;
import io.eunomia.testkit.BpfFds;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --ring-mib reaches the kernel: the shared ring map ("events") the running monitor holds has that
 * size as the kernel reports it (bpftool), also when profiles are enforced; a bad size is refused.
 */
@BesideTheStream
class RingSizeOptionLiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @Test
    void theRingIsAsLargeAsAsked() throws Exception {
        assertThat(ringBytesOfRunningMonitor("--ring-mib", "8")).isEqualTo(8 << 20);
    }

    @Test
    void theRingIsAsLargeAsAskedWhileEnforcing() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        ProfileFiles.write(profiles.resolve("ring-test.yaml"), profile("eunomia-ring-test-no-such-container"));
        assertThat(ringBytesOfRunningMonitor("--ring-mib", "16", "--profiles", profiles.toString())).isEqualTo(16 << 20);
    }

    @Test
    void aSizeThatIsNotAPowerOfTwoIsRefusedSayingWhatIsAllowed() throws Exception {
        for (String bad : List.of("3", "0", "2048", "many")) {
            Process p = EunomiaProcess.builder("monitor", "--ring-mib", bad, "--no-metrics", "--no-control").start();
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(err).isEqualTo(Main.EXIT_USAGE);
            assertThat(err).contains("Invalid value for option '--ring-mib'")
                    .contains("a power of two from 1 to 1024 (MiB: 1, 2, 4, 8, ... 1024; default 4)")
                    .doesNotContain("\tat ");
        }
    }

    /** Starts the monitor, reads back the size of its ring map from the kernel, stops it. */
    private static long ringBytesOfRunningMonitor(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("monitor", "--no-metrics", "--no-control", "--duration", "600",
                "--rule-cache", dir.resolve("rule-cache").toString()));
        args.addAll(List.of(options));
        Process p = EunomiaProcess.builder(args.toArray(String[]::new)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            EunomiaProcess.awaitLine(err, "monitoring with");
            List<JsonNode> rings = mapsOf(p.pid()).stream()
                    .filter(m -> m.path("type").asText().equals("ringbuf") && m.path("name").asText().equals("events")).toList();
            assertThat(rings).as("the monitor's shared ring map").hasSize(1);
            return rings.getFirst().path("max_entries").asLong();
        } finally {
            p.destroy();   // SIGTERM: the monitor detaches and exits
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** The BPF maps a process holds fds of, as bpftool describes them. */
    private static List<JsonNode> mapsOf(long pid) throws Exception {
        List<JsonNode> maps = new ArrayList<>();
        for (long id : BpfFds.ids(pid, "map")) {
            Process b = new ProcessBuilder("bpftool", "-j", "map", "show", "id", Long.toString(id)).start();
            byte[] out = b.getInputStream().readAllBytes();
            if (b.waitFor() == 0) {
                maps.add(JSON.readTree(out));
            }
        }
        return maps;
    }

    private static Profile profile(String name) {
        Instant now = Instant.now();
        TreeMap<String, SyscallUse> calls = new TreeMap<>();
        calls.put("read", new SyscallUse("read", now));
        TreeMap<Arch, ArchProfile> arches = new TreeMap<>();
        arches.put(Arch.current(), new ArchProfile(Arch.current(), calls, new TreeMap<>(), List.of()));
        return new Profile(new ProfileMetadata(name, "", new TreeSet<>(), List.of(), new TreeSet<>(), null, now, now, List.of()),
                arches, new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    }
}
