package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.eunomia.event.ContainerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime process is believed by what it is, not by its name: real processes named "runc" (a
 * script of that name) with a --bundle whose config.json claims a pod. Run by a user (uid 65534) it
 * names nothing from its command line; run by root (root's /bin/sh running it) it does. A
 * config.json that is a FIFO does not hang the resolver. On the code before, the user's "runc"
 * named container "evil-1" (and the FIFO blocked the resolver for good).
 */
class RuntimeTrustTest {
    private static final Duration WAIT = Duration.ofSeconds(30); // ends as soon as the process shows
    private static final int NOBODY = 65534;
    private static final String CLAIM = """
            {"annotations":{"io.kubernetes.cri.container-name":"admin","io.kubernetes.cri.sandbox-name":"kube-apiserver",
             "io.kubernetes.cri.sandbox-namespace":"kube-system"}}""";

    @TempDir
    Path work;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void aUsersProcessNamedRuncIsNotBelievedRootsIs() throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path user = Files.createDirectories(work.resolve("user"));
        Path bundle = Files.createDirectories(user.resolve("bundle"));
        Files.writeString(bundle.resolve("config.json"), CLAIM);
        Path runc = user.resolve("runc");
        Files.writeString(runc, "#!/bin/sh\nread line\n"); // stays the script (comm "runc") until stdin closes
        Files.setPosixFilePermissions(runc, PosixFilePermissions.fromString("rwxr-xr-x"));
        PodmanStorageTest.chownTree(user);

        try (ContainerResolver resolver = resolver()) {
            long pid = startAs(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"), runc, bundle);
            ContainerResolver.Resolution byUser = resolver.resolve(createdBy((int) pid));
            assertThat(byUser.info().id()).as("the user's argv names no container").isNotEqualTo("evil-1");
            assertThat(byUser.info().id()).as("the cgroup it was placed in still does").isEqualTo("batch");
            assertThat(byUser.info().podName()).isEmpty();
            assertThat(byUser.info().name()).isNotEqualTo("admin");
            assertThat(resolver.untrustedRuntimes()).isEqualTo(1);

            // The control: the same script run by root is the host's runtime: its argv names the container.
            long rootPid = startAs(List.of(), runc, bundle);
            ContainerResolver.Resolution byRoot = resolver.resolve(createdBy((int) rootPid));
            assertThat(byRoot.info().id()).isEqualTo("evil-1");
            assertThat(resolver.untrustedRuntimes()).isEqualTo(1);
        }
    }

    @Test
    void aFifoForConfigJsonDoesNotHangTheResolver() throws Exception {
        String id = "fifo-1";
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Process mkfifo = new ProcessBuilder("mkfifo", bundle.resolve("config.json").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Path states = Files.createDirectories(work.resolve("state").resolve(id));
        Files.writeString(states.resolve("state.json"), "{\"id\":\"" + id + "\",\"init_process_pid\":0,"
                + "\"config\":{\"labels\":[\"bundle=" + bundle + "\"]}}");
        long refusedBefore = OciState.refusedBundles();
        try (ContainerResolver resolver = new ContainerResolver(new ContainerSources(
                List.of(new ContainerSources.StateRoot(work.resolve("state"), "runc")), List.of(), List.of(), List.of(),
                List.of(), List.of()), ProcFs.system(), hostPidns(), "", Duration.ofSeconds(2))) {
            ContainerInfo c = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> resolver.resolve(
                    new NamespaceIdentity(4026532177L, 0, 1, "sh", "/" + id, 900, "", 0, "", List.of())).info());
            assertThat(c.id()).isEqualTo(id);
            assertThat(OciState.refusedBundles()).as("the FIFO counted").isGreaterThan(refusedBefore);
        }
    }

    private ContainerResolver resolver() {
        return new ContainerResolver(new ContainerSources(List.of(), List.of(), List.of(), List.of(), List.of(), List.of()),
                ProcFs.system(), hostPidns(), "", Duration.ofSeconds(2));
    }

    private static long hostPidns() {
        return ProcFs.system().pidns((int) ProcessHandle.current().pid()).orElseThrow();
    }

    /** What the kernel records for a namespace the "runc" at pid made: placed in cgroup /jobs/batch. */
    private static NamespaceIdentity createdBy(int runcPid) {
        return new NamespaceIdentity(4026532177L, 0, runcPid + 100_000, "sh", "/jobs/batch", 900, "", 0, "",
                List.of(new NamespaceIdentity.Ancestor(runcPid, "runc", 1)));
    }

    /** Starts {@code runc run --bundle B evil-1} (behind {@code prefix}); returns its pid once it runs as "runc". */
    private long startAs(List<String> prefix, Path runc, Path bundle) throws Exception {
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of(runc.toString(), "run", "--bundle", bundle.toString(), "evil-1"));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        started.add(p);
        Path comm = Path.of("/proc", Long.toString(p.pid()), "comm");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.readString(comm).strip().equals("runc")) {
            assertThat(p.isAlive()).as("%s still runs", argv).isTrue();
            assertThat(System.nanoTime()).as("%s shows as runc within %s", argv, WAIT).isLessThan(deadline);
            Thread.sleep(5);
        }
        return p.pid();
    }
}
