"""Write the .docx template the bulletin ships with: src/checklist/render/templates/bulletin.docx.

    python scripts/make_bulletin_template.py

The layout of an official document (公文) after GB/T 9704: A4, margins 37 mm at the top,
35 at the bottom, 28 on the left and 26 on the right; 22 lines of 28 characters; the body
in 仿宋_GB2312 三号 (16 pt), headings in 黑体 and 楷体_GB2312, the title in 方正小标宋简体
二号 (22 pt), the issuing office in red; the page number "— 1 —" at the foot in 宋体 四号.
Every font is named for East Asian text too (w:eastAsia): Word otherwise sets Chinese in
the theme's font. The bulletin writes its paragraphs in the styles named in STYLES
(render/bulletin_docx.py); an office's own template (--template) may restyle any of them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TARGET = Path(__file__).resolve().parents[1] / "src/checklist/render/templates/bulletin.docx"
LATIN = "Times New Roman"
LINE = Pt(28.95)  # 22 lines in the 225 mm type area
CHAR = Pt(16)  # one character of the body: indents are counted in them
RED = RGBColor(0xE6, 0x00, 0x12)
CENTER, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)

# name: (Chinese font, size in pt, alignment, first-line indent, right indent, red)
STYLES: dict[str, tuple[str, float, Any, Any, Any, bool]] = {
    "Bulletin Office": ("方正小标宋简体", 26, CENTER, None, None, True),  # 发文机关标志
    "Bulletin Number": ("仿宋_GB2312", 16, CENTER, None, None, False),  # 发文字号
    "Bulletin Title": ("方正小标宋简体", 22, CENTER, None, None, False),  # 标题
    "Bulletin Subtitle": ("楷体_GB2312", 16, CENTER, None, None, False),  # 期间
    "Bulletin Heading": ("黑体", 16, JUSTIFY, 2 * CHAR, None, False),  # 一级标题
    "Bulletin Subheading": ("楷体_GB2312", 16, JUSTIFY, 2 * CHAR, None, False),  # 二级标题
    "Bulletin Body": ("仿宋_GB2312", 16, JUSTIFY, 2 * CHAR, None, False),  # 正文
    "Bulletin Signature": ("仿宋_GB2312", 16, RIGHT, None, 4 * CHAR, False),  # 发文机关署名
    "Bulletin Date": ("仿宋_GB2312", 16, RIGHT, None, 4 * CHAR, False),  # 成文日期
}


def fonts(rpr: Any, east_asian: str) -> None:
    """Times New Roman for Western text, ``east_asian`` for Chinese; no theme fonts."""
    found = rpr.find(qn("w:rFonts"))
    if found is None:
        found = OxmlElement("w:rFonts")
        rpr.insert(0, found)
    for key in list(found.attrib):
        del found.attrib[key]
    for key in ("ascii", "hAnsi", "cs"):
        found.set(qn(f"w:{key}"), LATIN)
    found.set(qn("w:eastAsia"), east_asian)


def page_number(section: Any) -> None:
    """The page number, "— PAGE —", centred at the foot of every page in 宋体 四号 (14 pt)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")
    for run_element in paragraph._p.iter(qn("w:r")):
        rpr = run_element.get_or_add_rPr()
        fonts(rpr, "宋体")
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), "28")
        rpr.append(size)


def main() -> int:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)  # the page number 7 mm below the type area

    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    fonts(rpr, "仿宋_GB2312")
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")

    normal = document.styles["Normal"]
    normal.font.size = Pt(16)
    fonts(normal.element.get_or_add_rPr(), "仿宋_GB2312")
    spacing = normal.paragraph_format
    spacing.space_before, spacing.space_after = Pt(0), Pt(0)
    spacing.line_spacing_rule, spacing.line_spacing = WD_LINE_SPACING.EXACTLY, LINE

    for name, (font, size, alignment, indent, right, red) in STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.size = Pt(size)
        fonts(style.element.get_or_add_rPr(), font)
        if red:
            style.font.color.rgb = RED
        layout = style.paragraph_format
        layout.alignment = alignment
        if indent is not None:
            layout.first_line_indent = indent
        if right is not None:
            layout.right_indent = right
        if size > 16:  # the office and the title take more than the body's line
            layout.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
            layout.line_spacing = 1.15
            layout.space_after = LINE
        layout.widow_control = True
    heading = document.styles["Bulletin Heading"].paragraph_format
    heading.keep_with_next = True
    document.styles["Bulletin Subheading"].paragraph_format.keep_with_next = True
    document.styles["Bulletin Signature"].paragraph_format.space_before = 2 * LINE
    title = document.styles["Bulletin Title"].paragraph_format
    title.space_before, title.space_after = LINE, Pt(14)  # a line under the red rule
    document.styles["Bulletin Subtitle"].paragraph_format.space_after = Pt(14)
    page_number(section)
    document.core_properties.title = "通报"
    document.core_properties.author = "checklist"
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(TARGET))
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
