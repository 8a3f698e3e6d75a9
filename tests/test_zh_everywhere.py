"""Every finding the checks can make has its Chinese message, and its Chinese hint when
it has a hint: the source says so call by call, and real runs agree."""

from __future__ import annotations

import ast
import json
import re

import pytest
from tests.conftest import REPO

from checklist.cli.app import run

SOURCE = REPO / "src" / "checklist"
CJK = re.compile(r"[\u3400-\u9fff]")


def _finding_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                calls.append((f"{path.relative_to(REPO)}:{node.lineno}", node))
    return calls


def test_every_finding_in_the_source_is_written_in_chinese_too() -> None:
    calls = _finding_calls()
    assert len(calls) > 50  # the scan sees the checks
    for where, call in calls:
        keywords = {k.arg for k in call.keywords}
        if None in keywords:  # Finding(**fields): built from another finding
            continue
        assert "zh" in keywords, f"{where}: Finding without zh="
        if "hint" in keywords:
            assert "zh_hint" in keywords, f"{where}: hint= without zh_hint="


@pytest.mark.parametrize(
    "folder", ["examples/invalid", "examples/invalid/E213-bad-config-value"], ids=str
)
def test_every_problem_of_the_examples_speaks_chinese(
    folder: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    run(["validate", folder, "--format", "json", "--lang", "en"])
    english = json.loads(capsys.readouterr().out)["problems"]
    run(["validate", folder, "--format", "json", "--lang", "zh"])
    chinese = json.loads(capsys.readouterr().out)["problems"]
    assert len(english) == len(chinese) > 0
    for en, zh in zip(english, chinese, strict=True):
        where = f"{en['file']}:{en['line']}:{en['column']} {en['code']}"
        assert (en["code"], en["line"], en["column"]) == (zh["code"], zh["line"], zh["column"])
        assert CJK.search(zh["message"]), where
        assert (en["hint"] is None) == (zh["hint"] is None), where
        if zh["hint"]:
            assert CJK.search(zh["hint"]), where
