package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.Journald;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * podman with its journald events backend (the default where journald runs) and no API service: a
 * container removed before anyone asked is still named, from podman's entries in the journal, read
 * through libsystemd. A journald of the test's own takes podman's events (see {@link Journald});
 * the resolver reads its files. As in {@link PodmanEventLogTest}, each container's identity is read
 * from /proc while it runs, and the resolver is asked only after podman removed it.
 */
class PodmanJournalTest {
    private static final String POD_NAME = "io.kubernetes.pod.name";
    private static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    private static Journald journald;
    private static Podman podman;

    @BeforeAll
    static void start() {
        journald = Journald.start();
        podman = Podman.startWithJournald("localhost/eunomia-busybox:journal", journald);
    }

    @AfterAll
    static void stop() {
        if (podman != null) {
            podman.close();
        }
        if (journald != null) {
            journald.close();
        }
    }

    @Test
    void removedContainersAreNamedFromTheJournalWithoutAnApiService() throws Exception {
        String controller = CgroupControllers.watchedV1().map(CgroupControllers.Controller::name).orElse("");
        // No file log, not even the default one: only the journal can name them. The test's podman
        // storage tells the resolver which labels the image did not set (pod labels are trusted only then).
        ContainerSources journalOnly = ContainerSources.defaults().withoutPodmanEventLogs()
                .withPodmanJournal(journald.journalDir()).withPodmanGraphRoot(podman.graphRoot());
        try (ContainerResolver resolver = new ContainerResolver(journalOnly, controller);
             ContainerResolver withoutJournal = new ContainerResolver(ContainerSources.defaults().withoutPodmanEventLogs(),
                     controller)) {
            for (int i = 0; i < 4; i++) {
                String name = OciRuntime.uniqueId("jrnl-" + i);
                // One with pod labels: they come as PODMAN_LABELS, JSON in a journal field.
                Map<String, String> labels = i == 1 ? Map.of(POD_NAME, "pod-" + i, POD_NAMESPACE, "ns-" + i) : Map.of();
                if (i == 2) {
                    // journald closes its files and starts new ones (SIGUSR2: rotate): entries from
                    // now on are in a file the reader did not have open at its last look.
                    rotate();
                }
                NamespaceIdentity identity;
                String id;
                try (EngineContainer c = podman.start(name, labels, List.of("sleep", "30"))) {
                    id = c.id();
                    identity = resolver.identityOf((int) c.pid(), PodmanEventLogTest.mntns(c.pid()), 0).orElseThrow();
                    if (i == 3) {
                        // Named by its last name: the "rename" entry comes after the "create" one.
                        String renamed = name + "-renamed";
                        podman.cli(Duration.ofSeconds(60), "rename", id, renamed).orThrow("podman rename");
                        name = renamed;
                    }
                }
                assertThat(Files.readString(podman.containersJson())).as("podman removed its storage record")
                        .doesNotContain(id);
                ContainerResolver.Resolution r = resolver.resolve(identity);
                assertThat(r.info()).as("journal:\n%s", journald.dump()).isEqualTo(new ContainerInfo(id, name,
                        podman.image(), "podman", labels.getOrDefault(POD_NAME, ""), labels.getOrDefault(POD_NAMESPACE, "")));
                assertThat(r.complete()).isTrue();
                // The control: the same identity without the journal is named by its id only.
                ContainerResolver.Resolution without = withoutJournal.resolve(identity);
                assertThat(without.info().name()).isEqualTo(id);
                assertThat(without.complete()).isFalse();
            }
        }
        assertThat(podman.eventLog()).as("podman wrote its events to journald only").doesNotExist();
    }

    /**
     * Anyone may write to the journal, with any field it likes except journald's own (_UID, _PID, ...):
     * an entry that looks like podman's but was not sent by root names nothing. The same entry sent by
     * root does, so the first lookup provably read past it.
     */
    @Test
    void entriesNotSentByRootNameNothing() throws Exception {
        String forged = randomId();
        String genuine = randomId();
        try (PodmanJournal journal = new PodmanJournal(journald.journalDir())) {
            journald.sendAs(65534, entry(forged, "forged-name"));
            journald.sendAs(0, entry(genuine, "root-name"));
            // logger returns once its datagram is queued; journald writes it a moment later, after the forged one.
            Optional<EngineEvents.Names> named = journal.lookup(genuine);
            for (long deadline = System.nanoTime() + 10_000_000_000L; named.isEmpty() && System.nanoTime() < deadline; ) {
                Thread.sleep(20);
                named = journal.lookup(genuine);
            }
            assertThat(named.map(EngineEvents.Names::name)).as("journal:\n%s", journald.dump()).contains("root-name");
            assertThat(journal.lookup(forged)).isEmpty();
        }
    }

    private static Map<String, String> entry(String id, String name) {
        return Map.of("MESSAGE", "container create " + id, "SYSLOG_IDENTIFIER", "podman", "PODMAN_EVENT", "create",
                "PODMAN_TYPE", "container", "PODMAN_ID", id, "PODMAN_NAME", name, "PODMAN_IMAGE", "localhost/x:1");
    }

    private static String randomId() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static void rotate() throws Exception {
        long files = journalFiles();
        new ProcessBuilder("kill", "-USR2", Long.toString(journald.pid())).inheritIO().start().waitFor();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (journalFiles() <= files && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(journalFiles()).as("journald rotated its file").isGreaterThan(files);
    }

    private static long journalFiles() throws Exception {
        try (var s = Files.walk(journald.journalDir())) {
            return s.filter(f -> f.getFileName().toString().endsWith(".journal")).count();
        }
    }
}
