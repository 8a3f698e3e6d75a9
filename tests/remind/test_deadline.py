"""A deadline per message: a server that dribbles its answer is cut off at the timeout."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result
from remind.night import (
    smtp_table,
    state_of,
    timed,
    webhook_table,
)

# --- item 10: a deadline per message ---------------------------------------------------------


class Dribbler:
    """A server on loopback that speaks SMTP or HTTP, but says one part a byte a second."""

    def __init__(self, speaks: str, slow: str) -> None:
        self.speaks, self.slow = speaks, slow
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            talk = self.smtp if self.speaks == "smtp" else self.http
            threading.Thread(target=self.talk, args=(talk, connection), daemon=True).start()

    def talk(self, talk: Callable[..., None], connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection, connection.makefile("rb") as reader:
            talk(connection, reader)

    def say(self, connection: socket.socket, text: bytes, part: str) -> None:
        if part != self.slow:
            connection.sendall(text)
            return
        for byte in text:  # at most ~30 s, then the test is over anyway
            connection.sendall(bytes([byte]))
            if self.stop.wait(1):
                return

    def smtp(self, connection: socket.socket, reader: Any) -> None:
        self.say(connection, b"220 slow.example ESMTP\r\n", "greeting")
        for line in iter(reader.readline, b""):
            verb = line[:4].upper()
            if verb == b"EHLO":
                connection.sendall(b"250-slow.example\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                connection.sendall(b"354 go on\r\n")
                for data in iter(reader.readline, b""):
                    if data == b".\r\n":
                        break
                self.say(connection, b"250 2.0.0 queued as 12345\r\n", "data")
            elif verb == b"QUIT":
                connection.sendall(b"221 bye\r\n")
                return
            else:
                connection.sendall(b"250 OK\r\n")

    def http(self, connection: socket.socket, reader: Any) -> None:
        length = 0
        for line in iter(reader.readline, b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        reader.read(length)
        body = b'{"errcode": 0, "errmsg": "ok", "pad": "................"}'
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        self.say(connection, head + b"Content-Length: %d\r\n\r\n" % len(body), "head")
        self.say(connection, body, "body")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.listener.close()


@pytest.mark.parametrize(
    ("speaks", "slow"),
    [("smtp", "greeting"), ("smtp", "data"), ("http", "head"), ("http", "body")],
)
def test_a_server_that_answers_a_byte_a_second_is_cut_off_at_the_timeout(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], speaks: str, slow: str
) -> None:
    """Item 10: `timeout` is for the whole message, not for each read."""
    server = Dribbler(speaks, slow)
    try:
        if speaks == "smtp":
            folder = make_campaign(smtp_table(server.port).replace("timeout = 5", "timeout = 2"))
        else:
            folder = make_campaign(webhook_table(f"http://127.0.0.1:{server.port}/", timeout=2))

        result, seconds = timed(cli, "remind", folder, "--send", "--lang", "zh")
    finally:
        server.close()

    assert result.code == 1, result.err
    assert seconds < 2 + 8, seconds  # the first message's 2 s, then the channel is given up
    assert "Traceback" not in result.err
    assert "2 s" in result.err
    assert state_of(folder)["delivered"] == {}
