package io.eunomia.engine.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Calls back when a rule file changes. Watches the directories (editors replace files by rename,
 * so the file itself is not what to watch), a rule directory's subdirectories too (as
 * {@link RuleLoader#ruleFiles} reads them; a new one is watched from when it appears), and waits
 * for a quiet moment so that one save is one reload.
 */
public final class RuleWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RuleWatcher.class.getName());
    private static final long QUIET_MILLIS = 250;

    private final WatchService watch;
    private final Set<Path> files = new HashSet<>();
    /** Rule directories and their subdirectories, watched; a change of a rule file in one counts. */
    private final Set<Path> dirs = new HashSet<>();
    private final Runnable onChange;
    private final Thread thread;

    public RuleWatcher(List<Path> paths, Runnable onChange) throws IOException {
        this.watch = FileSystems.getDefault().newWatchService();
        this.onChange = onChange;
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            if (Files.isDirectory(abs)) {
                watchTree(abs);
            } else {
                files.add(abs);
                register(abs.getParent());
            }
        }
        this.thread = Thread.ofPlatform().name("eunomia-rule-watch").daemon().start(this::loop);
    }

    private void register(Path dir) throws IOException {
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    /** Watches a rule directory and its subdirectories (hidden ones left out, as the loader does). */
    private void watchTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
            for (Path d : all.filter(Files::isDirectory).filter(d -> d.equals(root) || !hiddenBelow(root, d)).toList()) {
                if (dirs.add(d)) {
                    register(d);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean hiddenBelow(Path root, Path d) {
        for (Path part : root.relativize(d)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private boolean relevant(Path dir, Path name) {
        Path full = dir.resolve(name);
        if (files.contains(full)) {
            return true;
        }
        if (!dirs.contains(dir) || name.toString().startsWith(".")) {
            return false;
        }
        if (Files.isDirectory(full)) {
            try {
                watchTree(full);  // a new subdirectory (or one moved in): its rule files load from now on
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot watch the new rule directory " + full + ": " + e);
            }
            return true;
        }
        return RuleLoader.isRuleFile(full) || dirs.contains(full);  // a rule file, or a watched directory gone
    }

    private void loop() {
        try {
            while (true) {
                boolean changed = drain(watch.take());
                // Collect the rest of this save (truncate, write, rename ...) before reloading.
                WatchKey more;
                while ((more = watch.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    changed |= drain(more);
                }
                if (changed) {
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "rule file watching stopped: " + e);
        }
    }

    private boolean drain(WatchKey key) {
        boolean changed = false;
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> e : key.pollEvents()) {
            if (e.kind() == StandardWatchEventKinds.OVERFLOW || relevant(dir, (Path) e.context())) {
                changed = true;
            }
        }
        key.reset();
        return changed;
    }

    @Override
    public void close() throws IOException {
        watch.close();
        thread.interrupt();
    }
}
