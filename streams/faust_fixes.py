"""faust-streaming 0.15.3, corrected where it loses records or commits what it has not produced.

``install`` replaces the aiokafka transport's consumer and producer classes with subclasses that
fix three faults of its consumer and recovery. Evidence, costs and
the upstream issues: ``docs/processing-guarantees.md``.

1. **Records lost when streams resume** (both guarantees; ``_Consumer``). Recovery resumes the
   stream partitions, seeks them to the committed offsets, then resumes the app's flow, which
   clears the streams' queues. What the fetcher hands over in between is cleared, or delivered
   from a batch fetched before the seek, yet faust counts it read and drops the same records
   fetched again from the seek (faust-streaming issue 596, cf. 216 and 221). The hole in the
   acked offsets stalls commits, or is committed over: faust takes a gap of one for a
   compacted record (issue 606). A fetch that began before the resume returned them too: faust
   hands the driver its own active set, which the resume updates in place while the fetch waits.

Under ``exactly_once`` faust commits a partition's offsets in the transaction of that
partition's producer. That is exactly-once only if every message up to those offsets was
processed and all its outputs are in that transaction or an earlier one
(``_TransactionalConsumer``):

2. **Commits stall after offset 0.** Transaction markers and aborted records take offsets a
   ``read_committed`` consumer never receives. ``_drain_messages`` records such a jump as a gap
   (offsets that count as done) only ``if gap > 1 and r_offset:``, never when the previous
   offset was 0, which is falsy; the acked offsets then never join the committed one (issues
   312, 378, 517; robinhood/faust 401).

3. **Commits run ahead of the changelog** (both guarantees). A table write waits in the
   producer's buffer (``send_soon``) until the buffer's task sends it, in whichever transaction
   is open then. Faust commits from a timer, concurrently with the agents. Under exactly_once it
   does not flush first: a message's offset can commit in one transaction while its changelog
   record lands in the next, which a crash aborts. Under at_least_once it flushes, but
   ``ProducerBuffer.flush`` gives up once no message was sent for 0.1 s — on a busy machine the
   commit then goes ahead of table writes still in the buffer, and a SIGKILL loses them. Either
   way the table recovers without that write, and the message is not processed again (cf.
   issue 177; seen as a worker one event short after a takeover, test_takeover.py).

What 3 relies on: every output of a message is sent (awaited, into the *source* partition's
transaction: ``streams.emit``) or put in faust's producer buffer (table writes) before the
message is acked. A transaction may also hold outputs of messages whose offsets it does not
commit yet; after a crash those messages run again and their outputs repeat, which the
lifecycle fold absorbs (an event it holds changes nothing).

These override faust internals that change between releases: ``install`` refuses any
faust-streaming but ``FAUST_VERSION``. Review this module against upstream before moving the pin.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping

import faust
from aiokafka import TopicPartition
from faust.exceptions import ProducerSendError
from faust.transport.drivers import aiokafka as driver
from faust.transport.producer import ProducerBuffer
from faust.types import TP, Message
from faust.types.enums import ProcessingGuarantee
from faust.types.tuples import FutureMessage
from mode.utils.futures import notify

from streams.membership import RejoiningConsumerThread

FAUST_VERSION = "0.15.3"


def install(app: faust.App) -> None:
    """Correct ``app``'s consumer (and under exactly_once its producer); before the app starts."""
    if faust.__version__ != FAUST_VERSION:
        raise RuntimeError(
            f"streams/faust_fixes.py patches faust-streaming {FAUST_VERSION}, but {faust.__version__} "
            "is installed: review the patch against that version"
        )
    transport = app.transport
    if not isinstance(transport, driver.Transport) or app._consumer is not None or app._producer is not None:
        raise RuntimeError("install before the app creates its consumer and producer, on the aiokafka transport")
    if app.conf.producer_threaded:
        raise RuntimeError("streams/faust_fixes.py counts the producer buffer of a non-threaded producer")
    # Instance attributes: the transport builds its consumer and producer from these, lazily.
    exactly_once = app.conf.processing_guarantee is ProcessingGuarantee.EXACTLY_ONCE
    transport.Consumer = _TransactionalConsumer if exactly_once else _Consumer
    transport.Producer = _Producer


async def commit_outputs(app: faust.App, tps: Iterable[TP]) -> None:
    """Make what was sent outside any message (a timer's outputs: ``streams.alerting``'s sweep) visible
    under exactly_once. Faust commits a partition's transaction only when the partition has newly
    acked offsets, so sends into an idle partition's transaction would stay invisible to
    ``read_committed`` readers (and be aborted by a crash) until its next event; this commits those
    transactions at the offsets committed already. Under at_least_once a send is visible once sent."""
    consumer = app.consumer
    if isinstance(consumer, _TransactionalConsumer):
        await consumer.commit_at_committed(tps)


