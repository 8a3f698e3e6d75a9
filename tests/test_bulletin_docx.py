"""The .docx bulletin: opened back with python-docx, its text the Markdown bulletin's lines
and rollup's numbers, its layout the shipped template's (an official document's), or the
office's own template's; its fonts named for Chinese (w:eastAsia) on the styles."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from checklist.bulletin import Period, build_bulletin, issue_number
from checklist.filters import Filters
from checklist.i18n import Lang
from checklist.load.campaign import load_campaign
from checklist.load.validate import validate
from checklist.render.bulletin_docx import STYLES, TEMPLATE, bulletin_docx
from conftest import REPO, Result

ZZ = REPO / "examples" / "zhengzhou"
DAY = ("--as-of", "2023-11-20")
TITLE = "郑州市第二批主题教育周通报(2023-11-14 至 2023-11-20)"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")


def _east_asian(element: Any) -> str | None:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _as_plain(markdown: str) -> list[str]:
    """The Markdown bulletin's lines as a reader sees them: no marks, no blank lines."""
    lines = []
    for line in markdown.splitlines()[1:]:
        if line.strip():
            plain = line.removeprefix("## ").removeprefix("- ").replace("**", "")
            lines.append(re.sub(r"\\(.)", r"\1", plain))
    return lines


def _zh_campaign(tmp_path: Path, bulletin: str = "") -> Path:
    """A copy of the example with a [bulletin] table."""
    folder = tmp_path / "zz"
    shutil.copytree(ZZ, folder, ignore=shutil.ignore_patterns(".checklist*"))
    config = folder / "campaign.toml"
    config.write_text(config.read_text(encoding="utf-8") + bulletin, encoding="utf-8")
    return folder


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
    assert texts[-2:] == ["市委主题教育办", "2023年11月20日"]  # signed and dated
    numbered = {"一、按期率排名(按区县)", "二、进度滞后的单位", "三、清单缺报"}
    assert numbered <= set(texts)  # headings numbered as an official document's
    unnumbered = [re.sub(r"^[一二三]、", "", text) for text in texts[2:-2]]
    assert unnumbered == _as_plain(markdown)


