package io.eunomia.engine.alert;

import io.eunomia.event.Event;

/** Looks up a rule field ({@code proc.name}, {@code fd.name} ...) in an event for output templates. */
@FunctionalInterface
public interface FieldResolver {
    /** The field's value for this event; null when the field does not apply to it or is unknown. */
    Object value(String field, Event event);
}
