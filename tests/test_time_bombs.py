"""Every command finishes, on any unit file of at most 1 MiB, with exit code 0, 1 or 2.

Each hostile file below sits in a campaign next to one ordinary file; a child process
runs every command on that campaign, each under its own alarm, so a hang is reported as
the command and file it happened in. ``benchmarks/hostile.py`` times the same corpus.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checklist import splice
from checklist.load import dotted, shape, source
from checklist.rules import context
from conftest import CAMPAIGN_TOML, VALID_UNIT
from test_recur import _deadline

ONE_MIB = 1 << 20
REPEAT = 'repeat = "monthly"'
TASK = '[[institutions.tasks]]\ntitle = "主题教育月报"\ndue = 2023-09-25\nrepeat = "monthly"\n'
# Seconds one command may take before it counts as a hang: generous, since the machine
# running the tests may be slow and busy; the commands take well under a second.
ALARM = 20

# Every command, as a user would type it; the edits go to the ordinary file.
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("validate", "."),
    ("validate", "-f", "json", "."),
    ("status", "."),
    ("status", "--all", "."),
    ("rollup", "."),
    ("rollup", "--measures", "."),
    ("remind", "."),
    ("remind", "--format", "json", "."),
    ("done", "erqi-test", "study", "2", "--dry-run"),
    ("postpone", "erqi-test", "research", "--to", "2023-12-15", "--reason", "x", "--dry-run"),
    ("reopen", "erqi-test", "study", "1", "--dry-run"),
)


def _unit(unit_id: str, *, tail: str = "", **replace: str) -> str:
    """The ordinary unit under another id, with replacements and text added at the end."""
    text = VALID_UNIT.replace('id = "erqi-test"', f'id = "{unit_id}"')
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text + tail


def _repeat(unit_id: str, rule: str, **replace: str) -> str:
    return _unit(unit_id, **{REPEAT: f"repeat = {json.dumps(rule)}"}, **replace)


def _tasks(count: int, make: Callable[[int], str]) -> str:
    return "".join(f'\n[[institutions.tasks]]\ntitle = "t{i}"\n{make(i)}\n' for i in range(count))


def _fill(unit_id: str, key: str, unit: str, suffix: str = '"\n') -> str:
    """A unit whose last line is ``key`` followed by ``unit`` repeated up to nearly 1 MiB."""
    head = _unit(unit_id) + key
    room = ONE_MIB - len(head.encode()) - len(suffix.encode()) - 16
    return head + unit * (room // len(unit.encode())) + suffix


def _pad(unit_id: str, key: str, value: str) -> str:
    """A unit with ``owner`` (or another key) of the first task set to ``value``."""
    return _unit(unit_id, **{'title = "读书班结业"': f'title = "读书班结业"\n{key} = {value}'})


def corpus() -> dict[str, str | bytes]:
    """Hostile unit files by name: each class of time bomb, in a few variants."""
    files: dict[str, str | bytes] = {}
    # Rules that make dateutil loop, or search far for a date that never comes.
    rules = {
        "interval-0-daily": "FREQ=DAILY;INTERVAL=0",
        "interval-0-weekly": "FREQ=WEEKLY;INTERVAL=0",
        "interval-0-monthly": "FREQ=MONTHLY;INTERVAL=0",
        "interval-0-yearly": "FREQ=YEARLY;INTERVAL=0",
        "interval-0-never": "FREQ=MONTHLY;INTERVAL=0;BYMONTHDAY=31;BYMONTH=2",
        "interval-negative": "FREQ=WEEKLY;INTERVAL=-1",
        "interval-huge": "FREQ=DAILY;INTERVAL=999999999",
        "interval-padded": "FREQ=DAILY;INTERVAL=" + "0" * 5000 + "1",
        "count-huge": "FREQ=DAILY;COUNT=" + "9" * 4000,
        "count-negative": "FREQ=DAILY;COUNT=-5",
        "bysetpos-absent": "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
        "bysetpos-many": "FREQ=YEARLY;BYSETPOS=" + ",".join(str(i) for i in range(-366, 367) if i),
        "never-matches": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "out-of-range": "FREQ=DAILY;BYMONTH=13;BYMONTHDAY=32;BYYEARDAY=400",
        "byday-absurd": "FREQ=MONTHLY;BYDAY=99999MO",
        "until-far": "FREQ=DAILY;UNTIL=99991231",
        "long-rule": "FREQ=DAILY" + ";BYMONTH=1" * 20000,
    }
    for name, rule in rules.items():
        files[f"rule-{name}.toml"] = _repeat(f"rule-{name}", rule)
    files["rule-until-far-key.toml"] = _repeat(
        "rule-until-far-key",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
        **{"done = [2023-09-25]": "until = 9999-12-31"},
    )
    # Many repeating tasks, each with its own pathological rule and due date.
    sparse = ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31")
    files["many-never.toml"] = _unit(
        "many-never",
        tail=_tasks(  # with the ordinary file's monthly task, 100: as many as allowed
            99,
            lambda i: (
                f"due = 2023-{10 + i % 3}-{1 + i % 28:02d}\n"
                f'repeat = "{sparse[i % 2]};INTERVAL={1 + i // 6}"'
            ),
        ),
    )
    files["many-interval-0.toml"] = _unit(
        "many-interval-0",
        tail=_tasks(
            150, lambda i: f'due = 2023-10-{1 + i % 28:02d}\nrepeat = "FREQ=WEEKLY;INTERVAL=0"'
        ),
    )
    files["daily-from-year-1.toml"] = _unit(
        "daily-from-year-1",
        tail=_tasks(100, lambda i: f'due = 0001-01-{1 + i % 28:02d}\nrepeat = "daily"'),
    )
    files["never-from-year-1.toml"] = _unit(
        "never-from-year-1",
        tail=_tasks(
            100,
            lambda i: (
                f"due = 0001-01-{1 + i % 28:02d}\nuntil = 9999-12-31\n"
                f'repeat = "{sparse[i % 2]};INTERVAL={1 + i // 28}"'
            ),
        ),
    )
    files["long-done-list.toml"] = _fill(
        "long-done-list",
        '[[study.tasks]]\ntitle = "x"\nrepeat = "daily"\ndone = [',
        "2023-10-01, ",
        "]\n",
    )
    # Keys: long dotted keys cost tomllib the square of their parts.
    files["dotted-key-30000.toml"] = _unit("dotted-30000", tail="a" + ".a" * 29_999 + " = 1\n")
    files["dotted-key-60000.toml"] = _unit(
        "dotted-60000", tail="[unit.x]\n" + "a" + ".a" * 59_999 + " = 1\n"
    )
    files["dotted-header.toml"] = _unit("dotted-header", tail="[" + "a" + ".a" * 40_000 + "]\n")
    files["dotted-quoted.toml"] = _unit("dotted-quoted", tail='"a"' + '."a"' * 30_000 + " = 1\n")
    files["dotted-spaced.toml"] = _unit("dotted-spaced", tail="a" + " . a" * 30_000 + " = 1\n")
    files["dotted-inline.toml"] = _unit(
        "dotted-inline", tail="x = {" + "a" + ".a" * 30_000 + " = 1}\n"
    )
    files["dotted-many.toml"] = _fill("dotted-many", "[unit.x]\n", "k" + ".a" * 60 + " = 1\n", "")
    files["long-bare-key.toml"] = _fill("long-bare-key", "", "k", " = 1\n")
    files["long-quoted-key.toml"] = _fill("long-quoted-key", '"', "键", '" = 1\n')
    # Nesting.
    files["deep-arrays.toml"] = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"
    files["deep-inline-tables.toml"] = _unit(
        "deep-inline", tail="x = " + "{a=" * 50_000 + "1" + "}" * 50_000 + "\n"
    )
    files["deep-mixed.toml"] = _unit(
        "deep-mixed", tail="x = " + "[{a=" * 30_000 + "1" + "}]" * 30_000 + "\n"
    )
    files["deep-headers.toml"] = _unit(
        "deep-headers", tail="".join("[" + ".".join(["a"] * i) + "]\n" for i in range(1, 500))
    )
    files["unclosed-brackets.toml"] = _unit("unclosed", tail="x = " + "[" * 300_000 + "\n")
    # Many of everything.
    files["many-tables.toml"] = _fill("many-tables", "", "[[t]]\n", "")
    files["many-distinct-tables.toml"] = _unit(
        "many-distinct-tables", tail="".join(f"[t{i}]\n" for i in range(100_000))
    )
    files["many-unknown-keys.toml"] = _unit(
        "many-unknown-keys", tail="".join(f"k{i} = 1\n" for i in range(90_000))
    )
    files["many-tasks.toml"] = _unit(
        "many-tasks",
        tail="".join(
            f'\n[[study.tasks]]\ntitle = "任务{i}"\ndue = 2023-10-{1 + i % 28:02d}\n'
            f'owner = "负责人{i % 50}"\n'
            for i in range(12_000)
        ),
    )
    study = (
        '[[study.tasks]]\ntitle = "理论学习中心组专题学习"\ndue = 2023-09-30\ndone = 2023-09-28\n'
    )
    files["many-inline-tasks.toml"] = _unit(
        "many-inline-tasks",
        **{
            study: "tasks = [" + ", ".join(f'{{title = "任务{i}"}}' for i in range(20_000)) + "]\n",
            '[[study.tasks]]\ntitle = "读书班结业"\n': "",
        },
    )
    files["many-empty-tasks.toml"] = _fill("many-empty-tasks", "", "[[study.tasks]]\n", "")
    files["many-people.toml"] = _unit(
        "many-people",
        **{
            '"王红" = "wanghong@example.cn"': "".join(
                f'"人{i}" = "p{i}@example.cn"\n' for i in range(30_000)
            )
        },
    )
    # Long strings and lines.
    files["long-title.toml"] = _fill("long-title", '[[study.tasks]]\ntitle = "', "长")
    files["long-multiline.toml"] = _fill("long-multiline", 'note = """\n', "[[a\n{ ,}\n", '"""\n')
    files["long-line-array.toml"] = _fill("long-line-array", "[unit.x]\ny = [", "1,", "1]\n")
    files["long-comment.toml"] = _fill("long-comment", "# ", "x", "\n")
    # Text each regex reads, repeated so that backtracking would show.
    files["comment-braces.toml"] = _unit("comment-braces", tail="# " + "{" * 100_000 + "\n")
    files["comment-braces-closed.toml"] = _unit("braces-closed", tail="# " + "{" * 100_000 + "}\n")
    files["title-braces.toml"] = _pad("title-braces", "note", '"' + "{" * 200_000 + '}"')
    files["comment-braces-1mib.toml"] = _fill("comment-braces-1mib", "# ", "{", "\n")
    files["comment-comma-braces.toml"] = _fill("comment-comma-braces", "# ", ", ", "}\n")
    files["comment-escapes.toml"] = _fill("comment-escapes", "# ", "\\", "\n")
    files["comment-colons.toml"] = _fill("comment-colons", "# ", "12:3", "\n")
    files["note-colons.toml"] = _fill("note-colons", 'note = "', "10:30 ")
    for name, value in {
        "spaces": '"张伟' + " " * 200_000 + '"',
        "spaces-angle": '"张伟' + " " * 200_000 + '<"',
        "spaces-at": '"张伟' + " " * 200_000 + '@"',
        "angle-spaces": '"张伟<' + " " * 200_000 + '"',
        "tabs-angle": '"张伟' + "\\t" * 100_000 + '<a@b.cn"',
        "ideographic": '"张伟' + "\u3000" * 200_000 + '<a@b.cn>"',
        "name-then-angles": '"' + "a " * 100_000 + '<<"',
        "at-dots": '"a@' + "." * 200_000 + '"',
        "at-labels": '"a@' + "b." * 200_000 + '"',
        "many-ats": '"' + "a@" * 200_000 + '"',
    }.items():
        files[f"owner-{name}.toml"] = _pad(f"owner-{name}", "owner", value)
    files["contact-spaces.toml"] = _unit(
        "contact-spaces", **{'contact = "王红"': 'contact = "王红' + " " * 200_000 + '"'}
    )
    files["address-spaces.toml"] = _unit(
        "address-spaces",
        **{'"王红" = "wanghong@example.cn"': '"王红" = "w' + " " * 200_000 + '@example.cn"'},
    )
    files["quoted-date-spaces.toml"] = _pad("quoted-date", "due", '"2023' + " " * 200_000 + '-"')
    files["quoted-date-trailing.toml"] = _pad(
        "quoted-date-trailing", "due", '"2023-10-31' + " " * 200_000 + 'x"'
    )
    files["bad-dates-line.toml"] = _unit("bad-dates", tail="x = " + "2023-02-30 " * 80_000 + "\n")
    files["task-header-lines.toml"] = _fill(
        "task-header-lines", 'note = """\n', " [[ a" + "a" * 60 + "\n", '"""\n'
    )
    files["hidden-escapes.toml"] = _fill("hidden-escapes", '[[study.tasks]]\ntitle = "', "\\u0007")
    files["control-title.toml"] = _fill("control-title", '[[study.tasks]]\ntitle = "', "a\\u200b")
    files["unknown-long-key.toml"] = _fill("unknown-long-key", "[unit.", "ownr", "]\n")
    return files


# Run in a child: every command in turn, each under an alarm; one JSON line per command.
DRIVER = """
import contextlib, io, json, signal, sys
from checklist.cli.app import run

