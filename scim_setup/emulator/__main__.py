"""`python -m scim_setup.emulator`: run the local Dashboard (admin API + SCIM endpoint).

When it accepts requests it prints one JSON line on stdout and flushes:
`{"url", "admin_token", "viewer_token", "tenant_url"}`. Everything else
(logs, errors) goes to stderr. SIGINT or SIGTERM stops it cleanly.

The arguments are read and the port is bound first, so that a mistake in either fails at once,
before the application is imported or anything is written.
"""

import argparse
import json
import sys
from pathlib import Path

from scim_setup.emulator.listen import base_url, bind_socket


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m scim_setup.emulator",
        description="Local emulator of the backup Dashboard's admin API and SCIM endpoint.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=8750, help="port; 0 picks a free one")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(".demo/emulator-data"), help="SQLite data directory"
    )
    parser.add_argument("--admin-token", help="admin API token (default: generated, kept)")
    parser.add_argument("--viewer-token", help="token of a user without the admin role")
    parser.add_argument(
        "--public-url",
        help="base URL the Dashboard advertises (tenant URL), as behind a reverse proxy "
        "(default: the address it listens on)",
    )
    parser.add_argument("--test-hooks", action="store_true", help="enable /_emulator routes")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    parser.add_argument("--access-log", action="store_true", help="log each request on stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start the emulator and block until it is stopped."""
    args = parse_args(argv)
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as error:
        print(f"emulator: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    try:
        from scim_setup.emulator.app import AppOptions, create_app
        from scim_setup.emulator.scim_api import tenant_url
        from scim_setup.emulator.server import serve
    except ModuleNotFoundError as error:
        print(
            f"emulator: {error.name} is missing; the emulator is an extra: "
            "pip install 'scim-setup[emulator]'",
            file=sys.stderr,
        )
        return 1
    from scim_setup.emulator.credentials import load_or_create
    from scim_setup.emulator.store import Store
    from scim_setup.emulator.tokens import token_hash

    credentials = load_or_create(args.data_dir, args.admin_token, args.viewer_token)
    store = Store(args.data_dir)
    try:
        store.set_admin_token_hash("admin", token_hash(credentials.admin_token))
        store.set_admin_token_hash("viewer", token_hash(credentials.viewer_token))
        url = base_url(args.host, sock.getsockname()[1])
        public_url = (args.public_url or url).rstrip("/")
        app = create_app(store, AppOptions(base_url=public_url, test_hooks=args.test_hooks))
        ready = {
            "url": url,
            "admin_token": credentials.admin_token,
            "viewer_token": credentials.viewer_token,
            "tenant_url": tenant_url(public_url, store.settings().tenant_id),
        }
        serve(
            app,
            sock,
            lambda: print(json.dumps(ready), flush=True),
            log_level=args.log_level,
            access_log=args.access_log,
        )
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
