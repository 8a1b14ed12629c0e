"""brochures: print-ready, multilingual brochures from the Kreis Warendorf integration concept."""

__version__ = "0.1.0"


def _interrupted_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C while the command is still importing its modules: leave quietly (status 130, as
    a shell reports an interrupt), not with a traceback of import internals. `cli.main`
    restores Python's handler once the command runs (then click says "Aborted!")."""
    import os

    os._exit(130)


def _starting_as_command() -> bool:
    import os
    import sys

    # the `brochures` script, or `python -m brochures` (argv[0] is "-m" while it is imported)
    return os.path.basename(sys.argv[0] if sys.argv else "") in ("brochures", "-m")


if _starting_as_command():
    import signal as _signal

    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        _signal.signal(_signal.SIGINT, _interrupted_while_starting)
