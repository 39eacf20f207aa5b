"""Benchmarks: speed is measured here, against the real broker and Redis, never asserted in tests."""
