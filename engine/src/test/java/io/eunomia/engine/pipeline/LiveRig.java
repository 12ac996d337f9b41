package io.eunomia.engine.pipeline;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a live class's set-up (ProgramsLive, LineageLive, LiveEvasion) shares, registered as a static
 * {@code @RegisterExtension} field: the class's monitor (a lease of a shared one, or its own) and what
 * the rig holds beside it (a work directory, a box), opened before the class's first test; each test's
 * start marked on the monitor; after the class (after its own @AfterAll, which may still use them) the
 * monitor closed first, then the rest, even when closing the monitor failed.
 */
abstract class LiveRig implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    /** Starts the class's monitor (its rules differ per test class). */
    interface MonitorStart {
        LiveMonitor start() throws Exception;
    }

    private LiveMonitor live;

    /** Opens what the rig holds and starts the monitor ({@link #watch}), in the order the rig needs. */
    abstract void open(ExtensionContext context) throws Exception;

    /** Removes what {@link #open} made beside the monitor (null where it did not get that far). */
    abstract void close() throws Exception;

    /** Starts the monitor: kept at once, so that it is closed whatever open fails at next. */
    final void watch(MonitorStart monitor) throws Exception {
        live = monitor.start();
    }

    @Override
    public final void beforeAll(ExtensionContext context) throws Exception {
        open(context);
    }

    @Override
    public final void afterAll(ExtensionContext context) throws Exception {
        try {
            LiveMonitor.close(live);
        } finally {
            close();
        }
    }

    @Override
    public final void beforeEach(ExtensionContext context) {
        live.markTestStart();
    }

    LiveMonitor live() {
        return live;
    }
}
