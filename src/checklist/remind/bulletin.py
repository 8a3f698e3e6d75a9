"""bulletin --send: the bulletin's messages posted in order to the campaign's [webhook]."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checklist.errors import ConfigError
from checklist.model import Campaign, WebhookConfig
from checklist.remind.channels import DeliveryError
from checklist.remind.webhook import WECOM_LIMIT, Webhook, markdown_payload


@dataclass(frozen=True, slots=True)
class Posted:
    """How far the posting got: parts are read in order, so it stops at the first failure
    rather than leave a gap in the middle of the bulletin."""

    sent: int  # the parts the webhook took, from the first
    of: int
    reason: str | None = None  # why part sent + 1 did not get through; the rest were not tried


def open_webhook(campaign: Campaign, environ: Mapping[str, str]) -> Webhook:
    """The campaign's [webhook], checked before any work: none, or no URL, is exit 2."""
    if campaign.webhook is None:
        raise ConfigError.said("bulletin.no_webhook", path=campaign.config_path)
    return Webhook(campaign.webhook, dict(environ))


def message_limit(config: WebhookConfig, max_bytes: int) -> int:
    """--max-bytes, but never more than a WeCom robot takes: it would cut the message short."""
    return min(max_bytes, WECOM_LIMIT) if config.format == "wecom" else max_bytes


def post_bulletin(channel: Webhook, title: str, messages: Sequence[str]) -> Posted:
    """Each message as one robot markdown message, with the webhook's timeout, no redirect."""
    for n, text in enumerate(messages):
        try:
            channel.post(markdown_payload(title, text, channel.config.format))
        except DeliveryError as error:
            return Posted(n, len(messages), str(error))
    return Posted(len(messages), len(messages))
