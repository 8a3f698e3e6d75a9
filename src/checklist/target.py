"""What an edit targets: the unit's file, found by path or id; a measure's table; a task,
named by number, id or part of its title. Each refusal says what there is to choose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checklist.errors import EditError, UsageError, guess_zh
from checklist.load.discover import discover
from checklist.load.source import SourceError, decode, display, read
from checklist.model import Campaign
from checklist.words import printable, quote


def unit_ids(campaign: Campaign) -> dict[str, Path]:
    """Every unit id of the campaign and its file (the file name where no id is set)."""
    import tomllib

    from checklist.load.source import loads

    ids: dict[str, Path] = {}
    for path in discover([campaign.root], campaign):
        unit_id = path.stem
        try:
            table = loads(decode(read(path))).get("unit")
            if isinstance(table, dict) and isinstance(table.get("id"), str):
                unit_id = table["id"]
        except (SourceError, tomllib.TOMLDecodeError, RecursionError):
            pass  # validate says what is wrong with it; here it only has no id
        ids.setdefault(unit_id, path)
    return ids


def find_unit(campaign: Campaign, unit: str) -> Path:
    """A unit file by path, or by unit id anywhere in the campaign."""
    given = Path(unit)
    if given.suffix == ".toml" and given.is_file():
        return given
    ids = unit_ids(campaign)
    if unit in ids:
        return ids[unit]
    from checklist.words import did_you_mean

    guess = did_you_mean(unit, list(ids))
    hint = f'; did you mean "{guess}"?' if guess else ""
    root = display(campaign.root)
    where = "当前文件夹" if root == "." else f"{root} "
    raise UsageError(
        f"no unit {unit!r} in {root}{hint}",
        zh=f"{where}里没有单位 {quote(unit)}{guess_zh(guess)}",
    )


def named(campaign: Campaign, key: str) -> str:
    """A measure as a clerk knows it: “理论学习”(study)."""
    measure = campaign.measure(key)
    return f"“{measure.name}”({measure.key})" if measure else f"[{key}]"


def measure_table(doc: Any, campaign: Campaign, key: str) -> Any:
    measure = campaign.measure(key)
    if measure is None:
        from checklist.words import did_you_mean

        names = [m.key for m in campaign.measures] + [m.name for m in campaign.measures]
        guess = did_you_mean(key, names)
        hint = f'; did you mean "{guess}"?' if guess else ""
        known = "、".join(f"{m.name}({m.key})" for m in campaign.measures)
        raise UsageError(
            f"no measure {key!r}{hint} (measures: {', '.join(m.key for m in campaign.measures)})",
            zh=f"没有 {quote(key)} 这项措施{guess_zh(guess)}(措施有:{known})",
        )
    table = doc.get(measure.key)
    if table is None:
        raise EditError(
            f"the file has no [{measure.key}] table",
            zh=f"文件里没有“{measure.name}”这一栏([{measure.key}])",
        )
    return table


def pick_task(table: Any, measure: str, spec: str | None, *, named: str) -> Any:
    """The task a user named: 1-based index, task id, or a unique part of the title.

    ``named`` is the measure as a clerk knows it (``named``), for the Chinese messages.
    """
    tasks = table.get("tasks")
    if not tasks:
        if spec is not None:
            raise UsageError(
                f"[{measure}] has no tasks; leave out TASK to edit the measure",
                zh=f"{named}下面没有列任务;不写 TASK,改的就是这项措施本身",
            )
        return table
    listing = "\n".join(
        f"  {i}. {printable(str(t.get('title', '')))}" + (f"  (id {t['id']})" if "id" in t else "")
        for i, t in enumerate(tasks, 1)
    )
    if spec is None:
        raise UsageError(
            f"[{measure}] has {len(tasks)} tasks; name one by number, id or title:\n{listing}",
            zh=f"{named}下有 {len(tasks)} 项任务;请写明是哪一项(序号、id 或标题):\n{listing}",
        )
    if spec.isdigit():
        if 1 <= int(spec) <= len(tasks):
            return tasks[int(spec) - 1]
        raise UsageError(
            f"[{measure}] has no task {spec}:\n{listing}",
            zh=f"{named}下没有第 {spec} 项任务,任务有:\n{listing}",
        )
    by_id = [t for t in tasks if t.get("id") == spec]
    if by_id:
        return by_id[0]
    found = [t for t in tasks if spec in str(t.get("title", ""))]
    if len(found) == 1:
        return found[0]
    what = "matches several tasks" if found else "matches no task"
    what_zh = (
        f"有 {len(found)} 项任务的标题都含有 {quote(spec)},请写得更具体些,或写序号"
        if found
        else f"找不到 {quote(spec)}:它不是任务的 id,也不在任何任务的标题里"
    )
    raise UsageError(
        f"{spec!r} {what} of [{measure}]:\n{listing}", zh=f"{named}下{what_zh}:\n{listing}"
    )
