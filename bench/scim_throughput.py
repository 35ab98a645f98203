"""How many Entra-shaped SCIM requests per second the emulator serves.

    .venv/bin/python bench/scim_throughput.py [--clients 4] [--seconds 10] [--max-requests 30000]

Starts the emulator (`EmulatorProcess`), enables SCIM, generates a token,
then runs client processes that each replay Entra provisioning cycles with
`EntraReplay` until the time or request budget is spent. One cycle per user:
lookup by userName (miss) → create → get → update (email + name) → lookup by
externalId → disable. Prints requests/s and the error count; a request is an
error when it raises or answers a status the cycle does not expect.

Also prints the emulator's own CPU time per request (from /proc, Linux):
the clients share the machine's two cores with the server, so requests/s
moves with whatever else runs there, while the server's CPU cost per request
does not.

Everything stays on loopback and stops by itself. Client processes, not
threads, so the clients do not share one GIL.
"""

import argparse
import json
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from emulator.entra_replay import EntraReplay
from emulator.process import EmulatorProcess


@dataclass
class Tally:
    """What one client did."""

    requests: int = 0
    errors: int = 0


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


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process so far, or None where /proc is missing."""
    stat = Path(f"/proc/{pid}/stat")
    if pid is None or not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(emulator: EmulatorProcess) -> str:
    """Enable SCIM and return a fresh SCIM token."""
    admin = emulator.admin_session()
    admin.put(f"{emulator.url}/api/v1/scim", json={"enabled": True, "accountSizeGb": 50})
    response = admin.post(f"{emulator.url}/api/v1/scim/token")
    response.raise_for_status()
    return response.json()["token"]


def main() -> None:
    """Run the benchmark and print one JSON line with the figures."""
    parser = argparse.ArgumentParser(description="Entra-shaped SCIM throughput of the emulator")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--seconds", type=float, default=10.0, help="time budget")
    parser.add_argument("--max-requests", type=int, default=30_000, help="request budget")
    args = parser.parse_args()

    with EmulatorProcess() as emulator:
        token = prepare(emulator)
        budget = args.max_requests // args.clients
        with multiprocessing.Pool(args.clients) as pool:
            cpu_before = cpu_seconds(emulator.pid)
            started = time.time()
            deadline = started + args.seconds
            jobs = [(emulator.tenant_url, token, n, deadline, budget) for n in range(args.clients)]
            tallies = pool.map(_client_main, jobs)
            elapsed = time.time() - started
            cpu_after = cpu_seconds(emulator.pid)
    total = sum(tally.requests for tally in tallies)
    result = {
        "requests": total,
        "errors": sum(tally.errors for tally in tallies),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(total / elapsed, 1),
        "clients": args.clients,
        "server_cpu_ms_per_request": None
        if cpu_before is None or cpu_after is None or not total
        else round((cpu_after - cpu_before) / total * 1000, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
