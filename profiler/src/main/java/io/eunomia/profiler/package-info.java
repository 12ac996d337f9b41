/**
 * Learning: per-container syscall, capability and executable sets read from kernel maps, the
 * profile model, atomic persistence, merge and diff. (Learning issue.)
 */
package io.eunomia.profiler;
