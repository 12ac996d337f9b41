package io.eunomia.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An OCI bundle: a directory holding {@code config.json} and a private writable copy of the busybox
 * {@code rootfs/}. The config starts from the output of {@code runc spec} (runc 1.1.5, kept as a
 * resource) with {@code process.terminal=false}, {@code root.readonly=false}, and the spec's args,
 * env, cwd, hostname and annotations. Namespaces are runc's defaults (pid, network, ipc, uts,
 * mount); no cgroupsPath, so runc/crun use {@code /<id>}.
 */
public final class OciBundle {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path dir;
    private final ObjectNode config;

    private OciBundle(Path dir, ObjectNode config) {
        this.dir = dir;
        this.config = config;
    }

    /** Creates the bundle in {@code dir} (created if needed; must not hold a bundle yet). */
    public static OciBundle create(Path dir, String id, ContainerSpec spec) {
        try {
            Path rootfs = dir.resolve("rootfs");
            BusyboxRootfs.get().copyTo(rootfs);
            String hostname = spec.hostname() != null ? spec.hostname() : id;
            Files.writeString(rootfs.resolve("etc/hostname"), hostname + "\n");
            ObjectNode config = template();
            ObjectNode process = (ObjectNode) config.get("process");
            process.put("terminal", false);
            ArrayNode args = process.putArray("args");
            spec.args().forEach(args::add);
            ArrayNode env = process.putArray("env");
            env.add(DEFAULT_PATH);
            for (Map.Entry<String, String> e : spec.env().entrySet()) {
                env.add(e.getKey() + "=" + e.getValue());
            }
            process.put("cwd", spec.cwd());
            ((ObjectNode) config.get("root")).put("path", "rootfs").put("readonly", false);
            config.put("hostname", hostname);
            ObjectNode annotations = config.putObject("annotations");
            spec.annotations().forEach(annotations::put);
            if (spec.configEdit() != null) {
                spec.configEdit().accept(config);
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
            return new OciBundle(dir, config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create OCI bundle in " + dir, e);
        }
    }

    /** The runc 1.1.5 {@code runc spec} output, unmodified. */
    public static ObjectNode template() {
        try (InputStream in = OciBundle.class.getResourceAsStream("runc-spec.json")) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path rootfs() {
        return dir.resolve("rootfs");
    }

    public Path configJson() {
        return dir.resolve("config.json");
    }

    /** A copy of the config as written. */
    public ObjectNode config() {
        return config.deepCopy();
    }
}
