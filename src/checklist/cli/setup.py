"""init and new: start a campaign folder, add a unit file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checklist.cli.options import ConfigOpt, DryRunOpt, LevelChoice, Preset

if TYPE_CHECKING:
    from checklist.model import Campaign, Problem

DirectoryArg = Annotated[Path, typer.Argument(help="The new campaign folder.", metavar="DIR")]
PresetOpt = Annotated[
    Preset | None,
    typer.Option(
        "--preset", help="Fill in a known campaign: zhengzhou (its 17 areas).", show_default=False
    ),
]
NewCountyOpt = Annotated[
    str, typer.Option("--county", help="County code or name.", metavar="COUNTY")
]
NewLevelOpt = Annotated[LevelChoice, typer.Option("--level", help="county or grassroots.")]
NameOpt = Annotated[str, typer.Option("--name", help="The unit's full name.", metavar="TEXT")]
IdOpt = Annotated[
    str | None,
    typer.Option(
        "--id", help="The unit id (default: <county code>-<n>).", show_default=False, metavar="ID"
    ),
]
ContactOpt = Annotated[
    str,
    typer.Option(
        "--contact", help="Who answers for the list (fill in later if not known).", metavar="TEXT"
    ),
]


def init(
    directory: DirectoryArg = Path(), preset: PresetOpt = None, dry_run: DryRunOpt = False
) -> None:
    """Start a campaign folder with a commented campaign.toml.

    It also makes units/ with a README for the people who submit unit files, the unit
    files' JSON Schema (units/unit.schema.json) and the taplo and tombi configs that make
    editors check unit files against it as they are typed.

    Example: checklist init campaign --preset zhengzhou
    """
    from checklist.errors import UsageError

    config = directory / "campaign.toml"
    if config.exists():
        raise UsageError(
            f"{config} already exists; checklist init never overwrites a campaign",
            zh=f"{config} 已经存在;checklist init 不会覆盖已有的活动配置",
        )
    for path, text in _campaign_files(directory, preset).items():
        if dry_run:
            print(f"--- would create {path} ---\n{text}")
        elif not path.exists():
            _create(path, text)
            print(f"created {path}")
    if not dry_run and not preset:
        schema = directory / "units" / "unit.schema.json"
        print(
            f"next: list your county-level areas under [[counties]] in {config}, "
            f"then: checklist schema > {schema}"
        )


def _campaign_files(directory: Path, preset: Preset | None) -> dict[Path, str]:
    """campaign.toml (a preset's, or a blank one starting today), the submitters' README,
    the unit schema for that campaign and the editors' configs that apply it."""
    import datetime as dt

    from checklist.load.schema import SCHEMA_FILE
    from checklist.scaffold import (
        PRESETS,
        SUBMITTERS_README,
        TAPLO_CONFIG,
        TOMBI_CONFIG,
        campaign_toml,
    )

    if preset:
        name, start, end, zone, counties = PRESETS[preset.value]
    else:
        name, start, zone, counties = "新的主题教育", dt.date.today(), "Asia/Shanghai", ()
        end = start + dt.timedelta(days=120)
    config = campaign_toml(name=name, start=start, end=end, timezone=zone, counties=counties)
    return {
        directory / "campaign.toml": config,
        directory / "units" / "README.md": SUBMITTERS_README,
        directory / "units" / SCHEMA_FILE: _schema_of(config),
        directory / ".taplo.toml": TAPLO_CONFIG,
        directory / "tombi.toml": TOMBI_CONFIG,
    }


def _schema_of(config: str) -> str:
    """The schema `checklist schema` will print for this campaign.toml, read by the same
    loader from a scratch copy, so that `schema --check` agrees even before it is written."""
    import tempfile

    from checklist.load.campaign import load_campaign
    from checklist.load.schema import json_schema_text

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "campaign.toml"
        path.write_text(config, encoding="utf-8")
        return json_schema_text(load_campaign(path))


def _create(path: Path, text: str) -> None:
    """Write a new file whole; never one that exists."""
    from checklist.atomic import write_atomic
    from checklist.errors import UsageError, write_reason_zh

    try:
        write_atomic(path, text.encode(), exclusive=True)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists; checklist init never overwrites",
            zh=f"{path} 已经存在;checklist init 不会覆盖已有的文件",
        ) from None
    except OSError as error:
        raise UsageError(
            f"cannot create {path}: {error.strerror or error}",
            zh=f"无法创建 {path}:{write_reason_zh(error)}",
        ) from None


