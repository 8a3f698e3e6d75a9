"""The night's messages are printed and sent one at a time (issue 12: a province's night
held whole took gigabytes); what comes out is what the whole night made at once."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from checklist.i18n import Lang
from checklist.remind.ledger import Ledger
from checklist.remind.send import Outcome, deliver
from checklist.render.remind import Printed, write_text

DAY = dt.date(2023, 11, 20)

# JSON values as messages hold them, with the characters that break naive splicing:
# newlines inside strings, U+2028, quotes, backslashes, CJK.
_text = st.text(alphabet=st.sampled_from(list('a"\\\n\u2028中 {}[],:')), max_size=12)
_value = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
_message = st.fixed_dictionaries(
    {
        "key": _text,
        "recipient": st.fixed_dictionaries(
            {"name": _text, "address": st.none() | _text, "unit": _text}
        ),
        "cc": st.just([]),
        "subject": _text,
        "body": _text,
        "tasks": st.lists(_value, max_size=3),
    }
)


def _whole(messages: list[dict[str, Any]], outcome: Outcome | None) -> str:
    """The document as it was written before: built whole, then dumped."""
    document: dict[str, Any] = {"schema_version": 1, "as_of": DAY.isoformat(), "messages": messages}
    if outcome is not None:
        document["sent"] = [{"key": k, "channel": c} for k, c in outcome.sent]
        document["failed"] = [
            {"key": m["key"], "channel": c, "error": e} for m, c, e in outcome.failed
        ]
        document["undeliverable"] = [
            {"key": m["key"], "channel": c} for m, c in outcome.undeliverable
        ]
        document["skipped"] = outcome.skipped
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@given(st.lists(_message, max_size=4), st.booleans())
def test_json_written_one_message_at_a_time_is_the_document_dumped_whole(
    messages: list[dict[str, Any]], with_outcome: bool
) -> None:
    outcome = None
    if with_outcome:
        outcome = Outcome(
            sent=tuple((m["key"], "email") for m in messages[:1]),
            failed=tuple((m, "webhook", "下线") for m in messages[1:2]),
            undeliverable=tuple((m, "email") for m in messages[2:]),
            skipped=len(messages),
        )
    out = io.StringIO()
    printed = Printed(out, "json", as_of=DAY, lang=Lang.ZH)
    assert list(printed.passing(iter(messages))) == messages
    printed.end(outcome)
    assert out.getvalue() == _whole(messages, outcome)


@given(st.lists(_message, min_size=1, max_size=4))
def test_text_written_one_message_at_a_time_is_the_text_written_whole(
    messages: list[dict[str, Any]],
) -> None:
    whole, streamed = io.StringIO(), io.StringIO()
    write_text(messages, whole, Lang.ZH)
    printed = Printed(streamed, "text", as_of=DAY, lang=Lang.ZH)
    for _ in printed.passing(iter(messages)):
        pass
    printed.end(None)
    assert streamed.getvalue() == whole.getvalue()


class _Channel:
    """A channel that records what it was given, and the order."""

    name = "webhook"
    needs_address = False

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def send(self, message: dict[str, Any]) -> None:
        self.log.append(message["key"])

    def close(self) -> None:
        pass


def _message_of(key: str) -> dict[str, Any]:
    person = {"name": "王红", "address": None, "unit": "u"}
    return {"key": key, "recipient": person, "cc": [], "subject": key, "body": "", "tasks": []}


def test_earlier_nights_go_first_and_tonights_own_leftovers_last(tmp_path: Path) -> None:
    """Delivery pulls the messages one at a time, yet keeps the order of retries:
    an earlier night's failure first, tonight's planned messages, then a failure of
    tonight's earlier run that tonight no longer plans (its task was done since)."""
    state = Ledger.load(tmp_path / "state.json")
    for key in ("2023-11-19/owner/a", "2023-11-20/owner/gone", "2023-11-20/owner/b"):
        state.pending[f"{key}@webhook"] = {
            "channel": "webhook",
            "message": _message_of(key),
            "error": "500",
        }
    made: list[str] = []

    def tonight() -> Any:
        for key in ("2023-11-20/owner/b", "2023-11-20/owner/c"):
            made.append(key)  # made only when delivery asks for it
            yield _message_of(key)

    log: list[str] = []
    outcome = deliver(tonight(), [_Channel(log)], state)

    assert log == [
        "2023-11-19/owner/a",
        "2023-11-20/owner/b",
        "2023-11-20/owner/c",
        "2023-11-20/owner/gone",
    ]
    assert made == ["2023-11-20/owner/b", "2023-11-20/owner/c"]
    assert [k for k, _ in outcome.sent] == log
    assert Ledger.load(tmp_path / "state.json").pending == {}


@given(
    st.text(
        alphabet=st.sampled_from(list("a 中\n\r\x0b\x0c\x1c\x85\u2028\u2029\x1b\t")), max_size=12
    )
)
def test_a_body_is_written_line_by_line_made_printable(body: str) -> None:
    """The quick path (one printable text) writes what a printable line at a time wrote."""
    from checklist.words import printable

    out = io.StringIO()
    message = {"recipient": {"name": "A", "address": "a@x"}, "cc": [], "subject": "s"}
    write_text([message | {"body": body}], out)
    head = "To: A <a@x>\nSubject: s\n\n"
    assert out.getvalue() == head + "".join(printable(line) + "\n" for line in body.splitlines())
