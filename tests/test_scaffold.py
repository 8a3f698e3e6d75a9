"""init and new, run as a user would: the files they write load, validate once filled
in, never overwrite anything, and the README's session works end to end."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# The 17 county-level areas of Zhengzhou, as /work/shared/DOMAIN.md lists them.
ZHENGZHOU_COUNTIES = {
    "410102": "中原区",
    "410103": "二七区",
    "410104": "管城回族区",
    "410105": "金水区",
    "410106": "上街区",
    "410108": "惠济区",
    "410122": "中牟县",
    "410181": "巩义市",
    "410182": "荥阳市",
    "410183": "新密市",
    "410184": "新郑市",
    "410185": "登封市",
    "4101ZD": "郑东新区",
    "4101JK": "经开区",
    "4101GX": "高新区",
    "4101HK": "航空港区",
    "4101SZ": "市直",
}
MEASURES = [
    ("study", "理论学习"),
    ("research", "调查研究"),
    ("development", "推动发展"),
    ("rectification", "检视整改"),
    ("institutions", "建章立制"),
]
REPO = Path(__file__).resolve().parents[1]
JIANZHONG = "二七区建中街街道党工委"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def fill_in(text: str, *, owner: str = "张伟", due: str = "2023-12-31") -> str:
    """What a person does in an editor: name every owner and set every measure's due date."""
    text = text.replace('owner = ""', f'owner = "{owner}"')
    # "# due = 2023-10-09          # 截止日期: remove the first # and set the day"
    return re.sub(r"^# due = \S+(\s+# 截止日期)", rf"due = {due}\1", text, flags=re.MULTILINE)


@pytest.fixture
def campaign(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An init'ed Zhengzhou campaign, the current folder."""
    monkeypatch.chdir(tmp_path)
    assert cli("init", "campaign", "--preset", "zhengzhou").code == 0
    monkeypatch.chdir(tmp_path / "campaign")
    return tmp_path / "campaign"


# --- init ------------------------------------------------------------------------------


def test_init_with_the_zhengzhou_preset(tmp_path: Path, cli) -> None:
    folder = tmp_path / "campaign"

    result = cli("init", folder, "--preset", "zhengzhou")

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"created {folder / 'campaign.toml'}",
        f"created {folder / 'units' / 'README.md'}",
        f"created {folder / 'units' / 'unit.schema.json'}",
        f"created {folder / '.taplo.toml'}",
        f"created {folder / 'tombi.toml'}",
    ]
    config = tomllib.loads((folder / "campaign.toml").read_text(encoding="utf-8"))
    assert config["campaign"]["name"] == "郑州市第二批主题教育"
    assert str(config["campaign"]["start"]) == "2023-09-09"
    assert str(config["campaign"]["end"]) == "2024-01-31"
    assert config["campaign"]["timezone"] == "Asia/Shanghai"
    assert {c["code"]: c["name"] for c in config["counties"]} == ZHENGZHOU_COUNTIES
    assert [(m["key"], m["name"]) for m in config["measures"]] == MEASURES
    readme = (folder / "units" / "README.md").read_text(encoding="utf-8")
    assert "checklist new --county" in readme
    assert "checklist validate" in readme


def test_init_counties_match_the_bundled_example(tmp_path: Path, cli) -> None:
    assert cli("init", tmp_path / "c", "--preset", "zhengzhou").code == 0
    mine = tomllib.loads((tmp_path / "c" / "campaign.toml").read_text(encoding="utf-8"))
    example = tomllib.loads((REPO / "examples/zhengzhou/campaign.toml").read_text("utf-8"))
    assert [(c["code"], c["name"]) for c in mine["counties"]] == [
        (c["code"], c["name"]) for c in example["counties"]
    ]


def test_an_example_unit_validates_in_an_initd_campaign(tmp_path: Path, cli) -> None:
    folder = tmp_path / "campaign"
    assert cli("init", folder, "--preset", "zhengzhou").code == 0
    unit = folder / "units/410103/erqi-committee.toml"
    unit.parent.mkdir(parents=True)
    unit.write_bytes((REPO / "examples/zhengzhou/units/410103/erqi-committee.toml").read_bytes())

    result = cli("validate", unit)

    assert result.code == 0, result.out + result.err


