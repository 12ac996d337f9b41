package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Engine API event stream of podman's compat service (the same API as dockerd's): containers
 * removed with {@code --rm} stay named; the reader waits for a service that is not there yet,
 * resumes after the service went away and came back with the events it missed meanwhile, and
 * forgets the oldest containers past its bound, counting them.
 */
class EngineEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    private static Podman podman;

    @BeforeAll
    static void start() {
        podman = Podman.start("localhost/eunomia-busybox:events");
    }

    @AfterAll
    static void stop() {
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void namesRemovedContainersFromAServiceThatCameLateAndOneThatWasAwayMeanwhile() throws Exception {
        Path socket = podman.workDir().resolve("api.sock");
        try (EngineEvents events = EngineEvents.start(socket)) {
            assertThat(events.connected()).as("no service yet").isFalse();
            assertThat(podman.startApiService()).isEqualTo(socket);
            String before = runRemoved("ev-a");
            await(() -> events.lookup(before).isPresent(), "the first container's events");
            assertThat(events.lookup(before)).contains(new EngineEvents.Names(nameOf(before), podman.image(), "", ""));
            assertThat(events.engine()).isEqualTo("podman");

            podman.stopApiService();
            await(() -> !events.connected(), "the stream to end with the service");
            String meanwhile = runRemoved("ev-b"); // its events are only in podman's event log while no service runs
            podman.startApiService();
            await(() -> events.lookup(meanwhile).isPresent(), "the events missed while the service was away");
            assertThat(events.lookup(meanwhile).map(EngineEvents.Names::name)).contains(nameOf(meanwhile));
        }
    }

    @Test
    void forgetsTheOldestPastItsBoundAndCountsThem() throws Exception {
        Path socket = podman.startApiService();
        try (EngineEvents events = EngineEvents.start(socket, 2)) {
            await(events::connected, "the stream to open");
            String first = runRemoved("ev-c");
            await(() -> events.lookup(first).isPresent(), "the first container's events");
            String second = runRemoved("ev-d");
            String third = runRemoved("ev-e");
            await(() -> events.lookup(third).isPresent(), "the third container's events");
            assertThat(events.lookup(second)).isPresent();
            assertThat(events.lookup(first)).as("the oldest, past a bound of 2").isEmpty();
            assertThat(events.forgotten()).isEqualTo(1);
        }
    }

    private final Map<String, String> names = new java.util.concurrent.ConcurrentHashMap<>();

    /** A container removed as it exits; its id. */
    private String runRemoved(String prefix) {
        String name = OciRuntime.uniqueId(prefix);
        Result r = podman.run(name, Map.of(), List.of("true"), true, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.id()).as("id of " + name).isNotBlank();
        names.put(r.id(), name);
        return r.id();
    }

    private String nameOf(String id) {
        return names.get(id);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("waited " + WAIT + " for " + what).isTrue();
            Thread.sleep(20);
        }
    }
}
