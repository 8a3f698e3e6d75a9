"""Checks that need every unit at once: the only ones that are not per file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from checklist.load.result import UnitResult
from checklist.rules.registry import Finding
from checklist.words import quote


def duplicate_ids(results: Sequence[UnitResult]) -> dict[str, list[Finding]]:
    """Unit ids used by more than one file, reported in each file with the others named."""
    by_id: dict[str, list[UnitResult]] = defaultdict(list)
    for result in results:
        if result.unit_id is not None:
            by_id[result.unit_id].append(result)
    found: dict[str, list[Finding]] = defaultdict(list)
    for unit_id, group in by_id.items():
        if len(group) < 2:
            continue
        for result in group:
            others = [r.file for r in group if r is not result]
            explicit = result.unit_id_path == ("unit", "id")
            hint = (
                "give this unit its own id"
                if explicit
                else 'the id comes from the file name; add id = "…" under [unit] or rename it'
            )
            zh_hint = (
                "给这个单位另起一个别人没用过的编号"
                if explicit
                else '编号是从文件名来的:在 [unit] 下面加一行 id = "…",或者给文件改个名字'
            )
            found[result.file].append(
                Finding(
                    "E301",
                    f"unit id {quote(unit_id)} is also used by {', '.join(others)}",
                    result.unit_id_path,
                    on_value=explicit,
                    hint=hint,
                    zh=f"单位编号(id){quote(unit_id)} 和 {'、'.join(others)} 重复了",
                    zh_hint=zh_hint,
                )
            )
    return found


CROSS_CHECKS = (duplicate_ids,)


def cross_findings(results: Sequence[UnitResult]) -> dict[str, list[Finding]]:
    merged: dict[str, list[Finding]] = defaultdict(list)
    for cross in CROSS_CHECKS:
        for file, findings in cross(results).items():
            merged[file].extend(findings)
    return merged
