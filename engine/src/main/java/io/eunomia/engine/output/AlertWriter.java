package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import java.io.IOException;

/** Blocking delivery of alerts, run by a {@link QueuedOutput} on its own thread. */
public interface AlertWriter extends AutoCloseable {
    /** Delivers one alert; an IOException is retried by the queue. */
    void write(Alert alert) throws IOException;

    /** Called when the queue is momentarily empty: make written alerts visible. */
    default void flush() throws IOException {}

    @Override
    default void close() throws IOException {}
}
