package io.eunomia.engine.pipeline;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up of a live class that runs test programs of its own in containers: a work directory below
 * /tmp that a container may read, with the programs (C sources among the test resources, "/dir/name.c"
 * is program "name") built in it, and the class's lease of a shared monitor started after them (LiveRig).
 */
class ProgramsLive extends LiveRig {
    private final String prefix;
    private final MonitorStart monitor;
    private final List<String> sources;
    private final Map<String, Path> programs = new HashMap<>();
    private Path work;

    /** @param prefix the work directory's name prefix; monitor: the class's lease; sources: the programs' resources */
    ProgramsLive(String prefix, MonitorStart monitor, String... sources) {
        this.prefix = prefix;
        this.monitor = monitor;
        this.sources = List.of(sources);
    }

    @Override
    void open(ExtensionContext context) throws Exception {
        work = LiveProcesses.readableTempDir(Path.of("/tmp"), prefix);
        for (String source : sources) {
            String name = source.substring(source.lastIndexOf('/') + 1).replaceFirst("\\.c$", "");
            programs.put(name, LiveProcesses.compile(work, source, name));
        }
        prepare(work);
        watch(monitor);
    }

    /** What a rig adds to the work directory besides the programs, before the monitor starts (nothing here). */
    void prepare(Path work) throws Exception {}

    @Override
    void close() throws Exception {
        LiveProcesses.deleteTree(work);
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
}
