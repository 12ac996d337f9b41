package io.eunomia.engine.pipeline;

/** Which time a rule session sees. */
public enum ClockMode {
    /** Wall-clock time: live monitoring; an event's session time is when it was inserted. */
    REALTIME,
    /**
     * The events' own time: a pseudo clock advanced to each event's {@code epochNanos} before it is
     * inserted, so windows and expiry behave in a replay as they did live.
     */
    EVENT_TIME
}
