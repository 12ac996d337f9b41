package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.OutputRenderer;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.event.EventType;
import io.eunomia.event.NetInterest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kernel filter the reloader cannot set is switched off (everything through), and a reload goes on when even that fails. */
class RuleReloaderFallbackTest {
    @TempDir
    Path dir;

    /** Records what it is given; throws on the calls whose index is in failing (all calls when null). */
    private static final class Setter<T> implements Consumer<T> {
        final List<T> given = new CopyOnWriteArrayList<>();
        private final Set<Integer> failing;

        Setter(Set<Integer> failing) {
            this.failing = failing;
        }

        @Override
        public void accept(T value) {
            int call = given.size();
            given.add(value);
            if (failing == null || failing.contains(call)) {
                throw new IllegalStateException("map update failed (test)");
            }
        }
    }

    private RuleReloader.Result reload(Setter<Optional<List<String>>> reads, Setter<Optional<List<String>>> misses,
                                       Setter<Optional<List<String>>> times, Setter<NetInterest> net) throws Exception {
        Path rules = Files.writeString(dir.resolve("secret.drl"), TestEvents.SECRET_RULE);
        Pipeline p = new Pipeline(TestEvents.rules(TestEvents.SECRET_RULE), TestEvents.replaySettings(), new InMemoryOutput(),
                new OutputRenderer()).start();
        try (RuleReloader r = new RuleReloader(new RuleLoader(List.of(rules), false), p, Set.of(EventType.FILE),
                RuleReloader.KernelFilters.ALL, reads, misses, times, net, () -> { })) {
            return r.reload("test").get(60, TimeUnit.SECONDS);
        } finally {
            p.close();
        }
    }

    @Test
    void aFilterThatCannotBeSetIsSwitchedOff() throws Exception {
        Setter<Optional<List<String>>> reads = new Setter<>(Set.of(0));
        Setter<Optional<List<String>>> misses = new Setter<>(Set.of(0));
        Setter<Optional<List<String>>> times = new Setter<>(Set.of(0));
        Setter<NetInterest> net = new Setter<>(Set.of(0));
        assertThat(reload(reads, misses, times, net).ok()).isTrue();
        // The first (wider) setting failed: the next call switches the filter off, then the new rules' setting.
        assertThat(reads.given).hasSize(3);
        assertThat(reads.given.get(1)).isEmpty();
        assertThat(misses.given).hasSize(3);
        assertThat(misses.given.get(1)).isEmpty();
        assertThat(times.given).hasSize(3);
        assertThat(times.given.get(1)).isEmpty();
        assertThat(net.given).hasSize(3);
        assertThat(net.given.get(1)).isEqualTo(NetInterest.ALL);
    }

    @Test
    void aReloadGoesOnWhenAFilterCannotBeSwitchedOffEither() throws Exception {
        Setter<Optional<List<String>>> reads = new Setter<>(null);
        Setter<Optional<List<String>>> misses = new Setter<>(null);
        Setter<Optional<List<String>>> times = new Setter<>(null);
        Setter<NetInterest> net = new Setter<>(null);
        assertThat(reload(reads, misses, times, net).ok()).isTrue();
        assertThat(reads.given).hasSize(4).element(3).isEqualTo(Optional.empty());
        assertThat(misses.given).hasSize(4).element(3).isEqualTo(Optional.empty());
        assertThat(times.given).hasSize(4).element(3).isEqualTo(Optional.empty());
        assertThat(net.given).hasSize(4).element(3).isEqualTo(NetInterest.ALL);
    }
}
