"""The bulletin as a .docx in the layout of an official document (公文, GB/T 9704).

The layout is a template's, not this module's: the page, the margins, the page number
and the styles the paragraphs are written in (STYLES) come from the template shipped
with the package (templates/bulletin.docx, made by scripts/make_bulletin_template.py)
or from the office's own (--template). Its fonts name Chinese text in w:eastAsia, which
Word otherwise sets in a Western font's fallback. A style the office's template lacks
is taken from the shipped one, so any template that opens works.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from pathlib import Path
from typing import Any

from checklist.bulletin import Bulletin
from checklist.i18n import Lang, t
from checklist.render.bulletin import bulletin_markdown, bulletin_title
from checklist.words import printable

TEMPLATE = Path(__file__).parent / "templates" / "bulletin.docx"
OFFICE, NUMBER, TITLE, SUBTITLE = (
    "Bulletin Office",
    "Bulletin Number",
    "Bulletin Title",
    "Bulletin Subtitle",
)
HEADING, BODY, SIGNATURE, DATE = (
    "Bulletin Heading",
    "Bulletin Body",
    "Bulletin Signature",
    "Bulletin Date",
)
STYLES = (OFFICE, NUMBER, TITLE, SUBTITLE, HEADING, "Bulletin Subheading", BODY, SIGNATURE, DATE)
RED = "E60012"  # the rule under the head (版头中的分隔线)
_NUMERALS = "一二三四五六七八九十"
_STAR = "\ue000"  # a "*" from a file: kept apart from the bold marks of the template


class TemplateError(Exception):
    """The template is no .docx python-docx can open: said before any work."""


# An office's template is tens of kilobytes; a file past these is no template, and one
# that unpacks past them (a zip bomb) would fill the memory python-docx reads it into.
MAX_TEMPLATE = 20 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024
MAX_PARTS = 2000


def open_template(path: Path | None) -> Any:
    """The template as a python-docx Document (the shipped one without ``path``)."""
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        if path is not None:
            _bounded(path)
        return Document(str(path or TEMPLATE))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError) as error:
        raise TemplateError(str(error) or type(error).__name__) from None


def _bounded(path: Path) -> None:
    """TemplateError for a file too large, or one that unpacks too large, to be a template."""
    from checklist.archive import unpacked

    if path.stat().st_size > MAX_TEMPLATE:
        raise TemplateError(f"larger than {MAX_TEMPLATE // 1024 // 1024} MiB")
    parts, size = unpacked(path) or (0, 0)  # no zip: python-docx says what it is
    if parts > MAX_PARTS or size > MAX_UNPACKED:
        raise TemplateError(f"unpacks to more than {MAX_UNPACKED // 1024 // 1024} MiB")


def bulletin_docx(
    bulletin: Bulletin,
    lang: Lang,
    office: str,
    *,
    number: str | None = None,
    template: Any = None,
) -> bytes:
    """The bulletin's .docx: the same lines and numbers as its Markdown, in the template's
    styles; ``number`` the prefix of the document number (文号), ``template`` an open
    Document (``open_template``)."""
    document = template if template is not None else open_template(None)
    _clear(document)
    _ensure_styles(document)
    head = [document.add_paragraph(printable(office), OFFICE)]
    if number:
        year, issue = bulletin.as_of.year, bulletin.issue
        issued = t("bulletin.number", lang, prefix=number, year=year, n=issue)
        head.append(document.add_paragraph(printable(issued), NUMBER))
    _red_rule(head[-1])
    document.add_paragraph(bulletin_title(bulletin, lang, printable), TITLE)
    if bulletin.title:
        document.add_paragraph(_dates(bulletin, lang), SUBTITLE)
    lines = bulletin_markdown(bulletin, lang, _plain).splitlines()
    lines = lines[2:] if bulletin.title else lines[1:]  # its title (and dates) are above
    headings = 0
    for line in lines:
        if not line.strip():
            continue
        if line.startswith("## "):
            numeral = f"{_NUMERALS[headings % 10]}、" if lang is Lang.ZH else ""
            _runs(document.add_paragraph(numeral, HEADING), line[3:])
            headings += 1
            continue
        _runs(document.add_paragraph("", BODY), line.removeprefix("- "))
    document.add_paragraph(printable(office), SIGNATURE)
    document.add_paragraph(_date(bulletin.as_of, lang), DATE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _plain(text: str) -> str:
    return printable(text).replace("*", _STAR)


def _date(day: dt.date, lang: Lang) -> str:
    return t("bulletin.date", lang, year=day.year, month=day.month, day=day.day)


def _dates(bulletin: Bulletin, lang: Lang) -> str:
    start = bulletin.since + dt.timedelta(days=1)
    return t("bulletin.dates", lang, start=_date(start, lang), end=_date(bulletin.as_of, lang))


def _runs(paragraph: Any, line: str) -> None:
    """The line's text, bold between the template's ** marks; fonts are the style's."""
    for n, piece in enumerate(line.split("**")):
        if piece:
            paragraph.add_run(piece.replace(_STAR, "*")).bold = n % 2 == 1 or None


def _clear(document: Any) -> None:
    """The template's body emptied, its last section (page, margins, footer) kept."""
    from docx.oxml.ns import qn

    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _ensure_styles(document: Any) -> None:
    """Each style of STYLES the document lacks, copied from the shipped template."""
    have = {style.name for style in document.styles}
    missing = [name for name in STYLES if name not in have]
    if not missing:
        return
    shipped = open_template(None).styles
    for name in missing:
        document.styles.element.append(copy.deepcopy(shipped[name].element))


def _red_rule(paragraph: Any) -> None:
    """The red line under the head: a bottom border on its last paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "4"), ("color", RED)):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    style = properties.find(qn("w:pStyle"))  # w:pBdr follows w:pStyle in w:pPr
    properties.insert(1 if style is not None else 0, border)
