package io.eunomia.engine.pipeline;

import io.eunomia.engine.output.InMemoryOutput;
import java.time.Duration;
import java.util.List;

/**
 * One live monitor with the default pack and the default sensor options ({@link LiveMonitor#defaultPack}'s
 * configuration) for every class marked {@link SharesLiveMonitor}: a monitor start costs ~8 s wall and
 * ~12 s of CPU (mostly the verifier) and its close detaches ~150 programs, once per class before.
 * Each class gets a lease ({@link #lease}): a {@link LiveMonitor} reading the shared alerts after its
 * own marks, whose close gives the lease back (and drops the subscriptions it made) but leaves the
 * monitor running for the next sharing class.
 *
 * <p>When it closes: the rest of the suite starts monitors and daemons of its own, and a monitor left
 * attached would take their events too (its programs on every syscall, its poller and rule session
 * busy with their acts). So {@link SharedLiveMonitorListener} closes it as soon as a class that does
 * not share it starts, and at the end of the test run; {@link SharingClassesTogether} runs the
 * sharing classes one after the other, so it starts and closes once a run. (Detaching the programs
 * between classes and attaching them again instead would leave the monitor blind meanwhile: a process
 * table and container identities missing what happened then.)
 *
 * <p>Live classes with a monitor of their own, and why: EvasionLiveTest (32-bit calls watched);
 * PreexistingLinksLiveTest (links made before the monitor starts: its start is the test);
 * OverlayRootHardLink, ShortLivedContainers, RemovedContainerNames, ContainerdK8sNamespace (a container
 * engine's socket or state given at start); GoneTaskPathCalls (a 64 MiB ring, its metrics);
 * PrivilegeRules (the module fallback's sys_enter program); MountApi, PathCallsThroughBind,
 * LongExecTexts, FalcoStableRules and the other classes with rules of their own.
 */
final class SharedLiveMonitor {
    private static final System.Logger LOG = System.getLogger(SharedLiveMonitor.class.getName());

    private static Monitor monitor;
    private static InMemoryOutput out;
    /** Leases not given back: a class still running (sharing classes run one at a time). */
    private static int leases;
    private static int classesServed;

    private SharedLiveMonitor() {}

    /**
     * The shared monitor for testClass (started now if none runs), reading alerts after marks of its
     * own; wait: how long its awaits wait.
     */
    static synchronized LiveMonitor lease(Class<?> testClass, Duration wait) throws Exception {
        if (!testClass.isAnnotationPresent(SharesLiveMonitor.class)) {
            // Unmarked, it would be run among classes that close the monitor under it, or keep it attached through them.
            throw new IllegalStateException(testClass.getName() + " uses the shared live monitor: mark it @"
                    + SharesLiveMonitor.class.getSimpleName());
        }
        if (monitor == null) {
            long t0 = System.nanoTime();
            out = new InMemoryOutput();
            monitor = LiveMonitor.startMonitor(new RuleLoader(List.of(), true), out, o -> o);
            classesServed = 0;
            System.err.printf("shared live monitor: started for %s in %d ms%n", testClass.getSimpleName(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
        leases++;
        classesServed++;
        return LiveMonitor.lease(out, monitor, wait, SharedLiveMonitor::giveBack);
    }

    private static synchronized void giveBack() {
        leases--;
    }

    /** Closes the shared monitor if one runs (why: for the log line with what it cost). */
    static synchronized void close(String why) {
        if (monitor == null) {
            return;
        }
        if (leases != 0) {
            LOG.log(System.Logger.Level.WARNING, "shared live monitor closed with " + leases + " lease(s) not given back");
        }
        long t0 = System.nanoTime();
        try {
            monitor.close();
        } finally {
            monitor = null;
            out = null;
            leases = 0;
            System.err.printf("shared live monitor: closed (%s) after %d classes in %d ms%n", why, classesServed,
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
