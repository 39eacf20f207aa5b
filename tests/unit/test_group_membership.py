"""Static group membership: a restarted worker is the same member, any other process a different one."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from streams import app as app_module
from streams.app import create_app, group_instance_id
from streams.settings import Settings

SETTINGS = replace(Settings(), topic_prefix="t-unit-membership", data_dir=Path("/srv/pantau/data"))


def test_a_restart_on_the_same_host_and_state_is_the_same_member():
    assert group_instance_id(SETTINGS) == group_instance_id(replace(SETTINGS))
    assert create_app(SETTINGS).conf.consumer_group_instance_id == group_instance_id(SETTINGS)


def test_another_data_dir_prefix_or_host_is_another_member(monkeypatch):
    mine = group_instance_id(SETTINGS)
    assert group_instance_id(replace(SETTINGS, data_dir=Path("/srv/pantau/second"))) != mine
    assert group_instance_id(replace(SETTINGS, topic_prefix="t-unit-membership-b")) != mine
    # Containers of one image share the data dir's path; their host names tell them apart.
    monkeypatch.setattr(app_module.socket, "gethostname", lambda: "another-container")
    assert group_instance_id(SETTINGS) != mine
