"""Webhooks: a JSON POST per message, as WeCom or DingTalk robot markdown or generic."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable
from typing import Any

from checklist.errors import ConfigError
from checklist.model import WebhookConfig
from checklist.remind.channels import WEBHOOK, DeliveryError, why
from checklist.remind.deadline import Deadline, twin
from checklist.words import markdown_text

PAYLOAD_VERSION = 1  # the generic payload's schema_version, as in `remind --format json`
WECOM_LIMIT = 4096  # bytes of markdown content a WeCom group robot accepts


def _markdown(message: dict[str, Any]) -> str:
    """The message as robot markdown; text from files is escaped so it stays text."""
    lines = [f"### {markdown_text(message['subject'])}", ""]
    for line in message["body"].splitlines():
        lines.append(markdown_text(line) if line.strip() else "")
    return "\n".join(lines)


def webhook_payload(message: dict[str, Any], form: str) -> dict[str, Any]:
    if form == "wecom":
        content = _markdown(message).encode()[:WECOM_LIMIT].decode(errors="ignore")
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if form == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": message["subject"], "text": _markdown(message)},
        }
    return {"schema_version": PAYLOAD_VERSION, **message}


def markdown_payload(title: str, content: str, form: str) -> dict[str, Any]:
    """Markdown already written for a robot (files' text escaped by its renderer), as is."""
    if form == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if form == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}
    return {
        "schema_version": PAYLOAD_VERSION,
        "kind": "bulletin",
        "subject": title,
        "markdown": content,
    }


class Webhook:
    """An HTTP POST of JSON per message; robots answer 200 with an errcode, which counts.

    A redirect is never followed: urllib would resend the POST as a bodiless GET, which
    the new address answers 200, and the message would count as delivered.
    """

    name = WEBHOOK.name
    needs_address = WEBHOOK.needs_address

    def __init__(self, config: WebhookConfig, environ: dict[str, str]) -> None:
        url = config.url or environ.get(config.url_env or "") or None
        if url is None:
            raise ConfigError(
                f"[webhook] url_env names {config.url_env}, which is not set",
                zh=f"[webhook] url_env 指定的环境变量 {config.url_env} 没有设置;"
                "请把群机器人的地址放进这个环境变量",
            )
        if not url.startswith(("https://", "http://")):
            raise ConfigError(
                f"the webhook URL in {config.url_env} is not an http(s) URL",
                zh=f"{config.url_env} 里的群机器人地址不是 https:// 或 http:// 开头的网址",
            )
        self.url, self.config = url, config
        self._broken: str | None = None
        self._opener: Any = None
        self._deadline: Deadline | None = None
        self._twins: list[socket.socket] = []

    def _watch(self, sock: socket.socket) -> None:
        copy = twin(sock)
        self._twins.append(copy)
        if self._deadline is not None:
            self._deadline.watch(copy)

    def send(self, message: dict[str, Any]) -> None:
        self.post(webhook_payload(message, self.config.format))

    def post(self, payload: dict[str, Any]) -> None:
        """POST one JSON payload; DeliveryError names why it did not get through."""
        import urllib.request

        if self._broken:
            raise DeliveryError(self._broken)
        body = json.dumps(payload, ensure_ascii=False)
        request = urllib.request.Request(
            self.url,
            data=body.encode(errors="replace"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "checklist-remind",
            },
        )
        if self._opener is None:
            self._opener = _opener(self._watch)
        with Deadline(self.config.timeout) as deadline:
            self._deadline = deadline
            try:
                answer = self._post(request, deadline)
            finally:
                self._deadline = None
                for twin in self._twins:
                    twin.close()
                self._twins.clear()
        if self.config.format in ("wecom", "dingtalk"):
            try:
                reply = json.loads(answer or b"{}")
            except ValueError:
                raise DeliveryError("the robot's answer is not JSON") from None
            if not isinstance(reply, dict):
                raise DeliveryError("the robot's answer is not a JSON object")
            if reply.get("errcode", 0) != 0:
                raise DeliveryError(f"the robot refused: {reply.get('errmsg', reply)}")

    def _post(self, request: Any, deadline: Deadline) -> bytes:
        import urllib.error

        try:
            with self._opener.open(request, timeout=deadline.remaining()) as response:
                answer: bytes = response.read(65536)
        except urllib.error.HTTPError as error:
            with contextlib.suppress(Exception):
                error.close()
            if deadline.stop():
                self._broken = f"the webhook did not answer within {deadline.seconds} s"
                raise DeliveryError(self._broken) from None
            location = error.headers.get("Location") if error.headers else None
            if 300 <= error.code < 400 and location:
                raise DeliveryError(
                    f"the webhook answered HTTP {error.code}, moved to {location}; "
                    "a message is never sent on to another address: "
                    "if that one is right, put it in campaign.toml"
                ) from None
            raise DeliveryError(f"the webhook answered HTTP {error.code}") from None
        except Exception as error:
            if deadline.stop():
                self._broken = f"the webhook did not answer within {deadline.seconds} s"
            elif isinstance(error, OSError):  # refused, unreachable, reset: so will the rest be
                reason = getattr(error, "reason", error)
                self._broken = f"the webhook cannot be reached: {reason}"
            else:  # an answer that is not HTTP, or cut short
                raise DeliveryError(f"the webhook's answer cannot be read: {why(error)}") from None
            raise DeliveryError(self._broken) from None
        if deadline.stop():  # the end of the answer came just as time ran out
            self._broken = f"the webhook did not answer within {deadline.seconds} s"
            raise DeliveryError(self._broken)
        return answer

    def close(self) -> None:
        pass


def _opener(watch: Callable[[socket.socket], None]) -> Any:
    """urllib's opener without its redirect handler, telling ``watch`` of each connection."""
    import http.client
    import urllib.request

    def watched(kind: type[http.client.HTTPConnection]) -> Callable[..., Any]:
        def connection(host: str, **options: Any) -> http.client.HTTPConnection:
            made = kind(host, **options)

            def create(*args: Any, **keywords: Any) -> socket.socket:
                sock = socket.create_connection(*args, **keywords)
                watch(sock)
                return sock

            made._create_connection = create  # type: ignore[attr-defined]
            return made

        return connection

    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(watched(http.client.HTTPConnection), req)

    class Secure(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            context = getattr(self, "_context", None)
            return self.do_open(watched(http.client.HTTPSConnection), req, context=context)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **keywords: Any) -> None:
            return None

    return urllib.request.build_opener(Plain, Secure, NoRedirect)
