"""streams.ports, on real loopback sockets."""
from __future__ import annotations

import socket

from streams.ports import free_port, taken


def test_a_port_someone_listens_on_is_taken_and_free_again_once_they_stop():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert taken(port)
    assert not taken(port)
    assert not taken(free_port())
