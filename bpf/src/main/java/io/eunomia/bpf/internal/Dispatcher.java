package io.eunomia.bpf.internal;

import io.eunomia.bpf.container.ContainerRegistry;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.EventStream;
import io.eunomia.event.EventType;
import io.eunomia.event.ProcessInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Delivers decoded events to subscribers, in order, on the poller thread. Events of a namespace
 * whose container is still being identified ({@link ContainerRegistry#PENDING}) are held back
 * and released, in their order, with the identity once it is known (a runtime writes its state a
 * few milliseconds after the container's first syscalls); the hold is bounded in time by the
 * registry and in size here.
 */
public final class Dispatcher {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private static final int MAX_HELD = 65_536;

    private record Sub(Predicate<? super Event> filter, Consumer<? super Event> consumer) {}

    private record Held(ProcessInfo first, List<Event> events) {}

    private final ContainerRegistry containers;
    private final CopyOnWriteArrayList<Sub> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLongArray delivered = new AtomicLongArray(EventType.values().length);
    private final AtomicLong subscriberErrors = new AtomicLong();
    private final AtomicLong releasedUnresolved = new AtomicLong();
    /** Poller thread only. */
    private final Map<Long, Held> held = new LinkedHashMap<>();
    private int heldCount;
    private long heldOverflows;

    public Dispatcher(ContainerRegistry containers) {
        this.containers = containers;
    }

    public EventStream.Subscription subscribe(Predicate<? super Event> filter, Consumer<? super Event> consumer) {
        Sub s = new Sub(filter, consumer);
        subscriptions.add(s);
        return () -> subscriptions.remove(s);
    }

    /** An event just decoded. */
    public void offer(Event event) {
        ProcessInfo p = event.process();
        long key = key(p);
        if (p.container() == ContainerRegistry.PENDING) {
            held.computeIfAbsent(key, k -> new Held(p, new ArrayList<>())).events().add(event);
            if (++heldCount > MAX_HELD) {
                releaseOldest();
            }
            return;
        }
        if (!held.isEmpty()) {
            Held waiting = held.remove(key);
            if (waiting != null) {
                release(waiting, p.container());
            }
        }
        deliver(event);
    }

    /** Called after each poll: releases held namespaces whose identity is now settled. */
    public void releaseSettled() {
        if (held.isEmpty()) {
            return;
        }
        Iterator<Held> it = held.values().iterator();
        while (it.hasNext()) {
            Held h = it.next();
            ContainerInfo c = containers.settle(h.first().mntns(), h.first().mntnsId());
            if (c != ContainerRegistry.PENDING) {
                it.remove();
                release(h, c);
            }
        }
    }

    /** Releases everything held (at shutdown), with what is known now. */
    public void releaseAll() {
        for (Held h : List.copyOf(held.values())) {
            ContainerInfo c = containers.settle(h.first().mntns(), h.first().mntnsId());
            release(h, c == ContainerRegistry.PENDING ? ContainerInfo.UNRESOLVED : c);
        }
        held.clear();
    }

    private void releaseOldest() {
        Iterator<Held> it = held.values().iterator();
        Held oldest = it.next();
        it.remove();
        if (heldOverflows++ == 0) {
            LOG.log(System.Logger.Level.WARNING, "too many events waiting for their container's identity: releasing "
                    + oldest.events().size() + " of mount namespace " + oldest.first().mntns()
                    + " unresolved (logged once; see unresolved event counts)");
        }
        release(oldest, ContainerInfo.UNRESOLVED);
    }

    private void release(Held h, ContainerInfo c) {
        heldCount -= h.events().size();
        if (!c.isResolved()) {
            releasedUnresolved.addAndGet(h.events().size());
        }
        for (Event e : h.events()) {
            deliver(e.withProcess(e.process().withContainer(c)));
        }
    }

    private void deliver(Event event) {
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

    public long delivered(EventType type) {
        return delivered.get(type.ordinal());
    }

    /** Held events released without a container identity (their namespace vanished unidentified). */
    public long releasedUnresolved() {
        return releasedUnresolved.get();
    }

    public long subscriberErrors() {
        return subscriberErrors.get();
    }

    public void clear() {
        subscriptions.clear();
    }

    private static long key(ProcessInfo p) {
        return p.mntnsId() != 0 ? p.mntnsId() : p.mntns() | Long.MIN_VALUE;
    }
}