def test_init_never_overwrites_a_campaign(tmp_path: Path, cli) -> None:
    folder = tmp_path / "campaign"
    folder.mkdir()
    (folder / "campaign.toml").write_text("# mine\n", encoding="utf-8")
    before = snapshot(tmp_path)

    result = cli("init", folder, "--preset", "zhengzhou")

    assert result.code == 2
    assert "campaign.toml already exists" in result.err
    assert "never overwrites" in result.err
    assert snapshot(tmp_path) == before  # no units/README.md either


def test_init_without_a_preset_makes_a_campaign_that_loads(tmp_path: Path, cli) -> None:
    from checklist.load.campaign import load_campaign

    folder = tmp_path / "campaign"

    result = cli("init", folder)

    assert result.code == 0, result.err
    assert "next: list your county-level areas under [[counties]]" in result.out
    campaign = load_campaign(folder / "campaign.toml")
    assert [m.key for m in campaign.measures] == [key for key, _ in MEASURES]
    assert len(campaign.counties) == 1  # a placeholder to replace
    assert campaign.start < campaign.end
    assert cli("schema", "--config", folder / "campaign.toml").code == 0


def test_init_dry_run_prints_the_files_and_writes_nothing(tmp_path: Path, cli) -> None:
    folder = tmp_path / "campaign"

    result = cli("init", folder, "--preset", "zhengzhou", "--dry-run")

    assert result.code == 0, result.err
    assert f"--- would create {folder / 'campaign.toml'} ---" in result.out
    assert f"--- would create {folder / 'units' / 'README.md'} ---" in result.out
    assert '[campaign]\nname = "郑州市第二批主题教育"' in result.out
    assert 'code = "4101SZ"' in result.out
    assert "created" not in result.out
    assert list(tmp_path.iterdir()) == []


# --- new -------------------------------------------------------------------------------


def test_new_creates_a_unit_with_every_measure(campaign: Path, cli) -> None:
    result = cli(
        "new",
        "--county",
        "二七区",
        "--level",
        "grassroots",
        "--name",
        JIANZHONG,
        "--contact",
        "王红",
    )

    assert result.code == 0, result.err
    path = campaign / "units/410103/410103-001.toml"
    assert result.out.startswith("created units/410103/410103-001.toml\n")
    unit = tomllib.loads(path.read_text(encoding="utf-8"))
    assert unit["unit"] == {
        "id": "410103-001",
        "name": JIANZHONG,
        "county": "410103",
        "level": "grassroots",
        "contact": "王红",
    }
    assert [key for key in unit if key != "unit"] == [key for key, _ in MEASURES]
    # what is left: every measure's owner and due date, each named by its line
    todo = result.out.split("left to fill in:\n", 1)[1].splitlines()
    assert len(todo) == 2 * len(MEASURES)
    assert sum('"owner" is empty' in line for line in todo) == len(MEASURES)
    for key, _ in MEASURES:
        assert any(f'[{key}] has no tasks, so it needs its own "due"' in line for line in todo)
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in todo:
        number = int(re.match(r"  line (\d+): ", line).group(1))
        assert lines[number - 1].startswith(("[", 'owner = ""'))