class Hang(Exception):
    pass

def alarm(signum, frame):
    raise Hang()

signal.signal(signal.SIGALRM, alarm)
limit, commands = int(sys.argv[1]), json.loads(sys.argv[2])
for args in commands:
    out, err = io.StringIO(), io.StringIO()
    signal.alarm(limit)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(args)
    except Hang:
        code = "hang"
    finally:
        signal.alarm(0)
    print(json.dumps({"args": args, "code": code, "err": err.getvalue()[-2000:]}), flush=True)
"""


def _campaign(root: Path, name: str, text: str | bytes) -> Path:
    """A campaign folder holding the hostile file and the ordinary unit."""
    folder = root / name.removesuffix(".toml")
    units = folder / "units" / "410103"
    units.mkdir(parents=True)
    (folder / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")
    (units / "erqi-test.toml").write_text(VALID_UNIT, encoding="utf-8")
    data = text.encode("utf-8") if isinstance(text, str) else text
    assert len(data) <= ONE_MIB, name
    (units / name).write_bytes(data)
    return folder


def _drive(folder: Path, cache: Path) -> list[dict[str, object]]:
    env = {**os.environ, "CHECKLIST_AS_OF": "2023-11-20", "CHECKLIST_CACHE_DIR": str(cache)}
    env.pop("CHECKLIST_DEBUG", None)
    commands = json.dumps([list(c) for c in COMMANDS])
    try:
        done = subprocess.run(
            [sys.executable, "-c", DRIVER, str(ALARM), commands],
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            timeout=ALARM * len(COMMANDS) + 30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [{"args": "all", "code": "hang", "err": "the child did not finish"}]
    runs: list[dict[str, object]] = [json.loads(line) for line in done.stdout.splitlines()]
    if len(runs) < len(COMMANDS):
        runs.append({"args": "child", "code": done.returncode, "err": done.stderr[-2000:]})
    return runs


def test_the_corpus_is_hostile_and_small() -> None:
    files = corpus()
    assert len(files) >= 60
    for name, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        assert len(data) <= ONE_MIB, name


def test_every_command_finishes_on_every_hostile_file(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files = corpus()
    folders = {name: _campaign(tmp_path, name, text) for name, text in files.items()}
    cache = tmp_path_factory.mktemp("cache")
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(
            zip(folders, pool.map(lambda f: _drive(f, cache), folders.values()), strict=True)
        )
    failures = []
    for name, runs in results.items():
        for run in runs:
            err = str(run["err"])
            if run["code"] not in (0, 1, 2) or "Traceback" in err or "internal error" in err:
                failures.append(f"{name}: {run['args']} -> {run['code']}: {err[-300:]}")
    assert not failures, "\n".join(failures)


# --- the linear patterns mean what the backtracking ones meant --------------------------

_OLD_PERSON = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<address>[^<>]*)>\s*$")
_OLD_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")
_OLD_INLINE_11 = re.compile(r",\s*\}|\{[^}\n]*$", re.MULTILINE)
_OLD_QUOTED_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="<> a@.,;\t\n\u3000\x1c张", max_size=12))
def test_names_and_addresses_split_as_before(text: str) -> None:
    old = _OLD_PERSON.match(text)
    expected = (old["name"].strip(), old["address"].strip()) if old else None
    assert context.angled(text) == expected
    assert bool(context.EMAIL.fullmatch(text)) == bool(_OLD_EMAIL.fullmatch(text))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="{}, \n\tx", max_size=14))
def test_the_toml_11_screen_finds_what_it_found(text: str) -> None:
    assert bool(source._INLINE_11.search(text)) == bool(_OLD_INLINE_11.search(text))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="2019-/.年月日 \n\u3000", max_size=16))
def test_quoted_dates_are_read_as_before(text: str) -> None:
    old = _OLD_QUOTED_DATE.match(text)
    new = shape._QUOTED_DATE.match(text)
    assert (new.groups() if new else None) == (old.groups() if old else None)


_KEY_PARTS = st.sampled_from(["a", "b-c", '"x.y"', "'p.q'", "1"])


@st.composite
def _documents(draw: st.DrawFn) -> tuple[str, int]:
    """TOML text with dots in keys, strings, comments and numbers; and its longest key."""
    lines, longest = [], 0
    for _ in range(draw(st.integers(1, 4))):
        parts = draw(st.lists(_KEY_PARTS, min_size=1, max_size=14, unique=True))
        longest = max(longest, len(parts))
        key = draw(st.sampled_from([".", " . "])).join(parts)
        value = draw(
            st.sampled_from(
                [
                    '"a.b.c.d.e.f.g.h.i.j.k.l"',
                    "1.5",
                    "'........'",
                    "[1.5, 2.5]",
                    '"""\n....\n"""',
                    "1.1.1.1.1.1.1.1.1.1.1.1",  # a syntax error, not a key
                    "[1.1.1.1.1.1.1.1.1.1.1]",
                ]
            )
        )
        comment = draw(st.sampled_from(["", " # ............"]))
        lines.append(f"[t{len(lines)}]\n{key} = {value}{comment}")
    return "\n".join(lines) + "\n", longest


@settings(max_examples=300, deadline=None)
@given(_documents())
def test_only_keys_of_too_many_parts_are_refused(document: tuple[str, int]) -> None:
    text, longest = document
    if longest <= dotted.MAX_KEY_PARTS:
        try:
            expected = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            with pytest.raises(tomllib.TOMLDecodeError):  # the parser's error, not E101
                source.loads(text)
        else:
            assert source.loads(text) == expected
    else:
        with pytest.raises(source.SourceError) as refused:
            source.loads(text)
        assert refused.value.finding.code == "E101"


# --- what a long list of problems looks like ------------------------------------------


def test_a_long_line_is_quoted_around_the_problem(cli, write_unit):
    table = '[development]\nowner = "刘洋"\ndue = 2023-12-31\nnote = "“双节”期间客流保障"\n'
    inline = (
        f'development = {{owner = "刘洋", due = 2023-12-31, note = "{"长" * 300_000}", ownr = 1}}\n'
    )
    text = _unit("wide", **{table: inline})
    line = text[: text.index("development = ")].count("\n") + 1
    result = cli("validate", write_unit("wide.toml", text))
    assert result.code == 1
    quoted = [row for row in result.out.splitlines() if row.startswith(f"{line} | ")]
    assert len(quoted) == 1
    assert quoted[0].startswith(f"{line} | development = ")
    assert quoted[0].endswith("长…")
    assert len(quoted[0]) < 200


def test_a_thousand_problems_in_full_then_one_line_each(cli, write_unit):
    keys = _unit("keys", tail="".join(f"k{i} = 1\n" for i in range(1500)))
    result = cli("validate", write_unit("keys.toml", keys))
    assert result.code == 1
    assert result.out.count("error[E101] unknown-key") == 1000
    assert "500 more, one line each:" in result.out
    assert result.out.count(": error[E101] unknown key") == 500
    assert "Found 1500 errors" in result.out


# --- repeat rules in a unit file ------------------------------------------------------


@pytest.mark.parametrize("freq", ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"])
def test_interval_zero_is_an_error_at_the_rule(cli, write_unit, freq):
    rule = f'repeat = "FREQ={freq};INTERVAL=0"'
    text = _unit("zero", **{REPEAT: rule})
    result = cli("validate", "-f", "json", write_unit("zero.toml", text))
    assert result.code == 1
    (problem,) = json.loads(result.out)["problems"]
    line = text[: text.index(rule)].count("\n") + 1
    assert (problem["code"], problem["line"], problem["column"]) == ("E205", line, 10)
    assert "INTERVAL=0" in problem["message"]


@pytest.mark.parametrize(
    ("rule", "codes"),
    [
        ("daily", ["E206"]),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", ["E206"]),
        ("x", ["E205", "E206"]),
    ],
)
def test_a_rule_due_centuries_before_the_campaign_is_checked_not_expanded(
    cli, write_unit, rule, codes
):
    text = _repeat("ancient", rule, **{"due = 2023-09-25": "due = 0001-01-01"})
    text = text.replace("done = [2023-09-25]", "until = 9999-12-31")
    result = cli("validate", "-f", "json", write_unit("ancient.toml", text))
    assert sorted(p["code"] for p in json.loads(result.out)["problems"]) == codes


@pytest.mark.parametrize(
    ("replace", "code"),
    [
        ({REPEAT: 'repeat = "FREQ=WEEKLY;INTERVAL=0"'}, 1),
        ({REPEAT: "repeat = 5"}, 1),
        ({"done = [2023-09-25]": "done = [2023-09-25]\nuntil = 2023-12-31T10:00:00"}, 1),
        ({"done = [2023-09-25]": 'done = [2023-09-25]\nuntil = "x"'}, 1),
    ],
    ids=["interval-0", "not-text", "until-date-time", "until-text"],
)
def test_done_on_a_task_with_a_bad_rule_finishes(cli, write_unit, replace, code):
    path = write_unit("bad-rule.toml", _unit("bad-rule", **replace))
    result = cli("done", path, "institutions", "1", "--dry-run")
    assert result.code == code, result.err
    assert "internal error" not in result.err


_OLD_SPLICE_KEY = re.compile(r"\s*([A-Za-z0-9_\-.\s\"']+?)\s*=")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \t\u3000=a.\"'#[", max_size=12))
def test_edits_find_the_key_of_a_line_as_before(line: str) -> None:
    old = _OLD_SPLICE_KEY.match(line)
    assert splice._key(line) == (re.sub(r"\s+", "", old.group(1)) if old else None)


@pytest.mark.parametrize("line", [" " * 200_000 + "x", "a" + " " * 200_000, '"' * 200_000])
def test_edits_read_a_long_line_without_backtracking(line: str) -> None:
    with _deadline(10):
        assert splice._key(line) is None
