"""The installed `scim-setup` console script, as an operator or a pipeline runs it."""

import sys
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "scim-setup"
