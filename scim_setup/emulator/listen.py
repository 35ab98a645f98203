"""The socket the emulator listens on, bound before anything else starts.

Binding first is what makes `--port 0` work: the kernel picks a free port,
and the port printed in the ready line is the one actually listening. It also
makes a taken port fail at once, before the application is imported or the
data directory is touched.
"""

import ipaddress
import socket


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind a listening TCP socket; port 0 lets the kernel pick a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only then,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def base_url(host: str, port: int) -> str:
    """Return the URL clients use; a wildcard bind is reached through loopback."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}"
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    if address.version == 6:
        return f"http://[{address}]:{port}"
    return f"http://{address}:{port}"
