package io.eunomia.enforcer.seccomp;

import java.util.List;
import java.util.stream.Collectors;

/** A profile file that cannot be used, with every problem found in it. */
public final class SeccompProfileException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<ProfileProblem> problems;

    public SeccompProfileException(List<ProfileProblem> problems) {
        super(problems.stream().map(ProfileProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<ProfileProblem> problems() {
        return problems;
    }
}
