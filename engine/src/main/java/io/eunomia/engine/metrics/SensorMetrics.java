package io.eunomia.engine.metrics;

import io.eunomia.bpf.BtrfsDevices;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.container.ContainerAttribution;
import io.eunomia.event.EventType;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The kernel side's figures: events delivered by type, records lost in the kernel by sensor
 * (drops at stage "kernel"), reads the read filter kept in the kernel, containers seen, events
 * without container identity, whether 32-bit calls are watched, path walks done and skipped (by why). Read from the sensors at scrape time, so nothing is counted twice
 * and the hot path pays nothing.
 */
public final class SensorMetrics implements MeterBinder {
    private final KernelSensors sensors;

    public SensorMetrics(KernelSensors sensors) {
        this.sensors = sensors;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (EventType t : EventType.values()) {
            FunctionCounter.builder("eunomia.events", sensors, s -> s.stats().delivered().getOrDefault(t, 0L))
                    .description("Events decoded from the kernel sensors")
                    .tag("type", t.cliName())
                    .register(registry);
        }
        for (var sensor : sensors.sensors()) {
            FunctionCounter.builder("eunomia.dropped.events", sensors,
                            s -> s.lostBySensor().getOrDefault(sensor.objectName(), 0L))
                    .description("Events lost, by pipeline stage (kernel: the ring buffer was full, or a call's "
                            + "state kept from its enter to its exit was evicted)")
                    .tags("stage", "kernel", "source", sensor.objectName())
                    .register(registry);
            for (String why : List.of("flood", "reserve")) {
                FunctionCounter.builder("eunomia.kernel.records.shed", sensors,
                                s -> s.shedBySensor().getOrDefault(sensor.objectName(), Map.of()).getOrDefault(why, 0L))
                        .description("Of the kernel's dropped events, records shed as the ring filled so that vital ones "
                                + "(exec, fork, exit, namespace, violation) and a process's first records still fit: "
                                + "flood, past their process's 64 a second with the ring over 3/4 full; reserve, not "
                                + "vital with the ring in its last eighth")
                        .tags("source", sensor.objectName(), "why", why)
                        .register(registry);
            }
        }
        FunctionCounter.builder("eunomia.events.filtered", sensors, KernelSensors::readsFiltered)
                .description("Events kept in the kernel on purpose (reads: read-only opens no rule can match)")
                .tag("filter", "reads")
                .register(registry);
        FunctionCounter.builder("eunomia.events.unattributed", sensors, KernelSensors::unresolvedEvents)
                .description("Events outside the host's mount namespace whose container could not be identified")
                .register(registry);
        FunctionCounter.builder("eunomia.attribution.overflow.events", sensors, s -> s.containers().overflowEvents())
                .description("Events released before their container was known because too many were waiting")
                .register(registry);
        FunctionCounter.builder("eunomia.attribution.unanswered", sensors, s -> s.containers().releasedUnanswered())
                .description("Container mount namespaces whose events were released before any look at their container "
                        + "answered (the resolvers behind the 1 s hold: a loaded host, a hung daemon): named by the id "
                        + "their cgroup shows (no name, image or pod), else unattributed; later events by a later look")
                .register(registry);
        FunctionCounter.builder("eunomia.attribution.engine.names.forgotten", sensors,
                        s -> s.containers().resolver().forgottenByEvents())
                .description("Container names learnt from the Docker API's event stream or podman's event log and "
                        + "forgotten to stay bounded")
                .register(registry);
        FunctionCounter.builder("eunomia.attribution.podman.events.skipped", sensors,
                        s -> s.containers().resolver().podmanEventsSkipped())
                .description("podman container events skipped unread: a journal field or event log line too long to "
                        + "take, or labels that are not JSON (that container is named by its id)")
                .register(registry);
        FunctionCounter.builder("eunomia.container.labels.untrusted", sensors,
                        s -> s.containers().resolver().untrustedLabels())
                .description("Containers whose io.kubernetes.* labels (pod, namespace, container name) were not "
                        + "trusted because their image carries the same values (Docker, podman and containerd merge an "
                        + "image's labels into its containers') or could not be read: their k8s fields stay empty")
                .register(registry);
        FunctionCounter.builder("eunomia.container.labels.unreadable", sensors,
                        s -> s.containers().resolver().unreadableImageLabels())
                .description("Looks at a container's image that could not read its labels (a daemon that does not "
                        + "answer, podman's storage being rewritten or not root's alone): that container's k8s fields "
                        + "stay empty and it is asked again; each look counts")
                .register(registry);
        FunctionCounter.builder("eunomia.container.images.forgotten", sensors,
                        s -> s.containers().resolver().createdFromForgotten())
                .description("Containers whose image id (seen while they lived) was forgotten to stay bounded: once "
                        + "gone, their io.kubernetes.* labels are not trusted (their image is unknown)")
                .register(registry);
        FunctionCounter.builder("eunomia.attribution.runtimes.untrusted", sensors,
                        s -> s.containers().resolver().untrustedRuntimes())
                .description("Looks at a process named like a container runtime (runc, crun, conmon, containerd-shim) "
                        + "that is not the host's root running a program only root can change: its command line "
                        + "(id, bundle) is not believed, the container is named from its cgroup alone")
                .register(registry);
        FunctionCounter.builder("eunomia.attribution.bundles.refused", sensors,
                        s -> s.containers().resolver().refusedBundleConfigs())
                .description("Looks at an OCI bundle's config.json that was not read: not a regular root-owned file "
                        + "(a FIFO would block), over its size limit, or in a directory not root's alone; that "
                        + "container's annotations (pod, name, image) are not used")
                .register(registry);
        FunctionCounter.builder("eunomia.attribution.states.refused", sensors,
                        s -> s.containers().resolver().refusedRuntimeStates())
                .description("Looks at an OCI runtime's container state (ROOT/ID/state.json, crun's status) that was "
                        + "not read: the root not root's alone, the entry or its file a symbolic link, a FIFO, not "
                        + "root's or over 1 MiB; that container is named from its cgroup and runtime command line alone")
                .register(registry);
        for (String known : ContainerAttribution.engineLabels()) {
            FunctionCounter.builder("eunomia.attribution.disagreements", sensors, s -> s.containers().engineDisagreements(known))
                    .description("Containers whose engine, known as this one, a later look contradicted (an engine of "
                            + "another stack: podman against docker; not docker after containerd's shim, which runs "
                            + "Docker's containers): the engine's own records decide, else the known engine stays; "
                            + "logged once per container")
                    .tag("known", known)
                    .register(registry);
        }
        FunctionCounter.builder("eunomia.attribution.moves", sensors, s -> s.containers().moves())
                .description("Containers a later look named as another container: a process of them wrote itself "
                        + "into another container's cgroup (or the host's), which only a privileged process can; "
                        + "the container stays as first known, logged once")
                .register(registry);
        Map<String, ToDoubleFunction<KernelSensors>> forgotten = Map.of("bound", s -> s.containers().pidsForgotten(),
                "loss", s -> s.containers().pidsForgottenAfterLoss());
        forgotten.forEach((reason, count) -> FunctionCounter.builder("eunomia.attribution.pids.forgotten", sensors, count)
                .description("Container processes forgotten by pid, not because they exited (reason bound: past 32,768; "
                        + "loss: the process sensor lost events, so a remembered pid may have gone to another process): "
                        + "a mount namespace such a process makes, or the host's it enters, is then named by its "
                        + "cgroup alone")
                .tag("reason", reason)
                .register(registry));
        FunctionCounter.builder("eunomia.events.undecodable", sensors, s -> s.stats().decodeErrors())
                .description("Kernel records lost in user space: not decodable (a sensor/decoder mismatch), or an error "
                        + "thrown while the ring buffer's callback handled one (a bug either way)")
                .register(registry);
        pathWalks(registry);
        // Decided once at start (--compat32, the kernel's answer): a fleet-wide view of where the dispatcher costs.
        Gauge.builder("eunomia.calls32.watched", sensors, s -> s.compat32().watched() ? 1 : 0)
                .description("1 when 32-bit calls are watched (the dispatcher that costs every syscall is attached "
                        + "with the sensors that have 32-bit programs), 0 when not; why: eunomia ctl status, calls32")
                .register(registry);
        if (sensors.btrfsDevices().state() != BtrfsDevices.State.ABSENT) {
            // Decided before the programs loaded: 0 means watched files on btrfs do not match until a restart.
            Gauge.builder("eunomia.btrfs.device.ids", sensors, s -> s.btrfsDevices().state() == BtrfsDevices.State.READ ? 1 : 0)
                    .description("1 when the kernel programs name files on btrfs by their subvolume's device (as stat "
                            + "does, as watched files are keyed), 0 when btrfs is or may become available but the "
                            + "programs loaded without its types (its module loaded after them): watched files on btrfs "
                            + "do not match; not exported on a kernel without btrfs")
                    .register(registry);
        }
        Gauge.builder("eunomia.containers.seen", sensors,
                        s -> s.containers().seen().stream().filter(c -> c.container().isResolved()).count())
                .description("Containers seen since start (bounded cache)")
                .register(registry);
    }

