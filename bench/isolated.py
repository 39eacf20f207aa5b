"""A pipeline of a bench run's own: a fresh topic prefix, data dir and web port, so a run never
sees another pipeline's topics, Redis keys or state stores on the shared broker and Redis."""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from streams.settings import Settings
from streams.ports import free_port


def isolated_pipeline() -> tuple[Settings, Path]:
    """Settings for a new pipeline, and the working directory that holds its data (the caller removes it)."""
    workdir = Path(tempfile.mkdtemp(prefix="pantau-bench-"))
    prefix = f"bench-{workdir.name.rsplit('-', 1)[-1].lower()}"
    return replace(Settings.from_env(), topic_prefix=prefix, data_dir=workdir / "data", web_port=free_port()), workdir
