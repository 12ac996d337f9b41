package io.eunomia.engine.cli;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.control.ControlException;
import io.eunomia.engine.control.Controls;
import io.eunomia.engine.control.RecentAlerts;
import io.eunomia.engine.learn.LiveLearning;
import io.eunomia.engine.output.MonitorOutputs;
import io.eunomia.engine.output.QueuedOutput;
import io.eunomia.engine.pipeline.Monitor;
import io.eunomia.engine.pipeline.Pipeline;
import io.eunomia.engine.pipeline.RuleReloader;
import io.eunomia.enforcer.kernel.EnforcementMode;
import io.eunomia.enforcer.kernel.ProfileEnforcer;
import io.eunomia.event.EventType;
import io.eunomia.rules.RuleBase;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The running monitor as the control API sees it: what {@code eunomia monitor} wires together. */
final class MonitorControls implements Controls {
    /** Containers listed in a status at most (the newest seen first). */
    static final int MAX_CONTAINERS = 500;

    private final Monitor monitor;
    private final ProfileEnforcer enforcer;
    private final MonitorOutputs outputs;
    private final RecentAlerts alerts;
    private final LiveLearning learning;

    /** @param enforcer null when no profiles are enforced */
    MonitorControls(Monitor monitor, ProfileEnforcer enforcer, MonitorOutputs outputs, RecentAlerts alerts, LiveLearning learning) {
        this.monitor = monitor;
        this.enforcer = enforcer;
        this.outputs = outputs;
        this.alerts = alerts;
        this.learning = learning;
    }

    @Override
    public Status status() {
        KernelSensors sensors = monitor.sensors();
        RuleBase rules = monitor.pipeline().rules();
        Map<String, Set<EventType>> reads = rules.eventTypesByRule();
        Set<Sensor> loaded = sensors.sensors();
        Set<Sensor> attached = sensors.attached();
        List<SensorState> sensorStates = new ArrayList<>();
        for (Sensor s : Sensor.values()) {
            if (s == Sensor.SECCOMP || (s == Sensor.SYSCOUNT && !loaded.contains(s))) {
                continue;   // verify runs' sensor, never a monitor's; syscount only while something is learned
            }
            sensorStates.add(new SensorState(s.objectName(), loaded.contains(s), attached.contains(s),
                    s.eventTypes().stream().map(EventType::cliName).sorted().toList(), readers(reads, s)));
        }
        List<ContainerState> containers = sensors.containers().seen().stream()
                .sorted(Comparator.comparingLong(x -> -x.lastSeenNanos()))
                .limit(MAX_CONTAINERS)
                .map(x -> new ContainerState(x.container().id(), x.container().name(), x.container().image(),
                        x.container().runtime(), x.container().podName(), x.container().podNamespace(), x.events()))
                .toList();
        List<ProfileState> profiles = new ArrayList<>();
        if (enforcer != null) {
            Map<String, List<String>> byProfile = new TreeMap<>();
            enforcer.targetNames().forEach(t -> byProfile.put(t, new ArrayList<>()));
            enforcer.watched().forEach((container, profile) -> byProfile.computeIfAbsent(profile, k -> new ArrayList<>())
                    .add(container));
            byProfile.forEach((p, cs) -> profiles.add(new ProfileState(p, enforcer.mode(p).cliName(), cs.stream().sorted().toList())));
        }
        Pipeline.Stats p = monitor.pipeline().stats();
        Map<String, Long> outputLost = new LinkedHashMap<>();
        for (QueuedOutput q : outputs.queues()) {
            outputLost.put(q.name(), q.stats().lost());
        }
        outputs.alertmanager().ifPresent(am -> outputLost.put("alertmanager", am.sender().dropped()));
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
        List<LearningState> learned = learning.sessions().stream().map(x -> new LearningState(x.container(),
                x.since().toString(), x.activeNamespaces(), learned(x.profiles()))).toList();
        return new Status(ProcessHandle.current().pid(), uptime, rules.rules().size(), sensorStates, containers, profiles,
                learned, new Drops(sensors.lostBySensor(), p.dropped(), outputLost), sensors.stats().totalDelivered(), p.alerts(),
                sensors.compat32().toString());
    }

    private static List<String> readers(Map<String, Set<EventType>> reads, Sensor s) {
        List<String> out = new ArrayList<>();
        reads.forEach((rule, types) -> {
            if (types.stream().anyMatch(s.eventTypes()::contains)) {
                out.add(rule);
            }
        });
        return out;
    }

    @Override
    public List<Alert> recentAlerts(int limit) {
        return alerts.last(limit);
    }