class _Consumer(driver.Consumer):
    """Fault 1: stream partitions are fetched only once recovery has sought and cleared them. Fault 3:
    a commit waits until the table writes of what it commits are handed to the producer."""

    def __init__(self, *args, **kwargs) -> None:
        # Stream partitions resumed but not fetched yet: see resume_partitions.
        self._held: set[TP] = set()
        self._released = asyncio.Event()
        super().__init__(*args, **kwargs)

    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return RejoiningConsumerThread(self, loop=self.loop, beacon=self.beacon)  # not a fault: streams.membership

    def resume_partitions(self, tps) -> None:
        # Fault 1: recovery calls this, seeks, resumes the app's flow (clearing the streams'
        # queues) and then resume_flow. Stream partitions are not fetched until resume_flow:
        # their records wait in the driver, or are fetched again from where the seek put them.
        tps = set(tps)
        super().resume_partitions(tps)
        self._held.update(tp for tp in tps if not self._is_changelog_tp(tp))

    def resume_flow(self) -> None:
        super().resume_flow()
        self._held.clear()
        self._released.set()

    async def _getmany(self, active_partitions: set[TP] | None, timeout: float) -> Mapping[TP, list]:
        if active_partitions:
            # A copy, always: faust passes its own active set, which resume_partitions updates in
            # place, and aiokafka's fetched_records re-reads it while it waits for records. A fetch
            # begun before the stream partitions were resumed would otherwise return their records
            # during the seek, around the hold below.
            active_partitions = frozenset(active_partitions) - self._held
            if not active_partitions:  # an empty set would mean every partition to the driver
                self._released.clear()
                await self.wait(self._released, timeout=timeout)
                return {}
        return await super()._getmany(active_partitions, timeout)

    async def _commit_offsets(self, offsets: Mapping[TP, int], start_new_transaction: bool = True) -> bool:
        # Fault 3: ``offsets`` were taken from acked messages, whose table writes were put in the
        # buffer before they were acked: once all put so far are sent, they are in the producer
        # (under exactly_once, in this transaction; under at_least_once, flushed by faust next).
        buffer = self.app.producer.buffer
        await buffer.wait_sent(buffer.put_count)
        return await super()._commit_offsets(offsets, start_new_transaction=start_new_transaction)


class _TransactionalConsumer(_Consumer):
    """Fault 2: commits that progress; and one commit of the transactions a timer sent into."""

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        async for tp, message in super().getmany(timeout):
            # Fault 2: _drain_messages reads the previous offset right after this yields and
            # records no gap when it is 0; this records it as faust does for any other (previous + 1).
            if self._read_offset[tp] == 0 and message.offset > 1 and self.app.topics.acks_enabled_for(message.topic):
                await self._add_gap(tp, 1, message.offset)
            yield tp, message

    async def commit_at_committed(self, tps: Iterable[TP]) -> None:
        """Commit the transactions of ``tps`` at the offsets they have committed already; one commit at
        a time, as ``Consumer.commit`` keeps it."""
        while await self.maybe_wait_for_commit_to_finish():
            pass
        # Read only now: a commit that was in progress has moved them, and committing an older offset
        # would move the group back.
        offsets = {TopicPartition(*tp): self._committed_offset[tp] for tp in tps
                   if self._committed_offset.get(tp) is not None}  # aiokafka's type: the producer refuses others
        if not offsets:
            return
        self._commit_fut = asyncio.Future()
        try:
            await self._commit_offsets(offsets)
        finally:
            done, self._commit_fut = self._commit_fut, None
            notify(done)


class _CountingBuffer(ProducerBuffer):
    """Faust's producer buffer, counting what was put in and what was handed to the producer.

    One task sends the buffer in order, so ``sent >= n`` means the first ``n`` messages put
    are in the producer (appended to their transaction), whatever was put since.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self.put_count = 0
        self.sent_count = 0
        self._sent_more = asyncio.Event()

    def put(self, fut: FutureMessage) -> None:
        super().put(fut)
        self.put_count += 1

    async def _send_pending(self, fut: FutureMessage) -> None:
        await super()._send_pending(fut)
        self.sent_count += 1
        self._sent_more.set()

    async def wait_sent(self, count: int) -> None:
        """Until the first ``count`` messages put are sent; raises if the buffer stops first."""
        while self.sent_count < count:
            self._sent_more.clear()
            if (await self.wait(self._sent_more)).stopped:
                # A commit must not go ahead without them: better crash than lose them.
                raise ProducerSendError("the producer buffer stopped with table writes a commit covers unsent")


class _Producer(driver.Producer):
    """Fault 3: a producer whose buffer a commit can wait for (both guarantees)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Replaces the buffer faust just made, before the producer starts it (Producer.on_start).
        self.buffer = _CountingBuffer(loop=self.loop, beacon=self.beacon)
        self.buffer.app = self.app
