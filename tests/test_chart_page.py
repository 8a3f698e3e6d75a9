"""`checklist chart`: the page's HTML as written, read back with html.parser (no browser).

The numbers on the page are rollup's (`rollup --format json` on the same day); the page
loads nothing; text from the files is text; the words are the campaign's language.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from checklist.chart import build_chart
from checklist.filters import Filters
from checklist.i18n import CATALOGUE, Lang
from checklist.model import Campaign, County, Level, Person, Task, Unit
from checklist.render.chart import CSP, plot, polyline, render_chart
from conftest import REPO, Result

EXAMPLE = REPO / "examples" / "zhengzhou"
Run = Callable[..., Result]


class Page(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def having(self, attribute: str) -> list[dict[str, str]]:
        return [attrs for _, attrs in self.tags if attribute in attrs]


def _write(cli: Run, tmp_path: Path, *args: str | Path) -> tuple[str, Result]:
    target = tmp_path / "wall.html"
    result = cli("chart", *args, "-o", target)
    assert result.code == 0, result.err
    return target.read_text(encoding="utf-8"), result


def test_the_matrix_and_ranking_are_rollups_numbers(cli: Run, tmp_path: Path) -> None:
    html, result = _write(cli, tmp_path, EXAMPLE)
    assert (
        result.out
        == "Wrote {}: the wall chart of 17 counties and 57 units, as of 2023-11-20.\n".format(
            tmp_path / "wall.html"
        )
    )
    rollup = json.loads(cli("rollup", EXAMPLE, "--measures", "--format", "json").out)
    page = Page(html)
    cells = {
        (c["data-county"], c["data-measure"]): c
        for c in page.having("data-measure")
        if "data-county" in c
    }
    rows = {row["key"]: row for row in rollup["rows"]} | {"total": rollup["total"]}
    assert len(cells) == len(rows) * 5
    for (county, measure), cell in cells.items():
        counts = rows[county]["measures"].get(measure, {"done": 0, "tasks": 0, "overdue": 0})
        assert (int(cell["data-done"]), int(cell["data-tasks"]), int(cell["data-overdue"])) == (
            counts["done"],
            counts["tasks"],
            counts["overdue"],
        ), (county, measure)
    ranked = {r["data-county"]: r for r in page.having("data-rank") if "data-county" in r}
    assert len(ranked) == len(rollup["rows"])
    for key, row in ranked.items():
        assert row["data-rank"] == str(rollup_value(rows[key]["rank"]))
        assert row["data-rank-change"] == str(rollup_value(rows[key]["rank_change"]))
    kpis = {k["data-kpi"]: k["data-value"] for k in page.having("data-kpi")}
    total = rollup["total"]
    assert kpis["units"] == str(total["units"])
    assert kpis["done"] == str(total["done"])
    assert kpis["overdue"] == str(total["overdue"])
    assert kpis["expected"] == str(total["tasks_due"])
    assert round(float(kpis["on_time"]), 4) == total["on_time"]
    missing = {m["data-county"]: int(m["data-missing"]) for m in page.having("data-missing")}
    assert missing == {r["key"]: r["missing_units"] for r in rollup["rows"] if r["missing_units"]}
    assert missing == {"410122": 1, "4101HK": 2, "4101SZ": 1}  # the README's example


def rollup_value(value: Any) -> Any:
    return "" if value is None else value


def test_the_page_loads_nothing_and_runs_nothing(cli: Run, tmp_path: Path) -> None:
    html, _ = _write(cli, tmp_path, EXAMPLE)
    page = Page(html)
    (csp,) = [a for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    assert csp == {"http-equiv": "Content-Security-Policy", "content": CSP}
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    names = {tag for tag, _ in page.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "image", "use"}
    links = [attrs["href"] for attrs in page.having("href")]
    assert links
    assert all(re.fullmatch(r"#(county|group)-\d+", link) for link in links)
    assert not page.having("src")
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    assert "url(" not in html
    assert "@import" not in html
    assert not re.search(r"https?:|ftp:|file:", html)


HOSTILE = [
    "<script>window.pwned = 1</script>",
    '"><svg onload=window.pwned=2>',
    "]]></svg><img src=x onerror=window.pwned=3>",
    "{{ 7 * 7 }}{% raw %}",
]


def _hostile_chart_html(lang: Lang) -> str:
    day = dt.date(2023, 9, 10)
    campaign = Campaign(
        HOSTILE[0], dt.date(2023, 9, 1), dt.date(2023, 9, 30), (County("C1", HOSTILE[1]),)
    )
    person = Person(HOSTILE[2], None, "u")
    tasks = (Task("study", 1, HOSTILE[3], person, dt.date(2023, 9, 2)),)
    unit = Unit("u", HOSTILE[2], "C1", Level.COUNTY, person, tasks, "")
    chart = build_chart([unit], campaign=campaign, as_of=day, compare=day, filters=Filters())
    return render_chart(chart, lang, marks=[(dt.date(2023, 9, 5), HOSTILE[1])])


@pytest.mark.parametrize("lang", list(Lang))
def test_hostile_text_is_text(lang: Lang) -> None:
    html = _hostile_chart_html(lang)
    page = Page(html)
    text = "".join(page.text)
    for hostile in HOSTILE:
        assert hostile in text  # as typed, once parsed
    assert "49" not in text  # the template language does not run what a file says
    names = [tag for tag, _ in page.tags]
    assert "script" not in names
    assert "img" not in names
    assert names.count("svg") == 2 * 1 + 1  # the county's two plots and the total's
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]


def test_the_campaigns_language(cli: Run, tmp_path: Path) -> None:
    zh, _ = _write(cli, tmp_path, EXAMPLE, "--lang", "zh")
    assert '<html lang="zh-CN">' in zh
    for words in (
        "挂图作战",
        "序时进度",
        "区县 × 措施",
        "缺报单位",
        "逾期任务最多的单位",
        "启动",
        "结束",
    ):
        assert words in zh
    assert "wall chart" not in zh
    assert "Ranking" not in zh
    en, _ = _write(cli, tmp_path, EXAMPLE, "--lang", "en")
    assert '<html lang="en">' in en
    for words in ("the wall chart", "Expected %", "Counties × measures", "Ranking", "start", "end"):
        assert words in en
    assert "挂图作战" not in en
    assert "序时进度" not in en


def test_every_word_of_the_chart_is_in_both_languages() -> None:
    keys = [key for key in CATALOGUE if key.startswith("chart.")]
    assert len(keys) > 20
    for key in keys:
        english, chinese = CATALOGUE[key]
        assert english != chinese, key
        assert english.strip(), key
        assert re.search(r"[\u4e00-\u9fff]", chinese), key
    template = (REPO / "src/checklist/render/templates/chart.html.j2").read_text(encoding="utf-8")
    used = set(re.findall(r"""\bt\('([\w.]+)'""", template))
    assert used
    assert used <= set(CATALOGUE)


def test_the_campaigns_start_and_end_are_marked_and_the_rule_is_written(
    cli: Run, tmp_path: Path
) -> None:
    html, _ = _write(cli, tmp_path, EXAMPLE, "--lang", "en")
    assert "start 2023-09-09" in html
    assert "end 2024-01-31" in html
    # The total, the counties' small multiples and sections, the six groups' small multiples.
    assert html.count('class="mark"') == 2 * (1 + 17 + 17 + 6)
    assert "green; yellow from 10 points behind; red from 30" in html
    assert "change since 2023-11-13" in html


def test_filters_and_compare_are_rollups(cli: Run, tmp_path: Path) -> None:
    args = ("--county", "中牟县", "--measure", "study", "--compare", "2023-11-01")
    html, result = _write(cli, tmp_path, EXAMPLE, *args)
    assert "the wall chart of 1 counties and 3 units" in result.out
    page = Page(html)
    cells = [c for c in page.having("data-measure") if "data-county" in c]
    assert {(c["data-county"], c["data-measure"]) for c in cells} == {
        ("410122", "study"),
        ("total", "study"),
    }
    rollup = json.loads(cli("rollup", EXAMPLE, *args, "--measures", "--format", "json").out)
    (row,) = rollup["rows"]
    (cell, _) = cells
    assert int(cell["data-done"]) == row["measures"]["study"]["done"] == row["done"]
    assert "change since 2023-11-01" in html


def test_without_o_it_is_a_usage_error(cli: Run, tmp_path: Path) -> None:
    result = cli("chart", EXAMPLE)
    assert result.code == 2
    assert "give -o FILE, e.g. -o wall.html" in result.err
    assert result.out == ""


def test_an_unknown_county_is_a_usage_error_and_writes_nothing(cli: Run, tmp_path: Path) -> None:
    result = cli("chart", EXAMPLE, "--county", "二七", "-o", tmp_path / "wall.html")
    assert result.code == 2
    assert "二七区" in result.err
    assert not (tmp_path / "wall.html").exists()


def test_chart_help_has_an_example(cli: Run) -> None:
    result = cli("chart", "--help")
    assert result.code == 0
    assert "checklist chart examples/zhengzhou -o wall.html" in result.out


def test_a_flat_run_is_drawn_by_its_ends() -> None:
    points = [(0.0, 5.0), (1.0, 5.0), (2.0, 5.0), (3.0, 4.0), (4.0, 4.0), (5.0, 4.0)]
    assert polyline(points) == "0.0,5.0 2.0,5.0 3.0,4.0 5.0,4.0"
    assert polyline(points[:1]) == "0.0,5.0"
    assert polyline([]) == ""


def test_the_plot_puts_days_and_shares_where_they_belong() -> None:
    start, end = dt.date(2023, 9, 1), dt.date(2023, 9, 11)
    day = dt.date(2023, 9, 6)
    campaign = Campaign("c", start, end, (County("C1", "甲区"),))
    person = Person("张伟", None, "u")
    tasks = (  # on the 6th: 2 of 4 due (the 2nd, the 4th), 1 done (the 3rd)
        Task("study", 1, "t1", person, dt.date(2023, 9, 2), (dt.date(2023, 9, 3),)),
        Task("study", 2, "t2", person, dt.date(2023, 9, 4)),
        Task("study", 3, "t3", person, dt.date(2023, 9, 8)),
        Task("study", 4, "t4", person, dt.date(2023, 9, 10)),
    )
    unit = Unit("u", "单位", "C1", Level.COUNTY, person, tasks, "")
    chart = build_chart([unit], campaign=campaign, as_of=day, compare=day, filters=Filters())
    marks = [(start, "start"), (dt.date(2023, 9, 20), "later"), (end, "end")]
    # Inside 4-unit margins: x 4 to 34 for the ten days (3 a day), y 104 (0%) to 4 (100%).
    box = plot(
        chart.trend.total,
        "t",
        span=(start, end),
        size=(38, 108),
        marks=marks,
        light=None,
        ticks=False,
    )
    assert (box.left, box.top, box.right, box.bottom) == (4, 4, 34, 104)
    assert [(m.x, m.label) for m in box.marks] == [(4.0, "start"), (34.0, "end")]
    assert box.today == 4 + 30 * 5 / 10
    # Done: nothing on the 1st and 2nd, a quarter from the 3rd; expected: a quarter from
    # the 2nd, a half from the 4th.
    assert box.done == "4.0,104.0 7.0,104.0 10.0,79.0 19.0,79.0"
    assert box.expected == "4.0,104.0 7.0,79.0 10.0,79.0 13.0,54.0 19.0,54.0"
    assert (box.last_done, box.last_expected) == ("25.0%", "50.0%")


def test_the_campaigns_milestones_are_marked(cli: Run, tmp_path: Path) -> None:
    """[[milestones]] (docs/history.md) are marked on every timeline, by their own names."""
    root = tmp_path / "campaign"
    shutil.copytree(EXAMPLE, root)
    config = root / "campaign.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[milestones]]\ndate = 2023-09-13\nname = "县级清单部署<完成>"\nlevel = "county"\n',
        encoding="utf-8",
    )
    html, _ = _write(cli, tmp_path, root, "--lang", "en")
    assert "start 2023-09-09" in html
    assert "县级清单部署&lt;完成&gt;" in html  # text from the file, escaped
    assert html.count('class="mark"') == 3 * (1 + 17 + 17 + 6)
