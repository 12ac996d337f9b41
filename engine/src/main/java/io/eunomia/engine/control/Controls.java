package io.eunomia.engine.control;

import io.eunomia.engine.alert.Alert;
import java.util.List;
import java.util.Map;

/**
 * What the control API can see and change in a running monitor. The monitor implements it; the
 * API only parses requests and renders these records as JSON.
 */
public interface Controls {
    /**
     * @param name     the sensor's name (process, file, net, ...)
     * @param loaded   its BPF object is in the kernel
     * @param attached its programs are attached (it delivers events)
     * @param rules    the rules that read its event types
     */
    record SensorState(String name, boolean loaded, boolean attached, List<String> eventTypes, List<String> rules) {}

    /** A profile being enforced: its mode and the containers running with it now. */
    record ProfileState(String profile, String mode, List<String> containers) {}

    /**
     * @param kernelLost records the kernel could not deliver, by sensor
     * @param queueDropped events dropped before the rules (queue full)
     * @param outputLost alerts that could not be written, by output
     */
    record Drops(Map<String, Long> kernelLost, long queueDropped, Map<String, Long> outputLost) {}

    /** A container seen, with its events so far. */
    record ContainerState(String id, String name, String image, String runtime, String pod, String podNamespace, long events) {}

    /** A profile learned (or being learned) through the API: its file and how many syscalls it holds. */
    record LearnedProfile(String profile, String image, String file, int syscalls) {}

    /** A container being learned since {@code since} (ISO-8601), with its profiles so far. */
    record LearningState(String container, String since, int activeNamespaces, List<LearnedProfile> profiles) {}

    /** @param calls32 whether 32-bit calls are watched, and why (Compat32Watch) */
    record Status(long pid, long uptimeSeconds, int rules, List<SensorState> sensors, List<ContainerState> containers,
                  List<ProfileState> profiles, List<LearningState> learning, Drops drops, long eventsReceived,
                  long alertsRaised, String calls32) {}

    /**
     * @param learning true after a start, false after a stop
     * @param changed  false when it was in that state already
     * @param profiles after a stop: the profiles written a last time
     */
    record LearnChange(String container, boolean learning, boolean changed, String directory, List<LearnedProfile> profiles,
                       String note) {}

    record ReloadResult(boolean ok, int rules, List<String> errors) {}

    /** @param changed false when it was in that state already */
    record SensorChange(String sensor, boolean attached, boolean changed, List<String> rules, String note) {}

    record ModeChange(String profile, String mode, List<String> containers) {}

    Status status();

    List<Alert> recentAlerts(int limit);

    ReloadResult reloadRules();

    /** @throws ControlException 404 for an unknown sensor, 409 when it cannot be switched now */
    SensorChange sensor(String name, boolean attach);

    /**
     * @param ref a container name or id, or a profile name
     * @throws ControlException 404 when nothing is enforced under that name, 409 without profiles
     */
    ModeChange mode(String ref, String mode);

    /**
     * Starts or stops learning a container (by name or id; it may start later).
     *
     * @throws ControlException 400 for a malformed name, 409 when the profile file there holds something else
     */
    LearnChange learn(String container, boolean start);
}
