package io.eunomia.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A private containerd (Debian package {@code containerd} 1.6) started without systemd and driven
 * with {@code ctr}: {@code containerd --root W/root --state W/state --address W/containerd.sock
 * --config W/config.toml}. Containers run under runc through containerd's runc shim, in the
 * namespace given at start ({@link #NAMESPACE} by default; {@code k8s.io} is the one kubelet's CRI
 * uses); cgroups {@code /<namespace>/<id>}.
 *
 * <p>Outside W, not configurable in containerd 1.6: the shim keeps runc's state under
 * {@code /run/containerd/runc/<namespace>/} and its sockets under {@code /run/containerd/s/}.
 * Start-up takes about a second: share one per test class. {@link #close()} stops the daemon, kills
 * its shims (recognised by the private socket path in their arguments), unmounts and deletes W.
 */
public final class Containerd implements AutoCloseable {
    public static final String NAMESPACE = "eunomia-test";
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3); // ~5 s idle; far longer on a loaded machine

    private final Path workDir;
    private final Path ctr;
    private final String namespace;
    private ServerProcess daemon;
    private boolean closed;

    private Containerd(Path workDir, String namespace) {
        this.workDir = workDir;
        this.namespace = namespace;
        this.ctr = Binaries.require("ctr", "containerd");
        Binaries.require("containerd", "containerd");
        Binaries.require("containerd-shim-runc-v2", "containerd");
        Binaries.require("runc", "runc");
    }

    public static Containerd start() {
        return start(NAMESPACE);
    }

    /** A containerd whose {@link #ctr} calls work in {@code namespace}. */
    public static Containerd start(String namespace) {
        if (!namespace.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("not a containerd namespace: '" + namespace + "'");
        }
        Path dir = Cleanup.newTempDir("ctrd");
        Containerd c;
        try {
            c = new Containerd(dir, namespace);
        } catch (RuntimeException e) {
            Cleanup.unmountAndDelete(dir);
            throw e;
        }
        Cleanup.register(c);
        try {
            c.startDaemon();
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void startDaemon() {
        try {
            // An empty config: every default, no CRI plugin listening anywhere.
            Files.writeString(workDir.resolve("config.toml"), "version = 2\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write containerd's configuration", e);
        }
        daemon = ServerProcess.start("containerd", new ProcessBuilder(List.of(Binaries.require("containerd", "containerd").toString(),
                "--root", workDir.resolve("root").toString(), "--state", workDir.resolve("state").toString(),
                "--address", socket().toString(), "--config", workDir.resolve("config.toml").toString())),
                workDir.resolve("containerd.log"));
        daemon.awaitReady(() -> ctr(Duration.ofSeconds(10), "version").ok(), STARTUP_TIMEOUT);
    }

    /** The daemon's socket ({@code ctr -a}). */
    public Path socket() {
        return workDir.resolve("containerd.sock");
    }

    /** The namespace {@link #ctr} works in. */
    public String namespace() {
        return namespace;
    }

    public Path workDir() {
        return workDir;
    }

    /** Runs {@code ctr -a SOCKET -n NAMESPACE ARGS...} in this containerd's namespace. */
    public Result ctr(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ctr.toString(), "-a", socket().toString(), "-n", namespace));
        cmd.addAll(List.of(args));
        return Cmd.run(cmd, Map.of(), timeout);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (daemon != null) {
                daemon.stop(Duration.ofSeconds(15));
            }
        } finally {
            String mine = workDir.toString();
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(mine)).orElse(false))
                    .forEach(ProcessHandle::destroyForcibly);
            Cleanup.unmountAndDelete(workDir);
            Cleanup.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "Containerd[" + workDir + "]";
    }
}
