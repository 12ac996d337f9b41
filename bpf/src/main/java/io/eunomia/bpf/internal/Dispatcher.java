package io.eunomia.bpf.internal;

import io.eunomia.event.Event;
import io.eunomia.event.EventStream;
import io.eunomia.event.EventType;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Delivers events, with their container set, to the subscribers, in order, on the poller thread. */
public final class Dispatcher {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private record Sub(Predicate<? super Event> filter, Consumer<? super Event> consumer, Runnable endOfRound) {}

    private final CopyOnWriteArrayList<Sub> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLongArray delivered = new AtomicLongArray(EventType.values().length);
    private final AtomicLong subscriberErrors = new AtomicLong();

    public EventStream.Subscription subscribe(Predicate<? super Event> filter, Consumer<? super Event> consumer) {
        return subscribe(filter, consumer, () -> { });
    }

    /** As {@link #subscribe(Predicate, Consumer)}, and {@code endOfRound} runs at each {@link #endOfRound}. */
    public EventStream.Subscription subscribe(Predicate<? super Event> filter, Consumer<? super Event> consumer,
                                              Runnable endOfRound) {
        Sub s = new Sub(filter, consumer, endOfRound);
        subscriptions.add(s);
        return () -> subscriptions.remove(s);
    }

    public void deliver(Event event) {
        delivered.incrementAndGet(event.type().ordinal());
        for (Sub s : subscriptions) {
            try {
                if (s.filter.test(event)) {
                    s.consumer.accept(event);
                }
            } catch (RuntimeException e) {
                // One failing subscriber must not starve the others.
                if (subscriberErrors.getAndIncrement() == 0) {
                    LOG.log(System.Logger.Level.ERROR, "an event subscriber failed (first of its kind logged)", e);
                }
            }
        }
    }

    /** The poller delivered what it had for now: subscribers that batch hand their events on. */
    public void endOfRound() {
        for (Sub s : subscriptions) {
            try {
                s.endOfRound.run();
            } catch (RuntimeException e) {
                if (subscriberErrors.getAndIncrement() == 0) {
                    LOG.log(System.Logger.Level.ERROR, "an event subscriber failed (first of its kind logged)", e);
                }
            }
        }
    }

    public long delivered(EventType type) {
        return delivered.get(type.ordinal());
    }

    public long subscriberErrors() {
        return subscriberErrors.get();
    }

    public void clear() {
        subscriptions.clear();
    }
}
