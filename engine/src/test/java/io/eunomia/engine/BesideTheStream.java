package io.eunomia.engine;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A test class that mostly waits (on a child JVM, the kernel, a daemon or a timer window), run in a
 * second thread beside the one-after-the-other stream of all other classes
 * (junit-platform.properties), so its waits overlap their work. The lock lets one such class run at
 * a time and keeps its own tests one after the other (JUnit runs the tests of a locked class in one
 * thread). Only for a class that picks everything it asserts by its own process, container, comm,
 * path, port or BPF ids, never by "nothing happened on the host", and that does not share a monitor
 * ({@code SharesLiveMonitor}: the classes of the stream around it may see its acts, but they too
 * pick theirs by their own marks).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(BesideTheStream.LOCK)
public @interface BesideTheStream {
    /** Held by the class running beside the stream. */
    String LOCK = "io.eunomia.engine.BesideTheStream";
}
