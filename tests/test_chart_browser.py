"""The wall chart in a real browser: headless Chromium (Debian's ``chromium``), driven over
the DevTools protocol on a pipe (``--remote-debugging-pipe``: no port, no websocket).

One browser serves the whole module (each start costs about a second). Its network log
is the page's own (Network.requestWillBeSent), not the browser's background traffic, so
"exactly one request" means the page asked for nothing but itself. A control page with
an image from elsewhere and a script proves that the log and the script check see them.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, Result

EXAMPLE = REPO / "examples" / "zhengzhou"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (CI installs Debian's chromium: see .ci/run)",
)
Run = Callable[..., Result]

# Points: A3 landscape is 420 × 297 mm, A4 portrait 210 × 297 mm.
A3_LANDSCAPE = (1190.55, 841.89)
A4_PORTRAIT = (595.28, 841.89)


class Browser:
    """Headless Chromium, commanded through fds 3 (in) and 4 (out): NUL-ended JSON."""

    def __init__(self, profile: Path) -> None:
        commands, theirs_in = os.pipe()
        theirs_out, replies = os.pipe()
        # Above 4, so that placing them on 3 and 4 in the child never overwrites one another.
        high_in = fcntl.fcntl(commands, fcntl.F_DUPFD, 10)
        high_out = fcntl.fcntl(replies, fcntl.F_DUPFD, 10)

        def place() -> None:
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        assert CHROMIUM is not None
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",  # CI runs as root, where the sandbox refuses to start
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            preexec_fn=place,  # noqa: PLW1509 (no threads start chromium; fds 3 and 4 need it)
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for fd in (commands, replies, high_in, high_out):
            os.close(fd)
        self.out, self.into = theirs_out, theirs_in
        self.buffer = b""
        self.count = 0
        self.events: list[dict[str, Any]] = []

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            chunk = os.read(self.out, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)  # type: ignore[no-any-return]

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.count += 1
        message: dict[str, Any] = {"id": self.count, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.into, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self.count:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]  # type: ignore[no-any-return]
            self.events.append(reply)

    def wait(self, method: str, session: str) -> dict[str, Any]:
        while True:
            for n, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self.events.pop(n)
            self.events.append(self._message())

    def open(self, url: str, *, width: int = 1366, height: int = 768) -> Tab:
        """A new tab showing ``url``, its network log recorded from before the first request."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Network", "Page", "Runtime"):
            self.send(f"{domain}.enable", session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Page.navigate", session, url=url)
        self.wait("Page.loadEventFired", session)
        return Tab(self, session, target)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        finally:
            self.process.wait(timeout=20)
            os.close(self.out)
            os.close(self.into)


class Tab:
    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser, self.session, self.target = browser, session, target

    def requests(self) -> list[str]:
        """Every URL the page asked for, itself included."""
        return [
            e["params"]["request"]["url"]
            for e in self.browser.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session
        ]

    def evaluate(self, expression: str) -> Any:
        """A value computed in the page (DevTools runs it; the page's own policy has no say)."""
        result = self.browser.send(
            "Runtime.evaluate", self.session, expression=expression, returnByValue=True
        )
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        data = self.browser.send("Page.captureScreenshot", self.session, format="png")["data"]
        return base64.b64decode(data)

    def pdf(self) -> bytes:
        """Printed as a person prints it: the page's own @page sizes, backgrounds on."""
        data = self.browser.send(
            "Page.printToPDF", self.session, preferCSSPageSize=True, printBackground=True
        )["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        self.browser.send("Target.closeTarget", targetId=self.target)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    started = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def tab(browser: Browser) -> Iterator[Callable[[Path], Tab]]:
    opened: list[Tab] = []

    def open_page(path: Path) -> Tab:
        opened.append(browser.open(path.as_uri()))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def _chart(cli: Run, target: Path, *args: str | Path) -> Path:
    result = cli("chart", *args, "-o", target)
    assert result.code == 0, result.err
    return target


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])  # type: ignore[return-value]


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox (width, height) in points, read from the PDF's page objects."""
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) == pages
    return [(float(w), float(h)) for w, h in boxes]


def _near(box: tuple[float, float], size: tuple[float, float]) -> bool:
    return abs(box[0] - size[0]) < 2 and abs(box[1] - size[1]) < 2


