"""The Makefile's interpreter for its virtualenvs: `PYTHON=`, else the first of python3.13,
python3.12, python3.11 and python3 that is Python 3.11 or newer; with none, one line that says
which versions work.

Each case runs `make --dry-run --always-make` in this repository with a `PATH` holding only
stand-in interpreters in a temp dir, so the result does not depend on the Pythons this machine has.
A stand-in answers `--version` as a real interpreter does, which is all the Makefile asks of it;
a dry run prints the commands a target would run and runs none.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
VENV_TARGETS = ["venv", "policy-venv", "constraints", "install-check"]
NOT_INSTALLED = None
"""A pyenv shim for a version pyenv does not have: it fails, as `pyenv: python3.13: command not
found` does."""


def stand_in(path: Path, version: str | None) -> None:
    if version is NOT_INSTALLED:
        body = f'echo "pyenv: {path.name}: command not found" >&2\nexit 127\n'
    else:
        body = f'echo "Python {version}"\n'
    path.write_text(f"#!/bin/sh\n{body}")
    path.chmod(0o755)


def dry_run(
    target: str, interpreters: dict[str, str | None], tmp_path: Path, *variables: str
) -> subprocess.CompletedProcess[str]:
    """`make -n -B target` with only `interpreters` (name: what `--version` says) on PATH.

    The environment holds nothing else: neither a PYTHON nor a parent make's MAKEFLAGS reaches it.
    """
    assert MAKE, "make is not on PATH"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, version in interpreters.items():
        stand_in(bin_dir / name, version)
    return subprocess.run(
        [MAKE, "--dry-run", "--always-make", target, *variables],
        cwd=ROOT,
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("interpreters", "chosen"),
    [
        ({"python3.12": "3.12.8"}, "python3.12"),
        ({"python3.13": "3.13.1"}, "python3.13"),
        ({"python3": "3.12.8"}, "python3"),
        (
            {
                "python3.13": "3.13.1",
                "python3.12": "3.12.8",
                "python3.11": "3.11.7",
                "python3": "3.13.1",
            },
            "python3.13",
        ),
        (
            {"python3.13": NOT_INSTALLED, "python3.12": NOT_INSTALLED, "python3.11": "3.11.7"},
            "python3.11",
        ),
        ({"python3": "3.10.14", "python3.11": "3.11.7"}, "python3.11"),
    ],
    ids=[
        "3.12-only",
        "3.13-only",
        "python3-is-3.12",
        "all",
        "pyenv-shims-not-installed",
        "python3-too-old",
    ],
)
def test_make_venv_uses_the_first_python_3_11_or_newer(
    interpreters: dict[str, str | None], chosen: str, tmp_path: Path
):
    result = dry_run("venv", interpreters, tmp_path)

    assert result.returncode == 0, result.stderr
    assert f"{chosen} -m venv .venv\n" in result.stdout


@pytest.mark.parametrize("target", VENV_TARGETS)
def test_every_target_that_makes_a_virtualenv_uses_the_choice(target: str, tmp_path: Path):
    result = dry_run(target, {"python3.12": "3.12.8", "python3": "3.10.14"}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "python3.12 -m venv " in result.stdout


def test_python_given_on_the_command_line_wins(tmp_path: Path):
    result = dry_run(
        "venv", {"python3.13": "3.13.1", "python3.12": "3.12.8"}, tmp_path, "PYTHON=python3.12"
    )

    assert result.returncode == 0, result.stderr
    assert "python3.12 -m venv .venv\n" in result.stdout


@pytest.mark.parametrize("target", VENV_TARGETS)
def test_without_python_3_11_or_newer_make_stops_with_one_line(target: str, tmp_path: Path):
    result = dry_run(target, {"python3": "3.10.14", "python3.10": "3.10.14"}, tmp_path)

    assert result.returncode != 0
    assert " -m venv" not in result.stdout
    [line] = result.stderr.splitlines()
    assert "no Python 3.11 or newer on PATH" in line
    assert "install Python 3.11, 3.12 or 3.13, or pass PYTHON=" in line


def test_targets_that_make_no_virtualenv_run_without_python(tmp_path: Path):
    result = dry_run("clean", {"python3": "3.10.14"}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
