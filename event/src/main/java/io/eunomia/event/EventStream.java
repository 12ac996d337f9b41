package io.eunomia.event;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A live stream of events, in the style of JFR's consumer API: subscribe with a filter, get
 * events on the stream's delivery thread. Consumers must be quick (hand work off to a queue);
 * a slow consumer backs up the kernel ring buffers, which then count losses.
 */
public interface EventStream extends AutoCloseable {

    /** Delivers every event that passes filter. */
    Subscription subscribe(Predicate<? super Event> filter, Consumer<? super Event> consumer);

    /**
     * Delivers every event that passes filter, and runs {@code endOfRound} once the stream has
     * delivered what it had for now (a kernel stream: the end of each poll round), so the consumer can
     * hand a round's events on together instead of one by one. Streams without rounds end one after
     * each event.
     */
    default Subscription subscribe(Predicate<? super Event> filter, Consumer<? super Event> consumer, Runnable endOfRound) {
        return subscribe(filter, e -> {
            consumer.accept(e);
            endOfRound.run();
        });
    }

    /** Delivers events of one record type, e.g. {@code subscribe(ExecEvent.class, e -> ...)}. */
    default <E extends Event> Subscription subscribe(Class<E> type, Consumer<? super E> consumer) {
        return subscribe(type::isInstance, e -> consumer.accept(type.cast(e)));
    }

    /** Events delivered and lost so far. */
    StreamStats stats();

    /** Stops delivery and frees what the stream holds (for kernel streams: detaches the sensors). */
    @Override
    void close();

    /** Cancels a subscription; no events are delivered to it after close returns. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
