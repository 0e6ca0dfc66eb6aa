"""Calls URL every 100 ms (timeout 0.3 s) and appends "<ms since start> ok|fail <body or reason>" to LOG."""
import sys
import time
import urllib.request

url, log = sys.argv[1], sys.argv[2]
start = time.monotonic()
with open(log, 'a', buffering=1) as f:
    while True:
        t = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=0.3) as r:
                line = 'ok ' + r.read().decode().strip()
        except Exception as e:  # any failure is a failed try
            line = 'fail ' + type(e).__name__
        f.write('%.0f %s\n' % ((t - start) * 1000, line))
        time.sleep(max(0.0, 0.1 - (time.monotonic() - t)))
