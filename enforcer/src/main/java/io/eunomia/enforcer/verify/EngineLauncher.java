package io.eunomia.enforcer.verify;

import io.eunomia.abi.Capability;
import io.eunomia.enforcer.internal.Command;
import io.eunomia.enforcer.internal.PrivateDir;
import io.eunomia.enforcer.seccomp.SeccompProfileWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * docker or podman: {@code run --rm --cidfile F --security-opt seccomp=PROFILE --cap-drop=ALL
 * --cap-add=... [--security-opt no-new-privileges] IMAGE COMMAND...}. The engine is the one the CLI
 * reaches with the environment given (DOCKER_HOST, CONTAINERS_CONF, ...). Both take the moby profile
 * as it is and evaluate its conditions themselves.
 */
public final class EngineLauncher implements ContainerLauncher {
    private final ContainerRuntime runtime;
    private final Path cli;
    private final Map<String, String> env;
    private final Optional<String> network;

    /**
     * @param env     added to the CLI's environment (e.g. DOCKER_HOST for another daemon)
     * @param network {@code --network} value, or empty for the engine's default
     */
    public EngineLauncher(ContainerRuntime runtime, Path cli, Map<String, String> env, Optional<String> network) {
        if (runtime != ContainerRuntime.DOCKER && runtime != ContainerRuntime.PODMAN) {
            throw new IllegalArgumentException("an engine launcher drives docker or podman, not " + runtime.cliName());
        }
        this.runtime = runtime;
        this.cli = cli;
        this.env = Map.copyOf(env);
        this.network = network;
    }

    /** The CLI found on PATH. */
    public static EngineLauncher onPath(ContainerRuntime runtime, Map<String, String> env, Optional<String> network) {
        Path cli = Command.find(runtime.cliName());
        if (cli == null) {
            throw new IllegalStateException("'" + runtime.cliName() + "' is not installed: run 'apt-get install "
                    + (runtime == ContainerRuntime.DOCKER ? "docker.io" : "podman") + "'");
        }
        return new EngineLauncher(runtime, cli, env, network);
    }

    @Override
    public ContainerRuntime runtime() {
        return runtime;
    }

    @Override
    public Launch run(Workload workload, Confinement confinement, Duration timeout) throws IOException {
        if (workload.rootfs().isPresent() && runtime == ContainerRuntime.DOCKER) {
            throw new IllegalArgumentException("docker runs images, not directories: import the root file system "
                    + "first (tar -C DIR -c . | docker import - NAME) and give --image NAME");
        }
        try (PrivateDir dir = PrivateDir.create("verify")) {
            Path profile = dir.path().resolve("seccomp.json");
            Files.writeString(profile, SeccompProfileWriter.writeDocker(confinement.profile()));
            Path cidFile = dir.path().resolve("cid");
            List<String> cmd = new ArrayList<>(List.of(cli.toString(), "run", "--rm", "--cidfile", cidFile.toString()));
            network.ifPresent(n -> cmd.addAll(List.of("--network", n)));
            cmd.add("--security-opt");
            cmd.add("seccomp=" + profile);
            cmd.add("--cap-drop=ALL");
            for (Capability c : confinement.capabilities()) {
                cmd.add("--cap-add=" + c.capName());
            }
            if (confinement.noNewPrivileges()) {
                cmd.add("--security-opt");
                cmd.add("no-new-privileges");
            }
            if (workload.rootfs().isPresent()) {
                cmd.add("--rootfs");
                cmd.add(workload.rootfs().get().toString());
            } else {
                cmd.add("--");
                cmd.add(workload.image().orElseThrow());
            }
            cmd.addAll(workload.command());
            Command.Outcome out = Command.run(cmd, env, timeout);
            String id = Files.exists(cidFile) ? Files.readString(cidFile).strip() : "";
            return new Launch(runtime, id, out);
        }
    }
}
