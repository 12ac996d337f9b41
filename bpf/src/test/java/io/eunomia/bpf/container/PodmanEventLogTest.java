package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.testkit.BesideTheStream;
import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podman without its API service (plain {@code podman run}): a container removed before anyone
 * asked is still named, from podman's own event log. The container's identity is read from /proc
 * while it runs (as the kernel's record of its namespace would give it); the resolver is asked only
 * after podman removed it, its storage record and its runtime state, which is where a 50 ms
 * {@code --rm} container is by the time a loaded machine's resolver gets to it.
 */
@BesideTheStream
class PodmanEventLogTest {
    private static Podman podman;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        podman = Podman.start("localhost/eunomia-busybox:evlog");
    }

    @AfterAll
    static void stop() {
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void removedContainersAreNamedFromTheEventLogWithoutAnApiService() throws Exception {
        String controller = CgroupControllers.watchedV1().map(CgroupControllers.Controller::name).orElse("");
        try (ContainerResolver resolver = new ContainerResolver(
                ContainerSources.defaults().withPodmanEventLog(podman.eventLog()), controller)) {
            for (int i = 0; i < 4; i++) {
                String name = OciRuntime.uniqueId("evlog-" + i);
                NamespaceIdentity identity;
                String id;
                try (EngineContainer c = podman.start(name, Map.of(), List.of("sleep", "30"))) {
                    id = c.id();
                    identity = resolver.identityOf((int) c.pid(), mntns(c.pid()), 0).orElseThrow();
                }
                assertThat(Files.readString(podman.containersJson())).as("podman removed its storage record")
                        .doesNotContain(id);
                ContainerResolver.Resolution r = resolver.resolve(identity);
                assertThat(r.info()).isEqualTo(new ContainerInfo(id, name, podman.image(), "podman", "", ""));
                assertThat(r.complete()).isTrue();
            }
        }
    }

    @Test
    void aRotatedLogIsReadFromItsStartAndTooLongLinesAreSkipped() throws Exception {
        Path file = tmp.resolve("events.log");
        String a = "a".repeat(64);
        String b = "b".repeat(64);
        String c = "c".repeat(64);
        Files.writeString(file, line(a, "first") + "{\"Type\":\"container\",\"x\":\"" + "y".repeat(PodmanEventLog.MAX_LINE)
                + "\"}\n" + line(b, "second"));
        PodmanEventLog log = new PodmanEventLog(file);
        assertThat(log.lookup(a).map(EngineEvents.Names::name)).contains("first");
        assertThat(log.lookup(b).map(EngineEvents.Names::name)).contains("second");
        // podman replaces the file when it rotates it: a new inode, shorter than where the reader was.
        Path next = tmp.resolve("events.log.new");
        Files.writeString(next, line(c, "third"));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(log.lookup(c).map(EngineEvents.Names::name)).contains("third");
        // A line still being written (no newline yet) is taken once it is complete.
        String d = "d".repeat(64);
        String half = line(d, "fourth");
        Files.writeString(file, half.substring(0, 40), java.nio.file.StandardOpenOption.APPEND);
        assertThat(log.lookup(d)).isEmpty();
        Files.writeString(file, half.substring(40), java.nio.file.StandardOpenOption.APPEND);
        assertThat(log.lookup(d).map(EngineEvents.Names::name)).contains("fourth");
    }

    /**
     * Past its bound the log forgets the container looked up least recently, not the one seen first:
     * a long-running container, seen early and looked up again and again, keeps its name. Before,
     * eviction went by insertion order and forgot it first (this test failed: "a" was empty).
     */
    @Test
    void forgetsTheContainerLookedUpLeastRecentlyAndCountsIt() throws Exception {
        Path file = tmp.resolve("events.log");
        String a = "a".repeat(64);
        String b = "b".repeat(64);
        String c = "c".repeat(64);
        Files.writeString(file, line(a, "long-running") + line(b, "second"));
        PodmanEventLog log = new PodmanEventLog(file, 2);
        assertThat(log.lookup(b).map(EngineEvents.Names::name)).contains("second");
        assertThat(log.lookup(a).map(EngineEvents.Names::name)).contains("long-running");
        Files.writeString(file, line(c, "third"), java.nio.file.StandardOpenOption.APPEND);
        assertThat(log.lookup(c).map(EngineEvents.Names::name)).contains("third");
        assertThat(log.forgotten()).isEqualTo(1);
        assertThat(log.lookup(a).map(EngineEvents.Names::name)).as("looked up most recently before the third came")
                .contains("long-running");
        assertThat(log.lookup(b)).as("looked up least recently: forgotten").isEmpty();
    }

    private static String line(String id, String name) {
        return "{\"ID\":\"" + id + "\",\"Image\":\"localhost/x:1\",\"Name\":\"" + name
                + "\",\"Status\":\"create\",\"Time\":\"2026-12-07T06:23:57.198731346Z\",\"Type\":\"container\",\"Attributes\":{}}\n";
    }

    static long mntns(long pid) throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "mnt")).toString();
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }
}
