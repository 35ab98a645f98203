"""How many CPUs this process may use, on every platform the package supports.

`os.sched_getaffinity` exists on Linux only (macOS and Windows lack it), so it cannot be the
default of `scim-setup fleet --parallel`. Python 3.13 added `os.process_cpu_count()`, which honours
the affinity mask where the platform has one; before 3.13 `os.cpu_count()` is the portable count.
"""

from __future__ import annotations

import os
import sys


def usable_cpus() -> int:
    """The CPUs this process may run on (at least 1)."""
    if sys.version_info >= (3, 13):
        count = os.process_cpu_count()
    else:
        count = os.cpu_count()
    return max(1, count or 1)
