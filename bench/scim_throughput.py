"""How many Entra-shaped SCIM requests per second the emulator serves, beside a bare app.

    .venv/bin/python bench/scim_throughput.py [--rounds 5] [--clients 4] [--seconds 10]

Each round starts the emulator (`EmulatorProcess`) and the bare FastAPI +
SQLite baseline (`bench/bare_scim_app.py`, same routes, no validation) in
turn and drives each with client processes that replay Entra provisioning
cycles with `EntraReplay` until the time or request budget is spent. One
cycle per user: lookup by userName (miss) → create → get → update (email +
name) → lookup by externalId → disable. A request is an error when it raises
or answers a status the cycle does not expect.

Two figures per server: requests/s, and the server's own CPU time per
request (from /proc, Linux). The clients share the machine's cores with the
server, so requests/s moves with whatever else runs there, while CPU per
request barely does; the rounds alternate the two servers and the result
gives medians and every sample, so the noise is visible.

`compare()` returns the figures for another script (`make bench`'s table);
run as a script, this prints them as one JSON line. Everything stays on
loopback and stops by itself. Client processes, not threads, so the clients
do not share one GIL.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from scim_setup.emulator.entra_replay import EntraReplay
from scim_setup.emulator.process import EmulatorProcess

BARE_APP = Path(__file__).with_name("bare_scim_app.py")


@dataclass(frozen=True)
class Server:
    """Where a server under test listens, and its process id (for its CPU time)."""

    tenant_url: str
    token: str
    pid: int


@dataclass(frozen=True)
class Throughput:
    """What one run against one server measured."""

    requests: int
    errors: int
    seconds: float
    requests_per_second: float
    server_cpu_ms_per_request: float | None


@dataclass
class Tally:
    """What one client did."""

    requests: int = 0
    errors: int = 0


def compare(
    rounds: int = 5, clients: int = 4, seconds: float = 10.0, max_requests: int = 30_000
) -> dict[str, Any]:
    """Measure the emulator and the bare baseline `rounds` times each, back to back.

    Returns `{"emulator": …, "baseline": …, "requests_per_second_ratio": …}`,
    where each server has the medians `requests_per_second` and
    `server_cpu_ms_per_request`, the error count and every sample. The ratio is
    the median of each round's emulator/baseline ratio: the two runs of a round
    are adjacent and their order flips every round, so a change in the machine's
    load between rounds moves both sides of a ratio, not one.
    """
    servers = (("emulator", emulator_server), ("baseline", bare_server))
    samples: dict[str, list[Throughput]] = {"emulator": [], "baseline": []}
    for round_ in range(rounds):
        for name, start in servers if round_ % 2 == 0 else servers[::-1]:
            with start() as server:
                samples[name].append(run_load(server, clients, seconds, max_requests))
    result: dict[str, Any] = {name: _summary(runs) for name, runs in samples.items()}
    ratios = [
        ours.requests_per_second / bare.requests_per_second
        for ours, bare in zip(samples["emulator"], samples["baseline"], strict=True)
        if bare.requests_per_second
    ]
    result["round_ratios"] = [round(ratio, 3) for ratio in ratios]
    result["requests_per_second_ratio"] = round(statistics.median(ratios), 3) if ratios else None
    result["clients"] = clients
    result["seconds_per_run"] = seconds
    return result


def run_load(server: Server, clients: int, seconds: float, max_requests: int) -> Throughput:
    """Drive `server` with `clients` client processes; measure requests/s and server CPU."""
    budget = max_requests // clients
    with multiprocessing.Pool(clients) as pool:
        cpu_before = cpu_seconds(server.pid)
        started = time.time()
        deadline = started + seconds
        jobs = [(server.tenant_url, server.token, n, deadline, budget) for n in range(clients)]
        tallies = pool.map(_client_main, jobs)
        elapsed = time.time() - started
        cpu_after = cpu_seconds(server.pid)
    total = sum(tally.requests for tally in tallies)
    cpu_ms = (
        None
        if cpu_before is None or cpu_after is None or not total
        else round((cpu_after - cpu_before) / total * 1000, 3)
    )
    return Throughput(
        requests=total,
        errors=sum(tally.errors for tally in tallies),
        seconds=round(elapsed, 2),
        requests_per_second=round(total / elapsed, 1),
        server_cpu_ms_per_request=cpu_ms,
    )


@contextmanager
def emulator_server() -> Iterator[Server]:
    """The emulator with SCIM enabled and a fresh token."""
    with EmulatorProcess() as emulator:
        assert emulator.pid is not None
        yield Server(emulator.tenant_url, prepare(emulator), emulator.pid)


@contextmanager
def bare_server() -> Iterator[Server]:
    """The bare FastAPI + SQLite app of `bench/bare_scim_app.py`; its database goes with it."""
    with tempfile.TemporaryDirectory(prefix="bare-scim-") as data_dir:
        process = subprocess.Popen(
            [sys.executable, str(BARE_APP), "--data-dir", data_dir],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"{BARE_APP.name} exited before it was ready")
            ready = json.loads(line)
            yield Server(ready["tenant_url"], ready["token"], process.pid)
        finally:
            process.terminate()
            process.wait(10)


def prepare(emulator: EmulatorProcess) -> str:
    """Enable SCIM and return a fresh SCIM token."""
    admin = emulator.admin_session()
    admin.put(f"{emulator.url}/api/v1/scim", json={"enabled": True, "accountSizeGb": 50})
    response = admin.post(f"{emulator.url}/api/v1/scim/token")
    response.raise_for_status()
    return response.json()["token"]


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process so far, or None where /proc is missing."""
    stat = Path(f"/proc/{pid}/stat")
    if pid is None or not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_client(tenant_url: str, token: str, client: int, deadline: float, budget: int) -> Tally:
    """Replay provisioning cycles until `deadline` (time.time()) or `budget` requests."""
    entra = EntraReplay(tenant_url, token)
    tally = Tally()
    cycle = 0
    while time.time() < deadline and tally.requests < budget:
        _provision_one(entra, f"c{client}-u{cycle}", tally)
        cycle += 1
    entra.close()
    return tally


