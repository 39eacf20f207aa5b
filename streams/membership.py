"""A restarted worker rejoins its consumer group as the member it was, so a crash costs no session timeout.

A killed consumer does not leave its group. If the restarted process joined as a new member, the
broker would wait for the old one to rejoin a rebalance until its session times out
(``broker_session_timeout``, 10 s) before handing its partitions out again. Joining with the member
id it had (kept in its data dir after every assignment) makes it that member: the broker rebalances
at once, or hands it its assignment back.

Unlike static membership (``group.instance.id``, tried and reverted: docs/benchmarks.md) the member
stays dynamic, so a graceful stop still leaves the group. An id the broker no longer knows (the
process left, or its session expired first) is refused with ``UNKNOWN_MEMBER_ID``, and aiokafka then
joins as a new member, as without this.
"""
from __future__ import annotations

import os
from pathlib import Path

from aiokafka.protocol.group import JoinGroupRequest
from faust.transport.drivers import aiokafka as driver

FILE = "member-id"


def remembered(datadir: Path) -> str | None:
    """The member id this data dir's process last had, if any."""
    try:
        return (datadir / FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def remember(datadir: Path, member_id: str) -> None:
    """Keeps ``member_id`` for the next start; replaced whole, so a crash mid-write leaves the old one."""
    datadir.mkdir(parents=True, exist_ok=True)
    partial = datadir / f"{FILE}.partial"
    partial.write_text(member_id)
    os.replace(partial, datadir / FILE)


class RejoiningConsumerThread(driver.AIOKafkaConsumerThread):
    """faust's aiokafka consumer thread, joining with the remembered member id."""

    async def on_start(self) -> None:
        await super().on_start()
        # The coordinator joins only once the app subscribes, after this: the id is in place by then.
        known = remembered(self._datadir)
        if known is not None:
            self._consumer._coordinator.member_id = known

    async def on_partitions_assigned(self, assigned, generation) -> None:
        member_id = self._consumer._coordinator.member_id
        if member_id != JoinGroupRequest.UNKNOWN_MEMBER_ID and member_id != remembered(self._datadir):
            remember(self._datadir, member_id)
        await super().on_partitions_assigned(assigned, generation)

    @property
    def _datadir(self) -> Path:
        return Path(self.app.conf.datadir)
