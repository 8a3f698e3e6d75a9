"""The bulletin as a .docx in the layout of an official document (公文, GB/T 9704): the
issuing office in red over a red rule, the title, the body, the date; Chinese fonts set
for East Asian text (w:eastAsia), which Word otherwise leaves to a Western font."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from checklist.bulletin import Bulletin
from checklist.i18n import Lang, t
from checklist.render.bulletin import bulletin_markdown, bulletin_title
from checklist.words import printable

# The fonts of an official document; Western text in Times New Roman.
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
RED = (0xE6, 0x00, 0x12)
_STAR = "\ue000"  # a "*" from a file: kept apart from the bold marks of the template


def _plain(text: str) -> str:
    return printable(text).replace("*", _STAR)


def bulletin_docx(bulletin: Bulletin, lang: Lang, office: str) -> bytes:
    """The bulletin's .docx: the same lines and numbers as its Markdown."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _font(document.styles["Normal"], BODY_FONT, Pt(16))

    head = document.add_paragraph()
    _red_rule(head)  # before the alignment: w:pBdr comes before w:jc in w:pPr
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = _run(head, printable(office), TITLE_FONT, Pt(26))
    run.font.color.rgb = RGBColor(*RED)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, bulletin_title(bulletin, lang, printable), TITLE_FONT, Pt(22))

    lines = bulletin_markdown(bulletin, lang, _plain).splitlines()[1:]  # its title is above
    for line in lines:
        if not line.strip():
            continue
        if line.startswith("## "):
            _runs(document.add_paragraph(), line[3:], HEADING_FONT, Pt(16))
            continue
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
        _runs(paragraph, line.removeprefix("- "), BODY_FONT, Pt(16))

    day = document.add_paragraph()
    day.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(day, _date(bulletin.as_of, lang), BODY_FONT, Pt(16))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _date(day: dt.date, lang: Lang) -> str:
    return t("bulletin.date", lang, year=day.year, month=day.month, day=day.day)


def _runs(paragraph: Any, line: str, font: str, size: Any) -> None:
    """The line's text, bold between the template's ** marks."""
    for n, piece in enumerate(line.split("**")):
        if piece:
            _run(paragraph, piece.replace(_STAR, "*"), font, size).bold = n % 2 == 1 or None


def _run(paragraph: Any, text: str, font: str, size: Any) -> Any:
    run = paragraph.add_run(text)
    run.font.size = size
    _font(run, font, size)
    return run


def _font(owner: Any, east_asian: str, size: Any) -> None:
    """Western text in Times New Roman, Chinese in ``east_asian``: w:rFonts w:eastAsia."""
    from docx.oxml.ns import qn

    owner.font.name = LATIN_FONT
    owner.font.size = size
    fonts = owner.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _red_rule(paragraph: Any) -> None:
    """The red line under the issuing office (版头中的分隔线)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "4"), ("color", "E60012")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    properties.append(border)
