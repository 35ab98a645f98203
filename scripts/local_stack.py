"""A Pulumi stack on a local file backend, driven through the real `pulumi` CLI.

Used by `make demo` and the engine tests: no Pulumi Cloud, no plugin downloads, no update checks,
and nothing written outside the given work directory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def project_copy(work_dir: Path) -> Path:
    """A copy of this project's program in `work_dir/project`, using this interpreter's venv.

    Stack files (`Pulumi.<stack>.yaml`) written there stay out of the repository.
    """
    program = (ROOT / "__main__.py").read_text()
    return python_project(work_dir / "project", program, Path(sys.prefix))


def python_project(project_dir: Path, program: str, virtualenv: Path) -> Path:
    """Make `project_dir` a Pulumi Python project running `program` (the text of a
    `__main__.py`) in an existing virtualenv."""
    project_dir.mkdir(parents=True, exist_ok=True)
    (project_dir / "Pulumi.yaml").write_text(
        "name: scim-setup\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        "    toolchain: pip\n"
        f"    virtualenv: {virtualenv}\n"
    )
    (project_dir / "__main__.py").write_text(program)
    return project_dir


class PulumiCommandError(RuntimeError):
    def __init__(self, args: list[str], result: subprocess.CompletedProcess[str]) -> None:
        self.result = result
        command = " ".join(args)
        super().__init__(
            f"`pulumi {command}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )


class LocalStack:
    """One stack of the project in `project_dir`, with state and config kept under `work_dir`."""

    def __init__(
        self,
        project_dir: Path,
        work_dir: Path,
        stack: str,
        passphrase: str = "local",
        timeout: float | None = None,
    ) -> None:
        self.project_dir = project_dir
        self.timeout = timeout
        self.stack = stack
        self.config_file = work_dir / f"Pulumi.{stack}.yaml"
        state = work_dir / "state"
        state.mkdir(parents=True, exist_ok=True)
        self.state_dir = state
        self.env = {
            **os.environ,
            "PULUMI_HOME": str(work_dir / "pulumi-home"),
            "PULUMI_BACKEND_URL": state.resolve().as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": passphrase,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
        }
        for name in ("DASHBOARD_URL", "DASHBOARD_API_TOKEN", "PULUMI_ACCESS_TOKEN"):
            self.env.pop(name, None)
        self._transcript: list[str] = []

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> Any:
        """`pulumi ARGS --stack S`; returns the completed process."""
        argv = [*args, "--stack", self.stack, "--non-interactive"]
        result = _run_bounded(["pulumi", *argv], self.project_dir, self.env, stdin, self.timeout)
        if "--show-secrets" not in args:
            self._transcript += [result.stdout, result.stderr]
        if check and result.returncode != 0:
            raise PulumiCommandError(argv, result)
        return result

    def transcript(self) -> str:
        """Everything the CLI printed, but for commands that were asked to show secrets."""
        return "\n".join(self._transcript)

    def init(self, secrets_provider: str = "passphrase") -> None:
        """Create the stack; its secrets settings move to `config_file`, where `config set
        --config-file` and the commands below look for them."""
        self.run("stack", "init", "--secrets-provider", secrets_provider)
        settings = self.project_dir / f"Pulumi.{self.stack}.yaml"
        if settings.exists() and settings != self.config_file:
            settings.replace(self.config_file)

    def set_config(self, key: str, value: str, secret: bool = False) -> None:
        """Set a config value. A secret goes to `pulumi config set --secret` on stdin, never the
        process list, and is stored encrypted; a plain value is written into the stack's config
        file, as a pull request would change it, which saves starting the CLI (~0.1 s of CPU)."""
        if secret:
            self.run("config", "set", key, "--secret", *self.config_args(), stdin=value)
        else:
            self._write_config(key, value)

    def set_object_config(self, key: str, value: dict[str, Any] | list[Any]) -> None:
        """Set an object or list value (what `pulumi config set --path` builds), written into
        the stack's config file as a plain value."""
        self._write_config(key, value)

    def remove_config(self, key: str) -> None:
        """Remove a config value from the stack's config file (as `pulumi config rm` does)."""
        self._write_config(key, None)

    def _write_config(self, key: str, value: str | dict[str, Any] | list[Any] | None) -> None:
        """Set one plain value in the stack's config file, or remove it (None)."""
        if ":" not in key:
            raise ValueError(f"config key {key!r} needs its namespace, e.g. dashboard:url")
        settings = yaml.safe_load(self.config_file.read_text()) if self.config_file.exists() else {}
        settings = settings or {}
        config = settings.setdefault("config", {})
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
        if not config:
            del settings["config"]
        self.config_file.write_text(yaml.safe_dump(settings, sort_keys=False))

    def config_args(self) -> list[str]:
        return ["--config-file", str(self.config_file)]

    def up(self, *extra: str) -> Any:
        return self.run("up", "--yes", "--skip-preview", *self.config_args(), *extra)

    def preview(self, *extra: str, check: bool = True) -> Any:
        return self.run("preview", *self.config_args(), *extra, check=check)

    def refresh(self, *extra: str) -> Any:
        return self.run("refresh", "--yes", "--skip-preview", *self.config_args(), *extra)

    def destroy(self, *extra: str) -> Any:
        return self.run("destroy", "--yes", "--skip-preview", *self.config_args(), *extra)

    def remove(self) -> None:
        self.run("stack", "rm", "--yes", "--force")

    def outputs(self, show_secrets: bool = False) -> dict[str, Any]:
        """The stack's outputs, as `pulumi stack output --json` prints them: without
        `show_secrets`, read from the state, where each secret shows as `[secret]`."""
        if show_secrets:
            return json.loads(self.run("stack", "output", "--json", "--show-secrets").stdout)
        stack = next((r for r in self.resources() if r["type"] == "pulumi:pulumi:Stack"), {})
        return {key: _masked(value) for key, value in (stack.get("outputs") or {}).items()}

    def export(self) -> str:
        """The stack's state file as the local backend stores it (secrets stay encrypted);
        empty before the stack exists."""
        path = self.state_file
        return path.read_text() if path.exists() else ""

    def resources(self) -> list[dict[str, Any]]:
        """The resources in the stack's state (the deployment `pulumi stack export` prints)."""
        state = json.loads(self.export() or "{}")
        latest = state.get("checkpoint", {}).get("latest") or {}
        return latest.get("resources") or []

    @property
    def state_file(self) -> Path:
        """Where the local (file) backend keeps this stack's state."""
        project = yaml.safe_load((self.project_dir / "Pulumi.yaml").read_text())["name"]
        return self.state_dir / ".pulumi" / "stacks" / project / f"{self.stack}.json"


SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
"""The key that marks a secret value in Pulumi's serialized state."""


def _masked(value: Any) -> Any:
    """`value` with each secret replaced by `[secret]`, as the CLI shows it."""
    if isinstance(value, dict):
        if SECRET_SIGNATURE in value:
            return "[secret]"
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _run_bounded(
    argv: list[str], cwd: Path, env: dict[str, str], stdin: str | None, timeout: float | None
) -> subprocess.CompletedProcess[str]:
    """Run `argv`; past `timeout` seconds, kill it with the plugins and hosts it started."""
    with subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
