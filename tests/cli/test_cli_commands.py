"""The commands: ``new``, ``build``, ``check``, ``preview`` (usage only), ``layouts``.

Most run in-process with Typer's ``CliRunner``; the golden and byte-for-byte
tests run ``python -m bulletin`` as a real subprocess, as an editor would.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from pytest_regressions.file_regression import FileRegressionFixture
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.errors import BulletinError, ContentErrorGroup
from tests.conftest import EXAMPLE_NAMES, EXAMPLES
from tests.e2e.test_examples import GOLDEN, readable

runner = CliRunner()

JANUARY = EXAMPLES / "dscp-2025-01" / "edition.md"
FEBRUARY = EXAMPLES / "dscb-2019-02" / "edition.md"
BROKEN = (
    "---\ntitle: News\ndate: 2025-01-15\n---\n"
    "# Training\n\n"
    "Text.\n\n"
    "See [the archive](ftp://x.org/).\n\n"
    "<b>Bold</b>\n\n"
    "![](pic.png)\n"
)
"""An edition with three problems, on lines 9, 11 and 13."""
PLACED = re.compile(r"^\S+:\d+:\d+: ")
"""The start of a line that says where a problem is: file:line:col:"""


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "edition.md"
    path.write_text(BROKEN, encoding="utf-8")
    return path


# new, build, check --------------------------------------------------------------


def test_new_then_build_then_check(tmp_path: Path) -> None:
    folder = tmp_path / "news"

    made = runner.invoke(app, ["new", str(folder)])

    assert made.exit_code == 0, made.output
    wrote = [line for line in made.stdout.splitlines() if "wrote" in line]
    assert len(wrote) == 4
    edition = folder / "edition.md"
    assert f"bulletin build {edition}" in made.stdout

    built = runner.invoke(app, ["build", str(edition), "--out", str(folder / "out")])

    assert built.exit_code == 0, built.output
    assert built.stderr == "", "no warnings"
    assert len(list((folder / "out").glob("*.eml"))) == 1

    checked = runner.invoke(app, ["check", "--strict", str(edition)])

    assert checked.exit_code == 0, checked.output
    assert re.fullmatch(  # no findings: the summary line alone
        r"0 errors, 0 warnings; email \d+ KB of 102 KB: ready to send\n",
        checked.stdout,
    )


def test_new_into_a_folder_with_a_bulletin_toml_fails_in_one_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "bulletin.toml").write_text("schema = 1\n", encoding="utf-8")

    result = runner.invoke(app, ["new", str(tmp_path)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{tmp_path / 'bulletin.toml'}: is already there and bulletin new never "
        "overwrites; choose a new folder, e.g. bulletin new my-bulletin\n"
    )
    assert (tmp_path / "bulletin.toml").read_text(encoding="utf-8") == "schema = 1\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bulletin.toml"]


def test_build_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"

    result = runner.invoke(app, ["build", str(FEBRUARY), "-o", str(out)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.fullmatch(
        r"Built 'February 2019 newsletter' \(classic\) in \d+ ms", lines[0]
    )
    slug = "february-2019-newsletter"
    for name, role in [
        (f"{slug}.html", "the email"),
        (f"{slug}.txt", "its plain-text version"),
        (f"{slug}.web.html", "the view-online page"),
        (f"{slug}.eml", "open in a mail client"),
    ]:
        [line] = [line for line in lines if f"/{name} " in line]
        size = (out / name).stat().st_size
        assert f" {size / 1024:.0f} KB  {role}" in line
    [images] = [line for line in lines if line.endswith("images")]
    assert images.endswith("KB  2 images")
    assert "assets/" in images
    assert re.fullmatch(
        r"  8 sections, 5 articles; email HTML \d+ KB of Gmail's 102 KB", lines[-1]
    )


def test_build_with_another_layout_says_so(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["build", str(FEBRUARY), "-o", str(tmp_path), "--layout", "compact"]
    )

    assert result.exit_code == 0, result.output
    assert "(compact)" in result.stdout.splitlines()[0]


def test_check_json() -> None:
    result = runner.invoke(app, ["check", "--format", "json", str(JANUARY)])

    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["errors"] == 0
    assert report["warnings"] == len(report["findings"]) >= 2
    assert report["html_bytes"] < report["clip_bytes"]
    assert {item["code"] for item in report["findings"]} == {"vague-link"}
    assert report["findings"][0]["file"] == str(JANUARY)


def test_check_json_of_a_broken_edition(broken: Path) -> None:
    result = runner.invoke(app, ["check", "-f", "json", str(broken)])

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["errors"], report["warnings"]) == (3, 0)
    assert [item["line"] for item in report["findings"]] == [9, 11, 13]


@pytest.mark.slow
def test_check_prints_each_problem_once(tmp_path: Path) -> None:
    """As a subprocess: under pytest, its log capture would hide the stray lines."""
    (tmp_path / "bulletin.toml").write_text(
        'schema = 1\nunsubscribe_url = "https://www.example.org/u?token={token}"\n'
        '[sender]\nname = "Example Partnership"\naddress = "news@example.org"\n'
        '[colours]\ntext = "#dddddd"\n',
        encoding="utf-8",
    )
    edition = tmp_path / "edition.md"
    edition.write_text(
        "---\ntitle: News\ndate: 2025-01-15\npreheader: Training\n---\n"
        "# Training\n\nText.\n",
        encoding="utf-8",
    )

    result = subprocess.run(
        [sys.executable, "-m", "bulletin", "check", "--format", "json", str(edition)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [item["code"] for item in report["findings"]] == ["contrast"]
    assert result.stderr == ""


def test_check_strict_fails_on_warnings() -> None:
    relaxed = runner.invoke(app, ["check", str(JANUARY)])
    strict = runner.invoke(app, ["check", "--strict", str(JANUARY)])

    assert relaxed.exit_code == 0
    assert relaxed.stdout.splitlines()[-1].endswith(": ready to send")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-1].endswith(": not ready")
    warnings = [line for line in strict.stdout.splitlines() if ": warning: " in line]
    assert warnings
    assert all(line.startswith(f"{JANUARY}:") for line in warnings)
    assert re.match(
        rf"0 errors, {len(warnings)} warnings; ", strict.stdout.splitlines()[-1]
    )


def test_check_strict_passes_a_clean_edition() -> None:
    result = runner.invoke(app, ["check", "--strict", str(FEBRUARY)])

    assert result.exit_code == 0
    assert result.stdout.startswith("0 errors, 0 warnings; ")


@pytest.mark.parametrize(
    ("command", "summary"),
    [
        ("build", "3 problems; nothing was written"),
        ("check", "3 errors, 0 warnings: not ready"),
    ],
)
def test_three_errors_are_three_placed_lines_and_a_summary(
    broken: Path, tmp_path: Path, command: str, summary: str
) -> None:
    out = tmp_path / "out"
    args = [command, str(broken)] + (["-o", str(out)] if command == "build" else [])

    result = runner.invoke(app, args)

    assert result.exit_code == 1
    assert not isinstance(result.exception, BulletinError)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception), result.exception
    lines = result.output.splitlines()
    assert len(lines) == 4, lines
    assert [PLACED.match(line) is not None for line in lines] == [True] * 3 + [False]
    assert [line.split(": ", 1)[0] for line in lines[:3]] == [
        f"{broken}:9:19",
        f"{broken}:11:1",
        f"{broken}:13:1",
    ]
    assert lines[3] == summary
    assert not out.exists()


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.md"

    result = runner.invoke(app, ["build", str(missing)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{missing}: cannot read")
    assert result.stderr.endswith("No such file or directory\n")
    assert result.stderr.count("\n") == 1


def test_check_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.md"

    result = runner.invoke(app, ["check", str(missing)])

    assert result.exit_code == 1
    finding, summary = result.stdout.splitlines()
    assert finding.startswith(f"{missing}: error: cannot read")
    assert finding.endswith(": No such file or directory")
    assert summary == "1 error, 0 warnings: not ready"


def test_debug_lets_the_exception_through(broken: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["--debug", "build", str(broken), "-o", str(tmp_path / "out")],
        catch_exceptions=True,
    )

    assert isinstance(result.exception, ContentErrorGroup)
    assert len(result.exception.exceptions) == 3
    assert result.exc_info is not None
    frames = "".join(traceback.format_tb(result.exc_info[2]))
    assert "build.py" in frames
    assert "source.py" in frames


def test_without_debug_the_same_failure_is_an_exit_code(broken: Path) -> None:
    """The same command once --debug has been used: the flag does not stick."""
    runner.invoke(app, ["--debug", "build", str(broken)], catch_exceptions=True)

    result = runner.invoke(app, ["build", str(broken)], catch_exceptions=True)

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)


@pytest.mark.slow
def test_debug_prints_the_traceback_in_a_terminal(broken: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bulletin", "--debug", "build", str(broken)],
        capture_output=True,
        text=True,
        cwd=broken.parent,
        check=False,
    )

    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "raw HTML is not allowed" in result.stderr


# help, preview, layouts --------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "new",
        "build",
        "check",
        "preview",
        "layouts",
    ],
)
def test_help_has_examples(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])

    assert result.exit_code == 0
    assert "Examples" in result.stdout
    assert f"bulletin {command}" in result.stdout.split("Examples", 1)[1]


def test_preview_screenshot_needs_a_folder() -> None:
    result = runner.invoke(app, ["preview", str(JANUARY), "--screenshot"])

    assert result.exit_code == 2
    assert "'--screenshot' requires an argument" in result.stderr


def test_preview_needs_an_edition() -> None:
    result = runner.invoke(app, ["preview"])

    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_preview_screenshot_of_a_broken_edition_takes_none(
    broken: Path, tmp_path: Path
) -> None:
    shots = tmp_path / "shots"

    result = runner.invoke(app, ["preview", str(broken), "--screenshot", str(shots)])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception), result.exception
    assert result.stderr.splitlines()[-1] == "3 problems; nothing was written"
    assert not shots.exists()


def test_layouts_lists_built_in_and_own_layouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "my-layouts" / "green"
    own.mkdir(parents=True)
    (own / "layout.toml").write_text(
        'description = "Classic in green."\nextends = "classic"\n'
        '[colours]\nbrand = "#1f5c3a"\n',
        encoding="utf-8",
    )
    (tmp_path / "bulletin.toml").write_text(
        'schema = 1\nlayout_paths = ["my-layouts"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(app, ["layouts"])

    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["green", "classic", "compact"]
    assert result.stdout.splitlines()[0].endswith("Classic in green.")


# As a subprocess: golden files and identical bytes ------------------------------


def build_in_subprocess(edition: Path, out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "bulletin", "build", str(edition), "--out", str(out)],
        capture_output=True,
        check=True,
        cwd=out.parent,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_built_files_match_the_golden_files(
    name: str,
    tmp_path: Path,
    file_regression: FileRegressionFixture,
) -> None:
    """The CLI's files are the example goldens (tests/e2e/golden/), not copies of them."""
    first, second = tmp_path / "first", tmp_path / "second"
    build_in_subprocess(EXAMPLES / name / "edition.md", first)
    build_in_subprocess(EXAMPLES / name / "edition.md", second)
    [html] = [
        path for path in first.glob("*.html") if not path.name.endswith(".web.html")
    ]
    [text] = first.glob("*.txt")
    [eml] = first.glob("*.eml")

    file_regression.check(
        readable(html.read_text(encoding="utf-8")), fullpath=GOLDEN / f"{name}.html"
    )
    file_regression.check(
        text.read_text(encoding="utf-8"), fullpath=GOLDEN / f"{name}.txt"
    )
    assert eml.read_bytes() == (second / eml.name).read_bytes()
    assert sorted(path.name for path in (first / "assets").iterdir()) == sorted(
        path.name for path in (second / "assets").iterdir()
    )


def test_a_python_edition_error_points_at_its_line(tmp_path: Path) -> None:
    edition = tmp_path / "edition.py"
    edition.write_text(
        "from bulletin import Edition\n\nedition = Edition('News', 15)\n",
        encoding="utf-8",
    )

    result = runner.invoke(app, ["build", str(edition), "-o", str(tmp_path / "out")])

    assert result.exit_code == 1
    assert result.stderr.startswith(f"{edition}:3: edition date 15 must be a date")
    assert not (tmp_path / "out").exists()
