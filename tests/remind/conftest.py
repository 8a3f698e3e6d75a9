"""The reminder tests' fixtures: a campaign folder, SMTP servers and a webhook, no secrets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from remind.night import CAMPAIGN, ERQI, JINSHUI
from remind.servers import Hook, SmtpServer


@pytest.fixture
def make_campaign(tmp_path: Path) -> Callable[..., Path]:
    """make(*tables, research_title=…, units=None) writes the campaign; returns its folder."""

    def make(*tables: str, research_title: str = "专题调研报告", units: dict | None = None) -> Path:
        folder = tmp_path / "campaign"
        folder.mkdir(exist_ok=True)
        (folder / "campaign.toml").write_text(CAMPAIGN + "".join(tables), encoding="utf-8")
        if units is None:
            units = {
                "410103/erqi-office.toml": ERQI.replace("{research_title}", research_title),
                "410105/jinshui-school.toml": JINSHUI,
            }
        for name, text in units.items():
            path = folder / "units" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return folder

    return make


@pytest.fixture(autouse=True)
def _no_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CHECKLIST_SMTP_PASSWORD", "CHECKLIST_WEBHOOK_URL", "NOPE", "CHECKLIST_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the state file must not depend on the working directory


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_servers() -> Iterator[Callable[..., SmtpServer]]:
    """start(port=None, utf8=True): more SMTP servers, all stopped at the end."""
    started: list[SmtpServer] = []

    def start(port: int | None = None, *, utf8: bool = True) -> SmtpServer:
        server = SmtpServer(port, utf8=utf8).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.stop()