    /** Path calls named through the task's root: walks done, and walks not done (the caller's text kept) by why. */
    private void pathWalks(MeterRegistry registry) {
        FunctionCounter.builder("eunomia.path.walks", sensors, s -> s.pathResolutionStats().walks())
                .description("Walks of a task's root that named a path call (symlinks, bind mounts)")
                .register(registry);
        Map<String, ToDoubleFunction<KernelSensors>> skipped = new LinkedHashMap<>();
        skipped.put("budget", s -> s.pathResolutionStats().overBudget());
        skipped.put("unsafe_root", s -> s.pathResolutionStats().unsafeRoots());
        skipped.put("timeout", s -> s.pathResolutionStats().timeouts());
        skipped.put("stalled", s -> s.pathResolutionStats().stalled());
        skipped.put("limit", s -> s.pathResolutionStats().limits());
        skipped.put("container_root_timeout", s -> s.pathResolutionStats().containerRootTimeouts());
        skipped.put("task_gone", s -> s.pathResolutionStats().taskGone());
        skipped.put("other_root", s -> s.pathResolutionStats().otherRoot());
        skipped.put("no_mount_table", s -> s.pathResolutionStats().noMountTable());
        skipped.put("unwalkable_path", s -> s.pathResolutionStats().unwalkable());
        skipped.put("error", s -> s.pathResolutionStats().errors());
        byReason(registry, "eunomia.path.walks.skipped", "Path walks not done or given up (the caller's text kept): budget "
                + "spent, root on a FUSE/network/proc mount, walk late (or its wait interrupted at close), namespace "
                + "stalled by a late walk, symlink or component limits, a container root's first stat late (or its wait "
                + "interrupted at close, or not tried while one was stuck) or a path below it on a FUSE/network/proc "
                + "mount, no process left in the task's mount namespace when decoded (the task, its parent, "
                + "any other), the task gone and no live process of its namespace with its root (a chroot of its "
                + "own), mount table unreadable, a path the kernel could not make absolute, "
                + "naming failed", skipped);
        FunctionCounter.builder("eunomia.path.walks.stand.in", sensors, s -> s.pathResolutionStats().standIns())
                .description("Path calls whose task and parent were gone when decoded, named through another process "
                        + "of their mount namespace (the host's init, a container's live process)")
                .register(registry);
        FunctionCounter.builder("eunomia.path.walks.stand.in.late", sensors, KernelSensors::standInsLate)
                .description("Path calls whose task and parent were gone and whose pass over /proc for another process "
                        + "of their namespace took over 250 ms: the poller went on with the text (also counted as "
                        + "skipped, reason task_gone)")
                .register(registry);
        FunctionCounter.builder("eunomia.path.walks.stand.in.roots.unread", sensors, KernelSensors::standInRootsUnread)
                .description("Processes whose root a look for a chrooted gone task's stand-in did not read: the pass "
                        + "over /proc had read 512 roots (a call whose only such process was one of them is counted "
                        + "as skipped, reason other_root)")
                .register(registry);
        FunctionCounter.builder("eunomia.path.walks.reused", sensors, s -> s.pathResolutionStats().reused())
                .description("Path calls named from a directory the same task's walk named less than 100 ms before")
                .register(registry);
        Map<String, ToDoubleFunction<KernelSensors>> texts = new LinkedHashMap<>();
        texts.put("hit", s -> s.pathTexts().hits());
        texts.put("miss", s -> s.pathTexts().misses());
        texts.put("uncached", s -> s.pathTexts().uncached());
        texts.forEach((outcome, value) -> FunctionCounter.builder("eunomia.path.texts", sensors, value)
                .description("Decoded file paths and exec'd programs: served from the text cache (hit), decoded and "
                        + "kept (miss), too long to keep and decoded each time (uncached)")
                .tag("outcome", outcome)
                .register(registry));
        FunctionCounter.builder("eunomia.path.texts.evicted", sensors, s -> s.pathTexts().evictions())
                .description("Decoded texts the text cache replaced with another of the same slot (a high rate: "
                        + "more distinct paths than slots)")
                .register(registry);
        FunctionCounter.builder("eunomia.container.roots.forgotten", sensors, KernelSensors::containerRootsForgotten)
                .description("Container mount namespaces whose root at a mount-table read was forgotten because more "
                        + "were seen (each such namespace's next exec reads its mount table again)")
                .register(registry);
        FunctionCounter.builder("eunomia.processes.evicted", sensors, KernelSensors::processesEvicted)
                .description("Processes the process table forgot because it was full, not because they exited (their "
                        + "later events lose ancestry; a high rate: more live processes than the table holds)")
                .register(registry);
        Map<String, ToDoubleFunction<KernelSensors>> looks = new LinkedHashMap<>();
        looks.put("timeout", s -> s.fileCapabilityLooks().timeouts());
        looks.put("stalled", s -> s.fileCapabilityLooks().stalled());
        looks.put("unsafe_mount", s -> s.fileCapabilityLooks().unsafeMounts());
        byReason(registry, "eunomia.xattr.looks.skipped", "File-capability looks after a successful set*xattr not made "
                + "(the event kept as the caller's memory told it): look late (or its wait interrupted at close), "
                + "namespace stalled by a late look, file on a FUSE/network/proc mount", looks);
    }

    /** One counter series per reason. */
    private void byReason(MeterRegistry registry, String name, String description, Map<String, ToDoubleFunction<KernelSensors>> reasons) {
        reasons.forEach((reason, value) -> FunctionCounter.builder(name, sensors, value)
                .description(description)
                .tag("reason", reason)
                .register(registry));
    }
}
