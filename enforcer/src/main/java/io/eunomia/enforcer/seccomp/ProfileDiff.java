package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How two profiles differ for one container on one host: both are evaluated (conditions resolved
 * for the architecture, capabilities and kernel given), then every call of the architecture is
 * compared. "Removes" and "adds" are from the first profile's point of view: what it refuses that
 * the second lets run, and the other way round.
 *
 * @param removes  calls the second profile lets run (for some arguments at least) and the first refuses
 * @param adds     calls the first lets run and the second refuses
 * @param differs  calls both let run, under different terms (arguments, LOG vs ALLOW)
 */
public record ProfileDiff(Arch arch, Set<Capability> capabilities, KernelVersion kernel, Decision firstDefault,
                          Decision secondDefault, int firstAllowed, int secondAllowed, List<String> removes,
                          List<String> adds, List<Change> differs) {
    public ProfileDiff {
        capabilities = Set.copyOf(capabilities);
        removes = List.copyOf(removes);
        adds = List.copyOf(adds);
        differs = List.copyOf(differs);
    }

    /** A call both let run differently. */
    public record Change(String syscall, String first, String second) {}

    public static ProfileDiff of(SeccompProfile first, SeccompProfile second, Arch arch, Set<Capability> caps,
                                 KernelVersion kernel) {
        EffectiveProfile a = first.evaluate(arch, caps, kernel);
        EffectiveProfile b = second.evaluate(arch, caps, kernel);
        List<String> removes = new ArrayList<>();
        List<String> adds = new ArrayList<>();
        List<Change> differs = new ArrayList<>();
        int aAllowed = 0;
        int bAllowed = 0;
        for (String name : a.outcomes().keySet()) {
            EffectiveProfile.Outcome oa = a.outcome(name);
            EffectiveProfile.Outcome ob = b.outcome(name);
            aAllowed += oa.mayRun() ? 1 : 0;
            bAllowed += ob.mayRun() ? 1 : 0;
            if (!oa.mayRun() && ob.mayRun()) {
                removes.add(name);
            } else if (oa.mayRun() && !ob.mayRun()) {
                adds.add(name);
            } else if (oa.mayRun() && !oa.describe().equals(ob.describe())) {
                differs.add(new Change(name, oa.describe(), ob.describe()));
            }
        }
        return new ProfileDiff(arch, caps, kernel, a.defaultDecision(), b.defaultDecision(), aAllowed, bAllowed, removes,
                adds, differs);
    }

    public boolean same() {
        return removes.isEmpty() && adds.isEmpty() && differs.isEmpty() && firstDefault.sameAs(secondDefault);
    }
}
