#!/usr/bin/env python3
# Path walks for a monitor's bounded looks (bench/README, "The bounded looks' wake-ups"): chmod of one file
# in DIR (chmod follows its last component: a walk each, never served from the recent directories),
# RATE times a second, paced in 10 ms steps, for SECONDS. Run it beside a soak.
#   bench/lookload.py DIR RATE SECONDS
import os
import sys
import time

d, rate, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
f = os.path.join(d, "lookload-file")
open(f, "w").close()
per = max(1, rate // 100)
end = time.monotonic() + secs
n = 0
step = time.monotonic()
try:
    while time.monotonic() < end:
        for _ in range(per):
            os.chmod(f, 0o644 if n & 1 else 0o600)
            n += 1
        step += 0.01
        time.sleep(max(0.0, step - time.monotonic()))
finally:
    os.unlink(f)
    print("lookload: %d chmod calls" % n, file=sys.stderr)
