"""Imported by the process PDF workers fork from (forkserver.PRELOAD): WeasyPrint made ready."""

# Importing this module is its whole job: WeasyPrint and its libraries imported (about 0.9 s),
# the shared font configuration made and German hyphenation loaded. Workers forked afterwards
# start with all of it in place. (Laying out a sample page here as well was measured: it
# delayed the server by 0.15-0.2 s and saved the workers' first PDF less than that.)

import atexit
import os
import signal

from brochures.rendering.pdf import quiet_weasyprint_logs, shared_fonts
from brochures.rendering.workers import warm_hyphenation

# Ctrl-C in a terminal reaches the whole process group, this server too: it is started with
# SIGINT ignored (forkserver.start), as the build decides what an interrupt means and ends the
# server by closing its pipe. The workers forked later get Python's usual handler back.

quiet_weasyprint_logs()
shared_fonts()
warm_hyphenation(["de"])
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # an interrupt meanwhile: dropped
signal.signal(signal.SIGINT, signal.default_int_handler)

# The server ends when the build does (its pipe closes). A normal interpreter exit would first
# tear down WeasyPrint's heap (0.3-0.4 s), and until then it keeps the build's stdout and stderr
# open, so whoever reads them (a shell pipe, CI, subprocess.run) waits that long after the
# build. It has nothing to flush or clean up: it leaves at once.
atexit.register(os._exit, 0)
