package io.eunomia.engine.pipeline;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A live test class that uses a shared monitor ({@link SharedLiveMonitor}) of the rules its value
 * names: the classes so marked run one after the other, those of one configuration together
 * ({@link SharingClassesTogether}), and a shared monitor is closed as soon as a class that does not
 * share its configuration starts ({@link SharedLiveMonitorListener}). Only for a class whose tests
 * need nothing of the monitor but those rules and the default sensor options: nothing else passed
 * at its start (a container engine's socket, files that must exist before it, a pid filter), no
 * reload, each act awaited after a mark and picked by its own process, container or path.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface SharesLiveMonitor {
    /** The shared monitor's rules: the classes naming the same configuration share one monitor. */
    SharedLiveMonitor.Configuration value() default SharedLiveMonitor.Configuration.DEFAULT_PACK;
}
