package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.libbpf.Libc;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The kernel gives a freed mount namespace's number to the next namespace at once (the lowest free
 * one). A process of that later namespace is no process of the dead one: the learner once filed a
 * dead namespace's calls and capabilities (a short-lived `unshare -m` that mounted: CAP_SYS_ADMIN)
 * under the runc container that took its number. Real processes, real namespaces.
 */
class ReusedNamespaceNumberTest {
    /** A process in a mount namespace of its own, with the namespace's number and id. */
    private record Unshared(Process process, long mntns, long id) implements AutoCloseable {
        static Unshared start() throws Exception {
            Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sleep", "60").start();
            long host = Namespaces.mountNamespace(ProcessHandle.current().pid()).orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                long ns = Namespaces.mountNamespace(p.pid()).orElse(host);
                if (ns != host) {
                    // unshare has unshared: its number is final; read the id of that same namespace
                    return new Unshared(p, ns, Libc.mountNamespaceId(p.pid()).orElseThrow());
                }
                Thread.sleep(5);
            }
            p.destroyForcibly();
            throw new AssertionError("unshare -m did not enter a namespace of its own within 60 s");
        }

        int pid() {
            return (int) process.pid();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aProcessOfALaterNamespaceWithTheSameNumberIsNotInTheDeadOne() throws Exception {
        ContainerResolver resolver = new ContainerResolver(ContainerSources.defaults(), "");
        // Other processes of this host create namespaces too: try until the number is reused.
        for (int attempt = 1; attempt <= 50; attempt++) {
            Unshared dead = Unshared.start();
            dead.close();
            try (Unshared next = Unshared.start()) {
                if (next.mntns() != dead.mntns()) {
                    continue;
                }
                assertThat(next.id()).isNotEqualTo(dead.id());
                assertThat(resolver.inNamespace(next.pid(), next.mntns(), next.id())).isTrue();
                assertThat(resolver.inNamespace(next.pid(), next.mntns(), 0)).isTrue();
                assertThat(resolver.inNamespace(next.pid(), dead.mntns(), dead.id()))
                        .as("a process of namespace %d (id %d) taken for one of dead id %d", next.mntns(), next.id(), dead.id())
                        .isFalse();
                assertThat(resolver.identityOf(next.pid(), dead.mntns(), dead.id())).isEmpty();
                assertThat(resolver.identityOf(next.pid(), next.mntns(), next.id())).isPresent();
                return;
            }
        }
        throw new AssertionError("no mount namespace number was reused in 50 attempts: the kernel's numbering changed?");
    }
}
