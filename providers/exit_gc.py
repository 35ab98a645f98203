"""Leave the objects that live as long as the process to the operating system at exit.

A Pulumi program or dynamic-provider process imports the Pulumi SDK (the provider also `requests`):
~46,000 objects the collector tracks, alive until the process ends. At exit CPython clears every
module and collects, freeing them one by one: ~50-70 ms of CPU in each process, and the engine waits
for the program and the provider to end, so it is on every command's path. `gc.freeze()` moves what
exists now into a generation no collection scans; at exit those objects go with the process, and
what is made afterwards is collected as usual. Garbage cycles that exist at that moment are not
freed: a few objects, in a process that lives for one command.

Only in processes that are ours for one command: the program (run as `__main__` by the language
host) and Pulumi's dynamic-provider host. A test that imports a provider or runs the program under
mocks keeps its own heap as it is.

A provider that ends sooner lets the engine stop the program sooner after a failed resource; the
program therefore ends on SIGINT without a traceback (`__main__.py`).
"""

import gc
import sys

PROVIDER_HOST = "pulumi.dynamic.__main__"
"""The module Pulumi runs (`python -m pulumi.dynamic`) to serve dynamic providers."""


def freeze_long_lived_objects() -> None:
    """Call once the process has imported what it needs."""
    gc.freeze()


def in_provider_host() -> bool:
    """True in the process Pulumi starts for dynamic providers."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return spec is not None and spec.name == PROVIDER_HOST
