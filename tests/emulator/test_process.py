"""`python -m emulator` and `EmulatorProcess`: start, announce, stop."""

import json
import signal
import subprocess
import sys

import pytest
import requests

from emulator.process import EmulatorProcess, EmulatorStartError


def test_cli_prints_exactly_one_ready_line_and_exits_0_on_sigterm(tmp_path):
    command = [sys.executable, "-m", "emulator", "--port", "0", "--data-dir", str(tmp_path)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    ready = json.loads(child.stdout.readline())

    status = requests.get(
        f"{ready['url']}/api/v1/scim", headers={"Authorization": f"Bearer {ready['admin_token']}"}
    ).status_code
    child.send_signal(signal.SIGTERM)
    rest, _ = child.communicate(timeout=10)

    assert set(ready) == {"url", "admin_token", "viewer_token", "tenant_url"}
    assert ready["url"].startswith("http://127.0.0.1:")
    assert ready["tenant_url"].startswith(f"{ready['url']}/scim/v2/")
    assert status == 200
    assert rest == ""
    assert child.returncode == 0


def test_cli_exits_0_on_sigint(tmp_path):
    with EmulatorProcess(tmp_path) as emulator:
        process = emulator._process
        assert process is not None
        process.send_signal(signal.SIGINT)

        assert process.wait(timeout=10) == 0


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
