"""Who an event is about: worker keys and worker ids."""
from __future__ import annotations

from datetime import datetime

from domain.lifecycle import worker_id_for, worker_key
from domain.partner_json import from_json
from tests.factories import WIB, make_worker, registered

T0 = datetime(2026, 1, 5, 9, tzinfo=WIB)


def test_worker_key_prefers_nik_then_passport_then_source_local_id():
    event = from_json(registered(make_worker(7), T0))
    worker = event["worker"]
    assert worker_key(event) == f"NIK:{worker['nik']}"
    no_nik = {**event, "worker": {**worker, "nik": None, "passport_no": "C1234567"}}
    assert worker_key(no_nik) == "PASSPORT:C1234567"
    only_local = {**event, "worker": {**worker, "nik": None, "passport_no": None}}
    assert worker_key(only_local) == "LOCAL:P3MI-0042:REG-7"


def test_worker_id_is_stable_and_does_not_reveal_the_nik():
    nik = make_worker(3)["nik"]
    assert worker_id_for(f"NIK:{nik}") == worker_id_for(f"NIK:{nik}")
    assert nik not in worker_id_for(f"NIK:{nik}")
    assert worker_id_for("NIK:1") != worker_id_for("NIK:2")
