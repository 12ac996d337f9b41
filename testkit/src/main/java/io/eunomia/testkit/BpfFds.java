package io.eunomia.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The BPF objects a process holds fds of, by kernel id, from /proc/PID/fdinfo. */
public final class BpfFds {
    private BpfFds() {}

    /** The ids of kind ("prog", "map", "link") that pid holds; an fd closed meanwhile is left out. */
    public static Set<Long> ids(long pid, String kind) {
        String field = kind + "_id:";
        Set<Long> ids = new HashSet<>();
        List<Path> fds;
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
            fds = s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the fds of process " + pid, e);
        }
        for (Path fd : fds) {
            List<String> lines;
            try {
                lines = Files.readAllLines(fd);
            } catch (IOException closedMeanwhile) {
                continue;
            }
            for (String l : lines) {
                if (l.startsWith(field)) {
                    ids.add(Long.parseLong(l.substring(field.length()).strip()));
                }
            }
        }
        return ids;
    }
}
