"""`pulumi new <this repository>` with the real CLI: the `template:` section of Pulumi.yaml makes it
prompt for the Dashboard config, and the admin token is stored encrypted.

PYTEST_DONT_REWRITE: this test types a token; a failing assertion must not print it.

The CLI prompts only on a terminal, so the test gives it a pseudo-terminal and answers each prompt
as a person would. Values given with `pulumi new --config` skip the prompts and, by the CLI's
design, the template's secret flag too: they are stored as given (the program then refuses a plain
admin token, see tests/components/test_stack_config.py). `pulumi new` also creates the project's
virtualenv and updates pip in it, so the package index must be reachable, as for `make venv`.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import yaml

from tests.engine.conftest import ROOT

TOKEN = "template-test-admin-token"
URL = "https://backup.example.com"
PROMPTS = [
    # The CLI asks for the template's keys in sorted order, each with its description.
    ("Admin API token of a Dashboard administrator (stored encrypted) (dashboard:apiToken)", TOKEN),
    ("The Dashboard's base URL (https://…, as the administrators open it) (dashboard:url)", URL),
]
TIMEOUT_S = 180


def run_on_terminal(
    argv: list[str], cwd: Path, env: dict[str, str], answers: list[tuple[str, str]]
) -> tuple[int, str]:
    """Run `argv` with a pseudo-terminal as its console and type each answer once its prompt has
    appeared; return the exit code and everything the command printed."""
    controller, console = pty.openpty()
    with subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=console, stdout=console, stderr=console,
        start_new_session=True,
    ) as process:  # fmt: skip
        os.close(console)
        pending, printed, since_answer = list(answers), b"", b""
        deadline = time.monotonic() + TIMEOUT_S
        while (left := deadline - time.monotonic()) > 0 and select.select(
            [controller], [], [], left
        )[0]:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the command exited and closed its end of the terminal
                break
            printed, since_answer = printed + chunk, since_answer + chunk
            if pending and pending[0][0].encode() in since_answer:
                os.write(controller, pending.pop(0)[1].encode() + b"\r")
                since_answer = b""
        os.close(controller)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait(), printed.decode(errors="replace")


def test_pulumi_new_prompts_for_the_dashboard_config_and_encrypts_the_token(
    pulumi_cli: str, tmp_path: Path
):
    template = tmp_path / "template"
    template.mkdir()
    (template / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "state").mkdir()
    env = {
        **os.environ,
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "template-test",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # A terminal the CLI will prompt on, also on a CI runner.
        "TERM": "xterm-256color",
        "PULUMI_DISABLE_CI_DETECTION": "true",
    }
    project = tmp_path / "my-setup"
    argv = [pulumi_cli, "new", str(template), "--dir", str(project), "--stack", "dev"]
    argv += ["--name", "my-setup", "--description", "Our Dashboard's SCIM setup"]

    code, printed = run_on_terminal(argv, tmp_path, env, PROMPTS)

    assert TOKEN not in printed, "the token was echoed"
    assert code == 0, printed[-3000:]
    unanswered = [prompt for prompt, _ in PROMPTS if prompt not in printed]
    assert unanswered == []
    stack_file = (project / "Pulumi.dev.yaml").read_text()
    assert TOKEN not in stack_file, "the token is stored in plain text"
    config = yaml.safe_load(stack_file)["config"]
    assert config["dashboard:url"] == URL
    assert set(config["dashboard:apiToken"]) == {"secure"}
    stored = subprocess.run(
        [pulumi_cli, "config", "get", "dashboard:apiToken", "--stack", "dev"],
        cwd=project, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.strip() == TOKEN, "the encrypted value is not the token typed"
