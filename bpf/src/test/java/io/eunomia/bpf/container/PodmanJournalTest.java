package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.testkit.BesideTheStream;
import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.Journald;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
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
@BesideTheStream
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
                        // Named by its last name: the "rename" entry comes after the "create" one. Unless
                        // `podman rename` exited before journald read its /proc entry: an entry without
                        // _COMM is one anyone could have sent, and is not read (PodmanJournal; 3 of 45
                        // renames here): then the name it had before is the right answer.
                        String renamed = name + "-renamed";
                        podman.cli(Duration.ofSeconds(60), "rename", id, renamed).orThrow("podman rename");
                        String renameEntry = journald.entries("PODMAN_EVENT=rename", "PODMAN_ID=" + id);
                        for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                             !renameEntry.contains("PODMAN_NAME=" + renamed) && System.nanoTime() < end; ) {
                            Thread.sleep(50);   // journald writes what it received a moment later
                            renameEntry = journald.entries("PODMAN_EVENT=rename", "PODMAN_ID=" + id);
                        }
                        assertThat(renameEntry).as("the journal has podman's rename entry").contains("PODMAN_NAME=" + renamed);
                        if (renameEntry.lines().anyMatch("_COMM=podman"::equals)) {
                            name = renamed;
                        } else {
                            System.out.println("PodmanJournalTest: the rename entry has no _COMM=podman (podman rename exited"
                                    + " before journald looked): the container keeps its first name, as documented");
                        }
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
     * Anyone may write to the journal, with any field it likes except journald's own (_UID, _EXE,
     * _COMM, ...): an entry that looks like podman's but was not sent by root's podman names nothing,
     * neither a user's nor root's from another program (root in a container that has the journal's
     * socket). A real podman's "create" entry written after them is named, so the lookups provably
     * read past them. Failed on the old code for root's entry from logger (only _UID=0 was asked for).
     */
    @Test
    void entriesNotSentByRootsPodmanNameNothing() throws Exception {
        String byUser = randomId();
        String byRoot = randomId();
        try (PodmanJournal journal = new PodmanJournal(journald.journalDir())) {
            journald.sendAs(65534, entry(byUser, "user-name"));
            journald.sendAs(0, entry(byRoot, "root-logger-name"));
            String id = namedByPodman(journal, OciRuntime.uniqueId("jrnl-trust"), Map.of());
            assertThat(journal.lookup(byUser)).as("journal:\n%s", journald.dump()).isEmpty();
            assertThat(journal.lookup(byRoot)).as("journal:\n%s", journald.dump()).isEmpty();
            assertThat(journal.lookup(id)).isPresent();
        }
    }

    /**
     * The journal is open only during a look: afterwards the process has no descriptor or mapping of
     * its files (an open reader kept the files journald rotated out and vacuumed, and their disk
     * space, until the next look). A rotation and a vacuum that removes the file of the last entry
     * read (the reader's cursor) lose none of the entries written after it. The fd/maps check failed
     * on the old code, which kept the journal open between looks.
     */
    @Test
    void theJournalIsClosedBetweenLooksAndAVacuumedCursorLosesNothing() throws Exception {
        Path dir = journald.journalDir().toRealPath();
        try (PodmanJournal journal = new PodmanJournal(journald.journalDir())) {
            namedByPodman(journal, OciRuntime.uniqueId("jrnl-open-a"), Map.of());
            assertThat(heldJournalFiles(dir)).as("fds and mappings of %s after a look", dir).isEmpty();

            rotate();
            // What journald's vacuum does (SystemMaxFiles=, journalctl --vacuum-*): unlinks archived
            // files, here every one, with the last entry read.
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().contains("@")
                        && f.getFileName().toString().endsWith(".journal")).toList()) {
                    Files.delete(f);
                }
            }
            String b = namedByPodman(journal, OciRuntime.uniqueId("jrnl-open-b"), Map.of());
            String c = namedByPodman(journal, OciRuntime.uniqueId("jrnl-open-c"), Map.of());
            assertThat(journal.lookup(b)).isPresent();
            assertThat(journal.lookup(c)).isPresent();
            assertThat(heldJournalFiles(dir)).as("fds and mappings of %s after a look", dir).isEmpty();
            assertThat(journal.skipped()).isZero();
        }
    }

    /**
     * podman's entry of a container with a label of 64 KiB or more (PODMAN_LABELS, past the reader's
     * field limit) is skipped, and counted; the next container's entry is read. Failed on the old
     * code: nothing counted the skip.
     */
    @Test
    void anEntryWithATooLongFieldIsSkippedAndCounted() throws Exception {
        try (PodmanJournal journal = new PodmanJournal(journald.journalDir())) {
            String longLabel = "x".repeat(PodmanJournal.MAX_FIELD + 1);
            String tooLong;
            try (EngineContainer c = podman.start(OciRuntime.uniqueId("jrnl-long"), Map.of("long", longLabel),
                    List.of("sleep", "30"))) {
                tooLong = c.id();
            }
            namedByPodman(journal, OciRuntime.uniqueId("jrnl-after-long"), Map.of());
            assertThat(journal.lookup(tooLong)).as("journal:\n%s", journald.dump()).isEmpty();
            assertThat(journal.skipped()).isEqualTo(1);
        }
    }

    /** Runs a container with podman and awaits its name from the journal (journald writes it a moment after podman sent it). */
    private static String namedByPodman(PodmanJournal journal, String name, Map<String, String> labels) throws Exception {
        String id;
        try (EngineContainer c = podman.start(name, labels, List.of("sleep", "30"))) {
            id = c.id();
        }
        Optional<EngineEvents.Names> named = journal.lookup(id);
        for (long deadline = System.nanoTime() + 10_000_000_000L; named.isEmpty() && System.nanoTime() < deadline; ) {
            Thread.sleep(20);
            named = journal.lookup(id);
        }
        assertThat(named.map(EngineEvents.Names::name)).as("journal:\n%s", journald.dump()).contains(name);
        return id;
    }

    /** This process's descriptors and mappings of files under dir. */
    private static List<String> heldJournalFiles(Path dir) throws Exception {
        List<String> held = new java.util.ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(dir)) {
                        held.add("fd " + fd.getFileName() + " -> " + target);
                    }
                } catch (java.io.IOException closedMeanwhile) {
                    // the listing's own descriptor, or one closed since
                }
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains(dir.toString())) {
                held.add("map " + line);
            }
        }
        return held;
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
