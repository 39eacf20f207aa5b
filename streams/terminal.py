"""The console reports print to: the terminal's width on a terminal; piped or redirected (CI logs,
``make demo | tee``), wide enough for the report tables, where rich would otherwise assume 80."""
from __future__ import annotations

import sys

from rich.console import Console

REPORT_WIDTH = 120


def report_console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, soft_wrap=True, width=None if stream.isatty() else REPORT_WIDTH)
