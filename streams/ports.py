"""Loopback ports for worker web pages: a free one, so several workers can serve side by side."""
from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def taken(port: int) -> bool:
    """Whether something (another worker, most likely) already listens on ``port``."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
