package io.eunomia.bpf.internal;

import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.BpfProgram;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one program per io_uring tracepoint that hands each ring request to the sensor watching its
 * opcode (uring_dispatch.bpf.c, uring_routes.h). A sensor's programs on those tracepoints are
 * never attached themselves: they are plugged into the opcode slots of their sensor's routes when
 * the sensor is attached and taken out when it is detached, so every ring request runs one program
 * at each point however many sensors watch rings. The dispatcher is attached while at least one
 * sensor is plugged in. Not thread-safe: the caller serialises (KernelSensors is synchronized).
 */
public final class UringDispatch implements AutoCloseable {
    /** The tracepoints the dispatcher takes over, by section name. */
    public static final String SUBMIT = UringRoutes.SUBMIT;
    public static final String COMPLETE = UringRoutes.COMPLETE;
    /** The tracepoints the dispatcher takes over, each with its program array. */
    private static final Map<String, String> CALLS = Map.of(
            UringRoutes.SUBMIT, "uring_submit_calls",
            UringRoutes.COMPLETE, "uring_complete_calls");

    private final DispatcherObject dispatcher;
    /** Each plugged-in sensor object's filled slots, by program array. */
    private final Map<String, Map<String, Set<Integer>>> plugged = new LinkedHashMap<>();

    private UringDispatch(DispatcherObject dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** Loads the dispatcher (not attached yet). */
    public static UringDispatch load() {
        return new UringDispatch(DispatcherObject.load("uring_dispatch.bpf.o"));
    }

    /** Whether a program is a ring handler: tail-called by the dispatcher, never attached itself. */
    public static boolean isHandler(BpfProgram p) {
        return CALLS.containsKey(p.sectionName());
    }

    /** Whether a sensor object has ring handlers to plug in (loaded ones: a kernel without the tracepoint has none). */
    public static boolean hasHandlers(BpfObject obj) {
        return obj.programs().values().stream().anyMatch(p -> p.autoload() && isHandler(p));
    }

    /** A loaded sensor's ring handlers take the requests of their opcodes from now on. */
    public void plugIn(String objectName, BpfObject sensor) {
        Map<String, Set<Integer>> filled = plugged.computeIfAbsent(objectName, k -> new HashMap<>());
        for (BpfProgram p : sensor.programs().values()) {
            if (!p.autoload() || !isHandler(p)) {
                continue;
            }
            String calls = CALLS.get(p.sectionName());
            Set<Integer> opcodes = UringRoutes.opcodes(objectName, p.sectionName()).orElseThrow(() -> new IllegalStateException(
                    objectName + ".bpf.o program " + p.name() + " watches " + p.sectionName() + " but has no opcodes in UringRoutes"));
            byte[] fd = DispatcherObject.u32(p.fd());
            Set<Integer> mine = filled.computeIfAbsent(calls, k -> new TreeSet<>());
            for (int opcode : opcodes) {
                mine.add(opcode); // first: a half-done plug-in is undone by unplug
                dispatcher.object().map(calls).update(DispatcherObject.u32(opcode), fd);
            }
        }
        dispatcher.attach();
    }

    /** A sensor's handlers stop taking ring requests; the dispatcher is detached once no sensor is left. */
    public void unplug(String objectName) {
        Map<String, Set<Integer>> filled = plugged.remove(objectName);
        if (filled == null) {
            return;
        }
        filled.forEach((calls, opcodes) -> opcodes.forEach(op -> dispatcher.object().map(calls).delete(DispatcherObject.u32(op))));
        if (plugged.isEmpty()) {
            dispatcher.detach();
        }
    }

    /** Whether the dispatcher is attached now. */
    public boolean attached() {
        return dispatcher.attached();
    }

    /** The sensor objects plugged in now. */
    public Set<String> pluggedIn() {
        return Set.copyOf(plugged.keySet());
    }

    /** The program in an opcode's slot at a tracepoint (SUBMIT, COMPLETE), by its fd's program id. */
    public Optional<Integer> slotProgramId(String section, int opcode) {
        return dispatcher.object().map(CALLS.get(section)).lookup(DispatcherObject.u32(opcode))
                .map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt());
    }

    /** The dispatcher's programs (for per-program run-time figures: a handler's time counts in its dispatcher's). */
    public BpfObject object() {
        return dispatcher.object();
    }

    @Override
    public void close() {
        dispatcher.close();
    }
}
