package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.eunomia.event.ContainerInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Works out which container a mount namespace belongs to, from what identifies it
 * ({@link NamespaceIdentity}: cgroup paths and the runtime's process ancestry, captured while the
 * namespace's process lived) and what the host keeps: the OCI runtimes' state directories and
 * bundle annotations, podman's storage index and its own event log, file or journal (which names a {@code --rm}
 * container after podman removed it, with no API service), the Docker Engine API (its event stream,
 * read all along, names the containers that were removed before anyone asked). Slow (file reads, maybe a socket round
 * trip): {@link ContainerAttribution} calls it off the event path and caches by mount namespace.
 * Close it to stop reading the event streams.
 */
public final class ContainerResolver implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ContainerResolver.class.getName());
    private static final String POD_NAME = PodLabels.POD_NAME;
    private static final String POD_NAMESPACE = PodLabels.POD_NAMESPACE;
    /** Containers whose untrusted labels were counted (each once); past it the oldest is forgotten. */
    private static final int UNTRUSTED_REMEMBERED = 4096;
    /** The container's name in its pod: the CRI plugin's annotation, or the kubelet's label copied as one. */
    private static final List<String> CONTAINER_NAME_ANNOTATIONS = List.of(
            "io.kubernetes.cri.container-name", "io.kubernetes.container.name");
    private static final List<String> IMAGE_ANNOTATIONS = List.of(
            "io.kubernetes.cri.image-name", "org.opencontainers.image.ref.name", "org.opencontainers.image.base.name");

    private final ContainerSources sources;
    private final ProcFs proc;
    /** The pid namespace runtimes run in (ours: the monitor watches the host from the host's). */
    private final long hostPidns;
    private final String v1Controller;
    private final List<DockerApi> dockers = new ArrayList<>();
    private final List<EngineEvents> engineEvents = new ArrayList<>();
    /** podman's own events: its file logs, then journal directories (the journald backend). */
    private final List<PodmanEventIndex> podmanLogs = new ArrayList<>();
    private final ImageLabelCache imageLabels = new ImageLabelCache();
    /** Docker containers' image ids, seen while they lived: asked for their labels once they are gone. */
    private final CreatedFromImages createdFrom = new CreatedFromImages(EngineEvents.CAPACITY);
    private final LongAdder untrustedLabels = new LongAdder();
    private final LongAdder unreadableImages = new LongAdder();
    private final LongAdder untrustedRuntimes = new LongAdder();
    private volatile boolean unreadableLogged;
    private final Map<String, Boolean> untrustedCounted = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > UNTRUSTED_REMEMBERED;
        }
    };

    public ContainerResolver(ContainerSources sources, String v1Controller) {
        this(sources, ProcFs.system(), ProcFs.system().pidns((int) ProcessHandle.current().pid()).orElse(-1), v1Controller,
                Duration.ofMillis(500));
    }

    ContainerResolver(ContainerSources sources, ProcFs proc, long hostPidns, String v1Controller, Duration apiTimeout) {
        this.sources = sources;
        this.proc = proc;
        this.hostPidns = hostPidns;
        this.v1Controller = v1Controller;
        for (Path s : sources.dockerSockets()) {
            dockers.add(new DockerApi(s, apiTimeout, sources.dockerRetryAfter()));
            engineEvents.add(EngineEvents.start(s));
        }
        for (Path log : sources.podmanEventLogs()) {
            podmanLogs.add(new PodmanEventLog(log));
        }
        for (Path dir : sources.podmanJournals()) {
            PodmanJournal journal = new PodmanJournal(dir);
            podmanLogs.add(journal);
            // Its first look (libsystemd loaded, the tail read: 1-3 s in a fresh JVM) made now, off the
            // event path: a miss of the first podman container would otherwise wait it out in the
            // attribution hold, longer than a namespace's events wait. Nothing where journald keeps no files.
            Thread.ofPlatform().daemon(true).name("eunomia-podman-journal").start(journal::readAhead);
        }
    }

    /** What named the container, weakest first: a later answer never replaces a stronger one's id. */
    public enum Basis {
        /** Nothing: {@link ContainerInfo#UNRESOLVED}. */
        NONE,
        /** The cgroup the runtime placed the process in (runc and crun name it after the container by default). */
        CGROUP_LEAF,
        /** The runtime's command line ({@code runc run ... ID}). */
        COMMAND,
        /** A runtime's cgroup layout ({@code /docker/ID}, {@code libpod-ID}, ...): the id, not yet the name. */
        CGROUP_LAYOUT,
        /** The runtime's or engine's own records: state directory, podman's storage, the Docker API. */
        RECORDS
    }

    /**
     * What resolution found.
     *
     * @param info  the container; {@link ContainerInfo#UNRESOLVED} when nothing names one
     * @param basis what named it
     * @param retry whether asking again soon may tell more: the runtime that creates the container
     *              still runs, so its records may yet be written
     */
    public record Resolution(ContainerInfo info, Basis basis, boolean retry) {
        /** The runtime's own records were read: nothing better will come. */
        public boolean complete() {
            return basis == Basis.RECORDS;
        }
    }

    /** The container of a namespace, from what identifies it. */
    public Resolution resolve(NamespaceIdentity ns) {
        List<String> cgroup = ns.cgroupLines();
        Optional<CgroupPatterns.Match> match = CgroupPatterns.match(cgroup);
        Optional<NamespaceIdentity.RuntimeProcess> runtime = ns.ociRuntime();
        boolean runtimeAlive = runtime.filter(this::alive).isPresent();
        // Its command line (id, bundle, and through them annotations, podman's and containerd's
        // records) only from the host's runtime: a user's process may call itself "runc". Checked
        // after argv is read: a pid reused in between is then the process checked.
        Optional<RuntimeCommand> command = runtime.filter(r -> runtimeAlive).flatMap(this::command)
                .filter(c -> hostRoot(runtime.get().pid(), runtime.get().comm()));
        Optional<OciState> state = match.flatMap(m -> stateById(m.id()))
                .or(() -> CgroupPatterns.ociIdCandidates(cgroup).stream().map(this::stateById)
                        .flatMap(Optional::stream).findFirst())
                .or(() -> command.flatMap(c -> stateOf(c, runtime.get().runtime())))
                .or(() -> stateByMountNamespace(ns.mntns(), ns.mntnsId()));
        if (match.isEmpty() && state.isEmpty() && command.isEmpty()) {
            return runtimeOnly(ns, runtime, runtimeAlive);
        }
        // No state yet (runc writes it at the end of `create`, which a loaded machine can stretch past
        // the attribution hold): the command's bundle and the engine's records, read below as for a
        // container with state, name it meanwhile; its config.json and containerd's record come first.
        String id = match.map(CgroupPatterns.Match::id).or(() -> state.map(OciState::id)).orElseGet(() -> command.get().id());
        // The most specific source names the engine: a state root that names an engine, a runtime's cgroup
        // layout, a trusted engine process above the runtime (containerd's shim, conmon), and only then the
        // bare OCI runtime. A state root that names only the runtime (/run/runc, or the command's --root) says
        // nothing of the engine that ran it, and may answer before, or after, the shim was asked.
        String engine = state.map(OciState::engine).filter(e -> !NamespaceIdentity.OCI_RUNTIMES.contains(e))
                .or(() -> match.map(CgroupPatterns.Match::runtime))
                .or(() -> ns.engineHint(this::trustedAncestor))
                .or(() -> state.map(OciState::engine))
                .orElseGet(() -> runtime.get().runtime());
        Path bundle = state.map(OciState::bundle).or(() -> command.filter(c -> c.id().equals(id)).map(RuntimeCommand::bundle))
                .orElse(null);
        // A bundle off the command line is reached through no link; the runtime's own state may name one through a link.
        boolean bundleFromCommand = state.isEmpty() && !inConfiguredGraphRoot(bundle);
        Map<String, String> annotations = state.map(OciState::annotations).orElseGet(() -> OciState.bundleAnnotations(bundle, bundleFromCommand));

        String name = firstAnnotation(annotations, CONTAINER_NAME_ANNOTATIONS);
        name = name.isEmpty() ? id : name;
        String image = firstAnnotation(annotations, IMAGE_ANNOTATIONS);
        String pod = annotations.getOrDefault(POD_NAME, annotations.getOrDefault("io.kubernetes.cri.sandbox-name", ""));
        String podNs = annotations.getOrDefault(POD_NAMESPACE, annotations.getOrDefault("io.kubernetes.cri.sandbox-namespace", ""));

        // containers/storage holds CRI-O's containers as well as podman's: its record names the engine
        // that wrote it, or none (then the other sources' engine stands).
        Optional<PodmanStorage.Names> stored = PodmanStorage.lookup(bundle, bundleFromCommand, id);
        if (stored.isPresent() && !stored.get().engine().equals(PodmanStorage.UNKNOWN_ENGINE)) {
            engine = stored.get().engine();
        } else if (match.isPresent() && match.get().runtime().equals("podman")) {
            engine = "podman";
        }
        boolean complete = state.isPresent();
        Basis basis = match.isPresent() ? Basis.CGROUP_LAYOUT : Basis.COMMAND; // a state found through argv: COMMAND
        // A --rm container's records (storage, runtime state, the engine's list) may be gone by now;
        // its events named it when it was created.
        boolean awaitingEvents = false;
        // The image's labels could not be read now: its pod fields are not trusted yet, asked again.
        boolean imageUnreadable = false;
        if (stored.isPresent()) {
            name = stored.get().name().isEmpty() ? name : stored.get().name();
            image = stored.get().image().isEmpty() ? image : stored.get().image();
            complete = true;
        } else if (engine.equals("podman") || engine.equals(EngineStacks.CONMON)) {
            // podman's own event log first: it needs no API service, and names a --rm container whose
            // storage record and runtime state went with it. Only conmon above the runtime (podman's or
            // CRI-O's): podman's records alone make it podman's.
            boolean conmon = engine.equals(EngineStacks.CONMON);
            Optional<EngineEvents.Names> events = podmanLogOf(id).or(() -> eventsOf(id, conmon));
            complete = events.isPresent();
            awaitingEvents = events.isEmpty() && streaming("podman");
            if (events.isPresent()) {
                engine = "podman";
                EngineEvents.Names n = events.get();
                name = n.name();
                image = n.image().isEmpty() ? image : n.image();
                Trust kept = trusted(id, n.podLabels(), () -> podmanImageLabels(bundle, bundleFromCommand, n.image()));
                imageUnreadable = kept.imageUnreadable();
                pod = or(kept.labels().podName(), pod);
                podNs = or(kept.labels().podNamespace(), podNs);
            }
        }
        if (engine.equals("docker") || (match.isPresent() && match.get().runtime().equals("docker"))) {
            engine = "docker";
            // Each daemon's own event stream and list: the image is asked of the daemon that ran the
            // container, never of another whose image may carry the same name.
            Optional<FromDaemon<EngineEvents.Names>> events = firstDaemon(i -> engineEvents.get(i).lookup(id));
            Optional<FromDaemon<JsonNode>> listed = events.isPresent() ? Optional.empty()
                    : firstDaemon(i -> dockers.get(i).container(id));
            complete = events.isPresent() || listed.isPresent();
            awaitingEvents = !complete && streaming("docker");
            Trust kept = new Trust(PodLabels.NONE, false);
            if (events.isPresent()) {
                EngineEvents.Names n = events.get().found();
                name = n.name();
                image = n.image().isEmpty() ? image : n.image();
                DockerApi daemon = events.get().daemon();
                kept = trusted(id, n.podLabels(), () -> createdFromLabels(daemon, id, n.image(), true));
            } else if (listed.isPresent()) {
                JsonNode c = listed.get().found();
                name = stripSlash(c.path("Names").path(0).asText(name));
                image = c.path("Image").asText(image);
                JsonNode labels = c.path("Labels");
                DockerApi daemon = listed.get().daemon();
                createdFrom.record(id, c.path("ImageID").asText(""));
                kept = trusted(id, new PodLabels(labels.path(POD_NAME).asText(""), labels.path(POD_NAMESPACE).asText(""), ""),
                        () -> createdFromLabels(daemon, id, c.path("Image").asText(""), false));
            }
            imageUnreadable = kept.imageUnreadable();
            pod = or(kept.labels().podName(), pod);
            podNs = or(kept.labels().podNamespace(), podNs);
        }
        if (engine.equals("containerd")) {
            // containerd's own records: the kubelet's labels and the image live there, not in runc's state.
            Optional<ContainerdMetadata.Record> rec = ContainerdMetadata.lookup(sources.containerdRoots(),
                    ContainerdMetadata.namespaceOf(bundle), id);
            if (rec.isPresent()) {
                Trust kept = trusted(id, PodLabels.of(rec.get().labels()),
                        () -> ContainerdMetadata.imageLabels(rec.get(), imageLabels));
                imageUnreadable = kept.imageUnreadable();
                name = or(kept.labels().containerName(), name);
                pod = or(kept.labels().podName(), pod);
                podNs = or(kept.labels().podNamespace(), podNs);
                image = rec.get().image().isEmpty() ? image : rec.get().image();
            }
        }
        if (image.isEmpty() && bundle != null && !engine.equals("docker") && !engine.equals("podman")
                && !engine.equals(EngineStacks.CONMON)) {
            image = bundle.toString(); // a plain runc/crun bundle has no image: name its directory
        }
        complete &= !imageUnreadable;
        return new Resolution(new ContainerInfo(id, name, image, engine, pod, podNs), complete ? Basis.RECORDS : basis,
                !complete && (runtimeAlive || awaitingEvents || imageUnreadable));
    }

    /**
     * A runtime created the namespace but left no record (yet, or any more) and no command line to
     * read (it is gone): the container is the cgroup the runtime placed the process in (runc and crun
     * name it after the container by default).
     */
    private Resolution runtimeOnly(NamespaceIdentity ns, Optional<NamespaceIdentity.RuntimeProcess> runtime,
                                   boolean runtimeAlive) {
        if (runtime.isEmpty()) {
            return new Resolution(ContainerInfo.UNRESOLVED, Basis.NONE, false);
        }
        String engine = ns.engineHint(this::trustedAncestor).orElse(runtime.get().runtime());
        return runtimePlaced(ns, engine).map(c -> new Resolution(c, Basis.CGROUP_LEAF, runtimeAlive))
                .orElseGet(() -> new Resolution(ContainerInfo.UNRESOLVED, Basis.NONE, runtimeAlive));
    }

    /** The cgroup the runtime placed the process in, as the container (runc and crun name it after the container). */
    private static Optional<ContainerInfo> runtimePlaced(NamespaceIdentity ns, String engine) {
        String leaf = ns.cgroupLeaf();
        return ns.placedByRuntime() && CgroupPatterns.isSafeOciId(leaf)
                ? Optional.of(new ContainerInfo(leaf, leaf, "", engine, "", ""))
                : Optional.empty();
    }

    /**
     * What the kernel's description alone names, reading nothing (no file, socket or /proc): a
     * runtime's cgroup layout ({@code /docker/ID}), else the cgroup the runtime placed the process
     * in. For a namespace whose events could wait no longer and no look answered yet (the resolvers
     * behind on a loaded host): the id a look would find once the runtime and its records are gone,
     * short of the name and the engine above the runtime, which a later look adds.
     */
    static Resolution fromDescriptionAlone(NamespaceIdentity ns) {
        Optional<CgroupPatterns.Match> match = CgroupPatterns.match(ns.cgroupLines());
        if (match.isPresent()) {
            String id = match.get().id();
            return new Resolution(new ContainerInfo(id, id, "", match.get().runtime(), "", ""), Basis.CGROUP_LAYOUT, false);
        }
        return ns.ociRuntime().flatMap(r -> runtimePlaced(ns, r.runtime()))
                .map(c -> new Resolution(c, Basis.CGROUP_LEAF, false))
                .orElseGet(() -> new Resolution(ContainerInfo.UNRESOLVED, Basis.NONE, false));
    }

    /**
     * The container of a live process, or empty when it shows no sign of one (a host process, or
     * one that is already gone).
     */
    public Optional<ContainerInfo> resolveLive(int pid, long mntns) {
        return resolveLive(pid, mntns, 0);
    }

    /**
     * The container of a live process of the namespace with this number and id (0: any id), empty
     * when the process is in a later namespace that reuses the number: that one is another container.
     */
    public Optional<ContainerInfo> resolveLive(int pid, long mntns, long mntnsId) {
        return proc.identity(pid, mntns, mntnsId, v1Controller).map(this::resolve).map(Resolution::info)
                .filter(ContainerInfo::isResolved);
    }

    /** Whether a process lives in the namespace with this number and, where the kernel tells ids, this id (0: any). */
    public boolean inNamespace(int pid, long mntns, long mntnsId) {
        return proc.inNamespace(pid, mntns, mntnsId);
    }

    /** What identifies the namespace of a live process (when the kernel's record of it is missing). */
    public Optional<NamespaceIdentity> identityOf(int pid, long mntns, long mntnsId) {
        return proc.identity(pid, mntns, mntnsId, v1Controller);
    }

    /**
     * What identifies a namespace, read through PID if it is still in it, else through any live
     * process of the namespace (one /proc scan: the process last seen may be a short one, gone).
     */
    Optional<NamespaceIdentity> identityOfNamespace(int pid, long mntns, long mntnsId) {
        return identityOf(pid, mntns, mntnsId).or(() -> {
            java.util.OptionalInt other = proc.processIn(mntns, mntnsId);
            return other.isPresent() ? identityOf(other.getAsInt(), mntns, mntnsId) : Optional.empty();
        });
    }

    /** Every container whose init process runs now, by init pid, for `eunomia containers`. */
    public List<OciStateView> running() {
        List<OciStateView> out = new ArrayList<>();
        for (ContainerSources.StateRoot root : sources.stateRoots()) {
            for (OciState s : OciState.list(root)) {
                if (s.initPid() > 0 && proc.mntns(s.initPid()).isPresent()) {
                    out.add(new OciStateView(s.id(), s.engine(), s.initPid()));
                }
            }
        }
        return out;
    }

    /** A running container as its runtime state lists it. */
    public record OciStateView(String id, String engine, int initPid) {}

    /**
     * The runtime process still runs (same pid, same name), in the host's pid namespace: a process
     * inside a container may call itself "runc", and its argv would name host paths of its choosing.
     * (Not the host's mount namespace: crun runs in a private one on hybrid cgroup hosts.)
     */
    private boolean alive(NamespaceIdentity.RuntimeProcess r) {
        OptionalLong ns = proc.pidns(r.pid());
        return ns.isPresent() && ns.getAsLong() == hostPidns && proc.comm(r.pid()).equals(r.comm());
    }

    /** Whether a podman bundle lies in a graph root this host configured (which may be reached through a link). */
    private boolean inConfiguredGraphRoot(Path bundle) {
        return PodmanStorage.graphRootOf(bundle).filter(sources.podmanGraphRoots()::contains).isPresent();
    }

    /** Whether an ancestor is a live process of the host's root with that name (see {@link #hostRoot}). */
    private boolean trustedAncestor(NamespaceIdentity.Ancestor a) {
        OptionalLong ns = proc.pidns(a.pid());
        return ns.isPresent() && ns.getAsLong() == hostPidns && hostRoot(a.pid(), a.comm());
    }

    /**
     * Whether the process still named {@code comm} runs as the host's root a program only root can
     * change ({@link ProcFs#notHostRoot}); said once, counted when not (a process gone since tells nothing).
     */
    private boolean hostRoot(int pid, String comm) {
        if (!proc.comm(pid).equals(comm)) {
            return false;
        }
        Optional<String> why = proc.notHostRoot(pid);
        if (why.isPresent()) {
            if (untrustedRuntimes.sum() == 0) {
                LOG.log(System.Logger.Level.WARNING, "a process named " + comm + " above a new mount namespace is not "
                        + "the host's runtime (" + why.get() + "): its command line is not believed, the "
                        + "container is named from its cgroup alone (logged once; counted)");
            }
            untrustedRuntimes.increment();
            return false;
        }
        return true;
    }

    /** Runtime or engine processes (by name) not believed: not the host's root running root's program. */
    public long untrustedRuntimes() {
        return untrustedRuntimes.sum();
    }

    /** Bundle config.json files not read (not root's alone, not regular, too big): their annotations unused. */
    public long refusedBundleConfigs() {
        return OciState.refusedBundles();
    }

    /**
     * Looks at a runtime's state not read (its root not root's alone, ROOT/ID or its state file a
     * link, a FIFO, not root's or too big): that container named from its cgroup and runtime alone.
     */
    public long refusedRuntimeStates() {
        return OciState.refusedStates();
    }

    /** The command line of a live runtime process. */
    private Optional<RuntimeCommand> command(NamespaceIdentity.RuntimeProcess r) {
        return RuntimeCommand.parse(proc.cmdline(r.pid()), proc.cwd(r.pid()).orElse(null));
    }

    /**
     * The state the runtime's command line points at: its --root, named as configured when it is a
     * configured state root (containerd's shim runs runc with --root /run/containerd/runc/NS), else
     * after the runtime.
     */
    private Optional<OciState> stateOf(RuntimeCommand c, String runtime) {
        if (c.root() != null) {
            ContainerSources.StateRoot root = sources.stateRoots().stream().filter(r -> r.dir().equals(c.root())).findFirst()
                    .orElseGet(() -> new ContainerSources.StateRoot(c.root(), runtime));
            Optional<OciState> s = OciState.read(root, c.id());
            if (s.isPresent()) {
                return s;
            }
        }
        return stateById(c.id());
    }

    private Optional<OciState> stateById(String id) {
        for (ContainerSources.StateRoot root : sources.stateRoots()) {
            Optional<OciState> s = OciState.read(root, id);
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
    }

    /** Slow path for runtimes whose cgroup path says nothing: whose init shares the namespace. */
    private Optional<OciState> stateByMountNamespace(long mntns, long mntnsId) {
        for (ContainerSources.StateRoot root : sources.stateRoots()) {
            for (OciState s : OciState.list(root)) {
                // By id too: a namespace resolved after it died may have lent its number to a new container.
                if (s.initPid() > 0 && proc.inNamespace(s.initPid(), mntns, mntnsId)) {
                    return Optional.of(s);
                }
            }
        }
        return Optional.empty();
    }

    /** The podman container as podman's own event log (file or journal) named it. */
    private Optional<EngineEvents.Names> podmanLogOf(String id) {
        return podmanLogs.stream().map(log -> log.lookup(id)).flatMap(Optional::stream).findFirst();
    }

    /** The container as an engine's event stream named it (podmanOnly: only podman's streams). */
    private Optional<EngineEvents.Names> eventsOf(String id, boolean podmanOnly) {
        return engineEvents.stream().filter(e -> !podmanOnly || e.engine().equals("podman"))
                .map(e -> e.lookup(id)).flatMap(Optional::stream).findFirst();
    }

    /** Whether the engine's event stream is open: an event naming its container may be on its way. */
    private boolean streaming(String engine) {
        return engineEvents.stream().anyMatch(e -> e.connected() && e.engine().equals(engine));
    }

    /**
     * What a container's labels claim, less what its image may have set: every value its image's
     * labels hold too, and every value when the image is missing (it may have been removed, or
     * retagged, to hide what it carried). Counted once per container. When the image cannot be
     * read now nothing is trusted yet and nothing counted: the resolution stays incomplete and is
     * asked again (a daemon's timeout or podman rewriting its index must not cost a container its
     * pod for life).
     */
    private Trust trusted(String containerId, PodLabels claimed, Supplier<ImageLabels> imageLabelsOf) {
        if (claimed.isEmpty()) {
            return new Trust(claimed, false);
        }
        ImageLabels ofImage = imageLabelsOf.get();
        if (ofImage instanceof ImageLabels.Unreadable u) {
            if (!unreadableLogged) {
                unreadableLogged = true;
                LOG.log(System.Logger.Level.WARNING, "container " + containerId + " claims pod " + claimed.podNamespace()
                        + "/" + claimed.podName() + " but its image's labels cannot be read now (" + u.why()
                        + "): its k8s fields stay empty until they can (asked again; logged once)");
            }
            unreadableImages.increment();
            return new Trust(PodLabels.NONE, true);
        }
        PodLabels kept = ofImage instanceof ImageLabels.Known k ? claimed.notFromImage(k.labels()) : PodLabels.NONE;
        if (claimed.droppedIn(kept) > 0) {
            boolean first;
            synchronized (untrustedCounted) {
                first = untrustedCounted.put(containerId, Boolean.TRUE) == null;
            }
            if (first) {
                if (untrustedLabels.sum() == 0) {
                    LOG.log(System.Logger.Level.WARNING, "container " + containerId + " claims pod " + claimed.podNamespace()
                            + "/" + claimed.podName() + " by labels " + (ofImage instanceof ImageLabels.Known
                            ? "its image carries too" : "whose image is missing (" + ((ImageLabels.Missing) ofImage).where() + ")")
                            + ": not trusted, its k8s fields stay empty (logged once; "
                            + "counted in eunomia_container_labels_untrusted_total)");
                }
                untrustedLabels.increment();
            }
        }
        return new Trust(kept, false);
    }

    /** The labels a container keeps, and whether its image could not be read (then none, for now). */
    private record Trust(PodLabels labels, boolean imageUnreadable) {}

    /** What one daemon told, and which daemon. */
    private record FromDaemon<T>(DockerApi daemon, T found) {}

    /** The first answer of the daemons (index {@code i} into {@link #dockers} and {@link #engineEvents}: one socket). */
    private <T> Optional<FromDaemon<T>> firstDaemon(java.util.function.IntFunction<Optional<T>> ask) {
        for (int i = 0; i < dockers.size(); i++) {
            Optional<T> found = ask.apply(i);
            if (found.isPresent()) {
                return Optional.of(new FromDaemon<>(dockers.get(i), found.get()));
            }
        }
        return Optional.empty();
    }

    /**
     * The labels of the image a Docker container was created from: by the image id the daemon lists
     * for it (remembered: the container may be gone at the next look), else the one remembered from
     * when it lived, else its image reference if that is an id. Never by name: between the
     * container's create and now the name may have been tagged onto another image (one without the
     * pod labels the container's image gave it), so a gone container whose image id was never seen
     * has its image missing (its pod labels not trusted, counted). Unreadable while the daemon does
     * not answer: whether it still lists the container is unknown (asked again). {@code askList}:
     * whether to ask the daemon's list (not when the caller just read it).
     */
    private ImageLabels createdFromLabels(DockerApi daemon, String containerId, String imageRef, boolean askList) {
        if (askList) {
            Optional<JsonNode> listed = daemon.container(containerId);
            if (listed.isEmpty() && (daemon.down() || !daemon.present())) {
                return new ImageLabels.Unreadable("Docker API at " + daemon.socket() + " is down");
            }
            listed.ifPresent(c -> createdFrom.record(containerId, c.path("ImageID").asText("")));
        }
        Optional<String> imageId = createdFrom.of(containerId)
                .or(() -> Optional.of(imageRef).filter(CreatedFromImages::isImageId));
        if (imageId.isPresent()) {
            return dockerImageLabels(daemon, imageId.get());
        }
        return new ImageLabels.Missing("container " + containerId + " is gone and the id of the image it was created "
                + "from was never seen ('" + imageRef + "' may name another image now)");
    }

    /** An image's labels from one daemon's Engine API, by id (remembered) or by reference. */
    private ImageLabels dockerImageLabels(DockerApi daemon, String ref) {
        if (ref.isEmpty()) {
            return new ImageLabels.Missing("no image reference");
        }
        return ref.startsWith("sha256:") ? imageLabels.get(ref, () -> daemon.imageLabels(ref)) : daemon.imageLabels(ref);
    }

    /**
     * A podman image's labels: from the storage the container's bundle lives in, else from podman's
     * known storages, else from podman's API services (those whose event stream says podman).
     */
    private ImageLabels podmanImageLabels(Path bundle, boolean bundleFromCommand, String ref) {
        ImageLabels found = bundle == null ? new ImageLabels.Missing("no podman storage or API service")
                : PodmanStorage.imageLabelsOfBundle(bundle, bundleFromCommand, ref, imageLabels);
        for (Path root : sources.podmanGraphRoots()) {
            found = found.or(() -> PodmanStorage.imageLabels(root, ref, imageLabels));
        }
        for (int i = 0; i < dockers.size(); i++) {
            if (engineEvents.get(i).engine().equals("podman")) {
                DockerApi daemon = dockers.get(i);
                found = found.or(() -> dockerImageLabels(daemon, ref));
            }
        }
        return found;
    }

    /** Containers whose image's labels could not be read when asked (each time: they are asked again). */
    public long unreadableImageLabels() {
        return unreadableImages.sum();
    }

    /**
     * Containers whose {@code io.kubernetes.*} labels were not trusted (their image holds the same
     * values, or could not be read): their pod fields stay empty.
     */
    public long untrustedLabels() {
        return untrustedLabels.sum();
    }

    /**
     * Containers whose image id was forgotten to stay bounded: once gone, such a container's pod
     * labels are not trusted (its image is unknown, as if never seen).
     */
    public long createdFromForgotten() {
        return createdFrom.forgotten();
    }

    private static String or(String a, String b) {
        return a.isEmpty() ? b : a;
    }

    /** Containers the event streams and podman's event logs forgot to stay bounded. */
    public long forgottenByEvents() {
        return engineEvents.stream().mapToLong(EngineEvents::forgotten).sum()
                + podmanLogs.stream().mapToLong(PodmanEventIndex::forgotten).sum();
    }

    /** podman's container events skipped unread (a journal field or a log line too long to take, labels not JSON). */
    public long podmanEventsSkipped() {
        return podmanLogs.stream().mapToLong(PodmanEventIndex::skipped).sum();
    }

    @Override
    public void close() {
        engineEvents.forEach(EngineEvents::close);
        podmanLogs.forEach(PodmanEventIndex::close);
    }

    private static String firstAnnotation(Map<String, String> annotations, List<String> keys) {
        for (String k : keys) {
            String v = annotations.get(k);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    private static String stripSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