def test_a_new_unit_validates_once_owners_and_due_dates_are_filled_in(campaign: Path, cli) -> None:
    argv = ["--level", "grassroots", "--name", JIANZHONG, "--contact", "王红"]
    assert cli("new", "--county", "410103", *argv).code == 0
    path = campaign / "units/410103/410103-001.toml"

    result = cli("validate", path)
    assert result.code == 1  # not yet: owners and due dates are missing
    assert result.out.count('"owner" is empty') == len(MEASURES)

    path.write_text(fill_in(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = cli("validate", path)
    assert result.code == 0, result.out


def test_new_without_a_contact_says_it_is_left_to_fill_in(campaign: Path, cli) -> None:
    result = cli("new", "--county", "二七区", "--level", "county", "--name", JIANZHONG)

    assert result.code == 0, result.err
    todo = result.out.split("left to fill in:\n", 1)[1].splitlines()
    assert todo[0] == '  line 12: "contact" is empty'  # after the #:schema line and a blank
    assert len(todo) == 1 + 2 * len(MEASURES)


def test_new_numbers_units_and_never_reuses_an_id(campaign: Path, cli) -> None:
    argv = ["new", "--county", "二七区", "--level", "grassroots", "--name"]
    assert cli(*argv, "甲").code == 0
    assert cli(*argv, "乙").code == 0
    assert sorted(p.name for p in (campaign / "units/410103").iterdir()) == [
        "410103-001.toml",
        "410103-002.toml",
    ]
    before = snapshot(campaign)

    result = cli(*argv, "丙", "--id", "410103-001")

    assert result.code == 2
    assert "unit id '410103-001' is already used by units/410103/410103-001.toml" in result.err
    assert snapshot(campaign) == before


def test_new_never_reuses_an_id_set_in_another_file(campaign: Path, cli) -> None:
    # a file of another county whose [unit] id differs from its file name
    other = campaign / "units/410105/jinshui.toml"
    other.parent.mkdir(parents=True)
    other.write_text('[unit]\nid = "jianzhong"\n', encoding="utf-8")
    before = snapshot(campaign)

    result = cli(
        "new", "--county", "二七区", "--level", "grassroots", "--name", "x", "--id", "jianzhong"
    )

    assert result.code == 2
    assert "already used by units/410105/jinshui.toml" in result.err
    assert snapshot(campaign) == before


def test_new_never_overwrites_a_file(campaign: Path, cli) -> None:
    # the file is there, under another id: the path is taken even though the id is free
    path = campaign / "units/410103/jianzhong.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[unit]\nid = "something-else"\n', encoding="utf-8")
    before = snapshot(campaign)

    result = cli(
        "new", "--county", "二七区", "--level", "grassroots", "--name", "x", "--id", "jianzhong"
    )

    assert result.code == 2
    assert "units/410103/jianzhong.toml already exists" in result.err
    assert snapshot(campaign) == before


def test_new_with_an_unknown_county_suggests_one(campaign: Path, cli) -> None:
    result = cli("new", "--county", "二七", "--level", "grassroots", "--name", "x")

    assert result.code == 2
    assert 'did you mean "二七区"' in result.err
    assert not (campaign / "units" / "410103").exists()


def test_new_refuses_an_id_that_is_not_an_id(campaign: Path, cli) -> None:
    result = cli("new", "--county", "二七区", "--level", "grassroots", "--name", "x", "--id", "a b")

    assert result.code == 2
    assert "--id 'a b'" in result.err
    assert not (campaign / "units" / "410103").exists()


@pytest.mark.parametrize(
    "name",
    ['a \\"b\\" c', 'say "hi"', "back\\slash\\", "it's 'quoted'", '"""', "x # y", "[unit]"],
    ids=[
        "escaped-quotes",
        "quotes",
        "backslashes",
        "apostrophes",
        "triple-quotes",
        "hash",
        "header",
    ],
)
def test_new_escapes_any_name(campaign: Path, cli, name: str) -> None:
    result = cli(
        "new", "--county", "二七区", "--level", "grassroots", "--name", name, "--contact", name
    )

    assert result.code == 0, result.err
    path = campaign / "units/410103/410103-001.toml"
    unit = tomllib.loads(path.read_text(encoding="utf-8"))["unit"]
    assert unit["name"] == name
    assert unit["contact"] == name


def test_a_new_unit_with_quotes_in_its_name_validates_once_filled_in(campaign: Path, cli) -> None:
    name = 'a \\"b\\" c'
    assert cli("new", "--county", "二七区", "--level", "county", "--name", name).code == 0
    path = campaign / "units/410103/410103-001.toml"
    text = fill_in(path.read_text(encoding="utf-8"))
    path.write_text(text.replace('contact = ""', 'contact = "王红"'), encoding="utf-8")

    result = cli("validate", path)

    assert result.code == 0, result.out
    status = json.loads(cli("status", "--all", "--format", "json").out)
    assert {t["unit_name"] for t in status["tasks"]} == {name}


def test_new_dry_run_prints_the_file_and_writes_nothing(campaign: Path, cli) -> None:
    before = snapshot(campaign)

    result = cli(
        "new", "--county", "二七区", "--level", "grassroots", "--name", JIANZHONG, "--dry-run"
    )

    assert result.code == 0, result.err
    assert result.out.startswith("--- would create units/410103/410103-001.toml ---\n")
    assert f'name = "{JIANZHONG}"' in result.out
    assert "left to fill in:" in result.out
    assert "created" not in result.out
    assert snapshot(campaign) == before
    assert not (campaign / "units" / "410103").exists()


# --- the README's session --------------------------------------------------------------


def test_the_readme_session(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """init, new, fill in, validate, done, status: as README.md shows it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in (
        "$ checklist init campaign --preset zhengzhou",
        "$ cd campaign",
        f'$ checklist new --county 二七区 --level grassroots --name "{JIANZHONG}" --contact 王红 '
        "--id jianzhong-street",
        "$ checklist validate",
        "$ checklist done jianzhong-street study 三会一课 --on 2023-11-09",
        "$ checklist status",
    ):
        assert command in readme
    monkeypatch.chdir(tmp_path)

    result = cli("init", "campaign", "--preset", "zhengzhou")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "created campaign/campaign.toml",
        "created campaign/units/README.md",
        "created campaign/units/unit.schema.json",
        "created campaign/.taplo.toml",
        "created campaign/tombi.toml",
    ]

    monkeypatch.chdir(tmp_path / "campaign")
    result = cli(
        "new", "--county", "二七区", "--level", "grassroots", "--name", JIANZHONG,
        "--contact", "王红", "--id", "jianzhong-street",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.startswith(
        "created units/410103/jianzhong-street.toml\nleft to fill in:\n"
        '  line 14: [study] has no tasks, so it needs its own "due"\n'
        '  line 15: "owner" is empty\n'
    )

    # $EDITOR: owners, due dates, and a study task (the README's 三会一课)
    path = Path("units/410103/jianzhong-street.toml")
    text = fill_in(path.read_text(encoding="utf-8"), owner="张伟", due="2023-12-31")
    example_task = re.compile(r'^# \[\[study\.tasks\]\].*\n# title = "…"$', re.MULTILINE)
    text = example_task.sub('[[study.tasks]]\ntitle = "“三会一课”集中学习"', text)
    path.write_text(text, encoding="utf-8")

    result = cli("validate")
    assert result.code == 0, result.out
    assert result.out.startswith("All good: 1 file checked, no problems.")

    result = cli("done", "jianzhong-street", "study", "三会一课", "--on", "2023-11-09")
    assert result.code == 0, result.err
    assert result.out == (
        "units/410103/jianzhong-street.toml: “三会一课”集中学习: done on 2023-11-09\n"
    )

    result = cli("status")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Nothing is overdue as of 2023-11-20.",
        "0 overdue, 0 due in the next 7 days, across 0 units in 0 counties",
    ]

    tasks = json.loads(cli("status", "--all", "--format", "json").out)["tasks"]
    (task,) = [t for t in tasks if t["title"] == "“三会一课”集中学习"]
    assert (task["unit"], task["measure"], task["owner"]) == ("jianzhong-street", "study", "张伟")
    assert (task["done"], task["state"]) == ("2023-11-09", "done")
    assert {t["state"] for t in tasks if t is not task} == {"open"}


# --- what goes into a new file (issue 9, item 15) --------------------------------------

NEW = ["new", "--county", "二七区", "--level", "grassroots"]
HOSTILE = "\n\r\t\x00\x1b\x7f\x85\u2028\u200b\ufeff\"'#[]=\\ {}.a张"  # and TOML's own


@pytest.mark.parametrize(
    ("option", "text", "message"),
    [
        ("--name", "二七区\n建中街街道党工委", "character 4 is U+000A (a line break)"),
        ("--name", "二七区建中街街道党工委\r\n", "character 12 is U+000D (a carriage return)"),
        ("--name", "甲\t乙", "character 2 is U+0009 (a tab)"),
        ("--name", 'x\n[unit]\nid = "evil"', "character 2 is U+000A (a line break)"),
        ("--name", "a\u2028b", "U+2028 (LINE SEPARATOR)"),
        ("--name", "张\u200b伟", "U+200B (ZERO WIDTH SPACE)"),
        ("--name", "\x1b[31mred", "U+001B (a control character)"),
        ("--name", " 二七区", "starts or ends with a space"),
        ("--name", "x" * 201, "--name is 201 characters long; at most 200"),
        ("--contact", "王红\n", "--contact '王红\\n': character 3 is U+000A (a line break)"),
        ("--contact", "王\x00红", "U+0000"),
        ("--county", "二七区\n", "--county '二七区\\n': character 4 is U+000A"),
        ("--id", "abc\n", "--id 'abc\\n': use letters, digits"),
        ("--id", "a" * 101, "--id is 101 characters long; at most 100"),
    ],
    ids=[
        "newline", "crlf", "tab", "injection", "line-separator", "zero-width", "escape",
        "space", "long", "contact-newline", "contact-nul", "county-newline", "id-newline",
        "id-long",
    ],
)  # fmt: skip
def test_new_refuses_a_value_that_cannot_be_one_line_of_the_file(
    campaign: Path, cli, option: str, text: str, message: str
) -> None:
    argv = {"--name": "甲单位", "--contact": "王红", option: text}
    before = snapshot(campaign)

    argv = {"--county": "二七区", "--level": "grassroots"} | argv
    result = cli("new", *(x for pair in argv.items() for x in pair))

    assert (result.code, result.out) == (2, ""), result.err
    assert result.err.startswith(f"checklist: error: {option}")
    assert message in result.err
    assert "\n" not in result.err.rstrip("\n")  # the message itself is one line
    assert snapshot(campaign) == before


def test_a_name_of_undecodable_bytes_is_refused(campaign: Path) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates; they cannot be written."""
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "checklist", *NEW, "--name", b"\xff\xfe-name"],
        capture_output=True,
        timeout=60,
        env=os.environ | {"PYTHONIOENCODING": "utf-8"},
        check=False,
    )

    assert result.returncode == 2, result.stderr
    assert b"character 1 is U+DCFF" in result.stderr
    assert not (campaign / "units" / "410103").exists()


def test_campaign_names_become_safe_comments(tmp_path: Path, cli) -> None:
    """County and measure names go into comments: a line break in them must not end the
    comment and start TOML. campaign.toml refuses such names (E204); the template does not
    rely on it."""
    import dataclasses

    from checklist.load.campaign import load_campaign
    from checklist.model import County, Level
    from checklist.scaffold import unit_toml

    folder = tmp_path / "c"
    assert cli("init", folder, "--preset", "zhengzhou").code == 0
    campaign = load_campaign(folder / "campaign.toml")
    county = County("410103", '二七区\n[unit]\nid = "evil"')
    measures = list(campaign.measures)
    measures[0] = dataclasses.replace(measures[0], name='理论学习\r\nowner = "x"')
    campaign = dataclasses.replace(campaign, measures=tuple(measures))

    unit = unit_toml(
        unit_id="a", name="甲", county=county, level=Level.COUNTY, contact="", campaign=campaign
    )

    assert tomllib.loads(unit)["unit"]["id"] == "a"
    assert tomllib.loads(unit)["study"] == {"owner": ""}
    assert 'county = "410103"  # 二七区\ufffd[unit]\ufffdid = "evil"\n' in unit


def test_campaign_names_with_line_breaks_are_refused_before_new(
    tmp_path: Path, cli, monkeypatch
) -> None:
    folder = tmp_path / "c"
    assert cli("init", folder, "--preset", "zhengzhou").code == 0
    config = folder / "campaign.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('name = "二七区"', 'name = "二七区\\n[unit]\\nid = \\"evil\\""'),
        encoding="utf-8",
    )
    monkeypatch.chdir(folder)

    result = cli("new", "--county", "410103", "--level", "county", "--name", "甲", "--id", "a")

    assert result.code == 2, result.err
    assert "E204" in result.err
    assert not (folder / "units/410103/a.toml").exists()


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.one_of(st.text(), st.text(alphabet=HOSTILE)),
    contact=st.text(alphabet="\n\t \"'#\\a王", max_size=5),
)  # fmt: skip
def test_new_writes_exactly_what_was_given_or_refuses(
    campaign: Path, cli, name: str, contact: str
) -> None:
    path = campaign / "units/410103/prop.toml"
    path.unlink(missing_ok=True)
    before = snapshot(campaign)

    result = cli(*NEW, "--name", name, "--contact", contact, "--id", "prop")

    if result.code == 0:
        assert result.out.startswith("created units/410103/prop.toml\n")
        text = path.read_text(encoding="utf-8")
        written = tomllib.loads(text)
        assert written["unit"] == {
            "id": "prop", "name": name, "county": "410103", "level": "grassroots",
            "contact": contact,
        }  # fmt: skip
        assert set(written) == {"unit", *(key for key, _ in MEASURES)}
        assert text.splitlines()[:2] == ["#:schema ../unit.schema.json", ""]
        assert text.splitlines()[2].startswith(f"# {name} — ")  # the header is one line
        assert all(char not in name + contact for char in "\n\r\t\x00\x1b\u2028\u200b")
    else:
        assert (result.code, result.out) == (2, ""), result.err
        assert result.err.startswith(("checklist: error: --name ", "checklist: error: --contact "))
        assert snapshot(campaign) == before


