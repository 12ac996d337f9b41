package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.eunomia.libbpf.SystemdJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * podman's events with the journald backend ({@code events_logger = "journald"}, podman's default
 * where journald runs): the podman process sends each event to journald itself (fields
 * {@code PODMAN_ID}, {@code PODMAN_NAME}, {@code PODMAN_IMAGE}, {@code PODMAN_LABELS}: the labels as
 * JSON), so it needs no API service, and the journal keeps a {@code --rm} container's "create" entry
 * after podman removed every other record. Read from journald's files in one directory
 * (/var/log/journal, /run/log/journal, or a host's journal mounted into the monitor's container)
 * with libsystemd's sd-journal through FFM: no journalctl, no subprocess.
 *
 * <p>Only entries of root's podman ({@code _UID=0}, a field journald sets from the sender's
 * credentials: nobody can write it) name containers: any local user may write to the journal, and
 * only root may write the file backend's log. Like {@link PodmanEventLog} it is read on demand
 * ({@link PodmanEventIndex}: only on a lookup's miss, bounded, least recently looked up forgotten
 * first): a look reads at most {@link #MAX_CATCH_UP} of the entries that name containers past the
 * last one read, the first look starts {@link #START_TAIL} of them before the end, and an entry with a field of
 * {@link #MAX_FIELD} bytes or more is skipped. Files journald rotates or adds are taken in at each
 * look. A directory without journal files is not opened (libsystemd stays unloaded where journald
 * does not run); no libsystemd: nothing to read (said once).
 */
final class PodmanJournal extends PodmanEventIndex {
    private static final System.Logger LOG = System.getLogger(PodmanJournal.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Root's podman's container events that name a container, as its journald backend tags them:
     * "create" (written before the container's process runs) and "rename". Not the 5-6 other events
     * of each container (init, start, died, ...): they would cost as much to read and name nothing new.
     */
    static final List<String> MATCHES = List.of("SYSLOG_IDENTIFIER=podman", "PODMAN_TYPE=container",
            "PODMAN_EVENT=create", "PODMAN_EVENT=rename", "_UID=0");
    /**
     * Entries naming containers (one or two per container; the file backend's 1 MiB tail holds ~7 lines
     * of each of ~400): a first look read ~1,000 in 1-3 s in a fresh JVM at load 17, ~18 us each warm.
     */
    static final int START_TAIL = 1024;
    static final int MAX_CATCH_UP = 8192;
    static final int MAX_FIELD = 1 << 16;

    private final Path dir;
    /** Guarded by the index's one-reader-at-a-time lock: the open journal, null before the first look and after a failure. */
    private SystemdJournal journal;
    private boolean warned;
    /** No libsystemd on this host: never tried again. */
    private boolean unavailable;

    PodmanJournal(Path dir) {
        this(dir, CAPACITY);
    }

    PodmanJournal(Path dir, int capacity) {
        super(capacity);
        this.dir = dir;
    }

    Path directory() {
        return dir;
    }

    @Override
    void catchUp() {
        try {
            int read = 0;
            if (journal == null) {
                if (unavailable || !holdsJournalFiles()) {
                    return; // no journald here (or not persistent): nothing to read, and libsystemd not loaded
                }
                journal = open();
                if (journal.previousSkip(START_TAIL) > 0) {
                    entry(); // the oldest of the tail, now the current entry
                    read++;
                }
            } else {
                journal.process();
            }
            for (; read < MAX_CATCH_UP && journal.next(); read++) {
                entry();
            }
        } catch (IOException e) {
            // Opened again from the tail at the next look (journald may have removed the files read).
            warnOnce(e.getMessage());
            release();
        } catch (LinkageError e) {
            unavailable = true;
            warnOnce(e.getMessage());
            release();
        }
    }

    /** A *.journal file in the directory or a machine-id directory in it (where journald writes). */
    private boolean holdsJournalFiles() {
        try (Stream<Path> files = Files.find(dir, 2, (f, attrs) -> attrs.isRegularFile()
                && f.getFileName().toString().endsWith(".journal"))) {
            return files.findAny().isPresent();
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    private SystemdJournal open() throws IOException {
        SystemdJournal j = SystemdJournal.openSystemFiles(dir);
        try {
            for (String m : MATCHES) {
                j.addMatch(m);
            }
            j.setDataThreshold(MAX_FIELD);
            j.seekTail();
            return j;
        } catch (IOException | RuntimeException e) {
            j.close();
            throw e;
        }
    }

    /** The current entry's container, if its fields make one. */
    private void entry() throws IOException {
        try {
            Optional<byte[]> labels = journal.field("PODMAN_LABELS");
            JsonNode attributes = labels.isPresent() ? JSON.readTree(labels.get()) : MissingNode.getInstance();
            take(text("PODMAN_ID"), text("PODMAN_NAME"), text("PODMAN_IMAGE"), attributes);
        } catch (IOException e) {
            // A field too long to take, or labels that are not JSON: someone else's entry, skipped.
        }
    }

    private String text(String field) throws IOException {
        return journal.field(field).map(v -> new String(v, StandardCharsets.UTF_8)).orElse("");
    }

    private void warnOnce(String why) {
        if (!warned) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, "podman's events in the journal at " + dir + " cannot be read (" + why
                    + "): podman containers removed before they were looked up are named by id");
        }
    }

    @Override
    void release() {
        if (journal != null) {
            journal.close();
            journal = null;
        }
    }
}
