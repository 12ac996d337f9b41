package io.eunomia.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A test class that mostly waits (on a child JVM, the kernel, a daemon or a timer window), run in a
 * second thread beside the one-after-the-other stream of all other classes (a module's
 * junit-platform.properties: parallel execution, same_thread by default), so its waits overlap their
 * work. The lock lets one such class run at a time and keeps its own tests one after the other (JUnit
 * runs the tests of a locked class in one thread). Only for a class that picks everything it asserts
 * by its own process, container, comm, path, port, daemon or BPF ids, never by "nothing happened on
 * the host"; and only beside a stream whose classes do the same: a class of the stream that asserts
 * zero counts or zero drops sees the acts of the class beside it. Shared by every module's tests, so
 * the lock is one per test JVM whatever the module.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(BesideTheStream.LOCK)
public @interface BesideTheStream {
    /** Held by the class running beside the stream. */
    String LOCK = "io.eunomia.testkit.BesideTheStream";
}
