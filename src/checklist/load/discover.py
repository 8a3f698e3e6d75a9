"""Find a campaign's unit files: walk folders, follow links inside the campaign, skip the excluded.

What cannot be read, or lies outside the campaign folder, is refused as a located problem
rather than left out silently: a report missing a county's folder would be wrong.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checklist.errors import UsageError
from checklist.load.campaign import CONFIG_NAME, find_config
from checklist.load.pinpoint import pinpoint
from checklist.load.result import UnitResult
from checklist.load.source import display, inside, outside_finding, real_folder
from checklist.load.source_zh import os_reason_zh
from checklist.model import Campaign
from checklist.rules.registry import Finding

# TOML files that configure tools, never unit files, wherever they are and however named:
# a campaign folder is often a repository's root, with its editors' and linters' settings.
TOOL_CONFIGS = frozenset(
    {
        "pyproject.toml",
        "taplo.toml",
        ".taplo.toml",
        "tombi.toml",
        ".tombi.toml",
        "ruff.toml",
        ".ruff.toml",
        "pytest.toml",
        ".pytest.toml",
        "uv.toml",
        "typos.toml",
        "_typos.toml",
        ".typos.toml",
        "Cargo.toml",
        "rust-toolchain.toml",
        "rustfmt.toml",
        ".rustfmt.toml",
        "lychee.toml",
        ".lychee.toml",
        "gitleaks.toml",
        ".gitleaks.toml",
    }
)


@dataclass(frozen=True, slots=True)
class Found:
    """The unit files to check, and what discovery refused without reading it."""

    # Absolute paths as text: a city's 10,000 Path objects cost a report a tenth of a second.
    names: tuple[str, ...]
    # Folders that cannot be read, and files or folders outside the campaign: each a
    # located problem, since a report that silently leaves out a county's folder is wrong.
    refused: tuple[UnitResult, ...] = ()

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(map(Path, self.names))


def discover(paths: Sequence[Path], campaign: Campaign) -> list[Path]:
    """The unit files named by ``paths`` that can be read, inside the campaign folder."""
    return list(find(paths, campaign).files)


def find(paths: Sequence[Path], campaign: Campaign, *, follow_outside: bool = False) -> Found:
    """The unit files named by ``paths``: files as given, folders searched for *.toml.

    Linked files and folders are followed while their real path is inside the campaign
    folder (anywhere, with ``follow_outside``); each file is found once, however reached.
    """
    root = None if follow_outside else campaign.root
    found: dict[str, str] = {}
    refused: dict[str, UnitResult] = {}
    for path in paths:
        # A path named *.toml is meant as a file: a folder there is that file's problem.
        kind = _kind(path)
        if kind is None:
            raise UsageError(f"{path}: no such file or folder", zh=f"{path}:没有这个文件或文件夹")
        walked = kind == "folder" and path.suffix != ".toml"
        if walked:  # _walk leaves out campaign.toml and the tools' files by name
            candidates, problems = _walk(path.absolute(), root)
            candidates.sort()
            for problem in problems:
                refused.setdefault(problem.file, problem)
        else:
            candidates = [(str(path.absolute()), os.path.realpath(path))]
        within = "" if root is None else real_folder(str(root)).rstrip(os.sep) + os.sep
        for name, real in candidates:
            if not walked:
                base = os.path.basename(name)  # noqa: PTH119 (no Path per file)
                if base == CONFIG_NAME and _same_file(Path(name), campaign.config_path):
                    continue
                if base in TOOL_CONFIGS:
                    continue
            if campaign.exclude and _excluded(Path(name), campaign):
                continue
            # inside(real, root), with the root's real path resolved once
            if (
                root is not None
                and within
                and not real.startswith(within)
                and not inside(real, root)
            ):
                candidate = Path(name)
                refused.setdefault(
                    display(candidate), _refused(candidate, outside_finding(real, root))
                )
            else:
                found.setdefault(real, name)
    return Found(tuple(found.values()), tuple(refused.values()))


def by_campaign(paths: Sequence[Path]) -> dict[Path, list[Path]]:
    """The paths by the campaign.toml nearest above each; a path in no campaign is left out.

    A commit may touch several campaigns of one repository, or none (its other TOML files).
    """
    from checklist.errors import ConfigError

    nearest: dict[Path, Path | None] = {}
    found: dict[Path, list[Path]] = {}
    for path in paths:
        folder = path if path.is_dir() else path.parent
        if folder not in nearest:  # one walk up per folder, not per file
            try:
                nearest[folder] = find_config([folder])
            except ConfigError:
                nearest[folder] = None
        config = nearest[folder]
        if config is not None:
            found.setdefault(config, []).append(path)
    return found


def _kind(path: Path) -> str | None:
    """Say "folder", "file", or None when nothing is there.

    Anything that is there but cannot be looked at (a link loop, a folder above it that
    may not be entered) counts as a file: reading it then says what is wrong, located.
    Path.exists() would raise on a permission error instead.
    """
    try:
        return "folder" if stat.S_ISDIR(path.stat().st_mode) else "file"
    except (FileNotFoundError, NotADirectoryError):
        try:
            path.lstat()  # a broken link is there, as a file that cannot be read
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:
            pass
        return "file"
    except OSError:
        return "file"


def _refused(path: Path, finding: Finding) -> UnitResult:
    file = display(path)
    return UnitResult(file, None, pinpoint([finding], text="", file=file))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _walk(folder: Path, root: Path | None) -> tuple[list[tuple[str, str]], list[UnitResult]]:
    """Every *.toml below ``folder`` (skipping dot-folders) with its real path; the refused.

    Only links need resolving (realpath, unlike Path.resolve, survives a loop): below a
    folder's real path, a plain entry's real path is that path and its name.
    """
    files: list[tuple[str, str]] = []
    refused: list[UnitResult] = []
    real = os.path.realpath(folder)
    # A folder holding the campaign folder is walked: each file is then judged by itself.
    if (
        root is not None
        and not inside(real, root)
        and not inside(os.path.realpath(root), Path(real))
    ):
        return files, [_refused(folder, outside_finding(real, root))]
    pending, seen = [(str(folder), real)], {real}
    while pending:
        here, real_here = pending.pop()
        prefix = real_here.rstrip(os.sep) + os.sep
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError as error:
            refused.append(_refused(Path(here), _unreadable_folder(error)))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):  # .git, .checklist, editors' folders
                continue
            try:  # the type the listing gave (no call to the system), for most entries
                link, is_folder = entry.is_symlink(), entry.is_dir()
            except OSError:
                link, is_folder = _is_link(entry), _is_dir(entry)
            target = os.path.realpath(entry.path) if link else prefix + name
            if is_folder:
                if root is not None and link and not inside(target, root):
                    refused.append(_refused(Path(entry.path), outside_finding(target, root)))
                elif target not in seen:  # a link back up, or to a folder already walked
                    seen.add(target)
                    pending.append((entry.path, target))
            elif name.endswith(".toml"):
                if name != CONFIG_NAME and name not in TOOL_CONFIGS:
                    files.append((entry.path, target))
            elif link and not os.path.exists(entry.path):  # noqa: PTH110 (it never raises)
                # Perhaps a county's folder, moved away: its units would silently count as 0.
                refused.append(_refused(Path(entry.path), _broken_link(entry.path)))
    return files, refused


def _unreadable_folder(error: OSError) -> Finding:
    return Finding(
        "E001",
        f"cannot read this folder: {error.strerror or error}; its unit files are not checked "
        "or counted",
        line=1,
        column=1,
        hint="give the user running checklist permission to read and enter the folder",
        zh=f"打不开这个文件夹:{os_reason_zh(error)};里面的单位清单文件没有检查,也没有计入统计",
        zh_hint="请给运行 checklist 的用户读取和进入这个文件夹的权限",
    )


def _broken_link(path: str) -> Finding:
    try:
        pointed = str(Path(path).readlink())
        target, target_zh = f" to {pointed}", f"(指向 {pointed})"
    except OSError:
        target = target_zh = ""
    return Finding(
        "E001",
        f"this is a link{target}, which cannot be followed (missing, or a loop)",
        line=1,
        column=1,
        hint="restore what the link points to, or delete the link",
        zh=f"这是一个链接{target_zh},但打不开:它指向的东西不在了,或者链接绕成了一个圈",
        zh_hint="把链接指向的文件或文件夹放回原处,或者删掉这个链接",
    )


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop: not a folder; reading it will say what it is
        return False


def _excluded(path: Path, campaign: Campaign) -> bool:
    if not campaign.exclude:
        return False
    for root in (campaign.root, campaign.root.resolve()):
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            continue
        return any(fnmatch.fnmatchcase(relative, pattern) for pattern in campaign.exclude)
    return False
