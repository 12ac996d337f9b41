package io.eunomia.engine.learn;

import io.eunomia.abi.Arch;
import io.eunomia.profiler.NamespaceUsage;
import io.eunomia.profiler.UsageSource;
import io.eunomia.profiler.UsageStats;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One kernel usage source shared by several learners (one per container learned through the
 * control API). A learner forgets a dead namespace it does not learn at once; another learner may
 * still have to read it one last time. So a namespace is forgotten in the kernel only once every
 * learner asked for it.
 */
final class SharedUsage {
    private final UsageSource source;
    private final Set<String> owners = new HashSet<>();
    /** Namespace id to the owners that asked to forget it. */
    private final Map<Long, Set<String>> forgetting = new HashMap<>();

    SharedUsage(UsageSource source) {
        this.source = source;
    }

    /** The source as one learner sees it. */
    synchronized UsageSource view(String owner) {
        owners.add(owner);
        return new View(owner);
    }

    /** A learner is gone: what only it held back is forgotten now. */
    synchronized void remove(String owner) {
        owners.remove(owner);
        forgetting.values().forEach(s -> s.remove(owner));
        forgetting.entrySet().removeIf(e -> {
            if (!e.getValue().isEmpty() && e.getValue().containsAll(owners)) {
                source.forget(e.getKey());
                return true;
            }
            return false;
        });
    }

    private synchronized void forget(String owner, long namespaceId) {
        Set<String> asked = forgetting.computeIfAbsent(namespaceId, k -> new HashSet<>());
        asked.add(owner);
        if (asked.containsAll(owners)) {
            source.forget(namespaceId);
            forgetting.remove(namespaceId);
        }
    }

    private final class View implements UsageSource {
        private final String owner;

        View(String owner) {
            this.owner = owner;
        }

        @Override
        public Arch nativeArch() {
            return source.nativeArch();
        }

        @Override
        public Map<Long, Long> namespaces() {
            return source.namespaces();
        }

        @Override
        public Optional<NamespaceUsage> read(long namespaceId) {
            return source.read(namespaceId);
        }

        @Override
        public void forget(long namespaceId) {
            SharedUsage.this.forget(owner, namespaceId);
        }

        @Override
        public UsageStats stats() {
            return source.stats();
        }
    }
}
