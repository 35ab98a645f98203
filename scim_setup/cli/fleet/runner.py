"""Run one Pulumi command on many customer stacks at once, through `pulumi.automation`.

At most `parallel` stacks run at a time; a failing stack is recorded and the others go on. Each
stack's full output goes to its own log file; the caller sees live `StackProgress` updates. A
preview runs with `--json`: its plan (the document `scim-setup review` reads) goes to a file next
to the log, and the log keeps the CLI's stderr.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pulumi import automation as auto

from scim_setup.cli.fleet.report import Command, CustomerResult, FleetReport, Status
from scim_setup.cli.fleet.stacks import last_line

UNCHANGED_OPS = frozenset({"same", "read"})


@dataclass
class StackProgress:
    """One customer's row while the fleet runs (updated from worker threads)."""

    stack: str
    state: str = "queued"
    """queued, running, then the final status: ok, changes or failed."""
    changed: int = 0
    """Resources the engine has finished changing (or planning to change) so far."""
    started_at: float | None = None
    ended_at: float | None = None
    result: CustomerResult | None = None

    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.ended_at or time.monotonic()) - self.started_at


OnProgress = Callable[[StackProgress], None]


@dataclass
class _Events:
    """What the engine's event stream told us about one stack's run."""

    progress: StackProgress
    on_progress: OnProgress
    echo: Callable[[str], None] | None = None
    """Where diagnostics are written when the CLI's own text output is not (a `--json` preview)."""
    errors: list[str] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)

    def __call__(self, event: auto.EngineEvent) -> None:
        finished = event.res_outputs_event
        if finished and str(finished.metadata.op.value) not in UNCHANGED_OPS:
            self.progress.changed += 1
            self.on_progress(self.progress)
        diagnostic = event.diagnostic_event
        if diagnostic and self.echo and diagnostic.severity != "debug":  # as the text output
            self.echo(f"{diagnostic.severity}: {diagnostic.message.rstrip()}")
        if diagnostic and diagnostic.severity == "error" and diagnostic.urn:
            self.errors.append(_one_line(diagnostic.message))
        if event.summary_event:
            counts = event.summary_event.resource_changes.items()
            self.changes = {
                str(getattr(op, "value", op)): n
                for op, n in counts
                if n and str(getattr(op, "value", op)) not in UNCHANGED_OPS
            }


