"""render.remind.indented writes what json.dumps(..., ensure_ascii=False, indent=2) writes.

The messages of `remind --format json` are written by the C encoder a flat dict or list
at a time (an indent turns it off); the bytes must be json's own, whatever the values.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from checklist.render.remind import indented

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()  # every character: control, non-ASCII, line and paragraph separators
)
KEYS = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(KEYS, inner, max_size=4)
    ),
    max_leaves=20,
)


@given(VALUES, st.sampled_from(["\n", "\n    "]))
def test_indented_is_json_dumps_with_an_indent(value: Any, newline: str) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", newline)
    assert indented(value, newline) == expected


def test_a_message_by_hand() -> None:
    message = {"key": "k", "cc": [], "recipient": {"name": "张伟", "unit": None}, "n": [1, {}]}
    assert indented(message) == (
        '{\n  "key": "k",\n  "cc": [],\n  "recipient": {\n    "name": "张伟",\n'
        '    "unit": null\n  },\n  "n": [\n    1,\n    {}\n  ]\n}'
    )
