"""The spikes table's rows (schemas/subject_alerts): each SPIKE subject and what it keeps, and a cache
of them decoded (``streams.decoded_cache``).

A country's row holds every incident of its workers, thousands in a large population; decoding it
again for each batch of the incidents topic was the largest cost of the SPIKE agent.
"""
from __future__ import annotations

from domain.alerts import Subject
from domain.subject_alerts import SubjectKept
from streams.alerting import Codecs
from streams.decoded_cache import DecodedCache

# Subjects kept decoded: every country and P3MI, and the employers seen lately. A row decodes to
# about as many objects as it holds incidents, and subjects with many incidents are few.
CACHED_SUBJECTS = 5_000


class Subjects:
    def __init__(self, codecs: Codecs, cached: int = CACHED_SUBJECTS):
        self._codecs = codecs
        self.cache: DecodedCache[tuple[Subject, SubjectKept]] = DecodedCache(cached)

    def read(self, key: bytes, stored: bytes | None) -> tuple[Subject | None, SubjectKept]:
        """The subject a table value is for and what it keeps (None and nothing for a subject not seen)."""
        if stored is None:
            return None, SubjectKept()
        return self.cache.decoded(key, stored, self._codecs.subject)

    def encode(self, key: bytes, subject: Subject, kept: SubjectKept) -> bytes:
        stored = self._codecs.encode_subject(subject, kept)
        self.cache.remember(key, stored, (subject, kept))
        return stored
