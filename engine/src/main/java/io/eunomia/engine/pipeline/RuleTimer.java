package io.eunomia.engine.pipeline;

import java.lang.reflect.Field;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The real-time rule session's timer (Drools' JDKTimerService: event expiry, temporal windows) is a
 * ScheduledThreadPoolExecutor with the JDK's default thread factory, so its thread was an unnamed
 * "pool-N-thread-1", and it keeps cancelled jobs queued (an event retracted before it expires
 * cancels its expiry job) and wakes at each one's time with nothing to do: ~0.9 wake-ups/s in a soak.
 * Here it is named and drops cancelled jobs at once. Drools has no option for either; its scheduler
 * field is protected, so it is reached by reflection (the engine is on the class path).
 */
final class RuleTimer {
    static final String THREAD_NAME = "eunomia-rule-timer";
    private static final System.Logger LOG = System.getLogger(RuleTimer.class.getName());

    private RuleTimer() {}

    /** Names the timer's thread and removes cancelled jobs; before the session schedules anything. */
    static void configure(Object sessionClock) {
        scheduler(sessionClock).ifPresentOrElse(s -> {
            s.setThreadFactory(Thread.ofPlatform().name(THREAD_NAME).daemon().factory());
            s.setRemoveOnCancelPolicy(true);
        }, () -> LOG.log(System.Logger.Level.DEBUG, "rule session timer not configured: "
                + sessionClock.getClass().getName() + " has no scheduler field"));
    }

    /** The clock's executor (JDKTimerService.scheduler), when it has one. */
    static Optional<ScheduledThreadPoolExecutor> scheduler(Object sessionClock) {
        for (Class<?> c = sessionClock.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("scheduler");
                if (ScheduledThreadPoolExecutor.class.isAssignableFrom(f.getType())) {
                    f.setAccessible(true);
                    return Optional.ofNullable((ScheduledThreadPoolExecutor) f.get(sessionClock));
                }
            } catch (NoSuchFieldException e) {
                // a superclass may hold it
            } catch (ReflectiveOperationException | RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
