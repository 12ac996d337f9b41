package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime's state root is read as a directory only root can change: a real runc container's
 * state (runc with a --root of the test's own) is read, while an entry a link leads away from (to a
 * user's state.json naming that container's bundle, so its pod), a state.json that is a link or a
 * user's file, and a root a user owns are refused and counted. On the code before, each planted
 * entry named a container of pod shop/web-7d9f, its resolution complete.
 */
class RuntimeStateTrustTest {
    private static final int NOBODY = 65534;
    private static final String IMAGE = "registry.example/eunomia/busybox:1.36";
    /** A mount namespace number no namespace has (they start at 0xF0000000): the look by namespace finds none. */
    private static final long NO_NAMESPACE = 1;

    @TempDir
    Path work;

    @Test
    void aRealRuncStateIsReadPlantedLinksAndUsersFilesAreNot() throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path stateRoot = work.resolve("runc-root");
        String id = OciRuntime.uniqueId("eun-state");
        ContainerSpec spec = ContainerSpec.of("sh", "-c", "exec sleep 60")
                .withAnnotation("org.opencontainers.image.ref.name", IMAGE)
                .withAnnotation("io.kubernetes.pod.name", "web-7d9f")
                .withAnnotation("io.kubernetes.pod.namespace", "shop");
        try (Runc runc = new Runc(stateRoot);
             RunningContainer c = runc.start(id, spec);
             ContainerResolver resolver = resolver(stateRoot)) {
            assertThat(Files.getPosixFilePermissions(stateRoot)).as("runc made its root root's alone")
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
            String bundle = c.bundle().dir().toString();
            // A user's directory holding what runc would write for a container of that bundle.
            Path user = Files.createDirectories(work.resolve("user").resolve("state"));
            String forged = "{\"id\":\"%s\",\"init_process_pid\":" + c.pid() + ",\"config\":{\"labels\":[\"bundle=" + bundle + "\"]}}";
            Files.writeString(user.resolve("state.json"), forged.formatted("evil-link"));
            PodmanStorageTest.chownTree(work.resolve("user"));
            // ROOT/ID a link to it; ROOT/ID/state.json a link to its file; ROOT/ID/state.json the user's own.
            Files.createSymbolicLink(stateRoot.resolve("evil-link"), user);
            Files.createDirectory(stateRoot.resolve("evil-file-link"));
            Files.createSymbolicLink(stateRoot.resolve("evil-file-link").resolve("state.json"), user.resolve("state.json"));
            Path owned = Files.createDirectory(stateRoot.resolve("evil-owned"));
            Files.writeString(owned.resolve("state.json"), forged.formatted("evil-owned"));
            Files.setAttribute(owned.resolve("state.json"), "unix:uid", NOBODY);
            // A whole root a user owns, with a state that is otherwise in order.
            Path usersRoot = Files.createDirectories(work.resolve("users-root").resolve("evil-root")).getParent();
            Files.writeString(usersRoot.resolve("evil-root").resolve("state.json"), forged.formatted("evil-root"));
            Files.setAttribute(usersRoot, "unix:uid", NOBODY);

            long refusedBefore = OciState.refusedStates();
            ContainerResolver.Resolution real = resolver.resolve(
                    resolver.identityOf((int) c.pid(), PodmanEventLogTest.mntns(c.pid()), 0).orElseThrow());
            assertThat(real.info().id()).isEqualTo(id);
            assertThat(real.info().image()).as("from the bundle runc's state names").isEqualTo(IMAGE);
            assertThat(real.info().podName()).isEqualTo("web-7d9f");
            assertThat(real.complete()).as("runc's own state was read").isTrue();
            assertThat(OciState.refusedStates()).as("nothing refused").isEqualTo(refusedBefore);

            // Each way checked (softly: one failing does not hide the others).
            SoftAssertions soft = new SoftAssertions();
            try (ContainerResolver withUsersRoot = resolver(usersRoot)) {
                for (String planted : List.of("evil-link", "evil-file-link", "evil-owned", "evil-root")) {
                    long before = OciState.refusedStates();
                    ContainerResolver resolving = planted.equals("evil-root") ? withUsersRoot : resolver;
                    ContainerResolver.Resolution r = resolving.resolve(new NamespaceIdentity(NO_NAMESPACE, 0, 1, "sh",
                            "/" + planted, 900, "", 0, "", List.of()));
                    soft.assertThat(r.info().podName()).as("%s: the forged state is not read", planted).isEmpty();
                    soft.assertThat(r.complete()).as(planted).isFalse();
                    soft.assertThat(OciState.refusedStates()).as("%s refused and counted", planted).isGreaterThan(before);
                    soft.assertThat(resolving.refusedRuntimeStates()).isEqualTo(OciState.refusedStates());
                }
            }
            soft.assertAll();
        }
    }

    private static ContainerResolver resolver(Path stateRoot) {
        return new ContainerResolver(new ContainerSources(List.of(new ContainerSources.StateRoot(stateRoot, "runc")),
                List.of(), List.of(), List.of(), List.of(), List.of()), ProcFs.system(),
                ProcFs.system().pidns((int) ProcessHandle.current().pid()).orElseThrow(), "", Duration.ofSeconds(2));
    }
}
