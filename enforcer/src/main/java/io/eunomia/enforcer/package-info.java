/**
 * Emitters (moby seccomp JSON, OCI, Kubernetes, capability sets), validation against the
 * syscall tables, and run-time monitor/enforce through kernel maps. (Enforcement issue.)
 */
package io.eunomia.enforcer;
