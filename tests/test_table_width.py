"""Plain tables measure text without rich where they can; the widths must be rich's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from checklist.render.table import _PLAIN_OR_WIDE, _width
from checklist.words import printable


def test_every_character_of_the_quick_path_is_as_wide_as_rich_says() -> None:
    quick = [chr(c) for c in range(0x20, 0x10000) if _PLAIN_OR_WIDE.fullmatch(chr(c))]
    assert len(quick) > 27_000  # ASCII, CJK punctuation, both ideograph blocks, fullwidth
    for c in quick:
        assert _width(c) == cell_len(c), hex(ord(c))


_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("abc 123:-(郑州市金水区学习贯彻主题教育)“”·—　，。:é\u0301\u200b👍"),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=40,
)


@given(_TEXT)
def test_any_text_is_as_wide_as_rich_says(text: str) -> None:
    shown = printable(text)  # what a table measures: never a control character
    assert _width(shown) == cell_len(shown)


def test_a_chinese_title_is_two_cells_a_character() -> None:
    assert _width("主题党日:赴二七纪念塔") == 2 * 10 + 1
    assert _width("学习贯彻(全市)") == 2 * 6 + 2
