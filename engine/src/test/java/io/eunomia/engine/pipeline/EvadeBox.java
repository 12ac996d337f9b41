package io.eunomia.engine.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.testkit.EvasionProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The evasion tests' set-up: evade.c's probe ({@link EvasionProbe}) copied into a world-readable
 * directory of the test's own (the testkit builds it in a private one), and a {@link ShadowBox} that
 * mounts that directory read-only at /opt/evade, so the same probe runs on the host and in the box.
 * Closing it closes the box and deletes the directory.
 *
 * @param work the host directory mounted in the box (the probe's, and room for the test's own files)
 * @param hostProbe the probe's path on the host
 */
record EvadeBox(Path work, Path hostProbe, ShadowBox box) implements AutoCloseable {
    /** The probe's path in the box. */
    static final String BOX_PROBE = "/opt/evade/evade";

    /** @param caps the box's capabilities (see {@link ShadowBox#start}); empty: runc's defaults */
    static EvadeBox start(String name, List<String> caps) throws Exception {
        return start(name, caps, c -> {});
    }

    /** The same with a further edit of the box's OCI config. */
    static EvadeBox start(String name, List<String> caps, Consumer<ObjectNode> edit) throws Exception {
        Path work = LiveProcesses.readableTempDir("eunomia-" + name + "-");
        try {
            Path probe = LiveProcesses.readable(Files.copy(EvasionProbe.binary(), work.resolve("evade")));
            ShadowBox box = ShadowBox.start(name, c -> {
                mount(c, work);
                edit.accept(c);
            }, caps);
            return new EvadeBox(work, probe, box);
        } catch (Exception | AssertionError e) {
            LiveProcesses.deleteTree(work);
            throw e;
        }
    }

    /** An OCI config edit: the probe's directory at /opt/evade in another container too. */
    void mountIn(ObjectNode config) {
        mount(config, work);
    }

    private static void mount(ObjectNode config, Path work) {
        LiveProcesses.bindReadOnly(config, work, "/opt/evade");
    }

    /** Closes a kit that started (null: the set-up failed before). */
    static void close(EvadeBox kit) throws IOException {
        if (kit != null) {
            kit.close();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            box.close();
        } finally {
            LiveProcesses.deleteTree(work);
        }
    }
}
