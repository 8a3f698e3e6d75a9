"""``python -m checklist`` and the ``checklist`` command."""

from __future__ import annotations

import os
import sys


def main() -> None:
    # Answer --version before importing typer: cron wrappers and CI call it a lot.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from checklist import __version__

        try:
            print(f"checklist {__version__}", flush=True)
        except BrokenPipeError:  # a reader that closed its pipe: end as run() does
            from checklist.errors import EXIT_PIPE
            from checklist.render import discard_output

            discard_output()
            sys.exit(EXIT_PIPE)
        return
    import gc

    gc.disable()  # the imports make thousands of objects and no garbage: nothing to collect
    from checklist.cli.app import run

    gc.freeze()  # and the collections to come need not walk them: they live to the end
    gc.enable()
    leave(run())


def leave(code: int) -> None:
    """Exit without freeing the report's objects one by one (a province's status holds
    millions: a tenth of its run) once the output is out; every file the command wrote
    is closed and renamed by then. Anything left to flush takes the ordinary exit."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # the ordinary exit reports what it can
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    main()