MATRIX = """JSON.stringify([...document.querySelectorAll('#matrix td[data-measure]')].map(
    c => [c.dataset.county, c.dataset.measure, +c.dataset.done, +c.dataset.tasks,
          +c.dataset.overdue, c.dataset.light, c.textContent]))"""
RANKING = """JSON.stringify([...document.querySelectorAll('#ranking tr[data-county]')].map(
    r => [r.dataset.county, r.dataset.rank, r.dataset.rankChange]))"""


def test_the_browser_shows_rollups_numbers_and_asks_for_nothing(
    cli: Run, tab: Callable[[Path], Tab], tmp_path: Path
) -> None:
    page = tab(_chart(cli, tmp_path / "wall.html", EXAMPLE, "--lang", "zh"))
    assert page.requests() == [(tmp_path / "wall.html").as_uri()]
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert "挂图作战" in page.evaluate("document.title")
    rollup = json.loads(cli("rollup", EXAMPLE, "--measures", "--format", "json").out)
    rows = {row["key"]: row for row in rollup["rows"]} | {"total": rollup["total"]}
    cells = json.loads(page.evaluate(MATRIX))
    assert len(cells) == 18 * 5
    for county, measure, done, tasks, overdue, _, text in cells:
        counts = rows[county]["measures"].get(measure, {"done": 0, "tasks": 0, "overdue": 0})
        assert (done, tasks, overdue) == (counts["done"], counts["tasks"], counts["overdue"])
        shown = f"{done}/{tasks}" + (f" ({overdue})" if overdue else "") if tasks else "—"
        assert text == shown  # what a person reads is what the attributes say
    ranking = json.loads(page.evaluate(RANKING))
    assert len(ranking) == 17
    for county, rank, change in ranking:
        assert rank == str(rows[county]["rank"])
        assert change == str(rows[county]["rank_change"])
    assert [int(r[1]) for r in ranking] == sorted(int(r[1]) for r in ranking)
    # The row lights are rollup's (cells have their own, per measure).
    lights = json.loads(
        page.evaluate(
            "JSON.stringify([...document.querySelectorAll('#matrix tr[data-county]')].map("
            "r => [r.dataset.county, r.lastElementChild.textContent]))"
        )
    )
    words = {"green": "绿", "yellow": "黄", "red": "红"}
    assert dict(lights) == {key: words[row["light"]] for key, row in rows.items()}


GROUPS = """JSON.stringify([...document.querySelectorAll('#groups-matrix tr[data-group]')].map(
    r => [r.dataset.group, +r.dataset.units, +r.dataset.done, +r.dataset.tasks,
          +r.dataset.overdue, r.dataset.rank, r.dataset.rankChange,
          [...r.querySelectorAll('td[data-measure]')].map(c => c.textContent)]))"""


def test_the_browser_shows_rollup_by_groups_numbers(
    cli: Run, tab: Callable[[Path], Tab], tmp_path: Path
) -> None:
    page = tab(_chart(cli, tmp_path / "wall.html", EXAMPLE))
    rollup = json.loads(
        cli("rollup", EXAMPLE, "--by", "group", "--measures", "--rank", "-f", "json").out
    )
    rows = {row["key"]: row for row in rollup["rows"]} | {"total": rollup["total"]}
    shown = json.loads(page.evaluate(GROUPS))
    assert [r[0] for r in shown] == [
        *sorted((r["key"] for r in rollup["rows"]), key=lambda k: rows[k]["rank"]),
        "total",
    ]
    for key, units, done, tasks, overdue, rank, change, cells in shown:
        row = rows[key]
        assert (units, done, tasks, overdue) == (
            row["units"],
            row["done"],
            row["tasks"],
            row["overdue"],
        )
        if key != "total":
            assert (rank, change) == (str(row["rank"]), str(row["rank_change"]))
        for measure, text in zip(
            ("study", "research", "development", "rectification", "institutions"),
            cells,
            strict=True,
        ):
            m = row["measures"][measure]
            assert text == f"{m['done']}/{m['tasks']}" + (
                f" ({m['overdue']})" if m["overdue"] else ""
            )


