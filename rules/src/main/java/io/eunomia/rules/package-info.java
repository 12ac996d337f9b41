/**
 * The rule languages: YAML rules compiled to DRL, DRL validation, the field catalog and the
 * default rule pack. Builds a KieBase; does not run one. (Rule engine issue.)
 */
package io.eunomia.rules;
