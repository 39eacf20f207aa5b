"""What a process used, from ``/proc``: CPU seconds and peak resident memory (Linux only).

The machine is shared, so CPU seconds per event are the steadier figure; VmHWM is the kernel's
own high-water mark of the resident set, so no sampling can miss the peak."""
from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds_of(stat_text: str, ticks_per_second: int = _TICKS) -> float:
    """utime + stime of a ``/proc/PID/stat`` line, every thread included. Fields are counted after
    the command name's closing parenthesis, since the name itself may hold spaces."""
    fields = stat_text[stat_text.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / ticks_per_second


def status_bytes(status_text: str, field: str) -> int:
    """A memory field of a ``/proc/PID/status`` text (``VmHWM``: the peak resident set; ``VmRSS``: now), in bytes."""
    for line in status_text.splitlines():
        if line.startswith(f"{field}:"):
            value, unit = line.split()[1:3]
            if unit != "kB":
                raise ValueError(f"unexpected unit in {line!r}")
            return int(value) * 1024
    raise ValueError(f"no {field} line")


def cpu_seconds(pid: int) -> float:
    return cpu_seconds_of(Path(f"/proc/{pid}/stat").read_text())


def peak_rss_bytes(pid: int) -> int:
    return status_bytes(Path(f"/proc/{pid}/status").read_text(), "VmHWM")


def rss_bytes(pid: int) -> int:
    return status_bytes(Path(f"/proc/{pid}/status").read_text(), "VmRSS")
