package io.eunomia.engine.pipeline;

import io.eunomia.engine.output.InMemoryOutput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The evasion tests' rig, registered with {@code @RegisterExtension}: a live monitor with the
 * default pack ({@link LiveMonitor}: the shared one, so the class must be marked
 * {@link SharesLiveMonitor}; with 32-bit calls watched its own) and an {@link EvadeBox} started after
 * it (LiveRig).
 */
final class LiveEvasion extends LiveRig {
    private final String name;
    private final List<String> caps;
    private final Duration wait;
    private final boolean calls32;
    private EvadeBox kit;

    private LiveEvasion(String name, List<String> caps, Duration wait, boolean calls32) {
        this.name = name;
        this.caps = List.copyOf(caps);
        this.wait = wait;
        this.calls32 = calls32;
    }

    /** @param caps the box's capabilities (EvadeBox.start); wait: the monitor's (LiveMonitor.defaultPack) */
    static LiveEvasion of(String name, List<String> caps, Duration wait) {
        return new LiveEvasion(name, caps, wait, false);
    }

    /** The same rig whose monitor watches 32-bit calls as the product's default (auto) does: the tests' JVM leaves them off. */
    LiveEvasion watching32BitCalls() {
        return new LiveEvasion(name, caps, wait, true);
    }

    @Override
    void open(ExtensionContext context) throws Exception {
        // The 32-bit variant has one user (EvasionLiveTest): its own monitor.
        watch(() -> calls32 ? LiveMonitor.defaultPackWith32BitCalls(wait)
                : LiveMonitor.sharedDefaultPack(context.getRequiredTestClass(), wait));
        kit = EvadeBox.start(name, caps);
    }

    @Override
    void close() throws Exception {
        EvadeBox.close(kit);
    }

    /** The alerts. */
    InMemoryOutput out() {
        return live().out();
    }

    /** The host directory the box mounts (room for the test's own files). */
    Path work() {
        return kit.work();
    }

    /** evade.c's probe on the host. */
    Path hostProbe() {
        return kit.hostProbe();
    }

    ShadowBox box() {
        return kit.box();
    }

    /** An OCI config edit: the probe's directory in another container too (EvadeBox.mountIn). */
    void mountIn(com.fasterxml.jackson.databind.node.ObjectNode config) {
        kit.mountIn(config);
    }
}
