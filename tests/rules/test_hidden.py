"""Hidden characters: an error where text names something, a warning in free text, always named.

"张\u200b伟" looks like 张伟; as an owner it would be another person.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.load.campaign import load_campaign
from checklist.load.check import check_unit
from checklist.words import BIDI_CONTROLS, INVISIBLE, LINE_SEPARATORS
from conftest import CAMPAIGN_TOML, VALID_UNIT

TODAY = dt.date(2023, 11, 20)

# Where text names something: (the line as written, the text in it to put a character into).
NAMES = {
    "unit name": 'name = "中共郑州市二七区测试委员会"',
    "contact": 'contact = "王红"',
    "unit id": 'id = "erqi-test"',
    "county": 'county = "410103"',
    "owner": 'owner = "张伟"',
    "people key": '"王红" = "wanghong@example.cn"',
    "address": '"王红" = "wanghong@example.cn"',
}
FREE_TEXT = {
    "title": 'title = "理论学习中心组专题学习"',
    "note": 'note = "“双节”期间客流保障"',
}
EVERY_FORMAT_CHARACTER = sorted(
    chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cf", "Zl", "Zp")
)
HIDDEN = sorted(
    {*INVISIBLE, *EVERY_FORMAT_CHARACTER, *BIDI_CONTROLS, *LINE_SEPARATORS}
    | {chr(c) for c in range(0x20) if chr(c) not in "\n"}
    | {chr(c) for c in range(0x7F, 0xA0)}
)
# A few that draw nothing though Unicode does not call them format characters.
BLANKS = ["\u034f", "\u115f", "\u3164", "\ufe0f", "\uffa0", "\U000e0100", "\u180b"]


def test_every_format_character_of_this_unicode_is_hidden() -> None:
    assert set(EVERY_FORMAT_CHARACTER) <= INVISIBLE | BIDI_CONTROLS | LINE_SEPARATORS
    assert set(BLANKS) <= INVISIBLE


def _with(char: str, where: str, *, escaped: bool) -> str:
    line = {**NAMES, **FREE_TEXT}[where]
    written = f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"
    put = written if escaped else char
    if where == "address":
        changed = line.replace("@", put + "@")
    elif where == "people key":
        changed = line.replace('"王', f'"{put}王', 1)
    else:  # after the first character of the value
        at = line.index('"') + 2
        changed = line[:at] + put + line[at:]
    assert line in VALID_UNIT
    return VALID_UNIT.replace(line, changed, 1)


def _hidden_problems(text: str) -> list[tuple[str, str]]:
    campaign = _campaign()
    result = check_unit(text.encode(), file="u.toml", campaign=campaign, today=TODAY)
    return [(p.code, p.message) for p in result.problems if p.code in ("E204", "W406")]


_CAMPAIGN = []


def _campaign():  # type: ignore[no-untyped-def]
    if not _CAMPAIGN:
        import tempfile
        from pathlib import Path

        folder = Path(tempfile.mkdtemp())
        (folder / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")
        _CAMPAIGN.append(load_campaign(folder / "campaign.toml"))
    return _CAMPAIGN[0]


def _named(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'control character')})"


@settings(max_examples=300, deadline=None)
@given(
    char=st.sampled_from(HIDDEN),
    where=st.sampled_from(sorted(NAMES)),
    escaped=st.booleans(),
)
def test_a_hidden_character_in_a_name_is_an_error_naming_it(
    char: str, where: str, escaped: bool
) -> None:
    if not escaped and (unicodedata.category(char) == "Cc" or char == "\ufeff"):
        escaped = True  # TOML itself refuses raw control characters
    problems = _hidden_problems(_with(char, where, escaped=escaped))
    assert [code for code, _ in problems] == ["E204"], (where, problems)
    assert _named(char) in problems[0][1]


@settings(max_examples=200, deadline=None)
@given(
    char=st.sampled_from(HIDDEN),
    where=st.sampled_from(sorted(FREE_TEXT)),
    escaped=st.booleans(),
)
def test_in_free_text_an_invisible_character_is_a_warning(
    char: str, where: str, escaped: bool
) -> None:
    if not escaped and (unicodedata.category(char) == "Cc" or char == "\ufeff"):
        escaped = True
    problems = _hidden_problems(_with(char, where, escaped=escaped))
    multiline_ok = where == "note" and char in "\t"
    if multiline_ok:
        assert problems == []
        return
    expected = "W406" if char in INVISIBLE else "E204"
    assert [code for code, _ in problems] == [expected], (where, problems)
    assert _named(char) in problems[0][1]


def test_an_owner_with_a_zero_width_space_is_not_another_person() -> None:
    text = VALID_UNIT.replace('owner = "李强"', 'owner = "张\u200b伟"')
    campaign = _campaign()
    result = check_unit(text.encode(), file="u.toml", campaign=campaign, today=TODAY)
    assert result.unit is None
    (problem,) = [p for p in result.problems if p.code == "E204"]
    assert problem.message == (
        'owner "张\\u200b伟" contains the invisible character U+200B (ZERO WIDTH SPACE)'
    )


@pytest.mark.parametrize("emoji", ["👨\u200d👩\u200d👧", "❤\ufe0f"])
def test_emoji_in_a_title_are_only_a_warning(emoji: str) -> None:
    text = VALID_UNIT.replace('title = "读书班结业"', f'title = "读书班结业{emoji}"')
    result = check_unit(text.encode(), file="u.toml", campaign=_campaign(), today=TODAY)
    assert [p.code for p in result.problems] == ["W406"]
    assert result.unit is not None


def test_the_quick_screen_sees_every_hidden_character() -> None:
    """check_text scans strings only in files the screen flags; it must flag every one."""
    from checklist.words import SCREEN

    # A raw CR is a line ending (TOML allows no other); an escaped one has its own screen.
    assert [c for c in HIDDEN if not SCREEN.search(f"a{c}b")] == ["\r"]


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("id", "erqi-test\\n", "E210"),
        ("task id", "t1\\n", "E210"),
    ],
)
def test_a_pattern_never_takes_a_trailing_line_break(key: str, value: str, code: str) -> None:
    """Python's ``$`` matches before a final newline: every pattern must hold to the end."""
    text = {
        "id": VALID_UNIT.replace('id = "erqi-test"', f'id = "{value}"'),
        "task id": VALID_UNIT.replace("[[study.tasks]]\n", f'[[study.tasks]]\nid = "{value}"\n', 1),
    }[key]
    result = check_unit(text.encode(), file="u.toml", campaign=_campaign(), today=TODAY)
    codes = {p.code for p in result.problems}
    assert code in codes, result.problems


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("field", ["title", "note"])
@pytest.mark.parametrize("quotes", ['"""', "'''"])
def test_the_quick_path_and_the_full_scan_agree_on_multiline_strings(
    ending: str, field: str, quotes: str
) -> None:
    """A tab in a comment forces the full scan; the verdict must not depend on it."""
    value = f"{quotes}第一行\n第二行{quotes}"  # the file's own line ending, below
    text = VALID_UNIT.replace("[[study.tasks]]\n", f"[[study.tasks]]\n{field} = {value}\n", 1)
    if field == "title":
        text = text.replace(f"{field} = {value}\ntitle = ", f"{field} = {value}\nid = ", 1)
    text = text.replace("\n", ending)
    forced = text + f"# a\ttab{ending}"
    quick, full = _hidden_problems(text), _hidden_problems(forced)
    assert quick == full
    # A line break belongs in a note, not in a title; CR LF is one line break.
    assert [code for code, _ in quick] == (["E204"] if field == "title" else [])
