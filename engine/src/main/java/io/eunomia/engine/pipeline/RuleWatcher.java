package io.eunomia.engine.pipeline;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
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

/**
 * Calls back when a rule file changes. Watches the directories (editors replace files by rename,
 * so the file itself is not what to watch), and waits for a quiet moment so that one save is one
 * reload.
 */
public final class RuleWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RuleWatcher.class.getName());
    private static final long QUIET_MILLIS = 250;

    private final WatchService watch;
    private final Set<Path> files = new HashSet<>();
    private final Set<Path> dirs = new HashSet<>();
    private final Runnable onChange;
    private final Thread thread;

    public RuleWatcher(List<Path> paths, Runnable onChange) throws IOException {
        this.watch = FileSystems.getDefault().newWatchService();
        this.onChange = onChange;
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            Path dir = Files.isDirectory(abs) ? abs : abs.getParent();
            if (Files.isDirectory(abs)) {
                dirs.add(abs);
            } else {
                files.add(abs);
            }
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
        this.thread = Thread.ofPlatform().name("eunomia-rule-watch").daemon().start(this::loop);
    }

    private boolean relevant(Path dir, Path name) {
        Path full = dir.resolve(name);
        return files.contains(full) || (dirs.contains(dir) && RuleLoader.isRuleFile(full));
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
