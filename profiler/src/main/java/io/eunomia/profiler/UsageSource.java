package io.eunomia.profiler;

import io.eunomia.abi.Arch;
import java.util.Optional;
import java.util.Set;

/**
 * Where learning reads what containers did, per mount namespace: the seam between the learner
 * and the kernel. The kernel-backed source ({@code io.eunomia.profiler.kernel.KernelUsageSource})
 * reads the sensors' maps; tests of learning logic give their own snapshots.
 *
 * <p>Mount namespace numbers come back once a namespace is freed: a source reports the
 * namespace's never-reused id with every snapshot, and the learner {@linkplain #forget forgets} a
 * number when its container is done.
 */
public interface UsageSource {
    /** The host's native ABI ({@link Arch#X86} calls of an x86_64 host come as compat calls). */
    Arch nativeArch();

    /** Mount namespace numbers with something recorded. */
    Set<Long> namespaces();

    /** What one namespace did so far, empty when nothing was recorded for it. */
    Optional<NamespaceUsage> read(long mntns);

    /** Drops everything recorded for a namespace: the next container with this number starts empty. */
    void forget(long mntns);

    /** Fill levels and what could not be recorded. */
    UsageStats stats();
}
