"""`python -m scim_setup.emulator` and `EmulatorProcess`: start, announce, stop.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from scim_setup.emulator.process import EmulatorProcess, EmulatorStartError


def start_cli(data_dir: Path) -> tuple[subprocess.Popen[str], dict]:
    """Start `python -m scim_setup.emulator --port 0` and read its ready line."""
    command = [
        sys.executable,
        "-m",
        "scim_setup.emulator",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
    ]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    return child, json.loads(child.stdout.readline())


def test_cli_prints_exactly_one_ready_line_then_serves(tmp_path):
    child, ready = start_cli(tmp_path)

    response = requests.get(
        f"{ready['url']}/api/v1/scim", headers={"Authorization": f"Bearer {ready['admin_token']}"}
    )
    child.send_signal(signal.SIGTERM)
    rest, _ = child.communicate(timeout=10)

    assert set(ready) == {"url", "admin_token", "viewer_token", "tenant_url"}
    assert ready["url"].startswith("http://127.0.0.1:")
    assert ready["tenant_url"].startswith(f"{ready['url']}/scim/v2/")
    assert response.status_code == 200
    assert rest == ""


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_exits_0_on_sigterm_and_sigint(tmp_path, stop_signal):
    child, _ = start_cli(tmp_path)

    child.send_signal(stop_signal)
    _, errors = child.communicate(timeout=10)

    assert child.returncode == 0
    assert "Traceback" not in errors


def test_stop_reports_a_clean_exit(tmp_path):
    emulator = EmulatorProcess(tmp_path).start()

    assert emulator.stop() == 0
    assert not emulator.running


def test_emulator_process_exposes_what_the_child_announced(emulator):
    assert emulator.running
    assert emulator.url == f"http://127.0.0.1:{emulator.port}"
    assert emulator.tenant_url.startswith(f"{emulator.url}/scim/v2/")
    assert emulator.admin_token != emulator.viewer_token


def test_start_failure_raises_with_the_childs_stderr(tmp_path):
    failing = EmulatorProcess(tmp_path, extra_args=["--no-such-option"])

    with pytest.raises(EmulatorStartError, match="unrecognized arguments"):
        failing.start()
    assert not failing.running


def test_port_in_use_is_reported_instead_of_hanging(tmp_path, emulator):
    taken = EmulatorProcess(tmp_path, port=emulator.port)

    with pytest.raises(EmulatorStartError, match="cannot listen"):
        taken.start()


def test_cli_on_a_taken_port_exits_1_and_creates_no_data_directory(tmp_path, emulator):
    data_dir = tmp_path / "data"
    command = [sys.executable, "-m", "scim_setup.emulator", "--port", str(emulator.port)]

    result = subprocess.run(
        [*command, "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 1
    assert f"emulator: cannot listen on 127.0.0.1:{emulator.port}" in result.stderr
    assert not data_dir.exists()


def test_restart_keeps_the_data_directory_and_the_tenant_id(tmp_path):
    with EmulatorProcess(tmp_path) as emulator:
        tenant_id = emulator.tenant_url.rsplit("/", 1)[1]

        emulator.restart()

        assert emulator.running
        assert emulator.data_dir == tmp_path
        assert emulator.tenant_url.endswith(tenant_id)
        with emulator.admin_session() as admin:
            assert admin.get(f"{emulator.url}/api/v1/scim").status_code == 200


def test_temporary_data_directory_is_removed_on_close():
    emulator = EmulatorProcess().start()
    data_dir = emulator.data_dir

    emulator.close()

    assert not emulator.running
    assert not data_dir.exists()


def test_accessing_the_url_before_start_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match="not running"):
        _ = EmulatorProcess(tmp_path).url


def test_log_text_starts_at_the_last_mark(tmp_path):
    emulator = EmulatorProcess(tmp_path)
    emulator.log_path.write_text("before: the previous module's lines\n")

    emulator.mark_log()
    with emulator.log_path.open("a") as log:
        log.write("after\n")

    assert emulator.log_text() == "after\n"
