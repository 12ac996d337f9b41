package io.eunomia.enforcer.seccomp;

import java.util.List;

/**
 * A profile read from a file, with what the reader noticed but did not refuse (names of calls that
 * none of the profile's architectures has, names older libseccomp releases do not know, ...).
 */
public record ReadProfile(String file, ProfileForm form, SeccompProfile profile, List<ProfileProblem> warnings) {
    public ReadProfile {
        warnings = List.copyOf(warnings);
    }
}
