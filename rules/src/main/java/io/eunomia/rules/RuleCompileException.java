package io.eunomia.rules;

import java.util.List;
import java.util.stream.Collectors;

/** Rule files that do not compile; every error carries file:line:column. */
public final class RuleCompileException extends Exception {
    private final List<RuleError> errors;

    public RuleCompileException(List<RuleError> errors) {
        super(errors.stream().map(RuleError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<RuleError> errors() {
        return errors;
    }
}