def new(
    county: NewCountyOpt,
    level: NewLevelOpt,
    name: NameOpt,
    unit_id: IdOpt = None,
    contact: ContactOpt = "",
    config: ConfigOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Create a unit file and say what is left to fill in.

    \b
    Example: checklist new --county 二七区 --level grassroots \\
               --name "二七区建中街街道党工委"
    """
    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.source import display
    from checklist.scaffold import check_id, check_value, create

    for option, value in (("--name", name), ("--contact", contact), ("--county", county)):
        check_value(option, value)
    if unit_id is not None:
        check_id("--id", unit_id)
    campaign = load_campaign(config or find_config([Path()]))
    path, text, todo = _new_unit(campaign, county, level, name, unit_id, contact)
    if dry_run:
        print(f"--- would create {display(path)} ---\n{text}")
    else:
        create(path, text.encode())
        print(f"created {display(path)}")
    print("left to fill in:")
    for problem in todo:
        print(f"  line {problem.line}: {problem.message}")
    _schema_note(campaign)


def _schema_note(campaign: Campaign) -> None:
    """Say when editors would check the new file against a missing or stale schema."""
    from checklist.load.schema import SCHEMA_FILE, schema_stale
    from checklist.load.source import display

    schema = campaign.root / "units" / SCHEMA_FILE
    try:
        why = schema_stale(schema.read_bytes(), campaign)
    except OSError:
        why = "there is none"
    if why:
        print(
            f"editors: {display(schema)} is not the schema for this campaign ({why}); "
            f"write it with: checklist schema > {display(schema)}"
        )


def _new_unit(
    campaign: Campaign,
    county: str,
    level: LevelChoice,
    name: str,
    unit_id: str | None,
    contact: str,
) -> tuple[Path, str, tuple[Problem, ...]]:
    """The new unit's file and text, checked, and the problems left for its owner to fix."""
    from checklist import dates
    from checklist.errors import UsageError
    from checklist.filters import make_filters
    from checklist.load.check import check_unit
    from checklist.load.schema import SCHEMA_FILE
    from checklist.load.source import display
    from checklist.model import Level
    from checklist.scaffold import check_id, unit_toml, verify_unit
    from checklist.target import unit_ids
    from checklist.words import quote

    (code,) = make_filters(campaign, (), county=[county]).counties
    home = campaign.county(code)
    assert home is not None
    check_id(
        f"the county code of {county!r} in campaign.toml",
        code,
        zh=f"campaign.toml 里 {quote(county)} 的区县代码(code)",
    )
    ids = unit_ids(campaign)
    if unit_id is None:
        n = 1
        while f"{code.lower()}-{n:03d}" in ids:
            n += 1
        unit_id = f"{code.lower()}-{n:03d}"
    if unit_id in ids:
        raise UsageError(
            f"unit id {unit_id!r} is already used by {display(ids[unit_id])}",
            zh=f"单位编号(id){quote(unit_id)} 已经被 {display(ids[unit_id])} 用了;换一个 --id",
        )
    path = campaign.root / "units" / code / f"{unit_id}.toml"
    if path.exists():
        raise UsageError(
            f"{display(path)} already exists; checklist new never overwrites",
            zh=f"{display(path)} 已经存在;checklist new 不会覆盖已有的文件",
        )
    schema = campaign.root / "units" / SCHEMA_FILE
    text = unit_toml(
        unit_id=unit_id,
        name=name,
        county=home,
        level=Level(level.value),
        contact=contact,
        campaign=campaign,
        schema=Path(os.path.relpath(schema, path.parent)).as_posix() if schema.exists() else None,
    )
    values = {"id": unit_id, "name": name, "county": code, "level": level.value}
    verify_unit(text, unit=values | {"contact": contact}, campaign=campaign)
    today = dates.as_of(None, timezone=campaign.timezone)
    todo = check_unit(text.encode(), file=display(path), campaign=campaign, today=today)
    return path, text, tuple(todo.problems)
