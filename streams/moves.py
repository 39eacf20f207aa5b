"""How a merge reaches the lifecycle: messages on the by-worker topic told apart by a header.

The by-worker topic carries partner events, byte for byte as partners sent them; a merge adds
two kinds of message there, marked by headers so that no partner's bytes could pass for them:

* a *move* — key the merged-away worker id, value the surviving worker id: the partition that
  owns the loser hands its history to the survivor's key and keeps only a forward;
* a *forwarded* event — one event of a moved history, on its way to the survivor. It was
  counted when the loser's partition first applied it, so it is not counted again.
"""
from __future__ import annotations

from faust.types import Message

MOVE = "pantau-move"
FORWARDED = "pantau-forwarded"


def move_headers() -> list[tuple[str, bytes]]:
    return [(MOVE, b"1")]


def forwarded_headers() -> list[tuple[str, bytes]]:
    return [(FORWARDED, b"1")]


def kind_of(message: Message) -> str | None:
    """MOVE, FORWARDED, or None for a partner event."""
    for name, _value in message.headers or ():
        if name in (MOVE, FORWARDED):
            return name
    return None
