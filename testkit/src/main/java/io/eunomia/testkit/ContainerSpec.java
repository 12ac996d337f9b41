package io.eunomia.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What an OCI container (runc, crun) runs: process args, extra environment, working directory,
 * hostname, OCI annotations, and an optional last-word edit of the generated {@code config.json}
 * (e.g. to add {@code linux.seccomp}). Immutable; the {@code with*} methods return copies.
 *
 * @param args        process args (args[0] looked up on PATH=/bin:... inside the busybox rootfs)
 * @param env         environment added to {@code PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}
 * @param cwd         working directory, default {@code /}
 * @param hostname    UTS hostname, also written to the rootfs's {@code /etc/hostname}; default the id
 * @param annotations OCI annotations (e.g. {@code org.opencontainers.image.ref.name},
 *                    {@code io.kubernetes.pod.name})
 * @param configEdit  applied to the config.json object just before it is written, or {@code null}
 */
public record ContainerSpec(List<String> args, Map<String, String> env, String cwd, String hostname,
                            Map<String, String> annotations, Consumer<ObjectNode> configEdit) {

    public ContainerSpec {
        args = List.copyOf(args);
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a container needs process args");
        }
        env = Map.copyOf(env);
        cwd = Objects.requireNonNullElse(cwd, "/");
        annotations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    public static ContainerSpec of(List<String> args) {
        return new ContainerSpec(args, Map.of(), "/", null, Map.of(), null);
    }

    public static ContainerSpec of(String... args) {
        return of(List.of(args));
    }

    public ContainerSpec withEnv(String name, String value) {
        Map<String, String> m = new LinkedHashMap<>(env);
        m.put(name, value);
        return new ContainerSpec(args, m, cwd, hostname, annotations, configEdit);
    }

    public ContainerSpec withCwd(String dir) {
        return new ContainerSpec(args, env, dir, hostname, annotations, configEdit);
    }

    public ContainerSpec withHostname(String name) {
        return new ContainerSpec(args, env, cwd, name, annotations, configEdit);
    }

    public ContainerSpec withAnnotation(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(annotations);
        m.put(key, value);
        return new ContainerSpec(args, env, cwd, hostname, m, configEdit);
    }

    public ContainerSpec withAnnotations(Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>(annotations);
        m.putAll(more);
        return new ContainerSpec(args, env, cwd, hostname, m, configEdit);
    }

    /** Adds an edit of the generated config.json (runs after earlier edits). */
    public ContainerSpec withConfigEdit(Consumer<ObjectNode> edit) {
        Consumer<ObjectNode> combined = configEdit == null ? edit : configEdit.andThen(edit);
        return new ContainerSpec(args, env, cwd, hostname, annotations, combined);
    }
}