def _provision_one(entra: EntraReplay, name: str, tally: Tally) -> None:
    user_name = f"{name}@bench.example.com"

    def step(expected: int, send: Callable[[], requests.Response]) -> requests.Response | None:
        tally.requests += 1
        try:
            response = send()
        except requests.RequestException:
            tally.errors += 1
            return None
        if response.status_code != expected:
            tally.errors += 1
            return None
        return response

    step(200, lambda: entra.find_user(user_name))
    created = step(201, lambda: entra.create_user(user_name, name, "Bench", name, user_name))
    if created is None:
        return
    user_id = created.json()["id"]
    step(200, lambda: entra.get_user(user_id))
    step(200, lambda: entra.update_user(user_id, email=f"new-{user_name}", family_name="Moved"))
    step(200, lambda: entra.find_user_by_external_id(name))
    step(200, lambda: entra.disable_user(user_id))


def _client_main(args: tuple[str, str, int, float, int]) -> Tally:
    return run_client(*args)


def _summary(runs: list[Throughput]) -> dict[str, Any]:
    cpu = [run.server_cpu_ms_per_request for run in runs if run.server_cpu_ms_per_request]
    return {
        "requests_per_second": statistics.median(run.requests_per_second for run in runs),
        "server_cpu_ms_per_request": round(statistics.median(cpu), 3) if cpu else None,
        "errors": sum(run.errors for run in runs),
        "samples": [asdict(run) for run in runs],
    }


def main() -> None:
    """Run the comparison and print one JSON line with the figures."""
    parser = argparse.ArgumentParser(description="Entra-shaped SCIM throughput: emulator vs bare")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each server")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--seconds", type=float, default=10.0, help="time budget per run")
    parser.add_argument("--max-requests", type=int, default=30_000, help="request budget per run")
    args = parser.parse_args()
    print(json.dumps(compare(args.rounds, args.clients, args.seconds, args.max_requests)))


if __name__ == "__main__":
    main()