def test_it_reads_at_1366x768_and_prints_a3_then_a4_per_county(
    cli: Run, tab: Callable[[Path], Tab], tmp_path: Path
) -> None:
    page = tab(_chart(cli, tmp_path / "wall.html", EXAMPLE))
    assert _png_size(page.screenshot()) == (1366, 768)
    # The headline and the whole matrix are on the first screen, nothing overflows sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    bottom = page.evaluate("document.querySelector('#matrix').getBoundingClientRect().bottom")
    assert bottom <= 768
    boxes = _pages(page.pdf())
    assert len(boxes) == 1 + 1 + 17  # the overview, the liaison groups, a page per county
    assert _near(boxes[0], A3_LANDSCAPE), boxes[0]
    assert _near(boxes[1], A3_LANDSCAPE), boxes[1]
    assert all(_near(box, A4_PORTRAIT) for box in boxes[2:]), boxes


HOSTILE_CAMPAIGN = """\
[campaign]
name = "<script>window.pwned = 1</script>"
start = 2023-09-01
end = 2023-09-30

[[measures]]
key = "study"
name = "<b onmouseover=window.pwned=5>学</b>"

[[counties]]
code = "410101"
name = "\\"><svg onload=window.pwned=2>"
"""

HOSTILE_UNIT = """\
[unit]
name = "]]></svg><img src=x onerror=window.pwned=3>"
county = "410101"
level = "county"
contact = "{{{{ 7 * 7 }}}}"

[study]
owner = "</title><script>window.pwned=4</script>"
due = 2023-09-30

[[study.tasks]]
title = "{{{{ 7 * 7 }}}} <style>body{{display:none}}</style>"
due = 2023-09-02
"""


def test_hostile_names_are_text_and_run_nothing(
    cli: Run, campaign_dir: Callable[..., Path], tab: Callable[[Path], Tab], tmp_path: Path
) -> None:
    folder = campaign_dir(HOSTILE_CAMPAIGN)
    (folder / "units").mkdir()
    (folder / "units" / "evil.toml").write_text(HOSTILE_UNIT.format(), encoding="utf-8")
    page = tab(_chart(cli, tmp_path / "evil.html", folder, "--as-of", "2023-09-10"))
    assert page.evaluate("document.querySelector('[data-kpi=units]').dataset.value") == "1"
    assert page.requests() == [(tmp_path / "evil.html").as_uri()]
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('script, img, style').length") == 1
    assert page.evaluate("document.querySelector('style').parentNode.tagName") == "HEAD"
    assert page.evaluate("document.querySelectorAll('svg').length") == 3  # the page's own
    # No element came from a name: none has a handler, no <b> holds the measure's name.
    handlers = "e => [...e.attributes].some(a => a.name.startsWith('on'))"
    assert page.evaluate(f"[...document.querySelectorAll('*')].filter({handlers}).length") == 0
    assert (
        page.evaluate("[...document.querySelectorAll('b')].some(b => b.textContent == '学')")
        is False
    )
    heads = page.evaluate("[...document.querySelectorAll('#matrix th')].map(th => th.textContent)")
    assert "<b onmouseover=window.pwned=5>学</b>" in heads
    text = page.evaluate("document.body.innerText")
    for typed in (
        '"><svg onload=window.pwned=2>',
        "]]></svg><img src=x onerror=window.pwned=3>",
        "{{ 7 * 7 }} <style>body{display:none}</style>",
        "</title><script>window.pwned=4</script>",
        "<b onmouseover=window.pwned=5>学</b>",
    ):
        assert typed in text
    assert page.evaluate("document.title").startswith("<script>window.pwned = 1</script>")


HOSTILE_GROUPS = """
[[groups]]
name = "<img src=x onerror=window.pwned=6>"
contact = "\\"><svg onload=window.pwned=7>"
counties = ["410101"]
"""


