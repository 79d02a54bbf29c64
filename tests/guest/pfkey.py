#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Open a PF_KEY v2 socket; print "ok" or the errno name. Optionally hold it
open for a few seconds (pfkey.py hold N) so a test can look at it."""
import errno, socket, sys, time

PF_KEY, PF_KEY_V2 = 15, 2
try:
    s = socket.socket(PF_KEY, socket.SOCK_RAW, PF_KEY_V2)
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
    sys.exit(1)
print("ok", flush=True)
if len(sys.argv) > 2 and sys.argv[1] == "hold":
    time.sleep(float(sys.argv[2]))
s.close()
