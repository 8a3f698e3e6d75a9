"""Text rules: empty names and titles, hidden characters anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from checklist.load.shape import key_zh
from checklist.rules.context import Context
from checklist.rules.registry import Finding, KeyPath, unit_rule
from checklist.words import INVISIBLE, SCREEN, SCREEN_WIDE, hidden_finding, strings

_MUST_NOT_BE_EMPTY = {
    "name",
    "contact",
    "owner",
    "title",
    "county",
    "level",
    "id",
    "postpone_reason",
}
_MULTILINE_OK = {"note", "postpone_reason"}
# Free text, where an invisible character is a warning (emoji use them); elsewhere text
# names something, and one is an error. See hidden.py.
_FREE_TEXT = {"title", "note", "postpone_reason"}

# What could put a hidden character in a string: the character itself, or an escape that
# makes one. A file with neither needs no character-by-character scan.
_HIDDEN_ESCAPE = re.compile(r"\\[btnfrexuU]")


def _maybe_hidden(text: str) -> bool:
    # A multi-line string holds line breaks that the screen (which must let every line
    # end through) cannot see: a title that spans two lines is as wrong as "\n" in one.
    # SCREEN_WIDE first: it runs faster, and only a text with a wide character (an emoji)
    # or a hidden one needs the exact look.
    return (
        bool(SCREEN_WIDE.search(text) and SCREEN.search(text))
        or ("\\" in text and bool(_HIDDEN_ESCAPE.search(text)))
        or '"""' in text
        or "'''" in text
    )


@unit_rule("E203", "E204", "W406")
def check_text(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Empty names and titles; invisible characters anywhere."""
    if _maybe_hidden(ctx.text):
        yield from _every_string(doc)
    else:
        yield from _empty_texts(doc, ctx)


def _every_string(doc: dict[str, Any]) -> Iterator[Finding]:
    for path, text, is_key in strings(doc):
        name = str(path[-1]) if path and isinstance(path[-1], str) else "text"
        hidden = hidden_finding(
            path,
            text,
            is_key=is_key,
            multiline=not is_key and name in _MULTILINE_OK,
            names=is_key or name not in _FREE_TEXT,
        )
        if hidden:
            yield hidden
        if hidden and hidden.code == "E204":
            continue
        shown = "".join(c for c in text if c not in INVISIBLE) if hidden else text
        if not is_key and name in _MUST_NOT_BE_EMPTY and not shown.strip():
            yield _empty(name, path)


def _empty_texts(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """The empty-text part of _every_string, looking only where such keys can be."""
    tables: list[tuple[KeyPath, Any]] = [(("unit",), doc.get("unit"))]
    tables += [((m.key,), doc.get(m.key)) for m in ctx.campaign.measures]
    tables += [(e.path, e.table) for e in ctx.entries if e.index]
    must = _MUST_NOT_BE_EMPTY
    for path, table in tables:
        if isinstance(table, dict):
            for key, value in table.items():
                # A value with any character but a space is not empty: most are not.
                if key in must and isinstance(value, str) and not value.strip():
                    yield _empty(key, (*path, key))


def _empty(name: str, path: KeyPath) -> Finding:
    return Finding(
        "E203",
        f'"{name}" is empty',
        path,
        on_value=True,
        hint=_EMPTY_HINTS.get(name, f"fill in {name} or remove the key"),
        zh=f"{key_zh(name)} 是空的,引号里什么也没写",
        zh_hint=_EMPTY_HINTS_ZH.get(name, f"在引号里填上 {name} 的内容,或者删掉这一行"),
    )


_EMPTY_HINTS = {
    "owner": "write the name of the one person responsible",
    "contact": "write the name of the person who answers for this list",
    "title": "say what is to be done",
}
_EMPTY_HINTS_ZH = {
    "owner": "写上负责这项工作的那一个人的名字",
    "contact": "写上为这份清单负责的人的名字",
    "title": "写明要做什么",
}


@unit_rule("W407")
def check_byte_order_mark(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """A BOM: checklist reads past it, but taplo, tombi and check-jsonschema refuse the file,
    so an editor wired to the schema shows nothing but a syntax error on line 1."""
    if ctx.bom:
        yield Finding(
            "W407",
            "the file starts with a byte-order mark (BOM); checklist reads it, but editors' "
            "TOML tools (taplo, tombi) and check-jsonschema reject the whole file",
            line=1,
            column=1,
            hint='save the file as UTF-8 without BOM (in Notepad: Save as, Encoding "UTF-8", '
            'not "UTF-8 with BOM")',
            zh="文件开头有一个看不见的字节顺序标记(BOM);checklist 能读,但编辑器里检查 TOML 的"
            "工具(taplo、tombi)和 check-jsonschema 会把整个文件当成错的",
            zh_hint="把文件另存为不带 BOM 的 UTF-8(记事本:“另存为”,编码选“UTF-8”,"
            "不要选“带有 BOM 的 UTF-8”)",
        )