    @Override
    public ReloadResult reloadRules() {
        try {
            RuleReloader.Result r = monitor.reloader().reload("control API").get(120, TimeUnit.SECONDS);
            return r.ok() ? new ReloadResult(true, r.rules().rules().size(), List.of())
                    : new ReloadResult(false, monitor.pipeline().rules().rules().size(),
                    r.errors().stream().map(Object::toString).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(503, "interrupted while reloading");
        } catch (ExecutionException e) {
            throw new ControlException(500, "the reload failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw new ControlException(503, "the reload takes longer than 120 s; it goes on: see the log, ask status later");
        }
    }

    @Override
    public SensorChange sensor(String name, boolean attach) {
        Sensor s = java.util.Arrays.stream(Sensor.values()).filter(x -> x.objectName().equals(name.toLowerCase(Locale.ROOT)))
                .findFirst().orElseThrow(() -> new ControlException(404, "no sensor named " + name + " (sensors: process, "
                        + "file, net, cap, priv)"));
        if (s.onRequestOnly() || s == Sensor.SYSCOUNT) {
            throw new ControlException(409, "the " + s.objectName() + " sensor is not switched at run time: "
                    + (s == Sensor.ENFORCE ? "it enforces the profiles (start the monitor with or without --profiles)"
                    : s == Sensor.SYSCOUNT ? "it learns profiles (eunomia ctl learn start|stop CONTAINER)"
                    : "it belongs to eunomia seccomp verify"));
        }
        KernelSensors sensors = monitor.sensors();
        boolean changed;
        try {
            changed = attach ? sensors.attach(s) : sensors.detach(s);
        } catch (IllegalStateException e) {
            throw new ControlException(409, e.getMessage());
        }
        RuleBase rules = monitor.pipeline().rules();
        if (attach && s == Sensor.FILE) {
            sensors.updateReadPrefixes(rules.fileReads().filter());   // what the rules read now, not at start
            sensors.updateMissPrefixes(rules.missingReads().filter());
            sensors.updateTimesPrefixes(rules.timesSet().filter());
        }
        List<String> readers = readers(rules.eventTypesByRule(), s);
        String note;
        if (attach) {
            note = readers.isEmpty() ? "no rule reads its events (" + typeNames(s) + ")"
                    : readers.size() + " rules read its events again";
        } else {
            note = readers.isEmpty() ? "no rule read its events"
                    : readers.size() + " rules read its events (" + typeNames(s) + "): they see nothing until it starts again";
        }
        return new SensorChange(s.objectName(), attach, changed, readers, note);
    }

    private static String typeNames(Sensor s) {
        return String.join(", ", s.eventTypes().stream().map(EventType::cliName).sorted().toList());
    }

    @Override
    public ModeChange mode(String ref, String mode) {
        EnforcementMode m = EnforcementMode.parse(mode).orElseThrow(() ->
                new ControlException(400, "mode must be monitor or enforce, not '" + mode + "'"));
        if (enforcer == null) {
            throw new ControlException(409, "this monitor enforces no profiles: start it with --profiles DIR");
        }
        String profile = enforcer.targetNames().contains(ref) ? ref : enforcer.watched().get(ref);
        if (profile == null) {
            throw new ControlException(404, "no profile and no watched container is named " + ref + " (profiles: "
                    + String.join(", ", enforcer.targetNames()) + "; containers: " + String.join(", ",
                    new java.util.TreeSet<>(enforcer.watched().keySet())) + ")");
        }
        try {
            return new ModeChange(profile, m.cliName(), enforcer.setMode(profile, m).stream().sorted().toList());
        } catch (IllegalArgumentException e) {
            throw new ControlException(409, e.getMessage());
        }
    }

    @Override
    public LearnChange learn(String container, boolean start) {
        try {
            if (start) {
                boolean changed = learning.start(container);
                return new LearnChange(container, true, changed, learning.directory().toString(), List.of(),
                        changed ? "learning; the profile is checkpointed to " + learning.directory() + " and written at stop"
                                : "it was learned already");
            }
            var written = learning.stop(container);
            if (written.isEmpty()) {
                throw new ControlException(404, container + " is not being learned (learned now: " + String.join(", ",
                        learning.sessions().stream().map(LiveLearning.Session::container).toList()) + ")");
            }
            List<LearnedProfile> profiles = learned(written.get());
            return new LearnChange(container, false, true, learning.directory().toString(), profiles,
                    profiles.isEmpty() ? "nothing was learned: the container made no call while it was learned (did it run?)"
                            : profiles.size() + " profile(s) written");
        } catch (LiveLearning.LearningException e) {
            throw new ControlException(e.conflict() ? 409 : 400, e.getMessage());
        } catch (IllegalStateException e) {
            throw new ControlException(409, "the learning sensor cannot be loaded now: " + e.getMessage());
        }
    }

    private static List<LearnedProfile> learned(List<LiveLearning.Written> written) {
        return written.stream().map(w -> new LearnedProfile(w.profile(), w.image(), w.file() == null ? "" : w.file().toString(),
                w.syscalls())).toList();
    }
}
