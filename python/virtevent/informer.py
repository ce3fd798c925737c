"""An informer: an always up-to-date dict of domains from one list and a watch of changes.

It lists the domains with their resource version (``list_and_watch``), then applies the
events after that version from a stream. When the stream falls further behind than the
event history (an ``expired`` event, or Expired on opening) it lists again by itself.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from ._constants import ExistenceType
from .errors import Expired, NotFound
from .events import BOOKMARK_ID, EXPIRED_ID, Event, EventStream

if TYPE_CHECKING:
    from .connection import Connection, Domain


@dataclass(slots=True)
class DomainSnapshot:
    """What the informer knows of one domain."""

    name: str
    uuid: uuid.UUID
    id: int
    state: Any
    reason: Any
    resource_version: int

    @classmethod
    def of(cls, domain: "Domain") -> "DomainSnapshot":
        """The domain as it is now. The version is read first: should the domain change
        meanwhile, the snapshot is labelled older than its state, never newer, so the events
        after that version are still applied to it."""
        version = domain.resource_version
        state, reason = domain.state()
        return cls(domain.name, domain.uuid, domain.id, state, reason, version)

    @classmethod
    def from_event(cls, event: Event) -> "DomainSnapshot":
        """The domain as the event says it was at the event's resource version."""
        return cls(event.domain_name, event.domain_uuid, event.domain_id, event.state, event.reason,
                   event.resource_version)


#: on_change(uuid, old, new): old None when added, new None when removed.
ChangeCallback = Callable[[uuid.UUID, Optional[DomainSnapshot], Optional[DomainSnapshot]], Any]


class Informer:
    """Keeps :attr:`domains` (UUID → :class:`DomainSnapshot`) equal to the hypervisor's
    domains as of :attr:`version`. Call :meth:`poll` to apply pending changes (or
    :meth:`run_until`); it relists by itself when its stream expires. A context manager.
    """

    def __init__(self, conn: "Connection", on_change: Optional[ChangeCallback] = None) -> None:
        self._conn = conn
        self._on_change = on_change
        self._domains: dict[uuid.UUID, DomainSnapshot] = {}
        self._stream: Optional[EventStream] = None
        self.version = 0
        #: How many times it has listed (1 after the first).
        self.lists = 0
        self._relist()

    @property
    def domains(self) -> Mapping[uuid.UUID, DomainSnapshot]:
        """A read-only view of the current domains."""
        return MappingProxyType(self._domains)

    def _relist(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        while True:
            domains, version = self._conn.list_and_watch()
            fresh: dict[uuid.UUID, DomainSnapshot] = {}
            for domain in domains:
                try:
                    snapshot = DomainSnapshot.of(domain)
                except NotFound:  # gone since the listing: its removal is in the events
                    continue
                fresh[snapshot.uuid] = snapshot
            try:
                self._stream = self._conn.events(since=version)
            except Expired:  # trimmed between listing and opening: list again
                continue
            break
        self.lists += 1
        old, self._domains = self._domains, fresh
        self.version = version
        if self._on_change is not None:
            for key in old.keys() | fresh.keys():
                if old.get(key) != fresh.get(key):
                    self._on_change(key, old.get(key), fresh.get(key))

    def _apply(self, event: Event) -> None:
        self.version = max(self.version, event.resource_version)
        if event.event_id in (BOOKMARK_ID, EXPIRED_ID):
            return
        key = event.domain_uuid
        old = self._domains.get(key)
        existence = event.existence
        if existence is not None and existence.type == ExistenceType.REMOVED:
            new = None
            self._domains.pop(key, None)
        elif old is not None and old.resource_version > event.resource_version:
            return  # the snapshot taken after the listing is newer than this event
        else:
            new = DomainSnapshot.from_event(event)
            self._domains[key] = new
        if self._on_change is not None and old != new:
            self._on_change(key, old, new)

    def poll(self, timeout: Optional[float] = 0) -> int:
        """Applies the changes pending now, waiting up to ``timeout`` seconds for the first;
        relists if the stream expired. Returns how many events it applied."""
        applied = 0
        wait = timeout
        while True:
            assert self._stream is not None
            batch = self._stream.read(timeout=wait)
            for event in batch:
                self._apply(event)
            applied += len(batch)
            if self._stream.expired:
                self._relist()
                wait = 0
                continue
            if not batch:
                return applied
            wait = 0

    def run_until(self, predicate: Callable[["Informer"], bool], timeout: float) -> bool:
        """Polls until ``predicate(self)`` holds (True) or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.poll(min(left, 0.1))
        return True

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def __enter__(self) -> "Informer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
