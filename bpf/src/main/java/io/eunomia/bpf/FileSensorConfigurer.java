package io.eunomia.bpf;

import io.eunomia.bpf.internal.PathTrie;
import io.eunomia.event.path.PathPrefixes;
import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.libbpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Predicate;

/**
 * Loads {@link SensorOptions#pathPrefixes()} into file.bpf.c's LPM trie and switches the filter
 * on; paths the kernel let through because it could not judge them ("." / "..") are filtered
 * again here once normalised. See {@link PathPrefixes} for the matching rules. The read filter
 * ({@link SensorOptions#readPrefixes()}) is written by {@link ReadFilterMaps}; what it lets through
 * unjudged needs no second look here: an extra read only costs the rules a glance.
 */
final class FileSensorConfigurer implements SensorConfigurer {
    @Override
    public void configure(BpfObject object, SensorOptions options) {
        configure(object, options, WatchedInodes.listHost(options.readPrefixes()));
    }

    /** {@link #configure(BpfObject, SensorOptions)} with the host's watched files listed already (while the object loaded). */
    static void configure(BpfObject object, SensorOptions options, WatchedInodes.HostFiles hostFiles) {
        ReadFilterMaps.apply(object, options.readPrefixes());
        WatchedInodes.apply(object, hostFiles);
        PathPrefixes prefixes = PathPrefixes.of(options.pathPrefixes());
        if (prefixes.isEmpty()) {
            return;
        }
        var trie = object.map("path_prefixes");
        for (byte[] key : PathTrie.keys(prefixes)) {
            trie.update(key, new byte[] {1});
        }
        byte[] on = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array();
        object.map("prefix_filter").update(new byte[4], on);
    }

    private static final int ENOENT = 2;

    @Override
    public Predicate<Event> eventFilter(SensorOptions options) {
        PathPrefixes prefixes = PathPrefixes.of(options.pathPrefixes());
        if (prefixes.isEmpty()) {
            return e -> true;
        }
        // Either path of a rename or link counts, as in the kernel. A path as the caller spelled it
        // may run through a symlink into a watched tree: it cannot be judged, so it passes, unless
        // it does not exist (ENOENT), which the kernel filter judges as written too.
        return e -> !(e instanceof FileEvent f) || (!f.pathResolved() && f.result() != -ENOENT)
                || prefixes.matches(f.path()) || (!f.newPath().isEmpty() && prefixes.matches(f.newPath()));
    }
}
