"""The fast parser agrees with tomllib on every file of the toml-test corpus, errors included."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from checklist.load import source

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "toml-test" / "tests"


def _utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Files that are not UTF-8 never reach a parser: source.decode refuses them first.
FILES = sorted(p for p in CORPUS.rglob("*.toml") if _utf8(p)) if CORPUS.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"toml-test corpus not found at {CORPUS}")


def _same(value: Any) -> Any:
    """NaN is not equal to itself; compare it by name."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, dict):
        return {k: _same(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_same(v) for v in value]
    return value


def _outcome(parse: Any, text: str) -> tuple[str, Any]:
    try:
        return "ok", _same(parse(text))
    except tomllib.TOMLDecodeError as error:
        return "error", str(error)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_loads_agrees_with_tomllib(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert _outcome(source.loads, text) == _outcome(tomllib.loads, text)


def test_the_fast_parser_is_used() -> None:
    # The agreement above would hold trivially if rtoml were missing.
    assert source._fast is not None
