"""The Python language host of scripts/install-pulumi, spoken to over its gRPC API.

Plugin discovery reads `<package>/pulumi-plugin.json` from site-packages instead of walking every
installed distribution's file list; these tests prove it reports exactly the plugins the old walk
found, on this project's virtualenv, both from the venv's files and through the interpreter, and
read parameterized and resource-less plugins and virtualenv(1)'s pyvenv.cfg right.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import grpc
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

from tests.engine.conftest import ROOT, pulumi_cli

__all__ = ["pulumi_cli"]

VENV = ROOT / ".venv"


def old_walk() -> set[tuple[str, str, str]]:
    """What the host reported before: every distribution's RECORD searched for the file."""
    found = set()
    for dist in metadata.distributions():
        for file in dist.files or []:
            if file.name == "pulumi-plugin.json":
                data = json.loads(file.read_text())
                if data.get("resource") and data.get("name"):
                    found.add((data["name"], "v" + data["version"].removeprefix("v"), "resource"))
    return found


def start_host(pulumi: str, env: dict[str, str]) -> Iterator[language_pb2_grpc.LanguageRuntimeStub]:
    host = Path(pulumi).parent / "pulumi-language-python"
    process = subprocess.Popen([str(host)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield language_pb2_grpc.LanguageRuntimeStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def host(pulumi_cli: str) -> Iterator[language_pb2_grpc.LanguageRuntimeStub]:
    yield from start_host(pulumi_cli, dict(os.environ))


@pytest.fixture(scope="module")
def host_on_venv_path(pulumi_cli: str) -> Iterator[language_pb2_grpc.LanguageRuntimeStub]:
    """A host whose `python` on PATH is this venv's, for programs that name no virtualenv."""
    env = {**os.environ, "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    yield from start_host(pulumi_cli, env)


def program(**options: str) -> language_pb2.ProgramInfo:
    struct = struct_pb2.Struct()
    struct.update({"toolchain": "pip", **options})
    return language_pb2.ProgramInfo(
        root_directory=str(ROOT), program_directory=str(ROOT), entry_point=".", options=struct
    )


def packages(host: language_pb2_grpc.LanguageRuntimeStub, info: language_pb2.ProgramInfo):
    response = host.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=info))
    return {(p.name, p.version, p.kind) for p in response.packages}


def test_packages_from_the_venv_files_are_those_the_old_walk_found(host):
    reported = packages(host, program(virtualenv=str(VENV)))

    assert reported == old_walk()
    assert {name for name, _, _ in reported} >= {"azuread", "azure-native"}


def test_packages_through_the_interpreter_are_the_same(host_on_venv_path):
    assert Path(sys.executable).parent == VENV / "bin"

    assert packages(host_on_venv_path, program()) == old_walk()


def test_required_plugins_match_the_packages(host):
    info = program(virtualenv=str(VENV))

    plugins = host.GetRequiredPlugins(language_pb2.GetRequiredPluginsRequest(info=info)).plugins

    assert {(p.name, p.version, p.kind) for p in plugins} == old_walk()


def test_about_reads_the_venv_without_running_python(host):
    about = host.About(language_pb2.AboutRequest(info=program(virtualenv=str(VENV))))

    assert about.executable == str(VENV / "bin" / "python")
    assert about.version == platform.python_version()


def test_about_asks_the_interpreter_when_there_is_no_venv(host_on_venv_path):
    about = host_on_venv_path.About(language_pb2.AboutRequest(info=program()))

    assert Path(about.executable).parent == VENV / "bin"
    assert about.version == platform.python_version()


@pytest.fixture
def made_venv(tmp_path: Path) -> Path:
    """A virtualenv as virtualenv(1) lays it out, with three packages announcing plugins."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion_info = 3.11.7.final.0\n")
    site = venv / "lib" / "python3.11" / "site-packages"
    announced = {
        "pulumi_fake": {
            "resource": True,
            "name": "fake",
            "version": "1.2.3",
            "server": "https://plugins.example.com",
        },
        "pulumi_param": {
            "resource": True,
            "name": "terraform-provider",
            "version": "0.8.0",
            "parameterization": {"name": "random", "version": "3.6.0", "value": "YWJj"},
        },
        "pulumi_policy": {"resource": False},
    }
    for package, plugin in announced.items():
        (site / package).mkdir(parents=True)
        (site / package / "pulumi-plugin.json").write_text(json.dumps(plugin))
    return venv


def test_plugin_files_of_a_venv_become_packages_and_plugins(host, made_venv):
    info = program(virtualenv=str(made_venv))

    found = host.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=info)).packages
    plugins = host.GetRequiredPlugins(language_pb2.GetRequiredPluginsRequest(info=info)).plugins

    by_name = {p.name: p for p in found}
    assert sorted(by_name) == ["fake", "terraform-provider"]
    assert (by_name["fake"].version, by_name["fake"].server) == (
        "v1.2.3",
        "https://plugins.example.com",
    )
    param = by_name["terraform-provider"].parameterization
    assert (param.name, param.version, param.value) == ("random", "3.6.0", b"abc")
    assert [(p.name, p.version) for p in plugins] == [("fake", "v1.2.3")]


def test_about_trims_the_virtualenv_version_info(host, made_venv):
    about = host.About(language_pb2.AboutRequest(info=program(virtualenv=str(made_venv))))

    assert (about.executable, about.version) == (str(made_venv / "bin" / "python"), "3.11.7")


def test_host_stops_on_sigint_even_when_started_with_sigint_ignored(pulumi_cli: str) -> None:
    """The engine stops plugins with SIGINT and waits before SIGKILL; background jobs of a
    non-interactive shell (CI runners) start with SIGINT ignored, which cost every command
    that grace period before the host took the signal itself."""
    host = Path(pulumi_cli).parent / "pulumi-language-python"
    # A shell ignores SIGINT and execs the host, which inherits that; not `preexec_fn`, which is
    # unsafe in this process (gRPC threads of the module's other tests) and failed once that way.
    process = subprocess.Popen(
        ["sh", "-c", 'trap "" INT; exec "$0"', str(host)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        int(process.stdout.readline())
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=2) == 0
    finally:
        process.kill()
        process.wait()
