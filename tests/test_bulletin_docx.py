"""The .docx bulletin: opened back with python-docx, its text the Markdown bulletin's lines,
its fonts set for Chinese (w:eastAsia), its header an official document's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from checklist.bulletin import Period, build_bulletin
from checklist.filters import Filters
from checklist.i18n import Lang
from checklist.load.campaign import load_campaign
from checklist.load.validate import validate
from checklist.render.bulletin_docx import bulletin_docx
from conftest import REPO, Result

ZZ = REPO / "examples" / "zhengzhou"
DAY = ("--as-of", "2023-11-20")
TITLE = "郑州市第二批主题教育周通报(2023-11-14 至 2023-11-20)"


def _east_asian(element: object) -> str | None:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts"))  # type: ignore[attr-defined]
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _as_plain(markdown: str) -> list[str]:
    """The Markdown bulletin's lines as a reader sees them: no marks, no blank lines."""
    lines = []
    for line in markdown.splitlines()[1:]:
        if line.strip():
            plain = line.removeprefix("## ").removeprefix("- ").replace("**", "")
            lines.append(re.sub(r"\\(.)", r"\1", plain))
    return lines


def test_the_docx_has_the_markdown_bulletins_text(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "通报.docx"
    args = ("bulletin", ZZ, *DAY, "--lang", "zh", "--format", "docx", "--office", "市委主题教育办")

    result = cli(*args, "-o", target)

    assert result.code == 0, result.err
    assert result.out == f"已写入 {target}。\n"
    markdown = cli("bulletin", ZZ, *DAY, "--lang", "zh", "--max-bytes", "100000").out
    assert markdown.startswith(f"# {TITLE}\n")
    texts = [p.text for p in docx.Document(str(target)).paragraphs]
    assert texts[:2] == ["市委主题教育办", TITLE]
    assert texts[-1] == "2023年11月20日"
    assert texts[2:-1] == _as_plain(markdown)
    assert "总体:57 个单位,任务 873 项,已完成 329 项" in texts[2]


def test_the_docx_is_laid_out_as_an_official_document(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "bulletin.docx"
    assert cli("bulletin", ZZ, *DAY, "--format", "docx", "-o", target).code == 0
    document = docx.Document(str(target))
    office, title, overall, ranking = document.paragraphs[:4]

    assert office.text == "郑州市第二批主题教育"  # no --office: the campaign's name
    assert office.runs[0].font.color.rgb == docx.shared.RGBColor(0xE6, 0x00, 0x12)
    rule = office._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    assert rule is not None
    assert rule.get(qn("w:color")) == "E60012"
    assert office.alignment == title.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert document.paragraphs[-1].text == "2023-11-20"

    assert [_east_asian(r._r) for r in office.runs + title.runs] == ["方正小标宋简体"] * 2
    assert {_east_asian(r._r) for r in ranking.runs} == {"黑体"}
    assert {_east_asian(r._r) for r in overall.runs} == {"仿宋_GB2312"}
    assert _east_asian(document.styles["Normal"].element) == "仿宋_GB2312"
    assert {r.font.name for p in document.paragraphs for r in p.runs} == {"Times New Roman"}
    assert [r.bold for r in overall.runs][:2] == [True, None]  # **Overall**: …
    assert overall.runs[0].text == "Overall"
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_text_from_files_stays_text() -> None:
    campaign = load_campaign(ZZ / "campaign.toml")
    files = sorted((ZZ / "units").rglob("*.toml"))
    day = dt.date(2023, 11, 20)
    units = [r.unit for r in validate(files, campaign=campaign, today=day).results if r.unit]
    result = build_bulletin(
        units, campaign=campaign, as_of=day, period=Period.WEEK, soon=7, filters=Filters()
    )
    first = dataclasses.replace(result.areas[0], name="x**y")
    odd = dataclasses.replace(result, campaign="**A** <b>\x1b[31m", areas=(first,))

    document = docx.Document(io.BytesIO(bulletin_docx(odd, Lang.EN, "Office\x07")))

    office, title = document.paragraphs[:2]
    assert office.text == "Office␇"
    assert title.text.startswith("**A** <b>␛[31m: weekly bulletin")
    assert [r.bold for r in title.runs] == [None]
    (row,) = [p for p in document.paragraphs if p.text.startswith("1. ")]
    assert [(r.text, r.bold) for r in row.runs][:2] == [("1. ", None), ("x**y", True)]


def test_docx_needs_o(cli: Callable[..., Result]) -> None:
    result = cli("bulletin", ZZ, *DAY, "--format", "docx")

    assert result.code == 2
    assert result.out == ""
    assert "a .docx bulletin is a file, not text for the screen: give -o FILE" in result.err


def test_without_python_docx_it_says_what_to_install(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx raises ImportError
    target = tmp_path / "bulletin.docx"

    result = cli("bulletin", ZZ, *DAY, "--format", "docx", "-o", target)

    assert result.code == 2
    assert "pip install 'campaign-checklist[docx]'" in result.err
    assert "Traceback" not in result.err
    assert not target.exists()
