package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.eunomia.event.ContainerInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Works out which container a live process belongs to, from what the host has: its cgroup path,
 * the OCI runtimes' state directories (bundle annotations), podman's storage index and the Docker
 * Engine API. Slow (file reads, maybe a socket round trip): callers cache by mount namespace.
 */
public final class ContainerResolver {
    private static final String POD_NAME = "io.kubernetes.pod.name";
    private static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    private static final List<String> IMAGE_ANNOTATIONS = List.of(
            "io.kubernetes.cri.image-name", "org.opencontainers.image.ref.name", "org.opencontainers.image.base.name");

    private final ContainerSources sources;
    private final ProcFs proc;
    private final List<DockerApi> dockers = new ArrayList<>();

    public ContainerResolver(ContainerSources sources) {
        this(sources, ProcFs.system(), Duration.ofMillis(500));
    }

    ContainerResolver(ContainerSources sources, ProcFs proc, Duration apiTimeout) {
        this.sources = sources;
        this.proc = proc;
        for (Path s : sources.dockerSockets()) {
            dockers.add(new DockerApi(s, apiTimeout));
        }
    }

    /**
     * What resolution found.
     *
     * @param complete whether the runtime's own records were read (name, image); false when only
     *                 the cgroup path named the container, e.g. before the runtime wrote its state
     */
    public record Resolution(ContainerInfo info, boolean complete) {}

    /**
     * The container of process pid (whose mount namespace is mntns), or empty when the process
     * shows no sign of one (a host process, or one that is already gone).
     */
    public Optional<ContainerInfo> resolve(int pid, long mntns) {
        return resolveDetailed(pid, mntns).map(Resolution::info);
    }

    public Optional<Resolution> resolveDetailed(int pid, long mntns) {
        // Only trust /proc/PID while PID is still in that namespace: once the process or the
        // namespace is gone, its pid and inode number can belong to someone else (a new container).
        if (!inNamespace(pid, mntns)) {
            return Optional.empty();
        }
        List<String> cgroup = proc.cgroup(pid);
        Optional<CgroupPatterns.Match> match = CgroupPatterns.match(cgroup);
        Optional<OciState> state = match.flatMap(m -> stateById(m.id()))
                .or(() -> CgroupPatterns.ociIdCandidates(cgroup).stream().map(this::stateById)
                        .flatMap(Optional::stream).findFirst())
                .or(() -> stateByMountNamespace(mntns));
        if (match.isEmpty() && state.isEmpty()) {
            return Optional.empty();
        }
        String id = match.map(CgroupPatterns.Match::id).orElseGet(() -> state.get().id());
        String engine = state.map(OciState::engine).orElseGet(() -> match.get().runtime());
        Map<String, String> annotations = state.map(OciState::annotations).orElse(Map.of());

        String name = id;
        String image = firstAnnotation(annotations, IMAGE_ANNOTATIONS);
        String pod = annotations.getOrDefault(POD_NAME, annotations.getOrDefault("io.kubernetes.cri.sandbox-name", ""));
        String podNs = annotations.getOrDefault(POD_NAMESPACE, annotations.getOrDefault("io.kubernetes.cri.sandbox-namespace", ""));

        Optional<PodmanStorage.Names> podman = state.flatMap(s -> PodmanStorage.lookup(s.bundle(), s.id()));
        if (podman.isPresent() || (match.isPresent() && match.get().runtime().equals("podman"))) {
            engine = "podman";
        }
        boolean complete = state.isPresent();
        if (podman.isPresent()) {
            name = podman.get().name().isEmpty() ? name : podman.get().name();
            image = podman.get().image().isEmpty() ? image : podman.get().image();
        } else if (engine.equals("podman")) {
            complete = false;
        }
        if (engine.equals("docker") || (match.isPresent() && match.get().runtime().equals("docker"))) {
            engine = "docker";
            Optional<JsonNode> inspect = dockerInspect(id);
            complete = inspect.isPresent();
            if (inspect.isPresent()) {
                JsonNode c = inspect.get();
                name = stripSlash(c.path("Name").asText(name));
                image = c.path("Config").path("Image").asText(image);
                JsonNode labels = c.path("Config").path("Labels");
                pod = labels.path(POD_NAME).asText(pod);
                podNs = labels.path(POD_NAMESPACE).asText(podNs);
            }
        }
        if (image.isEmpty() && state.isPresent() && state.get().bundle() != null && !engine.equals("docker")) {
            image = state.get().bundle().toString(); // a plain runc/crun bundle has no image: name its directory
        }
        return Optional.of(new Resolution(new ContainerInfo(id, name, image, engine, pod, podNs), complete));
    }

    /** Whether the process exists and still lives in mount namespace mntns. */
    public boolean inNamespace(int pid, long mntns) {
        OptionalLong ns = proc.mntns(pid);
        return ns.isPresent() && ns.getAsLong() == mntns;
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

    private Optional<OciState> stateById(String id) {
        for (ContainerSources.StateRoot root : sources.stateRoots()) {
            Optional<OciState> s = OciState.read(root, id);
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
    }

    /** Slow path for runtimes whose cgroup path says nothing: whose init shares our namespace. */
    private Optional<OciState> stateByMountNamespace(long mntns) {
        for (ContainerSources.StateRoot root : sources.stateRoots()) {
            for (OciState s : OciState.list(root)) {
                OptionalLong ns = s.initPid() > 0 ? proc.mntns(s.initPid()) : OptionalLong.empty();
                if (ns.isPresent() && ns.getAsLong() == mntns) {
                    return Optional.of(s);
                }
            }
        }
        return Optional.empty();
    }

    private Optional<JsonNode> dockerInspect(String id) {
        for (DockerApi api : dockers) {
            Optional<JsonNode> r = api.inspect(id);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
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
