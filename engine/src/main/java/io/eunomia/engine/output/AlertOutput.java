package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;

/**
 * Where alerts go (stdout, a file, Alertmanager, memory for tests). {@link #emit} is called on the
 * pipeline thread and must not block: outputs that do I/O queue and write on their own thread
 * ({@link QueuedOutput}).
 */
public interface AlertOutput extends AutoCloseable {
    void emit(Alert alert);

    /** Delivers what is queued (within a bounded time) and releases resources. */
    @Override
    default void close() {}
}
