/** Fixtures for tests across modules: real containers (runc, crun, podman, dockerd), servers. */
package io.eunomia.testkit;
