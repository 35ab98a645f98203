"""The `scim-setup` console script is installed and answers like a CLI a pipeline can call."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "scim-setup"


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
