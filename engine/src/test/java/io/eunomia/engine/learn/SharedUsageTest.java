package io.eunomia.engine.learn;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.profiler.NamespaceUsage;
import io.eunomia.profiler.UsageSource;
import io.eunomia.profiler.UsageStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Learners over one kernel source: a namespace is forgotten in the kernel only when none still needs it. */
class SharedUsageTest {
    /** Records what was forgotten (the kernel source's part that matters here). */
    private static final class Forgets implements UsageSource {
        final List<Long> forgotten = new ArrayList<>();

        @Override
        public Arch nativeArch() {
            return Arch.X86_64;
        }

        @Override
        public Map<Long, Long> namespaces() {
            return Map.of();
        }

        @Override
        public Optional<NamespaceUsage> read(long namespaceId) {
            return Optional.empty();
        }

        @Override
        public void forget(long namespaceId) {
            forgotten.add(namespaceId);
        }

        @Override
        public UsageStats stats() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aNamespaceIsForgottenOnceEveryLearnerAskedOrLeft() {
        Forgets kernel = new Forgets();
        SharedUsage shared = new SharedUsage(kernel);
        UsageSource web = shared.view("web");
        UsageSource db = shared.view("db");
        UsageSource cache = shared.view("cache");

        web.forget(7);   // web is done with it; db and cache may still read it a last time
        db.forget(7);
        assertThat(kernel.forgotten).isEmpty();
        cache.forget(7);
        assertThat(kernel.forgotten).containsExactly(7L);

        web.forget(9);
        db.forget(9);
        shared.remove("cache");   // the last one that held 9 back stops learning
        assertThat(kernel.forgotten).containsExactly(7L, 9L);

        web.forget(11);
        assertThat(kernel.forgotten).containsExactly(7L, 9L);
        shared.remove("db");
        assertThat(kernel.forgotten).containsExactly(7L, 9L, 11L);
    }
}
