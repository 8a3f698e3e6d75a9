"""E-mail over SMTP: one connection for the night, each message under its own deadline."""

from __future__ import annotations

import contextlib
import socket
import unicodedata
from typing import Any, NoReturn

from checklist.errors import ConfigError
from checklist.model import SmtpConfig
from checklist.remind.channels import EMAIL, DeliveryError, why
from checklist.remind.deadline import Deadline, twin
from checklist.words import printable


def header_text(text: str) -> str:
    """Text for one header line: nothing in it can end the line or start another header.

    Controls become visible (``printable``); line and paragraph separators, which
    Python's e-mail package counts as line ends, become spaces.
    """
    text = printable(text)
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(char) in ("Zl", "Zp") else char for char in text)


class Email:
    """SMTP with STARTTLS or TLS; one connection for the night, reset or reopened after a refusal.

    A refusal of one message (an address, the content, SMTPUTF8 the server lacks, a
    message that cannot be built) fails that message only. A connection that cannot
    be made, breaks, or runs out of time fails the rest of the night's mail at once.
    """

    name = EMAIL.name
    needs_address = EMAIL.needs_address

    def __init__(self, config: SmtpConfig, environ: dict[str, str]) -> None:
        self.config = config
        self.password: str | None = None
        if config.user:
            self.password = environ.get(config.password_env) or None
            if self.password is None:
                raise ConfigError(
                    f"[smtp] user is set, but the environment variable {config.password_env} "
                    "with its password is not; set it (the password is never read from a file)",
                    zh=f"[smtp] 填了 user(邮箱账号),但没有设置存放密码的环境变量 "
                    f"{config.password_env};请设置它(密码从不写在文件里)",
                )
        if config.ca_file and not config.ca_file.is_file():
            raise ConfigError(
                f"[smtp] ca_file {config.ca_file} does not exist",
                zh=f"[smtp] ca_file 指定的证书文件 {config.ca_file} 不存在",
            )
        self._smtp: Any = None
        self._twin: socket.socket | None = None  # the connection's, for the deadline
        self._broken: str | None = None

    def _connect(self, deadline: Deadline) -> Any:
        import smtplib
        import ssl

        def watch(sock: socket.socket) -> None:
            self._twin = twin(sock)
            deadline.watch(self._twin)

        class Plain(smtplib.SMTP):
            def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
                sock = socket.create_connection((host, port), timeout, self.source_address)
                watch(sock)
                return sock

        class Secure(smtplib.SMTP_SSL):
            def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
                sock = socket.create_connection((host, port), timeout, self.source_address)
                watch(sock)  # before the handshake, which the deadline covers too
                return self.context.wrap_socket(sock, server_hostname=host)

        config = self.config
        context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
        port = config.port or {"tls": 465, "starttls": 587}.get(config.security, 25)
        timeout = deadline.remaining()
        if config.security == "tls":
            smtp: Any = Secure(config.host, port, timeout=timeout, context=context)
        else:
            smtp = Plain(config.host, port, timeout=timeout)
            if config.security == "starttls":
                smtp.starttls(context=context)
        if config.user and self.password is not None:
            smtp.login(config.user, self.password)
        return smtp

    def send(self, message: dict[str, Any]) -> None:
        if self._broken:  # the server is down: fail fast instead of timing out per message
            raise DeliveryError(self._broken)
        try:
            mail = self._compose(message)
        except Exception as error:  # a name or address the e-mail package refuses
            raise DeliveryError(f"the e-mail cannot be written: {why(error)}") from None
        with Deadline(self.config.timeout) as deadline:
            try:
                self._send(mail, deadline)
            finally:
                if deadline.stop():  # the connection was shut: open a new one next time
                    self._disconnect()

    def _send(self, mail: Any, deadline: Deadline) -> None:
        import smtplib

        host = self.config.host
        if self._smtp is not None and self._smtp.sock is None:  # smtplib closed it (a 421)
            self._disconnect()
        if self._smtp is None:
            try:
                self._smtp = self._connect(deadline)
            except Exception as error:
                # Cannot connect, greet or log in: the rest would fail the same way.
                self._give_up(deadline, error)
        elif self._twin is not None:
            deadline.watch(self._twin)
        try:
            self._smtp.sock.settimeout(deadline.remaining())
            self._smtp.send_message(mail)
        except Exception as error:
            if deadline.expired or _connection_lost(error):
                self._give_up(deadline, error)
            # The server (or smtplib) refused this one message: the connection stays.
            self._reset()
            if isinstance(error, smtplib.SMTPRecipientsRefused):
                raise DeliveryError(f"the server refused the address: {error.recipients}") from None
            if isinstance(error, smtplib.SMTPResponseException):
                reply = error.smtp_error
                text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
                raise DeliveryError(f"{host} refused it: {error.smtp_code} {text}") from None
            raise DeliveryError(f"{host} cannot take it: {why(error)}") from None

    def _give_up(self, deadline: Deadline, error: Exception) -> NoReturn:
        """The connection is gone or too slow: fail this message and the rest of the night's."""
        self._disconnect()
        if deadline.expired:
            self._broken = f"{self.config.host}: no answer within {deadline.seconds} s"
        else:
            self._broken = f"{self.config.host}: {why(error)}"
        raise DeliveryError(self._broken) from None

    def _reset(self) -> None:
        """RSET after a refusal, so the next message starts clean; if that fails, reconnect."""
        try:
            self._smtp.rset()
        except Exception:
            self._disconnect()

    def _disconnect(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                self._smtp.close()
            self._smtp = None
        if self._twin is not None:
            self._twin.close()
            self._twin = None

    def _compose(self, message: dict[str, Any]) -> Any:
        from email.headerregistry import Address
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid, parseaddr

        def address(name: str, spec: str) -> Address:
            if not spec.isprintable() or any(char.isspace() for char in spec):
                raise ValueError(f"{spec!r} has a space, control or invisible character")
            user, _, domain = spec.rpartition("@")
            return Address(header_text(name), user, domain)

        mail = EmailMessage()
        sender_name, sender = parseaddr(self.config.sender)
        domain = sender.rpartition("@")[2]
        mail["From"] = address(sender_name, sender)
        mail["To"] = address(message["recipient"]["name"], message["recipient"]["address"])
        cc = [address(p["name"], p["address"]) for p in message["cc"] if p["address"]]
        if cc:
            mail["Cc"] = cc
        mail["Subject"] = header_text(message["subject"])
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=domain or None)
        mail.set_content(message["body"])
        return mail

    def close(self) -> None:
        if self._smtp is not None:
            with Deadline(self.config.timeout) as deadline:
                if self._twin is not None:
                    deadline.watch(self._twin)
                with contextlib.suppress(Exception):
                    self._smtp.quit()
        self._disconnect()


def _connection_lost(error: Exception) -> bool:
    """A socket error, a TLS error or a closed connection; not the server saying no."""
    import smtplib

    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)
