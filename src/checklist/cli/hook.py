"""validate --hook: the files a commit changes, judged against the whole campaign.

pre-commit passes the staged files, split into several runs when there are many; each run
checks every campaign those files belong to, so a unit id shared with an untouched file
(or a file of another run) is found whatever the split.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from checklist.errors import EXIT_PROBLEMS


def run_hook(
    paths: list[Path],
    *,
    config: Path | None,
    output_format: str,
    output_file: Path | None,
    strict: bool,
    as_of: str | None,
    no_cache: bool,
    lang: str | None = None,
) -> int:
    """Check the campaigns of ``paths``; the exit code counts what the commit answers for."""
    from checklist import dates
    from checklist.cli.check import _campaign, _write
    from checklist.cli.scope import open_cache
    from checklist.i18n import choose_lang, t
    from checklist.load.discover import by_campaign, find
    from checklist.load.source import display
    from checklist.load.validate import Report, for_commit, validate
    from checklist.model import Problem, Severity
    from checklist.words import printable

    groups = {config: paths} if config else by_campaign(paths)
    own: list[Problem] = []
    others: list[Problem] = []
    checked = 0
    spoken = choose_lang(lang)
    for config_path, given in groups.items():
        campaign = _campaign(given, config_path, output_format, output_file, lang)
        spoken = choose_lang(lang, campaign.lang)
        # Walked from its normalised absolute path, every name found is one too.
        found = find([Path(os.path.abspath(campaign.root))], campaign)  # noqa: PTH100 (no links)
        changed = _changed(found.files, given)
        campaign_changed = any(_under(str(campaign.config_path), g) for g in _absolute(given))
        if not changed and not campaign_changed:
            continue  # only TOML files that are no unit files: nothing to check
        checked_files = validate(
            found.files,
            campaign=campaign,
            today=dates.as_of(as_of, timezone=campaign.timezone),
            cache=open_cache(campaign, no_cache),
            units=False,
        )
        report = Report((*found.refused, *checked_files.results))
        names = {display(path) for path in changed}
        verdict = for_commit(report, names, campaign_changed=campaign_changed)
        # campaign.toml's warnings (W410, W411) are the commit's when it changes the file
        (own if campaign_changed else others).extend(campaign.warnings)
        own.extend(verdict.own)
        others.extend(verdict.others)
        checked += verdict.checked
    _write(own, output_format, output_file, checked=checked, lang=spoken)
    if others:
        files = len({p.file for p in others})
        note = t("hook.others", spoken, count=len(others), files=files)
        print(printable(f"checklist: {note}"), file=sys.stderr)
    severities = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return EXIT_PROBLEMS if any(p.severity in severities for p in own) else 0


def _absolute(paths: list[Path]) -> list[str]:
    # Normalised, links kept: discovery names files by their path, not their target.
    return [os.path.abspath(path) for path in paths]  # noqa: PTH100


def _under(path: str, given: str) -> bool:
    """Whether ``path`` is ``given`` or below it (a folder given means all of it changed)."""
    return path == given or path.startswith(given.rstrip(os.sep) + os.sep)


def _changed(files: tuple[Path, ...], given: list[Path]) -> list[Path]:
    """The campaign's unit files among those given: the rest are no unit files."""
    wanted = set(_absolute(given))
    # A name that is a file of the campaign is no folder: only the others need a look.
    known = {str(path) for path in files}
    folders = [g for g in wanted if g not in known and Path(g).is_dir()]
    return [
        path
        for path in files
        if str(path) in wanted or (folders and any(_under(str(path), f) for f in folders))
    ]
