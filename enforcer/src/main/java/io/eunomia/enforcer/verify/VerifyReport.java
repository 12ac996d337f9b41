package io.eunomia.enforcer.verify;

import io.eunomia.abi.Capability;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a verify run found: the calls the filter refused (seen by the seccomp sensor), the calls
 * it only logged (complain mode: the kernel log's audit records and the sensor), and what the
 * workload really ran with (CapEff, no_new_privs, filter), read in the kernel at its exec.
 *
 * @param exitCode    the runtime command's exit code (the workload's for a foreground run)
 * @param output      the last lines of the runtime's output, for context
 * @param workload    the workload's exec as the kernel saw it; empty when it never ran
 * @param requested   the capabilities asked for
 * @param denied      calls the filter refused, in the order they were first refused
 * @param logged      calls the filter let through but logged (SCMP_ACT_LOG)
 * @param notes       what else a person should know (one sentence each)
 */
public record VerifyReport(ContainerRuntime runtime, String containerId, int exitCode, Duration elapsed, String output,
                           Optional<WorkloadExec> workload, Set<Capability> requested, List<DeniedCall> denied,
                           List<LoggedCall> logged, List<String> notes) {
    public VerifyReport {
        requested = Set.copyOf(requested);
        denied = List.copyOf(denied);
        logged = List.copyOf(logged);
        notes = List.copyOf(notes);
    }

    /**
     * The workload's first exec under the filter.
     *
     * @param capEffective CapEff as /proc/PID/status shows it (hex)
     */
    public record WorkloadExec(int pid, String comm, long capEffective, Set<Capability> effective, boolean noNewPrivs,
                               boolean seccompFilter) {
        public WorkloadExec {
            effective = Set.copyOf(effective);
        }
    }

    /** When a refused call was made: by the runtime before it exec'd the workload, or by the workload. */
    public enum Phase { RUNTIME_SETUP, WORKLOAD }

    /**
     * A call the filter refused.
     *
     * @param errno    what the filter answered
     * @param count    how many times
     * @param args     the first refused call's arguments
     * @param profile  what the profile says about the call ("ERRNO(EPERM)", "ALLOW if arg0 == 2, else ...")
     */
    public record DeniedCall(String name, String arch, String errno, long count, String comm, int pid, Phase phase,
                             List<Long> args, String profile) {
        public DeniedCall {
            args = List.copyOf(args);
        }
    }

    /** Where a logged call was seen. */
    public enum LogSource { KERNEL_LOG, SENSOR }

    /** A call the filter logged and let run. */
    public record LoggedCall(String name, String arch, Set<LogSource> seenBy, String comm, Phase phase) {
        public LoggedCall {
            seenBy = Set.copyOf(seenBy);
        }
    }

    /** True when nothing was refused or logged and the workload ran under the filter. */
    public boolean clean() {
        return denied.isEmpty() && logged.isEmpty() && workload.map(WorkloadExec::seccompFilter).orElse(false);
    }
}
