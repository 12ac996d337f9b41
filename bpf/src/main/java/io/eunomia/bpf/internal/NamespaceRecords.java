package io.eunomia.bpf.internal;

import io.eunomia.bpf.container.NamespaceIdentity;
import java.util.ArrayList;
import java.util.List;

/** Decoder of struct namespace_event (events.h): a mount namespace's identity, not an event. */
public final class NamespaceRecords {
    static final Layout.Struct NAMESPACE_EVENT = new Layout.Struct("namespace_event", 1776);
    private static final int ANCESTORS = 4;
    private static final int DEPTH = 6;
    private static final int NAME_LEN = 128;
    static final Layout.Int64 CGROUP_V1_ID = NAMESPACE_EVENT.int64("cgroup_v1_id", 112);
    static final Layout.Int64 ANCESTOR_CGROUP = NAMESPACE_EVENT.int64s("ancestor_cgroup", 120, ANCESTORS);
    static final Layout.Int32 ANCESTOR_PID = NAMESPACE_EVENT.int32s("ancestor_pid", 152, ANCESTORS);
    static final Layout.Chars ANCESTOR_COMM = NAMESPACE_EVENT.chars("ancestor_comm", 168, 16, ANCESTORS);
    static final Layout.Int8 CGROUP_V2_DEPTH = NAMESPACE_EVENT.int8("cgroup_v2_depth", 232);
    static final Layout.Int8 CGROUP_V1_DEPTH = NAMESPACE_EVENT.int8("cgroup_v1_depth", 233);
    static final Layout.Chars CGROUP_V2 = NAMESPACE_EVENT.chars("cgroup_v2", 240, NAME_LEN, DEPTH);
    static final Layout.Chars CGROUP_V1 = NAMESPACE_EVENT.chars("cgroup_v1", 1008, NAME_LEN, DEPTH);

    private final String v1Controller;

    /** @param v1Controller the controller the sensors were told to record (settings.cgroup_v1_subsys); "" none */
    public NamespaceRecords(String v1Controller) {
        this.v1Controller = v1Controller;
    }

    public NamespaceIdentity decode(Header h, RecordReader r) {
        if (r.size() < NAMESPACE_EVENT.size()) {
            throw new IndexOutOfBoundsException("namespace record of " + r.size() + " bytes, expected " + NAMESPACE_EVENT.size());
        }
        List<NamespaceIdentity.Ancestor> ancestors = new ArrayList<>(ANCESTORS);
        for (int i = 0; i < ANCESTORS; i++) {
            int pid = r.s32(ANCESTOR_PID, i);
            if (pid <= 0) {
                break;
            }
            ancestors.add(new NamespaceIdentity.Ancestor(pid, r.fixedString(ANCESTOR_COMM, i), r.s64(ANCESTOR_CGROUP, i)));
        }
        boolean v1 = !v1Controller.isEmpty();
        var p = h.process();
        return new NamespaceIdentity(p.mntns(), p.mntnsId(), p.pid(), p.comm(),
                path(r, CGROUP_V2, r.u8(CGROUP_V2_DEPTH)), p.cgroupId(),
                v1 ? path(r, CGROUP_V1, r.u8(CGROUP_V1_DEPTH)) : "", v1 ? r.s64(CGROUP_V1_ID) : 0, v1Controller, ancestors);
    }

    /** Components stored leaf first, as a path from the root ("/" for the root; the top cut when too deep). */
    private static String path(RecordReader r, Layout.Chars slots, int depth) {
        int n = Math.min(depth, DEPTH);
        if (n == 0) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        for (int i = n - 1; i >= 0; i--) {
            out.append('/').append(r.fixedString(slots, i));
        }
        return out.toString();
    }
}
