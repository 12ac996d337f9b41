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
 * <p>crun on a v1/v2 hybrid cgroup host goes through {@link CrunCgroups#wrapper()}.
 */
public final class OciLauncher implements ContainerLauncher {
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
        this.wrapper = runtime == ContainerRuntime.CRUN ? CrunCgroups.wrapper() : List.of();
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
