"""validate --format gitlab|sarif|junit: the reports CI servers read."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from checklist.model import Problem, Severity
from checklist.render import ci
from checklist.rules.registry import RULES
from conftest import REPO, VALID_UNIT

# The published OASIS schema (errata01), as in oasis-tcs/sarif-spec Schemata/, unchanged:
# sha256 c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e.
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"

# jsonschema checks "uri" formats only with an optional package; RFC 3986's characters
# (anything else percent-encoded) and, for "uri", a scheme, checked here instead.
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("uri-reference")
def _uri_reference(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_CHARS.fullmatch(value))


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return _uri_reference(value) and bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value))


@pytest.fixture(autouse=True)
def _no_ci(monkeypatch):
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)


def _unit(**replace: str) -> str:
    text = VALID_UNIT
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


TYPO = _unit(**{'owner = "张伟"': 'ownr = "张伟"'})
# Two tasks of one measure with one title: a warning (W401), valid otherwise.
WARNED = _unit(**{'title = "读书班结业"': 'title = "理论学习中心组专题学习"'})


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def _campaign(write_unit, monkeypatch, **units: str) -> Path:
    path = None
    for n, (name, text) in enumerate(units.items()):  # each its own unit id
        path = write_unit(f"{name}.toml", text.replace('id = "erqi-test"', f'id = "unit-{n}"'))
    assert path is not None
    folder = path.parents[2]
    monkeypatch.chdir(folder)
    return folder


def _problem(message: str = "unknown key", *, line: int = 3, **fields) -> Problem:
    values = {
        "file": "units/410103/a.toml",
        "line": line,
        "column": 1,
        "severity": Severity.ERROR,
        "code": "E101",
        "rule": "unknown-key",
        "message": message,
    }
    return Problem(**(values | fields))


# --- GitLab Code Quality ----------------------------------------------------------------


def test_gitlab_issues(cli, write_unit, monkeypatch):
    _campaign(write_unit, monkeypatch, bad=TYPO, warned=WARNED, good=VALID_UNIT)
    result = cli("validate", "--format", "gitlab", "units")
    assert result.code == 1
    issues = json.loads(result.out)
    assert len(issues) == 2
    by_code = {issue["check_name"]: issue for issue in issues}
    error = by_code["E101 unknown-key"]
    assert error["severity"] == "major"
    assert error["location"] == {
        "path": "units/410103/bad.toml",
        "lines": {"begin": _line_of(TYPO, "ownr")},
    }
    assert error["description"].startswith('E101 unknown key "ownr" in [study]')
    assert re.fullmatch(r"[0-9a-f]{64}", error["fingerprint"])
    warning = by_code["W401 duplicate-task-title"]
    assert warning["severity"] == "minor"
    assert warning["location"]["path"] == "units/410103/warned.toml"
    assert "Found 1 error and 1 warning in 2 files (checked 3)." in result.err


def test_gitlab_with_no_problems_is_an_empty_list(cli, write_unit, monkeypatch):
    _campaign(write_unit, monkeypatch, good=VALID_UNIT)
    result = cli("validate", "--format", "gitlab", "units")
    assert (result.code, json.loads(result.out)) == (0, [])


def test_gitlab_fingerprint_survives_lines_added_above(cli, write_unit, monkeypatch):
    folder = _campaign(write_unit, monkeypatch, bad=TYPO)
    before = json.loads(cli("validate", "-f", "gitlab", "units").out)
    path = folder / "units" / "410103" / "bad.toml"
    path.write_text("# one\n# two\n\n" + TYPO.replace("[study]", "# moved\n[study]"), "utf-8")
    after = json.loads(cli("validate", "-f", "gitlab", "units").out)
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    assert after[0]["location"]["lines"]["begin"] == before[0]["location"]["lines"]["begin"] + 4


def test_gitlab_identical_problems_get_distinct_fingerprints(cli, write_unit, monkeypatch):
    # One unusable id on two tasks: the same message twice, on two lines.
    text = VALID_UNIT.replace("[[study.tasks]]\n", '[[study.tasks]]\nid = "a b"\n')
    folder = _campaign(write_unit, monkeypatch, twice=text)
    issues = json.loads(cli("validate", "-f", "gitlab", "units").out)
    assert [i["check_name"] for i in issues] == ["E210 bad-id"] * 2
    assert issues[0]["description"] == issues[1]["description"]
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]
    # Lines added between them move the second, and change neither fingerprint.
    path = folder / "units" / "410103" / "twice.toml"
    second = '[[study.tasks]]\nid = "a b"\ntitle = "读书班结业"'
    assert second in text
    path.write_text(text.replace(second, "# a\n# b\n" + second), "utf-8")
    moved = json.loads(cli("validate", "-f", "gitlab", "units").out)
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]
    assert moved[0]["location"] == issues[0]["location"]
    assert moved[1]["location"]["lines"]["begin"] == issues[1]["location"]["lines"]["begin"] + 2


def test_fingerprints_depend_on_file_code_message_and_occurrence_only():
    first, moved = ci.fingerprints([_problem(line=3)]), ci.fingerprints([_problem(line=90)])
    assert first == moved
    twice = ci.fingerprints([_problem(line=3), _problem(line=9)])
    assert twice[0] == first[0]
    assert twice[1] != twice[0]
    others = [
        _problem(file="units/410103/b.toml"),
        _problem(code="E102"),
        _problem("unknown key 2"),
    ]
    assert len({*ci.fingerprints(others[:1]), *ci.fingerprints(others[1:2]), first[0]}) == 3
    assert ci.fingerprints(others[2:]) != first
    # A position inside the message (a TOML syntax error) moves with the lines too.
    assert ci.fingerprints([_problem("expected '=' (at line 4, column 7)")]) == ci.fingerprints(
        [_problem("expected '=' (at line 9, column 7)", line=9)]
    )


def test_gitlab_paths_relative_to_the_project(cli, write_unit, monkeypatch, tmp_path):
    path = write_unit("bad.toml", TYPO)
    monkeypatch.setenv("CI_PROJECT_DIR", str(path.parents[2]))
    monkeypatch.chdir(tmp_path)
    issues = json.loads(cli("validate", "-f", "gitlab", path).out)
    assert issues[0]["location"]["path"] == "units/410103/bad.toml"


# --- SARIF ------------------------------------------------------------------------------


def _sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=FORMATS)


def test_the_uri_checks_can_fail():
    assert not _uri("docs/rules.md#e101")
    assert not _uri_reference("units/二七/a b.toml")
    assert _uri("https://example.cn/docs/rules.md#e101-unknown-key")
    assert _uri_reference("units/%E4%BA%8C/a%20b.toml")
    log = ci.sarif_log([_problem(file="units/二七.toml")], version="1")
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = (
        "units/二七.toml"
    )
    assert list(_sarif_validator().iter_errors(log))


def test_sarif_is_valid_and_matches_the_json_report(cli, write_unit, monkeypatch):
    _campaign(write_unit, monkeypatch, bad=TYPO, warned=WARNED, 二七=TYPO.replace("erqi", "b"))
    result = cli("validate", "--format", "sarif", "units")
    assert result.code == 1
    log = json.loads(result.out)
    errors = sorted(_sarif_validator().iter_errors(log), key=str)
    assert not errors, errors[0]
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "checklist"
    from checklist import __version__

    assert driver["version"] == __version__
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)
    # The same problems as the JSON report, location for location.
    problems = json.loads(cli("validate", "--format", "json", "units").out)["problems"]
    assert len(run["results"]) == len(problems) == 3
    for result_, problem in zip(run["results"], problems, strict=True):
        assert result_["ruleId"] == problem["code"]
        assert driver["rules"][result_["ruleIndex"]]["id"] == problem["code"]
        assert result_["level"] == problem["severity"]
        assert result_["message"]["text"].startswith(problem["message"])
        (location,) = result_["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "SRCROOT"
        assert unquote(artifact["uri"]) == problem["file"]
        region = location["physicalLocation"]["region"]
        assert region["startLine"] == problem["line"]
        assert region["startColumn"] == problem["column"]
        assert region.get("endLine") == problem["end_line"]
        assert region.get("endColumn") == problem["end_column"]
    assert "%E4%BA%8C%E4%B8%83" in json.dumps(run["results"])  # 二七, percent-encoded
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"].endswith("/")


def test_sarif_typo_region_covers_the_key(cli, write_unit, monkeypatch):
    _campaign(write_unit, monkeypatch, bad=TYPO)
    (result,) = json.loads(cli("validate", "-f", "sarif", "units").out)["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    line = _line_of(TYPO, "ownr")
    # SARIF's end column is the one after the region: "ownr" is columns 1 to 4.
    assert region == {"startLine": line, "startColumn": 1, "endLine": line, "endColumn": 5}


def test_sarif_rules_have_help_and_a_link_to_their_section(monkeypatch):
    headings = {
        line[3:].strip().lower().replace(" ", "-")
        for line in (REPO / "docs" / "rules.md").read_text("utf-8").splitlines()
        if line.startswith("## ")
    }
    monkeypatch.setattr(ci, "docs_url", lambda: "https://git.example.cn/office/checklist/docs")
    log = ci.sarif_log([], version="9.9.9")
    assert not list(_sarif_validator().iter_errors(log))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(RULES)
    for rule in rules:
        assert rule["shortDescription"]["text"] == RULES[rule["id"]].summary
        assert rule["name"] == RULES[rule["id"]].name
        assert rule["help"]["text"]
        base, anchor = rule["helpUri"].split("#")
        assert base == "https://git.example.cn/office/checklist/docs/rules.md"
        assert anchor in headings
        assert f"docs/rules.md#{anchor}" in rule["help"]["markdown"]


def test_sarif_without_a_documentation_url_has_no_help_uri(monkeypatch):
    monkeypatch.setattr(ci, "docs_url", lambda: None)
    rules = ci.sarif_log([], version="1")["runs"][0]["tool"]["driver"]["rules"]
    assert all("helpUri" not in rule for rule in rules)
    assert "docs/rules.md#e101-unknown-key" in rules[8]["help"]["text"]


def test_sarif_regions_stay_valid_at_the_edges():
    problems = [
        _problem(line=0, column=0),  # a file that could not be read: no region
        _problem(line=2, column=5, end_line=2, end_column=5),  # empty span: start only
        _problem(line=2, column=5, end_line=4, end_column=1),  # multi-line
    ]
    log = ci.sarif_log(problems, version="1")
    assert not list(_sarif_validator().iter_errors(log))
    locations = [r["locations"][0]["physicalLocation"] for r in log["runs"][0]["results"]]
    assert "region" not in locations[0]
    assert locations[1]["region"] == {"startLine": 2, "startColumn": 5, "endLine": 2}
    assert locations[2]["region"] == {
        "startLine": 2,
        "startColumn": 5,
        "endLine": 4,
        "endColumn": 1,
    }


# --- JUnit XML --------------------------------------------------------------------------


def _junit(text: str) -> ET.Element:
    root = ET.fromstring(text.encode())
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite"
    assert suite.get("name") == "checklist validate"
    return suite


def test_junit_one_case_per_file(cli, write_unit, monkeypatch):
    folder = _campaign(write_unit, monkeypatch, bad=TYPO, warned=WARNED, good=VALID_UNIT)
    other = folder / "units" / "410105" / "jinshui.toml"
    other.parent.mkdir()
    other.write_text(VALID_UNIT.replace("erqi-test", "jinshui").replace("410103", "410105"))
    result = cli("validate", "--format", "junit", "units")
    assert result.code == 1
    suite = _junit(result.out)
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert sorted(cases) == [
        "units/410103/bad.toml",
        "units/410103/good.toml",
        "units/410103/warned.toml",
        "units/410105/jinshui.toml",
    ]
    assert cases["units/410105/jinshui.toml"].get("classname") == "410105"
    assert cases["units/410103/bad.toml"].get("classname") == "410103"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "0")
    failure = cases["units/410103/bad.toml"].find("failure")
    assert failure is not None
    assert failure.get("message") == "1 error"
    assert failure.get("type") == "E101"
    line = _line_of(TYPO, "ownr")
    assert failure.text.startswith(f'{line}:1 error[E101] unknown key "ownr" in [study]')
    # Without --strict a warning does not fail its file, as it does not fail the run.
    warned = cases["units/410103/warned.toml"]
    assert warned.find("failure") is None
    assert "warning[W401]" in warned.find("system-out").text
    assert list(cases["units/410103/good.toml"]) == []


def test_junit_strict_fails_on_warnings(cli, write_unit, monkeypatch):
    _campaign(write_unit, monkeypatch, warned=WARNED)
    relaxed = cli("validate", "--format", "junit", "units")
    assert relaxed.code == 0
    assert _junit(relaxed.out).get("failures") == "0"
    strict = cli("validate", "--format", "junit", "--strict", "units")
    assert strict.code == 1
    suite = _junit(strict.out)
    assert suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure.get("message") == "1 warning"
    assert "warning[W401]" in failure.text


HOSTILE = (
    "a]]>b <script>alert('x')</script> & \"q\" \x00\x01\x08\x0b\x0c\x1b\x7f\ufffe\uffff\ud800 z"
)


def test_junit_escapes_hostile_text():
    problem = _problem(HOSTILE, file=f"units/410103/{HOSTILE}.toml", hint=HOSTILE)
    out = _Out()
    ci.write_junit([problem], out, files=[problem.file], strict=False)
    out.text.encode("utf-8")  # no lone surrogate survives
    assert "<script>" not in out.text
    assert "]]>b" not in out.text.replace("]]&gt;b", "")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", out.text)
    suite = _junit(out.text)
    case = suite.find("testcase")
    assert "]]>b <script>alert('x')</script> & \"q\"" in case.get("name")
    assert "]]>b <script>alert('x')</script> & \"q\"" in case.find("failure").text
    assert case.find("failure").text.count("\n") == 0  # one problem, one line


def test_junit_escapes_hostile_file_names(cli, write_unit, monkeypatch):
    name = "<script>]]>&\x01\x1b"
    _campaign(write_unit, monkeypatch, **{name: TYPO, "good": VALID_UNIT})
    result = cli("validate", "--format", "junit", "units")
    assert result.code == 1
    suite = _junit(result.out)
    names = sorted(case.get("name") for case in suite.iter("testcase"))
    assert names == ["units/410103/<script>]]>&␁␛.toml", "units/410103/good.toml"]


def test_county_of():
    assert ci.county_of("units/410103/a.toml") == "410103"
    assert ci.county_of("units/a.toml") == "units"
    assert ci.county_of("a.toml") == "units"
    assert ci.county_of("campaign.toml") == "campaign"
    assert ci.county_of("units/410103/deeper/a.toml") == "410103"


class _Out:
    text = ""

    def write(self, s: str) -> None:
        self.text += s


# --- all three --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gitlab", "sarif", "junit"])
def test_output_file_and_exit_code(cli, write_unit, monkeypatch, tmp_path, fmt):
    _campaign(write_unit, monkeypatch, bad=TYPO)
    report = tmp_path / f"report.{fmt}"
    result = cli("validate", "--format", fmt, "--output-file", report, "units")
    assert result.code == 1
    assert result.out == ""
    text = report.read_text("utf-8")
    assert "ownr" in text
    assert text == cli("validate", "--format", fmt, "units").out


@pytest.mark.parametrize("fmt", ["gitlab", "sarif", "junit"])
def test_broken_campaign_is_reported_too(cli, write_unit, monkeypatch, fmt):
    folder = _campaign(write_unit, monkeypatch, good=VALID_UNIT)
    (folder / "campaign.toml").write_text("[campaign\n", "utf-8")
    result = cli("validate", "--format", fmt, "units")
    assert result.code == 2
    assert "campaign.toml" in result.out
    if fmt == "junit":
        case = _junit(result.out).find("testcase")
        assert (case.get("name"), case.get("classname")) == ("campaign.toml", "campaign")
        assert "error[E005]" in case.find("failure").text


# --- the README's GitLab CI snippet -----------------------------------------------------


def _gitlab_snippet() -> str:
    readme = (REPO / "README.md").read_text("utf-8")
    (block,) = [b for b in readme.split("```yaml\n")[1:] if b.startswith("# .gitlab-ci.yml")]
    return block.split("```", 1)[0]


@pytest.mark.parametrize("broken", [True, False])
def test_the_readme_gitlab_ci_snippet_works(cli, monkeypatch, tmp_path, broken):
    import shlex
    import shutil

    snippet = _gitlab_snippet()
    reports = dict(re.findall(r"^ {6}(codequality|junit): (\S+)$", snippet, re.MULTILINE))
    assert set(reports) == {"codequality", "junit"}
    assert re.search(r"^ {4}when: always$", snippet, re.MULTILINE)  # reports of failed runs
    commands = re.findall(r"^ {4}- (checklist .*)$", snippet, re.MULTILINE)
    assert len(commands) == 2
    project = tmp_path / "project"
    shutil.copytree(REPO / "examples" / "zhengzhou", project)
    units = sorted((project / "units").rglob("*.toml"))
    if broken:
        text = units[0].read_text("utf-8")
        units[0].write_text(text.replace("[unit]\n", "[unit]\nbogus = 1\n", 1), "utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("CI_PROJECT_DIR", str(project))
    codes = []
    for command in commands:
        line, _, fallback = command.partition(" || ")
        code = cli(*shlex.split(line)[1:]).code
        codes.append(0 if fallback == "true" else code)
        assert code == (1 if broken else 0)
    assert codes[-1] == (1 if broken else 0)  # the job fails exactly when there are problems
    issues = json.loads((project / reports["codequality"]).read_text("utf-8"))
    suite = _junit((project / reports["junit"]).read_text("utf-8"))
    assert suite.get("tests") == str(len(units))
    if broken:
        (issue,) = issues
        assert issue["location"]["path"] == units[0].relative_to(project).as_posix()
        assert suite.get("failures") == "1"
    else:
        assert issues == []
        assert suite.get("failures") == "0"


# --- the README's GitHub Actions snippet ------------------------------------------------


def test_the_readme_github_actions_snippet_annotates_in_the_campaigns_language(
    cli, monkeypatch, tmp_path
):
    """The workflow's `checklist validate` line, as a runner runs it: GITHUB_ACTIONS=true,
    a C.UTF-8 locale, so the clerks read the example campaign's Chinese."""
    import shlex
    import shutil

    readme = (REPO / "README.md").read_text("utf-8")
    (block,) = [b for b in readme.split("```yaml\n")[1:] if b.startswith("# .github/workflows/")]
    (command,) = re.findall(r"^ {6}- run: (checklist .*)$", block, re.MULTILINE)
    project = tmp_path / "project"
    shutil.copytree(REPO / "examples" / "zhengzhou", project)
    unit = sorted((project / "units").rglob("*.toml"))[0]
    unit.write_text(unit.read_text("utf-8").replace("[unit]\n", "[unit]\nbogus = 1\n", 1), "utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project))
    monkeypatch.delenv("LC_MESSAGES")
    monkeypatch.setenv("LANG", "C.UTF-8")

    result = cli(*shlex.split(command)[1:])

    assert result.code == 1
    (annotation,) = result.out.splitlines()
    path = unit.relative_to(project).as_posix()
    assert annotation.startswith(f"::error file={path},line=5,col=1,")
    assert re.search(r"[\u4e00-\u9fff]", annotation.split("::")[-1])
    assert "bogus" in annotation