def test_its_numbers_are_rollups(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "b.docx"
    assert cli("bulletin", ZZ, *DAY, "--lang", "zh", "--format", "docx", "-o", target).code == 0
    rollup = json.loads(cli("rollup", ZZ, *DAY, "--format", "json").out)
    texts = [p.text for p in docx.Document(str(target)).paragraphs]
    total = rollup["total"]

    overall = texts[2]
    assert overall.startswith(
        f"总体:{total['units']} 个单位,任务 {total['tasks']} 项,已完成 {total['done']} 项"
        f"(完成率 {total['completion']:.1%})"
    )
    assert f"按期率 {total['on_time']:.1%}" in overall
    assert f"已逾期 {total['overdue']} 项" in overall
    for row in rollup["rows"]:  # every county ranked with its on-time %, done % and overdue
        (line,) = [t for t in texts if re.match(rf"\d+\. {row['name']}:", t)]
        assert f"按期率 {row['on_time']:.1%}" in line
        assert f"完成率 {row['completion']:.1%}" in line
        assert f"逾期 {row['overdue']} 项" in line


def test_the_layout_is_the_shipped_templates(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "bulletin.docx"
    assert cli("bulletin", ZZ, *DAY, "--format", "docx", "-o", target).code == 0
    document = docx.Document(str(target))
    office, title, overall, ranking = document.paragraphs[:4]

    assert office.text == "郑州市第二批主题教育"  # no --office, no [bulletin]: the campaign
    rule = office._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    assert rule is not None
    assert rule.get(qn("w:color")) == "E60012"
    assert document.paragraphs[-1].text == "2023-11-20"
    assert [p.style.name for p in (office, title, overall, ranking)] == [
        "Bulletin Office",
        "Bulletin Title",
        "Bulletin Body",
        "Bulletin Heading",
    ]
    assert [p.style.name for p in document.paragraphs[-2:]] == [
        "Bulletin Signature",
        "Bulletin Date",
    ]
    assert ranking.text == "Ranked by on-time %, by County"  # English headings unnumbered
    assert [r.bold for r in overall.runs][:2] == [True, None]  # **Overall**: …
    assert overall.runs[0].text == "Overall"
    # Fonts are the styles': no run names one of its own.
    assert all(r.font.name is None for p in document.paragraphs for r in p.runs)

    styles = document.styles
    fonts = {name: _east_asian(styles[name].element) for name in STYLES}
    assert fonts == {
        "Bulletin Office": "方正小标宋简体",
        "Bulletin Number": "仿宋_GB2312",
        "Bulletin Title": "方正小标宋简体",
        "Bulletin Subtitle": "楷体_GB2312",
        "Bulletin Heading": "黑体",
        "Bulletin Subheading": "楷体_GB2312",
        "Bulletin Body": "仿宋_GB2312",
        "Bulletin Signature": "仿宋_GB2312",
        "Bulletin Date": "仿宋_GB2312",
    }
    assert _east_asian(styles["Normal"].element) == "仿宋_GB2312"
    assert {styles[name].font.name for name in STYLES} == {"Times New Roman"}
    sizes = {name: styles[name].font.size.pt for name in ("Bulletin Title", "Bulletin Body")}
    assert sizes == {"Bulletin Title": 22, "Bulletin Body": 16}  # 二号, 三号
    assert styles["Bulletin Office"].font.color.rgb == docx.shared.RGBColor(0xE6, 0x00, 0x12)
    assert styles["Bulletin Body"].paragraph_format.first_line_indent.pt == 32  # two characters
    # No theme font can override them: the rFonts of the defaults and styles name fonts only.
    xml = document.styles.element.xml
    assert "minorHAnsi" not in xml.split("<w:latentStyles")[0]

    section = document.sections[0]
    page = (section.page_width, section.page_height)
    margins = (section.top_margin, section.bottom_margin, section.left_margin)
    assert [round(x / Mm(1)) for x in (*page, *margins, section.right_margin)] == [
        210,
        297,
        37,
        35,
        28,
        26,
    ]
    footer = section.footer.paragraphs[0]._p
    (field,) = footer.findall(qn("w:fldSimple"))
    assert field.get(qn("w:instr")) == "PAGE"
    assert section.footer.paragraphs[0].text == "—  —"  # "— 1 —" once Word fills it in


def test_bulletin_table_gives_the_office_the_number_and_a_title(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    folder = _zh_campaign(
        tmp_path,
        '\n[bulletin]\noffice = "郑州市主题教育领导小组办公室"\n'
        'title = "关于第二批主题教育推进情况的通报"\nnumber = "郑主教办"\n',
    )
    target = tmp_path / "b.docx"

    args = ("--period", "dekad", "--lang", "zh", "--format", "docx", "-o", target)
    result = cli("bulletin", folder, *DAY, *args)

    assert result.code == 0, result.err
    document = docx.Document(str(target))
    head = [(p.text, p.style.name) for p in document.paragraphs[:4]]
    assert head == [
        ("郑州市主题教育领导小组办公室", "Bulletin Office"),
        ("郑主教办〔2023〕8号", "Bulletin Number"),  # the campaign's 8th dekad: see below
        ("关于第二批主题教育推进情况的通报", "Bulletin Title"),
        ("(2023年11月11日至2023年11月20日)", "Bulletin Subtitle"),
    ]
    number = document.paragraphs[1]._p
    assert number.find(f"{qn('w:pPr')}/{qn('w:pBdr')}") is not None  # the rule under it
    assert document.paragraphs[0]._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}") is None
    assert document.paragraphs[-2].text == "郑州市主题教育领导小组办公室"
    markdown = cli("bulletin", folder, *DAY, "--period", "dekad", "--lang", "zh").out
    assert markdown.startswith("# 关于第二批主题教育推进情况的通报\n(2023-11-11至2023-11-20)\n\n")
    overridden = tmp_path / "o.docx"
    args = ("--format", "docx", "--office", "市委办", "-o", overridden)
    assert cli("bulletin", folder, *DAY, *args).code == 0
    assert docx.Document(str(overridden)).paragraphs[0].text == "市委办"


@pytest.mark.parametrize(
    ("as_of", "period", "issue"),
    [
        # The example starts on Saturday 9 September 2023.
        ("2023-09-09", Period.WEEK, 1),
        ("2023-09-15", Period.WEEK, 1),  # days 0 to 6: the first week
        ("2023-09-16", Period.WEEK, 2),
        ("2023-11-20", Period.WEEK, 11),  # 72 days: 10 whole weeks before
        ("2023-09-10", Period.DEKAD, 1),  # 1-10 September
        ("2023-09-11", Period.DEKAD, 2),
        ("2023-11-20", Period.DEKAD, 8),  # Sep 1-3, Oct 4-6, Nov 7-8
        ("2023-11-21", Period.DEKAD, 9),
        ("2023-09-30", Period.MONTH, 1),
        ("2023-11-20", Period.MONTH, 3),
        ("2024-01-31", Period.MONTH, 5),
    ],
)
def test_the_issue_number_by_hand(as_of: str, period: Period, issue: int) -> None:
    day = dt.date.fromisoformat(as_of)
    assert issue_number(dt.date(2023, 9, 9), day, period) == issue


def _office_template(path: Path) -> Path:
    """An office's own template: Letter paper, its own body style, some old text, and no
    title style (taken from the shipped template)."""
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(216), Mm(279)
    section.top_margin = Mm(20)
    body = document.styles.add_style("Bulletin Body", WD_STYLE_TYPE.PARAGRAPH)
    body.font.size = docx.shared.Pt(15)
    fonts = body.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), "宋体")
    document.add_paragraph("模板里原有的文字")
    document.add_table(rows=1, cols=1)
    document.save(str(path))
    return path


