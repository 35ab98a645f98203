"""The Python language host of scripts/install-pulumi, spoken to over its gRPC API.

Plugin discovery reads `<package>/pulumi-plugin.json` from site-packages instead of walking every
installed distribution's file list; these tests prove it reports exactly the plugins the old walk
found, on this project's virtualenv, both from the venv's files and through the interpreter.
"""

from __future__ import annotations

import json
import os
import platform
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
