package io.eunomia.engine.pipeline;

import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Closes the {@link SharedLiveMonitor} when a test class that does not share it starts (its own
 * monitors and daemons must not feed a monitor nobody reads) and when the launcher session ends
 * (surefire: the test JVM's one run). Registered through META-INF/services.
 */
public final class SharedLiveMonitorListener implements TestExecutionListener, LauncherSessionListener {
    @Override
    public void executionStarted(TestIdentifier started) {
        if (started.getSource().orElse(null) instanceof ClassSource c && !shares(c.getJavaClass())) {
            SharedLiveMonitor.close("before " + c.getJavaClass().getSimpleName());
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedLiveMonitor.close("end of the run");
    }

    /** A marked class, or a class nested in one. */
    private static boolean shares(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (k.isAnnotationPresent(SharesLiveMonitor.class)) {
                return true;
            }
        }
        return false;
    }
}