def test_an_offices_own_template(cli: Callable[..., Result], tmp_path: Path) -> None:
    template = _office_template(tmp_path / "我们的模板.docx")
    target = tmp_path / "b.docx"
    args = ("--format", "docx", "--template", template, "-o", target)

    assert cli("bulletin", ZZ, *DAY, "--lang", "zh", *args).code == 0

    document = docx.Document(str(target))
    section = document.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.top_margin / Mm(1))) == (216, 20)
    assert "模板里原有的文字" not in [p.text for p in document.paragraphs]
    assert document.tables == []
    assert _east_asian(document.styles["Bulletin Body"].element) == "宋体"  # the office's
    assert document.styles["Bulletin Body"].font.size.pt == 15
    assert _east_asian(document.styles["Bulletin Title"].element) == "方正小标宋简体"  # shipped
    assert document.paragraphs[1].text == TITLE
    assert document.paragraphs[1].style.name == "Bulletin Title"


@pytest.mark.parametrize("content", [b"not a docx", b""])
def test_a_template_that_is_no_docx_is_refused_before_any_work(
    cli: Callable[..., Result], tmp_path: Path, content: bytes
) -> None:
    template = tmp_path / "模板.docx"
    template.write_bytes(content)
    target = tmp_path / "b.docx"

    result = cli("bulletin", ZZ, *DAY, "--format", "docx", "--template", template, "-o", target)

    assert result.code == 2
    assert f"cannot use {template} as the bulletin's template" in result.err
    assert "Traceback" not in result.err
    assert not target.exists()


def _bomb(path: Path) -> None:
    """A .docx-shaped zip whose document unpacks to 101 MiB of zeros (about 100 KB packed)."""
    import zipfile

    shutil.copy(TEMPLATE, path)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/padding.xml", "w") as part,
    ):
        for _ in range(101):
            part.write(bytes(1024 * 1024))


def _huge(path: Path) -> None:
    """21 MiB on paper, sparse on disk."""
    with path.open("wb") as file:
        file.truncate(21 * 1024 * 1024)


@pytest.mark.parametrize(("make", "why"), [(_bomb, "unpacks to more than"), (_huge, "larger than")])
def test_a_template_too_large_to_be_one_is_refused_before_it_is_read(
    cli: Callable[..., Result], tmp_path: Path, make: Callable[[Path], None], why: str
) -> None:
    template = tmp_path / "模板.docx"
    make(template)
    target = tmp_path / "b.docx"

    result = cli("bulletin", ZZ, *DAY, "--format", "docx", "--template", template, "-o", target)

    assert result.code == 2
    assert f"cannot use {template} as the bulletin's template ({why}" in result.err
    assert not target.exists()


def test_a_missing_template_and_a_template_without_docx(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    missing = cli(
        "bulletin", ZZ, "--format", "docx", "--template", tmp_path / "no.docx", "-o", "x.docx"
    )
    assert missing.code == 2
    assert "Traceback" not in missing.err
    plain = cli("bulletin", ZZ, "--template", TEMPLATE)
    assert plain.code == 2
    assert "--template is the .docx bulletin's: give --format docx too" in plain.err


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

    data = bulletin_docx(odd, Lang.EN, "Office\x07", number="No\x1b")
    document = docx.Document(io.BytesIO(data))

    office, number, title = document.paragraphs[:3]
    assert office.text == "Office␇"
    assert number.text == "No␛ [2023] No. 11"
    assert title.text.startswith("**A** <b>␛[31m: weekly bulletin")
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


def test_the_template_is_package_data() -> None:
    """The wheel takes every file under src/checklist (hatch: packages = ["src/checklist"])."""
    assert TEMPLATE.is_file()
    assert TEMPLATE.is_relative_to(REPO / "src" / "checklist")
    with zipfile.ZipFile(TEMPLATE) as package:
        assert "word/styles.xml" in package.namelist()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'packages = ["src/checklist"]' in pyproject
    assert "exclude" not in pyproject.split("[tool.hatch.build.targets.wheel]")[1].split("[")[0]


def _pdf(source: Path, tmp_path: Path) -> Path | None:
    """The file as LibreOffice prints it, or None when it cannot open it."""
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        check=False,
        timeout=180,
    )
    pdf = tmp_path / f"{source.stem}.pdf"
    return pdf if pdf.exists() else None


def _pages(pdf: Path) -> tuple[int, tuple[float, float]]:
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box is not None
    return pages, (float(box[1]), float(box[2]))


@needs_soffice
def test_libreoffice_prints_the_example_on_a_few_a4_pages(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    if _pdf(plain, tmp_path) is None:  # only Calc installed (libreoffice-calc-nogui)
        pytest.skip("LibreOffice cannot open a .docx here (no Writer)")
    target = tmp_path / "bulletin.docx"
    assert cli("bulletin", ZZ, *DAY, "--lang", "zh", "--format", "docx", "-o", target).code == 0

    pdf = _pdf(target, tmp_path)

    assert pdf is not None
    pages, (width, height) = _pages(pdf)
    # 28 paragraphs of the body, most two lines of 28 characters, 22 lines a page: 3 pages.
    assert 2 <= pages <= 4, pages
    assert (round(width), round(height)) == (595, 842)  # A4 in points
