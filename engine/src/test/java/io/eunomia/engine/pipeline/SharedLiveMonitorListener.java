package io.eunomia.engine.pipeline;

import io.eunomia.testkit.BesideTheStream;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Closes the {@link SharedLiveMonitor} when a test class that does not share its configuration starts
 * (its own monitors and daemons must not feed a monitor nobody reads; a class beside the stream
 * does not count) and when the launcher session
 * ends (surefire: the test JVM's one run). Registered through META-INF/services.
 */
public final class SharedLiveMonitorListener implements TestExecutionListener, LauncherSessionListener {
    @Override
    public void executionStarted(TestIdentifier started) {
        if (started.getSource().orElse(null) instanceof ClassSource c && !besideTheStream(c.getJavaClass())) {
            SharedLiveMonitor.closeUnless(configuration(c.getJavaClass()), "before " + c.getJavaClass().getSimpleName());
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedLiveMonitor.close("end of the run");
    }

    /**
     * A class running beside the stream ({@link BesideTheStream}) starts while a class of the stream
     * may hold a lease: it neither uses nor closes the shared monitor.
     */
    private static boolean besideTheStream(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (k.isAnnotationPresent(BesideTheStream.class)) {
                return true;
            }
        }
        return false;
    }

    /** The shared monitor's configuration of a marked class, or of a class nested in one; null: it shares none. */
    private static SharedLiveMonitor.Configuration configuration(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            SharesLiveMonitor mark = k.getAnnotation(SharesLiveMonitor.class);
            if (mark != null) {
                return mark.value();
            }
        }
        return null;
    }
}
