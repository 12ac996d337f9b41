package io.eunomia.engine.pipeline;

import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.BesideTheStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One live monitor per {@link Configuration} (its rules; the default sensor options) for the classes
 * marked {@link SharesLiveMonitor} with it: a monitor start costs ~8 s wall and ~12 s of CPU (mostly
 * the verifier) and its close detaches ~150 programs, once per class before. Each class gets a lease
 * ({@link #lease}): a {@link LiveMonitor} reading the shared alerts after its own marks, whose close
 * gives the lease back (and drops the subscriptions it made) but leaves the monitor running for the
 * next class of its configuration.
 *
 * <p>When it closes: the rest of the suite starts monitors and daemons of its own, and a monitor left
 * attached would take their events too (its programs on every syscall, its poller and rule session
 * busy with their acts). So {@link SharedLiveMonitorListener} closes it as soon as a class that does
 * not share its configuration starts, and at the end of the test run; {@link SharingClassesTogether}
 * runs the classes of one configuration one after the other, so each configuration's monitor starts
 * and closes once a run, and at most one runs at a time. (Detaching the programs between classes and
 * attaching them again instead would leave the monitor blind meanwhile: a process table and container
 * identities missing what happened then.)
 *
 * <p>{@link Configuration#DEFAULT_PACK}: FirstMoments, LineagePack, LinkAndBind, OneShortProcessContainer,
 * PathCallTexts, PrivCallTexts (these two through {@link LiveEvasion}), ProcessNetworkPack, Xattr,
 * SensitiveMount, RuntimeNameForgery, HostMountNamespaceEntry. {@link Configuration#DEFAULT_PACK_AND_PROBES}: MountApi, PathCallsThroughBind,
 * LongExecTexts (each had a monitor of its own for a few test rules).
 *
 * <p>Live classes with a monitor of their own, and why: EvasionLiveTest (32-bit calls watched);
 * PreexistingLinksLiveTest (links made before the monitor starts: its start is the test);
 * OverlayRootHardLink, ShortLivedContainers, RemovedContainerNames, ContainerdK8sNamespace (a container
 * engine's socket or state given at start); GoneTaskPathCalls (a 64 MiB ring, its metrics);
 * PrivilegeRules (the module fallback's sys_enter program); ReadFilter, NetFilter (a pid filter, rules
 * reloaded); MonitorLive (rules reloaded); FalcoStableRules (Falco's file without the default pack,
 * whose rule names it shares, e.g. "Execution from /dev/shm"); RuleShapes (its rules are what it tests:
 * rule counts, a rule without an event type that turns the kernel's read filter off for every rule);
 * BenignMix (zero alerts about any descendant of this JVM: an earlier class's late ones would count);
 * ShortProcessCwd (its rules alone need exec events only, so little fills the ring while it holds the
 * poller ({@link PollerHold}); with the default pack added, a hold's trigger did not arrive within 2
 * minutes once, under a load of 30);
 * StalledContainerMount (the monitor's close is part of the test).
 */
final class SharedLiveMonitor {
    private static final System.Logger LOG = System.getLogger(SharedLiveMonitor.class.getName());
    private static final Pattern RULE_NAME = Pattern.compile("^- rule: (.+)$", Pattern.MULTILINE);

    /** The rules of a shared monitor. */
    enum Configuration {
        /** The default pack alone. */
        DEFAULT_PACK(List::of),
        /**
         * The default pack and the test rules of the classes sharing it, all of them whichever class
         * starts it (names unique, each beginning "Test "): each class's awaits pick its own acts, so
         * another class's test rule firing on its acts neither satisfies nor breaks them.
         */
        DEFAULT_PACK_AND_PROBES(() -> List.of(LiveProcesses.CHMOD_BELOW_ETC_RULE, MountApiLiveTest.PROBE_RULES,
                LongExecTextsLiveTest.PROBE_RULES));

        private final Supplier<List<String>> testRules;

        Configuration(Supplier<List<String>> testRules) {
            this.testRules = testRules;
        }

        /** The test rules in one file (null: none), each name once. */
        private Path writeTestRules() throws java.io.IOException {
            List<String> rules = testRules.get();
            if (rules.isEmpty()) {
                return null;
            }
            Set<String> names = new HashSet<>();
            for (String r : rules) {
                Matcher m = RULE_NAME.matcher(r);
                while (m.find()) {
                    if (!m.group(1).startsWith("Test ") || !names.add(m.group(1))) {
                        throw new IllegalStateException(this + ": test rule '" + m.group(1)
                                + "' defined twice or not named \"Test ...\" (it could replace or be taken for a default pack rule)");
                    }
                }
            }
            Path file = Files.createTempFile("eunomia-shared-" + name().toLowerCase(java.util.Locale.ROOT) + "-", ".yaml");
            Files.writeString(file, String.join("", rules));
            return file;
        }
    }

    private static Monitor monitor;
    private static Configuration running;
    private static Path rulesFile;
    private static InMemoryOutput out;
    /** Leases not given back: a class still running (sharing classes run one at a time). */
    private static int leases;
    private static int classesServed;

    private SharedLiveMonitor() {}

    /**
     * The shared monitor of configuration for testClass (started now if none of it runs), reading
     * alerts after marks of its own; wait: how long its awaits wait.
     */
    static synchronized LiveMonitor lease(Class<?> testClass, Configuration configuration, Duration wait) throws Exception {
        SharesLiveMonitor mark = testClass.getAnnotation(SharesLiveMonitor.class);
        if (mark == null || mark.value() != configuration) {
            // Unmarked (or marked for another), it would be run among classes that close the monitor under it, or keep it attached through them.
            throw new IllegalStateException(testClass.getName() + " uses the shared live monitor " + configuration + ": mark it @"
                    + SharesLiveMonitor.class.getSimpleName() + (configuration == Configuration.DEFAULT_PACK ? "" : "(" + configuration + ")"));
        }
        if (testClass.isAnnotationPresent(BesideTheStream.class)) {
            // Beside the stream it would run while classes of other configurations close the monitor under it.
            throw new IllegalStateException(testClass.getName() + " uses the shared live monitor: it cannot run @"
                    + BesideTheStream.class.getSimpleName());
        }
        if (monitor != null && running != configuration) {
            close("before " + testClass.getSimpleName() + ", of " + configuration);  // the listener closes it first in a test run
        }
        if (monitor == null) {
            long t0 = System.nanoTime();
            Path file = configuration.writeTestRules();
            InMemoryOutput o = new InMemoryOutput();
            try {
                monitor = LiveMonitor.startMonitor(new RuleLoader(file == null ? List.of() : List.of(file), true), o, x -> x);
            } catch (Exception | Error e) {
                if (file != null) {
                    Files.deleteIfExists(file);
                }
                throw e;
            }
            out = o;
            running = configuration;
            rulesFile = file;
            classesServed = 0;
            System.err.printf("shared live monitor %s: started for %s in %d ms%n", configuration, testClass.getSimpleName(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
        leases++;
        classesServed++;
        return LiveMonitor.lease(out, monitor, wait, SharedLiveMonitor::giveBack);
    }

    private static synchronized void giveBack() {
        leases--;
    }

    /** Closes the shared monitor if one runs and it is not of configuration (null: any); why: for the log line. */
    static synchronized void closeUnless(Configuration configuration, String why) {
        if (running != configuration) {
            close(why);
        }
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
            Configuration was = running;
            try {
                if (rulesFile != null) {
                    Files.deleteIfExists(rulesFile);
                }
            } catch (java.io.IOException e) {
                LOG.log(System.Logger.Level.WARNING, "shared live monitor's rule file " + rulesFile + " not removed", e);
            } finally {
                monitor = null;
                running = null;
                rulesFile = null;
                out = null;
                leases = 0;
            }
            System.err.printf("shared live monitor %s: closed (%s) after %d classes in %d ms%n", was, why, classesServed,
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
