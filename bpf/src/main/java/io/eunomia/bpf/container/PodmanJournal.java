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
 * <p>Only entries of root's podman name containers: {@code _UID=0} and {@code _COMM}, {@code _EXE}
 * naming podman, fields journald sets from the sender's credentials and /proc (no sender can write
 * them): any local user may write to the journal, and only root may write the file backend's log.
 * This keeps out other programs (logger, a script) of root in a container that has the journal's
 * socket mounted; it is no boundary: a binary its sender names podman passes (the path is the one
 * in the sender's mount namespace), and so does a sender gone before journald read /proc (no
 * {@code _EXE}: then {@code _COMM}, which a process may set, is all there is; one gone before
 * journald read even that has no {@code _COMM} and is not read: 1 of 40 {@code podman create} and
 * 3 of 45 {@code podman rename} entries here, none of 245 {@code podman run}'s, README). No field journald
 * records holds either (every one that tells senders apart is read from /proc after the entry
 * came; README, "Limit of podman's journal entries"). Like {@link PodmanEventLog} it is read on demand
 * ({@link PodmanEventIndex}: only on a lookup's miss, bounded, least recently looked up forgotten
 * first): a look reads at most {@link #MAX_CATCH_UP} of the entries that name containers past the
 * last one read (its cursor), the first look starts {@link #START_TAIL} of them before the end, and
 * an entry with a field of {@link #MAX_FIELD} bytes or more is skipped (counted). The journal is
 * opened for each look and closed after it, so files journald rotates out and vacuums are not kept
 * mapped (their disk space freed) between looks. A directory without journal files is not opened
 * (libsystemd stays unloaded where journald does not run); no libsystemd: nothing to read (said once).
 */
final class PodmanJournal extends PodmanEventIndex {
    private static final System.Logger LOG = System.getLogger(PodmanJournal.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The podman binary's name: what journald's {@code _COMM} and the file name of its {@code _EXE} say for podman's entries. */
    private static final String PODMAN = "podman";
    /**
     * Root's podman's container events that name a container, as its journald backend tags them:
     * "create" (written before the container's process runs) and "rename". Not the 5-6 other events
     * of each container (init, start, died, ...): they would cost as much to read and name nothing new.
     */
    static final List<String> MATCHES = List.of("SYSLOG_IDENTIFIER=podman", "PODMAN_TYPE=container",
            "PODMAN_EVENT=create", "PODMAN_EVENT=rename", "_UID=0", "_COMM=" + PODMAN);
    /**
     * Entries naming containers (one or two per container; the file backend's 1 MiB tail holds ~7 lines
     * of each of ~400): a first look read ~1,000 in 1-3 s in a fresh JVM at load 17, ~18 us each warm.
     */
    static final int START_TAIL = 1024;
    static final int MAX_CATCH_UP = 8192;
    static final int MAX_FIELD = 1 << 16;

    private final Path dir;
    /** Guarded by the index's one-reader-at-a-time lock: the journal open during a look, null between looks. */
    private SystemdJournal journal;
    /** Guarded by the same lock: the last entry read; null before the first look and after a failure. */
    private String cursor;
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
        if (unavailable || !holdsJournalFiles()) {
            return; // no journald here (or not persistent): nothing to read, and libsystemd not loaded
        }
        // Opened for this look only: an open reader keeps every file it mapped, so the disk space of
        // files journald rotated out and vacuumed would stay taken until the next look (days apart).
        try (SystemdJournal j = open()) {
            journal = j;
            int read = 0;
            boolean positioned;
            if (cursor == null) {
                j.seekTail();
                positioned = j.previousSkip(START_TAIL) > 0;
                if (positioned) {
                    entry(); // the oldest of the tail, now the current entry
                    read++;
                }
            } else {
                j.seekCursor(cursor);
                positioned = j.next();
                if (positioned && !j.atCursor(cursor)) {
                    entry(); // the last one read is gone (vacuumed): this is the first one after it
                    read++;
                }
            }
            for (; read < MAX_CATCH_UP && j.next(); read++) {
                entry();
            }
            if (positioned) {
                cursor = j.cursor(); // the last entry read: sd_journal_next leaves the position there at the end
            }
        } catch (IOException e) {
            // Opened again from the tail at the next look.
            cursor = null;
            warnOnce(e.getMessage());
        } catch (LinkageError e) {
            unavailable = true;
            warnOnce(e.getMessage());
        } finally {
            journal = null;
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
            return j;
        } catch (IOException | RuntimeException e) {
            j.close();
            throw e;
        }
    }

    /** The current entry's container, if its fields make one. */
    private void entry() throws IOException {
        try {
            if (!sentByPodman()) {
                return; // root's, but another program's: someone else's entry
            }
            Optional<byte[]> labels = journal.field("PODMAN_LABELS");
            JsonNode attributes = labels.isPresent() ? JSON.readTree(labels.get()) : MissingNode.getInstance();
            take(text("PODMAN_ID"), text("PODMAN_NAME"), text("PODMAN_IMAGE"), attributes);
        } catch (IOException e) {
            // A field too long to take, or labels that are not JSON: someone else's entry, skipped.
            countSkipped();
        }
    }

    /**
     * The program journald saw send it ({@code _COMM=podman} is a match) is podman: its
     * {@code _EXE} (journald's readlink of /proc/PID/exe, which the sender cannot set) names a
     * podman binary, so root in a container that has the journal's socket mounted, running another
     * program, names nothing. journald reads /proc after the entry came: of a sender already gone
     * (podman rename exits at once) it has no {@code _EXE} and no {@code _CMDLINE}, and a journald
     * that may not read other users' /proc/PID/exe (in a user namespace, as in the tests) writes no
     * {@code _EXE}: then the command line's program, if there is one, must name podman.
     */
    private boolean sentByPodman() throws IOException {
        String exe = text("_EXE");
        if (exe.isEmpty()) {
            String cmdline = text("_CMDLINE");
            if (cmdline.isEmpty()) {
                return true; // gone before journald looked: _COMM only
            }
            int space = cmdline.indexOf(' ');
            exe = space < 0 ? cmdline : cmdline.substring(0, space);
        }
        int slash = exe.lastIndexOf('/');
        return slash >= 0 && exe.substring(slash + 1).equals(PODMAN);
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

}
