package io.eunomia.enforcer.verify;

import io.eunomia.abi.Capability;
import io.eunomia.enforcer.internal.Command;
import io.eunomia.enforcer.internal.PrivateDir;
import io.eunomia.enforcer.seccomp.SeccompProfileWriter;
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
 * containerd through {@code ctr}: {@code ctr -a SOCKET -n NAMESPACE run --rm --seccomp
 * --seccomp-profile FILE --cap-drop ... --cap-add ... [--allow-new-privs] (IMAGE | --rootfs DIR) ID
 * COMMAND...}. ctr reads the OCI form of the profile (it ignores moby's conditions), refuses
 * {@code --cap-drop ALL} (every capability not kept is dropped by name instead) and sets
 * no_new_privs unless told {@code --allow-new-privs}.
 */
public final class ContainerdLauncher implements ContainerLauncher {
    public static final Path DEFAULT_ADDRESS = Path.of("/run/containerd/containerd.sock");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path ctr;
    private final Path address;
    private final String namespace;

    public ContainerdLauncher(Path ctr, Path address, String namespace) {
        this.ctr = ctr;
        this.address = address;
        this.namespace = namespace;
    }

    public static ContainerdLauncher onPath(Path address, String namespace) {
        Path ctr = Command.find("ctr");
        if (ctr == null) {
            throw new IllegalStateException("'ctr' is not installed: run 'apt-get install containerd'");
        }
        return new ContainerdLauncher(ctr, address, namespace);
    }

    @Override
    public ContainerRuntime runtime() {
        return ContainerRuntime.CONTAINERD;
    }

    @Override
    public Launch run(Workload workload, Confinement confinement, Duration timeout) throws IOException {
        if (!Files.exists(address)) {
            throw new IllegalStateException("no containerd at " + address + ": start containerd or give its socket "
                    + "with --containerd-address");
        }
        String id = "eunomia-verify-" + HexFormat.of().toHexDigits(RANDOM.nextLong());
        try (PrivateDir dir = PrivateDir.create("verify")) {
            Path profile = dir.path().resolve("seccomp.json");
            Files.writeString(profile, SeccompProfileWriter.writeOci(confinement.effective().asProfile()));
            List<String> cmd = new ArrayList<>(List.of(ctr.toString(), "-a", address.toString(), "-n", namespace,
                    "run", "--rm", "--seccomp", "--seccomp-profile", profile.toString()));
            for (Capability c : Capability.values()) {
                if (!confinement.capabilities().contains(c)) {
                    cmd.addAll(List.of("--cap-drop", c.capName()));
                }
            }
            for (Capability c : confinement.capabilities()) {
                cmd.addAll(List.of("--cap-add", c.capName()));
            }
            if (!confinement.noNewPrivileges()) {
                cmd.add("--allow-new-privs");
            }
            if (workload.rootfs().isPresent()) {
                // Without an image there is no image config: give the usual PATH.
                cmd.addAll(List.of("--env", OciConfig.PATH_ENV, "--rootfs", "--", workload.rootfs().get().toString()));
            } else {
                cmd.addAll(List.of("--", workload.image().orElseThrow()));
            }
            cmd.add(id);
            cmd.addAll(workload.command());
            try {
                return new Launch(runtime(), id, Command.run(cmd, Map.of(), timeout));
            } finally {
                // --rm removes it when it ran; a container that failed to start may be left behind.
                Command.run(List.of(ctr.toString(), "-a", address.toString(), "-n", namespace, "containers", "rm", id),
                        Map.of(), Duration.ofSeconds(30));
            }
        }
    }
}
