"""streams.decoded_cache: a decoded value is trusted only while the table holds its very bytes."""
from __future__ import annotations

from streams.decoded_cache import DecodedCache


def test_a_value_is_used_only_while_the_table_holds_the_bytes_it_came_from():
    cache = DecodedCache(4)
    cache.remember(b"k", b"v1", "decoded v1")
    assert cache.get(b"k", b"v1") == "decoded v1"
    # Another process wrote the key meanwhile (a rebalance, a restore from the changelog): the table wins.
    assert cache.get(b"k", b"v2") is None
    assert cache.get(b"other", b"v1") is None


def test_the_least_recently_used_key_is_forgotten_beyond_the_bound():
    cache = DecodedCache(2)
    cache.remember(b"a", b"1", 1)
    cache.remember(b"b", b"2", 2)
    assert cache.get(b"a", b"1") == 1  # a is now the most recently used
    cache.remember(b"c", b"3", 3)
    assert cache.keys() == [b"a", b"c"]
    assert cache.get(b"b", b"2") is None


def test_a_value_is_decoded_once_while_the_table_holds_its_bytes():
    cache, decoded = DecodedCache(4), []

    def decode(stored: bytes) -> str:
        decoded.append(stored)
        return stored.decode()

    assert cache.decoded(b"k", b"v1", decode) == "v1"
    assert cache.decoded(b"k", b"v1", decode) == "v1"
    assert cache.decoded(b"k", b"v2", decode) == "v2"  # written elsewhere meanwhile: decoded again
    assert decoded == [b"v1", b"v2"]
