package io.eunomia.enforcer.verify;

import io.eunomia.enforcer.internal.Command;

/**
 * A container run to its end.
 *
 * @param containerId the id the runtime knows it by (its cgroup carries it)
 * @param outcome     the runtime command's exit code and output (the workload's, for a run in the foreground)
 */
public record Launch(ContainerRuntime runtime, String containerId, Command.Outcome outcome) {}
