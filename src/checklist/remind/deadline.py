"""A time limit for a whole message, which a socket's own timeout is not."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class Deadline:
    """A time limit for a whole message, from connecting to the last byte of the answer.

    A socket's timeout counts per read, so a server sending a byte a second could hold
    a message for ever. When the time is up, the connections being watched are shut
    down, which ends any read or write still waiting on them.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._watched: list[socket.socket] = []
        self._over = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def remaining(self) -> float:
        return max(self.end - time.monotonic(), 0.01)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._watched.append(sock)
            if self.expired:
                shut(sock)

    def stop(self) -> bool:
        """The message is over: from now on nothing is shut. Whether time ran out."""
        with self._lock:
            self._over = True
        self._timer.cancel()
        return self.expired

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.expired = True
            for sock in self._watched:
                shut(sock)


def shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def twin(sock: socket.socket) -> socket.socket:
    """A second descriptor of the same connection: shutting it down ends the connection,
    even once the first has been wrapped in TLS (which detaches it) or closed."""
    return socket.fromfd(sock.fileno(), sock.family, sock.type)