def test_hostile_group_names_are_text_and_run_nothing(
    cli: Run, campaign_dir: Callable[..., Path], tab: Callable[[Path], Tab], tmp_path: Path
) -> None:
    folder = campaign_dir(HOSTILE_CAMPAIGN + HOSTILE_GROUPS)
    (folder / "units").mkdir()
    (folder / "units" / "evil.toml").write_text(HOSTILE_UNIT.format(), encoding="utf-8")
    page = tab(_chart(cli, tmp_path / "evil.html", folder, "--as-of", "2023-09-10"))
    assert page.requests() == [(tmp_path / "evil.html").as_uri()]
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('script, img').length") == 0
    assert page.evaluate("document.querySelectorAll('svg').length") == 4  # one for the group
    handlers = "e => [...e.attributes].some(a => a.name.startsWith('on'))"
    assert page.evaluate(f"[...document.querySelectorAll('*')].filter({handlers}).length") == 0
    rows = page.evaluate(
        "JSON.stringify([...document.querySelectorAll('#groups-matrix tr[data-group]')]"
        ".map(r => [r.dataset.group, r.querySelector('th').textContent]))"
    )
    name = "<img src=x onerror=window.pwned=6>"
    assert json.loads(rows) == [[name, name], ["total", "Total"]]
    assert '"><svg onload=window.pwned=7>' in page.evaluate("document.body.innerText")


CONTROL = """<!DOCTYPE html><html><body><p>control</p>
<img src="http://127.0.0.1:9/logo.png"><script>window.pwned = 1</script></body></html>"""


def test_the_checks_see_a_request_and_a_script_when_there_are_some(
    tab: Callable[[Path], Tab], tmp_path: Path
) -> None:
    """The control: a page without the policy that loads an image and runs a script."""
    path = tmp_path / "control.html"
    path.write_text(CONTROL, encoding="utf-8")
    page = tab(path)
    assert page.requests() == [path.as_uri(), "http://127.0.0.1:9/logo.png"]
    assert page.evaluate("window.pwned") == 1


BIG_UNIT = """\
[unit]
name = "{name}"
county = "{county}"
level = "county"
contact = "王红"
{measures}"""
BIG_MEASURE = """
[{key}]
owner = "张伟"
due = 2024-01-31
{tasks}"""
# Each task repeats daily: done on its first 40 days (so on time), open after; 145 a task.
BIG_TASK = """
[[{key}.tasks]]
title = "{title}"
due = 2023-09-09
repeat = "daily"
done = [{done}]
"""


def _big_campaign(folder: Path) -> None:
    """The example's 17 areas, one unit each with long names and 4-digit counts per cell."""
    import datetime as dt

    text = (EXAMPLE / "campaign.toml").read_text(encoding="utf-8")
    (folder / "campaign.toml").write_text(text, encoding="utf-8")
    codes = re.findall(r'^code = "(\w+)"', text, re.MULTILINE)
    first = dt.date(2023, 9, 9)
    done = ", ".join(str(first + dt.timedelta(days=n)) for n in range(40 + len(codes)))
    keys = ("study", "research", "development", "rectification", "institutions")
    for n, code in enumerate(codes):
        title = "关于" + "深入学习贯彻新时代中国特色社会主义思想" * 2 + f"的专题调研之{n}"
        measures = "".join(
            BIG_MEASURE.format(
                key=key,
                tasks="".join(
                    BIG_TASK.format(key=key, title=f"{title}{k}", done=done if k else "")
                    for k in range(8)
                ),
            )
            for key in keys
        )
        name = f"中共郑州市{code}区域" + "高质量发展示范区管理委员会党工委" * 2
        path = folder / "units" / code / f"u{n}.toml"
        path.parent.mkdir(parents=True)
        path.write_text(BIG_UNIT.format(name=name, county=code, measures=measures), "utf-8")


def test_big_numbers_and_long_names_keep_the_overview_on_one_a3_page(
    cli: Run, tab: Callable[[Path], Tab], tmp_path: Path
) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    _big_campaign(folder)
    page = tab(_chart(cli, tmp_path / "big.html", folder))
    cell = page.evaluate("document.querySelector('#matrix td[data-measure]').textContent")
    assert cell == "399/1160 (177)"  # 8 tasks × 145 days; 7 × 57 done, 72 + 7 × 15 overdue
    boxes = _pages(page.pdf())
    # The overview on one A3 page, the groups (the example's [[groups]]) on another.
    assert _near(boxes[0], A3_LANDSCAPE)
    assert _near(boxes[1], A3_LANDSCAPE)
    assert all(_near(box, A4_PORTRAIT) for box in boxes[2:]), boxes  # no third A3 page
    # Nothing in the overview spills over its neighbour at 1366 px either.
    overlap = """(() => {
      const r = s => document.querySelector(s).getBoundingClientRect();
      return r('section.matrix').right <= r('section.rank').left + 1;
    })()"""
    assert page.evaluate(overlap) is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
