package io.eunomia.enforcer.verify;

import io.eunomia.enforcer.internal.Command;
import io.eunomia.enforcer.internal.Json;
import io.eunomia.enforcer.internal.PrivateDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * runc or crun, driven directly: a bundle in a private directory (config.json from
 * {@link OciConfig}, the root file system used in place), {@code RUNTIME --root STATE run --bundle
 * DIR ID} in the foreground, then {@code delete --force ID}. They get the profile evaluated for the
 * container: they ignore includes/excludes/archMap.
 *
 * <p>crun 1.8 refuses a v1/v2 hybrid cgroup host; there each invocation runs in a private mount
 * namespace without the v2 mount: {@code unshare -m --propagation private sh -c 'umount
 * /sys/fs/cgroup/unified && exec "$@"' sh crun ...} (the arguments are positional parameters, never
 * part of the shell code).
 */
public final class OciLauncher implements ContainerLauncher {
    static final String UNIFIED = "/sys/fs/cgroup/unified";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ContainerRuntime runtime;
    private final Path binary;
    private final Path stateRoot;
    private final List<String> wrapper;

    public OciLauncher(ContainerRuntime runtime, Path binary, Path stateRoot) throws IOException {
        if (runtime != ContainerRuntime.RUNC && runtime != ContainerRuntime.CRUN) {
            throw new IllegalArgumentException("an OCI launcher drives runc or crun, not " + runtime.cliName());
        }
        this.runtime = runtime;
        this.binary = binary;
        this.stateRoot = stateRoot;
        this.wrapper = runtime == ContainerRuntime.CRUN && hybridCgroups() ? crunWrapper() : List.of();
    }

    /** The binary found on PATH, with the runtime's usual state directory (/run/runc, /run/crun). */
    public static OciLauncher onPath(ContainerRuntime runtime) throws IOException {
        Path bin = Command.find(runtime.cliName());
        if (bin == null) {
            throw new IllegalStateException("'" + runtime.cliName() + "' is not installed: run 'apt-get install "
                    + runtime.cliName() + "'");
        }
        return new OciLauncher(runtime, bin, Path.of("/run", runtime.cliName()));
    }

    private static List<String> crunWrapper() {
        Path unshare = Command.find("unshare");
        Path sh = Command.find("sh");
        if (unshare == null || sh == null) {
            throw new IllegalStateException("crun on this hybrid cgroup host needs unshare and sh (util-linux, dash)");
        }
        return List.of(unshare.toString(), "-m", "--propagation", "private", sh.toString(), "-c",
                "umount " + UNIFIED + " && exec \"$@\"", "sh");
    }

    /** Whether cgroup v2 is mounted at /sys/fs/cgroup/unified beside v1 hierarchies. */
    static boolean hybridCgroups() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = line.indexOf(" - ");
            if (f.length > 4 && f[4].equals(UNIFIED) && dash > 0 && line.substring(dash + 3).startsWith("cgroup2 ")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ContainerRuntime runtime() {
        return runtime;
    }

    public Path binary() {
        return binary;
    }

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(binary.toString());
        cmd.add("--root");
        cmd.add(stateRoot.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Override
    public Launch run(Workload workload, Confinement confinement, Duration timeout) throws IOException {
        Path rootfs = workload.rootfs().orElseThrow(() -> new IllegalArgumentException(runtime.cliName()
                + " runs a root file system, not an image: give --rootfs DIR"));
        if (!Files.isDirectory(rootfs)) {
            throw new IllegalArgumentException("root file system " + rootfs + " is not a directory");
        }
        String id = "eunomia-verify-" + HexFormat.of().toHexDigits(RANDOM.nextLong());
        try (PrivateDir bundle = PrivateDir.create("bundle")) {
            Files.writeString(bundle.path().resolve("config.json"),
                    Json.write(OciConfig.of(id, rootfs, workload.command(), confinement)));
            try {
                Command.Outcome out = Command.run(command("run", "--bundle", bundle.path().toString(), id), Map.of(), timeout);
                return new Launch(runtime, id, out);
            } finally {
                if (Files.exists(stateRoot.resolve(id))) {
                    Command.run(command("delete", "--force", id), Map.of(), Duration.ofSeconds(30));
                }
            }
        }
    }
}
