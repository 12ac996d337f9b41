package io.eunomia.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What a test collected (alerts, events, webhook notifications), in arrival order, and waits that
 * look only at what arrived after a {@link Mark}. Take the mark before the act under test: an item
 * stored before it (by an earlier act, another test, the fixture's start) can never satisfy the
 * wait, so a test cannot pass on something that was already there.
 *
 * @param <T> what is recorded
 */
public final class Recorder<T> implements Consumer<T> {
    /** A position in the recording: what arrived after it. */
    public record Mark(int position) {}

    private final List<T> items = new ArrayList<>();
    private final Function<? super T, String> describe;

    /** @param describe how an item reads in a failure message */
    public Recorder(Function<? super T, String> describe) {
        this.describe = describe;
    }

    public Recorder() {
        this(String::valueOf);
    }

    /** Records an item (any thread). */
    @Override
    public synchronized void accept(T item) {
        items.add(item);
        notifyAll();
    }

    /** Now: what arrives from here on is after this mark. */
    public synchronized Mark mark() {
        return new Mark(items.size());
    }

    /** What arrived after the mark, in order. */
    public synchronized List<T> since(Mark mark) {
        return List.copyOf(items.subList(mark.position(), items.size()));
    }

    /** Everything recorded. */
    public synchronized List<T> all() {
        return List.copyOf(items);
    }

    /** The first item after the mark that matches, waiting up to timeout for it; empty if none came. */
    public synchronized Optional<T> awaitAfter(Mark mark, Predicate<? super T> match, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = mark.position();
        while (true) {
            for (; next < items.size(); next++) {
                if (match.test(items.get(next))) {
                    return Optional.of(items.get(next));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /**
     * The first item after the mark that matches; fails naming what was looked for and listing
     * what arrived after the mark instead.
     */
    public T expectAfter(Mark mark, Predicate<? super T> match, Duration timeout, String what) throws InterruptedException {
        return awaitAfter(mark, match, timeout).orElseThrow(() -> new AssertionError(
                "no " + what + " within " + timeout + "; arrived after the mark:\n  " + describe(since(mark))));
    }

    /** The items, one per line, for failure messages (the last 50). */
    public String describe(List<? extends T> some) {
        List<? extends T> tail = some.subList(Math.max(0, some.size() - 50), some.size());
        String text = tail.stream().map(describe).collect(Collectors.joining("\n  "));
        return some.size() > tail.size() ? "(" + (some.size() - tail.size()) + " earlier ones left out)\n  " + text
                : some.isEmpty() ? "(nothing)" : text;
    }
}
