"""The reminder channels: one registry of their names and what each needs.

A channel is named in ``[remind] channels``, configured by a table of
campaign.toml, and sent the JSON form of a message (``send.message_to_dict``).
A new channel is a module with a class like ``Email`` and one entry here. This
module imports nothing heavy, so that loading campaign.toml can check names here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from checklist.errors import ConfigError
from checklist.model import Campaign, SmtpConfig, WebhookConfig


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """What a channel is called, where it is configured, and what a message needs to go."""

    name: str  # as written in [remind] channels, the ledger's keys and the reports
    table: str  # the campaign.toml table that configures it (a Campaign attribute too)
    needs_address: bool  # a recipient without an address cannot be reached on it


EMAIL = ChannelInfo("email", table="smtp", needs_address=True)
WEBHOOK = ChannelInfo("webhook", table="webhook", needs_address=False)
CHANNELS: dict[str, ChannelInfo] = {info.name: info for info in (EMAIL, WEBHOOK)}


class DeliveryError(Exception):
    """This message did not get through; it will be retried on the next run."""


class Channel(Protocol):
    name: str
    needs_address: bool

    def send(self, message: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


def why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def open_channels(campaign: Campaign, environ: dict[str, str]) -> list[Channel]:
    """The channels --send uses, checked before anything is sent (a config error is exit 2)."""
    wanted = campaign.remind.channels
    if wanted is None:
        wanted = tuple(info.name for info in CHANNELS.values() if getattr(campaign, info.table))
    if not wanted:
        raise ConfigError(
            "--send needs an [smtp] or a [webhook] table in campaign.toml (see docs/format.md)",
            zh="要用 --send 发送提醒,campaign.toml 里得有 [smtp](邮件)或 [webhook](群机器人)"
            "这一栏(写法见 docs/format.md)",
        )
    channels: list[Channel] = []
    for name in wanted:
        info = CHANNELS.get(name)
        config = getattr(campaign, info.table) if info else None
        if config:
            channels.append(_open(config, environ))
    return channels


def _open(config: SmtpConfig | WebhookConfig, environ: dict[str, str]) -> Channel:
    """A channel's class is imported only when it is used: smtplib and urllib are not cheap."""
    if isinstance(config, SmtpConfig):
        from checklist.remind.email import Email

        return Email(config, environ)
    from checklist.remind.webhook import Webhook

    return Webhook(config, environ)
