package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.event.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Holds the sensor poller while an act runs, so the act's records are decoded only after every
 * process of it ended (its /proc entries gone): a subscriber (they run on the poller) blocks from
 * the decode of a trigger event, caused by a command of the test's, until the act returned. The
 * hold is as short as the act (the ring, shared with the whole host's records, fills meanwhile).
 */
final class PollerHold {
    interface Act {
        void run() throws Exception;
    }

    private PollerHold() {}

    /**
     * @param trigger     the event that command causes (only it: the machine is shared)
     * @param command     run to its end as a child (the sensors leave out the monitor's own calls)
     */
    static void whileHeld(KernelSensors sensors, Duration wait, Predicate<Event> trigger, List<String> command, Act act)
            throws Exception {
        CompletableFuture<Void> held = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        var sub = sensors.subscribe(trigger, e -> {
            held.complete(null);
            try {
                release.await(wait.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            Ran r = LiveProcesses.runToEnd(command);
            assertThat(r.exit()).as(r.output()).isZero();
            held.get(wait.toSeconds(), TimeUnit.SECONDS);
            act.run();
        } finally {
            release.countDown();
            sub.close();
        }
    }
}
