"""``python -m checklist`` and the ``checklist`` command."""

from __future__ import annotations

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
    from checklist.cli.app import run

    sys.exit(run())


if __name__ == "__main__":
    main()