def _one_line(message: str) -> str:
    """The provider's message on one line, without the engine's decorations.

    A dynamic provider's exception reaches the engine with its Python traceback; the operator
    needs only its last line, the exception's message.
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if any(line.startswith("Traceback (most recent call last)") for line in lines):
        raised = [line for line in lines if _EXCEPTION_LINE.match(line)]
        if raised:
            return _EXCEPTION_LINE.sub("", raised[-1])
    text = " ".join(lines)
    while text.lower().startswith("error:"):
        text = text[len("error:") :].strip()
    return text


_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit)\w*: ")


class CustomerStack(auto.Stack):
    """One customer's stack, named on each command (`--stack`) rather than selected.

    `auto.Stack.select` runs `pulumi stack select`, which rewrites the operator's current stack in
    the workspace's settings file, once per customer. After `up`, `auto.Stack` also reads the
    stack's outputs (two more CLI runs, one of them decrypting secrets) for a result the fleet never
    uses: the fleet's report comes from the engine's event stream, so `outputs()` is empty here
    (and no customer's token is read into this process). The Automation API has no public way to
    name a stack without selecting it, so this skips `auto.Stack.__init__`: an allowed use in
    `tests/test_public_apis.py`, to drop when the SDK offers one.
    """

    def __init__(self, name: str, workspace: auto.Workspace) -> None:  # no `stack select`
        self.name = name
        self.workspace = workspace

    def __repr__(self) -> str:
        return f"CustomerStack(stack_name={self.name!r}, workspace={self.workspace!r})"

    def outputs(self) -> auto.OutputMap:
        return {}


def run_stack(
    workspace: auto.LocalWorkspace,
    command: Command,
    progress: StackProgress,
    log_path: Path,
    on_progress: OnProgress,
    refresh: bool = False,
) -> CustomerResult:
    """Run `command` on one stack; never raises for a failure of the stack itself.

    `refresh` (preview only) reads the Dashboard first, so drift shows as changes.
    """
    started = datetime.now(UTC)
    progress.started_at, progress.state = time.monotonic(), "running"
    on_progress(progress)
    error: str | None = None
    plan_path = plan_path_for(log_path) if command == "preview" else None
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log, _open_plan(plan_path) as plan:
        output = _Output(log, plan)
        events = _Events(progress, on_progress, output.stderr if plan else None)
        try:
            _run(CustomerStack(progress.stack, workspace), command, output, events, refresh)
        except Exception as failure:  # one customer's failure must never stop the others
            error = events.errors[0] if events.errors else _failure_line(failure)
            log.write(f"\n{command} failed: {error}\n")
    status: Status = "failed" if error else _status(command, events.changes)
    result = CustomerResult(
        stack=progress.stack,
        command=command,
        status=status,
        changes=events.changes,
        error=error,
        started=started,
        ended=datetime.now(UTC),
        log=str(log_path),
        preview_json=str(plan_path) if plan_path and plan_path.stat().st_size else None,
    )
    progress.ended_at, progress.state, progress.result = time.monotonic(), status, result
    on_progress(progress)
    return result


def _failure_line(failure: Exception) -> str:
    if isinstance(failure, auto.CommandError):
        return last_line(str(failure))
    return f"{type(failure).__name__}: {failure}"


def _status(command: Command, changes: dict[str, int]) -> Status:
    return "changes" if command == "preview" and changes else "ok"


def plan_path_for(log_path: Path) -> Path:
    """Where a preview's `--json` plan goes: beside its log, `<stack>.preview.json`."""
    return log_path.with_suffix(".preview.json")


def _open_plan(path: Path | None) -> contextlib.AbstractContextManager[IO[str] | None]:
    return path.open("w") if path else contextlib.nullcontext()


@dataclass
class _Output:
    """Where the CLI's lines go: stdout to the plan when there is one, else to the log."""

    log: IO[str]
    plan: IO[str] | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    """The log is written from the CLI's stderr reader and the event reader."""

    def stdout(self, line: str) -> None:
        self._write(self.plan or self.log, line)

    def stderr(self, line: str) -> None:
        self._write(self.log, line)

    def _write(self, file: IO[str], line: str) -> None:
        with self.lock:
            file.write(line + "\n")
            file.flush()


def _run(
    stack: auto.Stack, command: Command, output: _Output, on_event: _Events, refresh: bool
) -> None:
    options: dict[str, Any] = {
        "on_output": output.stdout,
        "on_error": output.stderr,
        "on_event": on_event,
        "color": "never",
    }
    if command == "preview":
        stack.preview(**options, refresh=refresh, json=True)
        return
    # The result's summary (the stack's last update, read once the command ends) is never used:
    # its config need not be decrypted.
    options.update(suppress_progress=True, show_secrets=False)
    if command == "up":
        stack.up(**options)
    elif command == "refresh":
        stack.refresh(**options)
    else:
        stack.destroy(**options)


def run_fleet(
    workspace: auto.LocalWorkspace,
    command: Command,
    stacks: Sequence[str],
    parallel: int,
    log_dir: Path,
    on_progress: OnProgress,
    refresh: bool = False,
) -> FleetReport:
    """Run `command` on every stack, at most `parallel` at once, in the order given."""
    started = datetime.now(UTC)
    rows = [StackProgress(name) for name in stacks]
    for row in rows:
        on_progress(row)

    def work(row: StackProgress) -> CustomerResult:
        log_path = log_dir / f"{row.stack.replace('/', '_')}.log"
        return run_stack(workspace, command, row, log_path, on_progress, refresh)

    pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="fleet")
    try:
        results = [future.result() for future in [pool.submit(work, row) for row in rows]]
    except KeyboardInterrupt:
        # Ctrl-C reached the running Pulumi CLIs too (same process group): they cancel cleanly.
        # Stacks still queued must not start.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return FleetReport(
        command=command,
        parallel=parallel,
        started=started,
        ended=datetime.now(UTC),
        customers=results,
    )
