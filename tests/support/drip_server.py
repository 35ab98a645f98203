"""A loopback server that answers every request one byte every few seconds, forever.

The emulator's hooks can delay an answer, but not stretch it so that each read sees progress: a
client whose read timeout restarts with every byte then never times out. This server does exactly
that, for tests that prove the Dashboard client's total deadline holds.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType

ANSWER = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{"enabled"'
)


class DripServer:
    """Listens on 127.0.0.1; `url` is its base URL. Each connection gets one byte per `interval`."""

    def __init__(self, interval: float = 1.0, answer: bytes = ANSWER) -> None:
        """`answer`: the raw HTTP answer dripped (default: a JSON body that never completes)."""
        self.interval = interval
        self.answer = answer
        self.connections = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(self.interval or None)  # 0: blocking, not non-blocking
            try:
                conn.recv(65536)
                for byte in self.answer:
                    if self._stop.wait(self.interval):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return
