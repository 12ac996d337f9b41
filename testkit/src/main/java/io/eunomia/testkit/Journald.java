package io.eunomia.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A systemd-journald of the test's own (Debian's systemd 252 binary; no systemd runs here), and a
 * mount namespace in which clients reach it at the fixed path every journal client uses,
 * {@code /run/systemd/journal/socket} (podman's journald events backend, {@code logger --journald}).
 * Nothing outside the fixture's directory {@code W} changes on the host:
 *
 * <ul>
 *   <li>journald runs in a user namespace (root mapped to root) with a mount namespace of its own:
 *       {@code /run} is a tmpfs there, {@code W/run} is its {@code /run/systemd} (sockets), {@code W/log}
 *       its {@code /run/log} (files: {@link #journalDir()}), {@code W/journald.conf} its configuration
 *       (volatile storage, no kernel log, no forwarding). The user namespace matters: journald turns
 *       kernel auditing on at start, and the kernel refuses that from a user namespace, so the host's
 *       audit state (off here; seccomp log records read from dmesg depend on it) stays as it was.</li>
 *   <li>the clients' mount namespace, held by a {@code sleep}: the host's mounts with {@code W/run}
 *       bound on {@code /run/systemd}; {@link #clientCommand} runs a program in it.</li>
 * </ul>
 * Close it to stop both and delete {@code W}.
 */
public final class Journald implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final String JOURNALD = "/lib/systemd/systemd-journald";
    /** Run by /bin/sh with W as $1: no user strings, only the fixture's own directory. */
    private static final String JOURNALD_SCRIPT = """
            set -e
            mount -t tmpfs -o mode=0755 tmpfs /run
            mkdir -p /run/systemd /run/log
            mount --bind "$1/run" /run/systemd
            mkdir -p /run/systemd/journal
            mount --bind "$1/log" /run/log
            mount --bind "$1/journald.conf" /etc/systemd/journald.conf
            exec %s
            """.formatted(JOURNALD);
    private static final String CLIENTS_SCRIPT = """
            set -e
            mount --bind "$1/run" /run/systemd
            exec sleep infinity
            """;

    private final Path dir;
    private final List<ServerProcess> processes = new ArrayList<>();
    private ServerProcess journald;
    private ServerProcess clients;

    private Journald(Path dir) {
        this.dir = dir;
    }

    /** Starts journald and the clients' namespace; both answer when this returns. */
    public static Journald start() {
        if (!Files.isExecutable(Path.of(JOURNALD))) {
            throw new IllegalStateException(JOURNALD + " is missing: apt-get install systemd");
        }
        Path unshare = Binaries.require("unshare", "util-linux");
        Journald j = new Journald(Cleanup.newTempDir("jd"));
        Cleanup.register(j);
        try {
            Files.createDirectories(j.dir.resolve("run"));
            Files.createDirectories(j.dir.resolve("log"));
            Files.writeString(j.dir.resolve("journald.conf"), """
                    [Journal]
                    Storage=volatile
                    ReadKMsg=no
                    ForwardToSyslog=no
                    ForwardToKMsg=no
                    ForwardToConsole=no
                    ForwardToWall=no
                    """);
            j.journald = j.spawn("systemd-journald", List.of(unshare.toString(), "--user", "--map-root-user", "--mount",
                    "--propagation", "private", "--", "/bin/sh", "-c", JOURNALD_SCRIPT, "sh", j.dir.toString()), "journald.log");
            j.journald.awaitReady(() -> Files.exists(j.socket()) && j.hasJournalFile(), START_TIMEOUT);
            j.clients = j.spawn("journal clients' namespace", List.of(unshare.toString(), "--mount", "--propagation",
                    "private", "--", "/bin/sh", "-c", CLIENTS_SCRIPT, "sh", j.dir.toString()), "clients.log");
            Path seen = Path.of("/proc", Long.toString(j.clients.process().pid()), "root", "run", "systemd", "journal", "socket");
            j.clients.awaitReady(() -> Files.exists(seen), START_TIMEOUT);
            return j;
        } catch (IOException e) {
            j.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            j.close();
            throw e;
        }
    }

    private ServerProcess spawn(String name, List<String> cmd, String log) {
        ServerProcess p = ServerProcess.start(name, new ProcessBuilder(cmd), dir.resolve(log));
        processes.add(p);
        return p;
    }

    private boolean hasJournalFile() {
        try (Stream<Path> files = Files.walk(journalDir())) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".journal"));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /** Where journald keeps its files (its {@code /run/log/journal}): what a reader opens. */
    public Path journalDir() {
        return dir.resolve("log").resolve("journal");
    }

    /** journald's native socket as the host sees it. */
    public Path socket() {
        return dir.resolve("run").resolve("journal").resolve("socket");
    }

    /** journald's pid (signals: SIGUSR2 rotates its files). */
    public long pid() {
        return journald.process().pid();
    }

    /** {@code program args...} run in the clients' namespace, where /run/systemd/journal/socket is this journald's. */
    public List<String> clientCommand(List<String> program) {
        List<String> cmd = new ArrayList<>(List.of(Binaries.require("nsenter", "util-linux").toString(),
                "--target", Long.toString(clients.process().pid()), "--mount", "--"));
        cmd.addAll(program);
        return cmd;
    }

    /**
     * Sends one journal entry with these fields ({@code logger --journald}) as user {@code uid}, from
     * the clients' namespace; journald adds the trusted fields ({@code _UID}, {@code _PID}, ...) itself.
     */
    public Result sendAs(int uid, java.util.Map<String, String> fields) {
        Path file = dir.resolve("entry-" + OciRuntime.uniqueId("e"));
        StringBuilder text = new StringBuilder();
        fields.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Files.writeString(file, text);
            // Opened by the shell as root (the fixture's directory is 0700), read by logger as uid from stdin.
            return Cmd.run(clientCommand(List.of("/bin/sh", "-c",
                    "exec \"$1\" --reuid \"$2\" --regid \"$2\" --clear-groups \"$3\" --journald < \"$4\"", "sh",
                    Binaries.require("setpriv", "util-linux").toString(), Integer.toString(uid),
                    Binaries.require("logger", "bsdutils").toString(), file.toString())), java.util.Map.of(),
                    Duration.ofSeconds(30)).orThrow("logger --journald as uid " + uid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The journal's text (journalctl of the fixture's files), for failure messages. */
    public String dump() {
        return Cmd.run(List.of("journalctl", "--no-pager", "-o", "short-precise", "-D", journalDir().toString()),
                java.util.Map.of(), Duration.ofSeconds(30)).stdout();
    }

    /**
     * The entries that match every {@code FIELD=value} given, in journalctl's export format (one
     * {@code FIELD=value} line per text field, a blank line between entries): what journald recorded
     * itself about their sender ({@code _COMM}, {@code _EXE}, {@code _UID}) included.
     */
    public String entries(String... matches) {
        List<String> cmd = new java.util.ArrayList<>(List.of("journalctl", "--no-pager", "-o", "export", "-D", journalDir().toString()));
        cmd.addAll(List.of(matches));
        return Cmd.run(cmd, java.util.Map.of(), Duration.ofSeconds(30)).stdout();
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).stop(Duration.ofSeconds(5));
        }
        processes.clear();
        Cleanup.unmountAndDelete(dir);
        Cleanup.unregister(this);
    }

    @Override
    public String toString() {
        return "Journald[" + dir + "]";
    }
}
