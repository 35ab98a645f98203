"""Running the application under uvicorn on a socket we bind ourselves (`listen.py`)."""

import contextlib
import copy
import signal
import socket
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

TLS_SHUTDOWN_GRACE_S = 1


class _Server(uvicorn.Server):
    """A uvicorn server that reports readiness and exits with status 0 on a signal."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self._on_ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Shut down gracefully on SIGINT/SIGTERM, then return instead of re-raising."""
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve(
    app: Any,
    sock: socket.socket,
    on_ready: Callable[[], None],
    *,
    log_level: str = "warning",
    access_log: bool = False,
    ssl: tuple[str, str] | None = None,
) -> None:
    """Serve `app` on `sock` until SIGINT/SIGTERM; `on_ready` runs once it accepts requests.

    `ssl` is (certificate file, key file) to serve HTTPS instead of HTTP.
    """
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        log_config=_stderr_logging(),
        server_header=False,
        date_header=True,
        ssl_certfile=ssl[0] if ssl else None,
        ssl_keyfile=ssl[1] if ssl else None,
        # An idle TLS keep-alive connection closes only once its client answers close_notify,
        # which an idle client never does: past this grace the shutdown stops waiting for it.
        timeout_graceful_shutdown=TLS_SHUTDOWN_GRACE_S if ssl else None,
    )
    _Server(config, on_ready).run(sockets=[sock])


def _stderr_logging() -> dict[str, Any]:
    """uvicorn's logging with access lines on stderr too: stdout carries the ready line only."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return config
