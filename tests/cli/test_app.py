"""The `scim-setup` console script is installed and answers like a CLI a pipeline can call."""

import ast
import subprocess
import sys

from tests.support.console_script import SCRIPT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_console_script_prints_its_version() -> None:
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("scim-setup 0.")


def test_unknown_subcommand_fails_without_traceback() -> None:
    result = run("no-such-command")
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_app_loads_neither_the_pulumi_sdk_nor_pydantic_until_a_command_needs_them() -> None:
    """`status` and `review` of one stack run without them (~0.3 s and ~70 ms of start-up)."""
    probe = "import sys, scim_setup.cli.app; print(sorted({m.split('.')[0] for m in sys.modules}))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )

    loaded = set(ast.literal_eval(result.stdout))
    assert "typer" in loaded, "the probe did not import the app"
    assert not loaded & {"pulumi", "pydantic", "pydantic_core"}
