"""The faust corrections are installed for the pinned faust-streaming only, and per guarantee."""
from __future__ import annotations

from dataclasses import replace

import faust
import pytest

from streams import faust_fixes
from streams.app import create_app
from streams.settings import Settings


def app_for(guarantee: str) -> faust.App:
    return create_app(replace(Settings(), topic_prefix="t-unit-faust-fixes", processing_guarantee=guarantee))


def test_another_faust_version_refuses_to_start(monkeypatch):
    monkeypatch.setattr(faust, "__version__", "0.15.4")
    with pytest.raises(RuntimeError, match="patches faust-streaming 0.15.3, but 0.15.4"):
        faust_fixes.install(app_for("at_least_once"))


@pytest.mark.parametrize(
    ("guarantee", "consumer", "producer"),
    [
        ("at_least_once", "_Consumer", "_Producer"),
        ("exactly_once", "_TransactionalConsumer", "_Producer"),
    ],
)
def test_each_guarantee_gets_its_consumer_and_producer(guarantee, consumer, producer):
    app = app_for(guarantee)
    faust_fixes.install(app)
    assert (app.transport.Consumer.__name__, app.transport.Producer.__name__) == (consumer, producer)


def test_installing_after_the_consumer_exists_is_refused():
    app = app_for("exactly_once")
    app.consumer  # noqa: B018 - creating it is the point
    with pytest.raises(RuntimeError, match="before the app creates its consumer"):
        faust_fixes.install(app)
