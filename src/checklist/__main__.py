"""``python -m checklist`` and the ``checklist`` command."""

from __future__ import annotations

import sys


def main() -> None:
    # Answer --version before importing typer: cron wrappers and CI call it a lot.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from checklist import __version__

        print(f"checklist {__version__}")
        return
    from checklist.cli.app import run

    sys.exit(run())


if __name__ == "__main__":
    main()
