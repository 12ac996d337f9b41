package io.eunomia.rules.internal;

import io.eunomia.rules.FieldCatalog;
import java.util.List;

/** A checked condition: macros expanded, list names replaced by their items, values valid for their fields. */
public sealed interface Cond {
    record All(List<Cond> terms) implements Cond {}

    record Any(List<Cond> terms) implements Cond {}

    record Neg(Cond term) implements Cond {}

    /** {@code field op values}; INT values are decimal text, BOOL values "true"/"false". */
    record Test(FieldCatalog.Field field, String op, List<String> values) implements Cond {}

    record Has(FieldCatalog.Field field) implements Cond {}
}
