package io.eunomia.engine.pipeline;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up of a live class that runs test programs of its own in containers: a work directory below
 * /tmp that a container may read, with the programs (C sources among the test resources, "/dir/name.c"
 * is program "name") built in it, and the class's lease of a shared monitor, each test's start marked
 * on it; the lease given back and the directory removed after the class (after the class's own
 * @AfterAll, which may still use the directory). Register it as a static {@code @RegisterExtension} field.
 */
class ProgramsLive implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final String prefix;
    private final LineageLive.MonitorStart monitor;
    private final List<String> sources;
    private final Map<String, Path> programs = new HashMap<>();
    private Path work;
    private LiveMonitor live;

    /** @param prefix the work directory's name prefix; monitor: the class's lease; sources: the programs' resources */
    ProgramsLive(String prefix, LineageLive.MonitorStart monitor, String... sources) {
        this.prefix = prefix;
        this.monitor = monitor;
        this.sources = List.of(sources);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        work = LiveProcesses.readableTempDir(Path.of("/tmp"), prefix);
        for (String source : sources) {
            String name = source.substring(source.lastIndexOf('/') + 1).replaceFirst("\\.c$", "");
            programs.put(name, LiveProcesses.compile(work, source, name));
        }
        live = monitor.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            LiveMonitor.close(live);
        } finally {
            LiveProcesses.deleteTree(work);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        live.markTestStart();
    }

    /** The work directory. */
    Path work() {
        return work;
    }

    /** A program built from the sources, by name. */
    Path program(String name) {
        Path p = programs.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no program " + name + " built; built: " + programs.keySet());
        }
        return p;
    }

    LiveMonitor live() {
        return live;
    }
}
