package io.eunomia.engine.pipeline;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A live test class that uses the shared default-pack monitor ({@link SharedLiveMonitor}): the
 * classes so marked run one after the other ({@link SharingClassesTogether}), and the shared
 * monitor is closed as soon as a class without the mark starts ({@link SharedLiveMonitorListener}).
 * Only for a class whose tests need nothing of the monitor but the default pack and the default
 * sensor options: nothing passed at its start (rules, a container engine's socket, files that must
 * exist before it), no reload, each act awaited after a mark and picked by its own process,
 * container or path.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface SharesLiveMonitor {
}