@pytest.mark.parametrize("where", ["a-file", "a-file/below"])
def test_init_where_a_file_is_says_so(tmp_path: Path, cli, where: str) -> None:
    (tmp_path / "a-file").write_text("mine\n", encoding="utf-8")
    before = snapshot(tmp_path)

    result = cli("init", tmp_path / where)

    assert (result.code, result.out) == (2, "")
    assert (
        result.err
        == f"checklist: error: cannot create {tmp_path / where}/campaign.toml: Not a directory\n"
    )
    assert snapshot(tmp_path) == before


def test_new_never_replaces_a_file_made_meanwhile(campaign: Path, cli, monkeypatch) -> None:
    """Two `new` at once can pick the same id: the second must not replace the first's file."""
    import checklist.scaffold

    path = campaign / "units/410103/410103-001.toml"
    render = checklist.scaffold.unit_toml

    def render_while_a_colleague_creates_it(**values: Any) -> str:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('[unit]\nid = "410103-001"\nname = "theirs"\n', encoding="utf-8")
        return render(**values)

    monkeypatch.setattr(checklist.scaffold, "unit_toml", render_while_a_colleague_creates_it)

    result = cli(*NEW, "--name", "mine")

    assert result.code == 2
    assert (
        "units/410103/410103-001.toml already exists; checklist new never overwrites" in result.err
    )
    assert "theirs" in path.read_text(encoding="utf-8")
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_new_removes_what_a_killed_new_of_the_same_file_left(campaign: Path, cli) -> None:
    folder = campaign / "units/410103"
    folder.mkdir(parents=True)
    (folder / ".410103-001.toml.k1ll3d00.tmp").write_bytes(b'[unit]\nid = "41')  # cut short
    (folder / ".410103-001.toml.lock").write_bytes(b"")

    assert cli("validate").code == 2  # no unit files yet: the leftovers are not units

    result = cli(*NEW, "--name", "甲")

    assert result.code == 0, result.err
    assert sorted(p.name for p in folder.iterdir()) == ["410103-001.toml"]
