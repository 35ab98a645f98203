"""The emulator's server CPU time per SCIM request over Entra's provisioning cycle.

    .venv/bin/python -m bench.emulator_cpu [--rounds 5] [--clients 4] [--seconds 10]

Each round starts the emulator (`EmulatorProcess`, no test hooks) and drives
it with client processes that replay Entra provisioning cycles with
`EntraReplay` until the time or request budget is spent. One cycle per user:
lookup by userName (miss) → create → get → update (email + name) → lookup by
externalId → disable. A request is an error when it raises or answers a
status the cycle does not expect.

The figure is the emulator process's own CPU time (user + system, from
/proc, Linux) over the run, divided by the requests served. Unlike
requests/s, it barely moves with whatever else shares the machine's cores;
the rounds give a median and every sample, so what noise there is shows.
The bound is `CPU_MS_PER_REQUEST_MAX` (issue 21).

`measure()` returns the figures for another script (`make bench`'s table);
run as a script, this prints them as one JSON line. Everything stays on
loopback and stops by itself. Client processes, not threads, so the clients
do not share one GIL.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from scim_setup.emulator.entra_replay import EntraReplay
from scim_setup.emulator.process import EmulatorProcess

CPU_MS_PER_REQUEST_MAX = 1.5
"""The emulator's bound: server CPU milliseconds per request of the Entra cycle."""


@dataclass(frozen=True)
class Server:
    """Where the emulator listens, and its process id (for its CPU time)."""

    tenant_url: str
    token: str
    pid: int


@dataclass(frozen=True)
class LoadRun:
    """What one run against the emulator measured."""

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


def measure(
    rounds: int = 5, clients: int = 4, seconds: float = 10.0, max_requests: int = 30_000
) -> dict[str, Any]:
    """Run the load against a fresh emulator `rounds` times.

    Returns the median `server_cpu_ms_per_request` and `requests_per_second`,
    the total `requests` and `errors`, and every sample.
    """
    runs = []
    for _ in range(rounds):
        with emulator_server() as server:
            runs.append(run_load(server, clients, seconds, max_requests))
    cpu = [run.server_cpu_ms_per_request for run in runs if run.server_cpu_ms_per_request]
    return {
        "server_cpu_ms_per_request": round(statistics.median(cpu), 3) if cpu else None,
        "requests_per_second": statistics.median(run.requests_per_second for run in runs),
        "requests": sum(run.requests for run in runs),
        "errors": sum(run.errors for run in runs),
        "clients": clients,
        "seconds_per_run": seconds,
        "samples": [asdict(run) for run in runs],
    }


def run_load(server: Server, clients: int, seconds: float, max_requests: int) -> LoadRun:
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
    return LoadRun(
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


def main() -> None:
    """Run the measurement and print one JSON line with the figures."""
    parser = argparse.ArgumentParser(description="emulator CPU per Entra-shaped SCIM request")
    parser.add_argument("--rounds", type=int, default=5, help="runs, each on a fresh emulator")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--seconds", type=float, default=10.0, help="time budget per run")
    parser.add_argument("--max-requests", type=int, default=30_000, help="request budget per run")
    args = parser.parse_args()
    print(json.dumps(measure(args.rounds, args.clients, args.seconds, args.max_requests)))


if __name__ == "__main__":
    main()
