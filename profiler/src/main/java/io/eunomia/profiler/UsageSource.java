package io.eunomia.profiler;

import io.eunomia.abi.Arch;
import java.util.Optional;
import java.util.Map;

/**
 * Where learning reads what containers did, per mount namespace: the seam between the learner
 * and the kernel. The kernel-backed source ({@code io.eunomia.profiler.kernel.KernelUsageSource})
 * reads the sensors' maps; tests of learning logic give their own snapshots.
 *
 * <p>Namespaces are identified by their id: numbers come back as soon as a namespace is freed
 * (at once on a busy host), ids never. The learner {@linkplain #forget forgets} a namespace when
 * its processes are gone, so the source does not fill up with dead ones.
 */
public interface UsageSource {
    /** The host's native ABI ({@link Arch#X86} calls of an x86_64 host come as compat calls). */
    Arch nativeArch();

    /**
     * Namespaces with something recorded: their id (the number on kernels without ids) and
     * their number.
     */
    Map<Long, Long> namespaces();

    /** What one namespace did so far, by its id; empty when nothing was recorded for it. */
    Optional<NamespaceUsage> read(long namespaceId);

    /** Drops everything recorded for a namespace, by its id. */
    void forget(long namespaceId);

    /** Fill levels and what could not be recorded. */
    UsageStats stats();
}
