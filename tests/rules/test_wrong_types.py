"""A value of the wrong TOML type anywhere in the schema is one located problem in its file.

Every key and table that src/checklist/load/schema.py declares gets values of every TOML type
it does not take; the file must be reported (exit 1, located, valid JSON) and every other
command must still read the good file beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checklist.errors import ConfigError
from checklist.load.campaign import load_campaign
from checklist.load.schema import CAMPAIGN_SCHEMA, Field, Kind, unit_schema
from checklist.load.validate import check_file
from checklist.model import DEFAULT_MEASURES
from conftest import CAMPAIGN_TOML, VALID_UNIT

GOOD = VALID_UNIT.replace('id = "erqi-test"', 'id = "good"')
BAD_NAME = "bad.toml"

# One strategy per TOML type: int, float, bool, string, date, datetime, time, array,
# array of tables, inline table.
TOML_TYPES: dict[str, st.SearchStrategy[Any]] = {
    "int": st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "bool": st.booleans(),
    "string": st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
    "date": st.dates(),
    "datetime": st.datetimes(),
    "time": st.times(),
    # Not empty: [] is also an array of no tables, which a list of tasks may be.
    "array": st.lists(
        st.integers(min_value=0, max_value=9) | st.text(max_size=3), min_size=1, max_size=3
    ),
    "array of tables": st.lists(
        st.dictionaries(st.sampled_from(["a", "title", "owner"]), st.integers(), max_size=2),
        min_size=1,
        max_size=2,
    ),
    "inline table": st.dictionaries(
        st.sampled_from(["x", "id", "owner"]), st.integers(), max_size=2
    ),
}

# The TOML types each kind of field takes (a string for a date is E104, still a problem).
TAKES = {
    Kind.TEXT: {"string"},
    Kind.DATE: {"date"},
    Kind.INTEGER: {"int"},
    Kind.INTEGERS: {"array"},
    Kind.DATES: {"date", "array"},
    Kind.TEXTS: {"array"},
    Kind.TABLE: {"inline table"},
    Kind.TABLES: {"array of tables"},
    Kind.TEXT_MAP: {"inline table"},
}

Path_ = tuple[str | int, ...]


def _fields(field: Field, path: Path_) -> Iterator[tuple[Path_, Field]]:
    """Every declared key below ``field``; the first item of a list of tables stands for all."""
    for child in field.fields:
        here = (*path, child.name)
        yield here, child
        if child.kind is Kind.TABLES:
            yield from _fields(child, (*here, 0))
        elif child.kind is Kind.TABLE:
            yield from _fields(child, here)
        elif child.kind is Kind.TEXT_MAP:
            yield (*here, "王红"), Field("address", Kind.TEXT, "")


# The item type of each kind of list; a list holding anything else is wrong too.
ITEM = {Kind.INTEGERS: "int", Kind.DATES: "date", Kind.TEXTS: "string"}
# Types a list item can have (a list of arrays of tables is not worth its syntax).
ITEM_TYPES = [t for t in TOML_TYPES if t != "array of tables"]
# Keys nobody declared, in each table: a typo of a declared key, a Chinese alias, nonsense.
UNKNOWN = ["ownr", "负责人", "zzz"]


def _wrong(fields: list[tuple[Path_, Field]]) -> list[tuple[Path_, str]]:
    """Every (place, TOML type) a file can get wrong: declared keys, list items, unknown keys."""
    cases = [
        (path, kind)
        for path, field in fields
        for kind in TOML_TYPES
        if kind not in TAKES[field.kind]
    ]
    cases += [
        (path, f"list of {kind}")
        for path, field in fields
        if field.kind in ITEM
        for kind in ITEM_TYPES
        if kind != ITEM[field.kind]
    ]
    tables = [()] + [
        (*path, 0) if field.kind is Kind.TABLES else path
        for path, field in fields
        if field.kind in (Kind.TABLE, Kind.TABLES)
    ]
    cases += [((*table, key), kind) for table in tables for key in UNKNOWN for kind in TOML_TYPES]
    return cases


def _strategy(kind: str) -> st.SearchStrategy[Any]:
    if kind.startswith("list of "):
        return st.lists(TOML_TYPES[kind.removeprefix("list of ")], min_size=1, max_size=2)
    return TOML_TYPES[kind]


UNIT_FIELDS = list(_fields(unit_schema(DEFAULT_MEASURES), ()))
CAMPAIGN_FIELDS = list(_fields(CAMPAIGN_SCHEMA, ()))
WRONG = _wrong(UNIT_FIELDS)
CAMPAIGN_WRONG = _wrong(CAMPAIGN_FIELDS)


def test_the_schema_is_covered():
    names = {".".join(map(str, p)) for p, _ in UNIT_FIELDS}
    assert {"unit", "unit.id", "people.王红", "study.tasks", "study.tasks.0.until"} <= names
    assert len(UNIT_FIELDS) > 100
    assert {"campaign.start", "counties.0.expected_units", "remind.channels"} <= {
        ".".join(map(str, p)) for p, _ in CAMPAIGN_FIELDS
    }


def _substitute(doc: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    """``doc`` with ``value`` at ``path``, making the tables (and first task) on the way."""
    here: Any = doc
    for i, key in enumerate(path[:-1]):
        following = path[i + 1]
        if isinstance(key, int):
            while len(here) <= key:
                here.append({})
            here = here[key]
            continue
        if not isinstance(here.get(key), dict | list):
            here[key] = [] if isinstance(following, int) else {}
        if isinstance(here[key], list) and not isinstance(following, int):
            here[key] = {}
        here = here[key]
    if isinstance(path[-1], int):
        here.append(value)
    else:
        here[path[-1]] = value
    return doc


def _bad_text(base: str, path: Path_, value: Any) -> str:
    return tomli_w.dumps(_substitute(tomllib.loads(base), path, value))


def _located(problems: list[dict[str, Any]], text: str, path: Path_) -> None:
    """Some problem points at a line that names the key (or its table's header).

    A problem in an item of a multi-line array points at the item, a line or two below.
    """
    lines = text.split("\n")
    names = [str(k) for k in path if isinstance(k, str)]
    assert problems, "no problem reported"
    for problem in problems:
        assert problem["line"] >= 1
        assert problem["column"] >= 1
    assert any(
        any(
            name in line for name in names[-2:] for line in lines[max(p["line"] - 3, 0) : p["line"]]
        )
        for p in problems
        if p["line"] <= len(lines)
    ), (problems, text)


@pytest.mark.parametrize(
    ("path", "kind"), WRONG, ids=[f"{'.'.join(map(str, p))}={k}" for p, k in WRONG]
)
def test_every_wrong_type_is_a_located_problem(path, kind, write_unit, campaign):
    """Exhaustive over the schema, with one example value per type (hypothesis varies them)."""
    value = _example(kind)
    text = _bad_text(VALID_UNIT, path, value)
    file = write_unit(BAD_NAME, text)
    result = check_file(file, campaign=campaign, today=dt.date(2023, 11, 20))
    assert result.unit is None
    assert all(p.code != "E008" for p in result.problems), result.problems
    problems = [{"line": p.line, "column": p.column, "code": p.code} for p in result.problems]
    _located(problems, text, path)


EXAMPLES = {
    "int": 3,
    "float": 1.5,
    "bool": True,
    "string": "x",
    "date": dt.date(2023, 10, 1),
    "datetime": dt.datetime(2023, 10, 1, 8, 30),
    "time": dt.time(8, 30),
    "array": [1],
    "array of tables": [{}],
    "inline table": {},
}


def _example(kind: str) -> Any:
    if kind.startswith("list of "):
        return [EXAMPLES["date"], EXAMPLES[kind.removeprefix("list of ")]]
    return EXAMPLES[kind]


@pytest.fixture
def campaign(campaign_dir):
    return load_campaign(campaign_dir() / "campaign.toml")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_wrong_type_never_stops_the_other_files(data, cli, write_unit):
    path, kind = data.draw(st.sampled_from(WRONG), label="where")
    value = data.draw(_strategy(kind), label=kind)
    text = _bad_text(VALID_UNIT, path, value)
    bad = write_unit(BAD_NAME, text)
    write_unit("good.toml", GOOD)
    folder = bad.parents[2]

    checked = cli("validate", "-f", "json", "--no-cache", folder)
    assert checked.code == 1, checked.err
    document = json.loads(checked.out)
    mine = [p for p in document["problems"] if Path(p["file"]).name == BAD_NAME]
    assert all(p["code"] != "E008" for p in mine), mine
    _located(mine, text, path)
    assert all(Path(p["file"]).name == BAD_NAME for p in document["problems"])

    for command in ("validate", "status", "rollup", "remind"):
        done = cli(command, "--no-cache", folder)
        assert done.code in (0, 1, 2), (command, done.err)
        assert "Traceback" not in done.err, done.err
        assert "internal error" not in done.err, done.err
    status = cli("status", "--all", "-f", "json", "--no-cache", folder)
    assert status.code == 0, status.err
    assert {i["unit"] for i in json.loads(status.out)["tasks"]} == {"good"}
    rollup = json.loads(cli("rollup", "-f", "json", "--no-cache", folder).out)
    assert rollup["skipped_files"] == 1
    assert rollup["total"]["units"] == 1
    remind = cli("remind", "-f", "json", "--no-cache", folder)
    assert remind.code == 0, remind.err
    json.loads(remind.out)


@pytest.mark.parametrize(
    ("path", "kind"),
    CAMPAIGN_WRONG,
    ids=[f"{'.'.join(map(str, p))}={k}" for p, k in CAMPAIGN_WRONG],
)
def test_every_wrong_type_in_campaign_toml_is_a_located_config_error(path, kind, tmp_path):
    text = _bad_text(CAMPAIGN_TOML, path, _example(kind))
    config = tmp_path / "campaign.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_campaign(config)
    problems = [
        {"line": p.line, "column": p.column, "code": p.code, "file": p.file}
        for p in raised.value.problems
    ]
    assert all(Path(p["file"]).name == "campaign.toml" for p in problems)
    _located(problems, text, path)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_wrong_type_in_campaign_toml_exits_2_everywhere(data, cli, tmp_path_factory):
    path, kind = data.draw(st.sampled_from(CAMPAIGN_WRONG), label="where")
    value = data.draw(_strategy(kind), label=kind)
    text = _bad_text(CAMPAIGN_TOML, path, value)
    folder = tmp_path_factory.mktemp("wrong")
    (folder / "campaign.toml").write_text(text, encoding="utf-8")
    (folder / "good.toml").write_text(GOOD, encoding="utf-8")
    checked = cli("validate", "-f", "json", "--no-cache", folder)
    assert checked.code == 2, checked.err
    problems = json.loads(checked.out)["problems"]
    assert problems
    assert all(Path(p["file"]).name == "campaign.toml" for p in problems)
    _located(problems, text, path)
    for command in ("validate", "status", "rollup", "remind"):
        done = cli(command, "--no-cache", folder)
        assert done.code == 2, (command, done.err)
        assert "Traceback" not in done.err, done.err
        assert "internal error" not in done.err, done.err
        assert "campaign.toml" in done.err


def test_a_bug_checking_one_file_is_that_files_problem(cli, write_unit, monkeypatch):
    """The last line of defence: whatever slipped past the tests above stops only its file."""
    import checklist.load.check

    check_unit = checklist.load.check.check_unit

    def failing(data: bytes, **kwargs: Any) -> Any:
        if kwargs["file"].endswith(BAD_NAME):
            raise TypeError("argument of type '_Bad' is not iterable")
        return check_unit(data, **kwargs)

    monkeypatch.setattr(checklist.load.check, "check_unit", failing)
    bad = write_unit(BAD_NAME, VALID_UNIT)
    write_unit("good.toml", GOOD)
    result = cli("validate", "-f", "json", "--no-cache", bad.parent)
    assert result.code == 1
    problems = json.loads(result.out)["problems"]
    assert [(Path(p["file"]).name, p["code"]) for p in problems] == [(BAD_NAME, "E008")]
    assert "TypeError" in problems[0]["message"]
    status = cli("status", "--all", "-f", "json", "--no-cache", bad.parent)
    assert status.code == 0
    assert {i["unit"] for i in json.loads(status.out)["tasks"]} == {"good"}


@pytest.mark.parametrize("bad", ["unit = 3", "[[unit]]", 'unit = "x"', "unit = []"])
def test_remind_send_still_sends_the_others(cli, tmp_path, monkeypatch, bad):
    from remind.night import CAMPAIGN as REMIND_CAMPAIGN
    from remind.night import ERQI, JINSHUI, KEYS, webhook_table
    from remind.servers import Hook

    hook = Hook()
    try:
        folder = tmp_path / "campaign"
        units = {
            "410103/erqi-office.toml": ERQI.replace("{research_title}", "专题调研报告"),
            "410105/jinshui-school.toml": JINSHUI,
            "410105/bad.toml": bad + "\n",
        }
        folder.mkdir()
        (folder / "campaign.toml").write_text(
            REMIND_CAMPAIGN + webhook_table(hook.url), encoding="utf-8"
        )
        for name, text in units.items():
            path = folder / "units" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        result = cli("remind", folder, "--send", "--lang", "en", "--no-cache")
        assert result.code == 0, result.err
        assert "1 file(s) with problems were left out" in result.err
        assert sorted(post.body["key"] for post in hook.posts) == sorted(KEYS)
    finally:
        hook.stop()


@pytest.mark.parametrize(
    ("path", "kind"), WRONG, ids=[f"{'.'.join(map(str, p))}={k}" for p, k in WRONG]
)
def test_an_edit_of_a_file_with_a_wrong_type_is_refused_not_a_crash(
    path, kind, write_unit, campaign
):
    """done, reopen and postpone judge the file first: a wrong type anywhere is a refusal."""
    from checklist import edit
    from checklist.errors import EditError

    file = write_unit(BAD_NAME, _bad_text(VALID_UNIT, path, _example(kind)))
    before = file.read_bytes()
    on, to = dt.date(2023, 11, 1), dt.date(2023, 12, 1)
    for measure in ("study", "research"):
        for task in (None, "1"):
            where = {"campaign": campaign, "measure": measure, "task": task}
            with pytest.raises(EditError, match="has problems already"):
                edit.mark_done(file, on=on, **where)
            with pytest.raises(EditError, match="has problems already"):
                edit.reopen(file, **where)
            with pytest.raises(EditError, match="has problems already"):
                edit.postpone(file, to=to, reason="r", **where)
    assert file.read_bytes() == before
