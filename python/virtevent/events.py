"""Events as Python values, and the pull-based stream they are read from.

An :class:`Event` mirrors the C ``virConnectEvent``: the common header in snake_case, and
the union member that the event's kind sets as a typed attribute named after it
(``ev.lifecycle``, ``ev.io_error``, ``ev.job_state``, …; ``None`` on events of other kinds).
Event IDs and names come from the library (``virConnectDomainEventIDToName``), enum values
from the header (``_constants.py`` is generated from it).
"""

from __future__ import annotations

import asyncio
import ctypes
import datetime
import re
import struct
import uuid
import warnings
from dataclasses import dataclass, fields, make_dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Generic, Iterator, Optional, TypeVar

from . import _constants as K
from . import _cstructs as C
from . import _ffi
from .errors import StreamClosed, fail
from .typedparams import read_params

if TYPE_CHECKING:
    from .connection import Connection, Domain

# ---- event kinds, from the library ----------------------------------------------------------


def _library_event_ids() -> dict[int, str]:
    ids = list(range(K.VIR_DOMAIN_EVENT_ID_LAST))
    ids += range(K.VIR_DOMAIN_EVENT_ID_EXT_FIRST, K.VIR_DOMAIN_EVENT_ID_EXT_LAST)
    names = {}
    for event_id in ids:
        name = _ffi.lib.virConnectDomainEventIDToName(event_id)
        if name is not None:
            names[event_id] = name.decode()
    _ffi.lib.virResetLastError()
    return names


_EVENT_NAMES: dict[int, str] = _library_event_ids()

#: Every event ID the library knows (``EventID.LIFECYCLE``, ``EventID.IO_ERROR``, …), named
#: after its stable event name in upper case, built from the library's name table.
EventID = IntEnum(  # type: ignore[misc]
    "EventID", [(name.upper().replace("-", "_"), event_id) for event_id, name in _EVENT_NAMES.items()],
    module=__name__)
EventID.__doc__ = "A domain event ID (virDomainEventID), named after the event's stable name."
_ID_OF_NAME = {name: event_id for event_id, name in _EVENT_NAMES.items()}
#: The IDs of the two events a watch or stream makes itself.
BOOKMARK_ID: int = _ID_OF_NAME["bookmark"]
EXPIRED_ID: int = _ID_OF_NAME["expired"]


def event_names() -> list[str]:
    """The stable names of every event kind the library knows, in ID order."""
    return list(_EVENT_NAMES.values())


def event_id(name: str) -> int:
    """The ID of event ``name`` (``"io-error"`` → ``EventID.IO_ERROR``); InvalidArgument if unknown."""
    found = _ffi.lib.virConnectDomainEventNameToID(name.encode())
    if found < 0:
        fail("virConnectDomainEventNameToID")
    return EventID(found)


def event_name(event_id: int) -> str:
    """The stable name of event ``event_id``; InvalidArgument if unknown."""
    name = _ffi.lib.virConnectDomainEventIDToName(int(event_id))
    if name is None:
        fail("virConnectDomainEventIDToName")
    return name.decode()


# ---- payloads: one dataclass per member of the C union --------------------------------------


@dataclass(slots=True)
class Lifecycle:
    """``lifecycle``: ``event`` is a LifecycleEvent, ``detail`` the matching *Detail enum."""

    event: int
    detail: int


@dataclass(slots=True)
class RTCChange:
    utc_offset: int


@dataclass(slots=True)
class Watchdog:
    action: int


@dataclass(slots=True)
class DiskIOError:
    """``io-error`` and ``io-error-reason`` (``reason`` is set on the latter)."""

    src_path: Optional[str]
    dev_alias: Optional[str]
    action: int
    reason: Optional[str]


@dataclass(slots=True)
class GraphicsAddress:
    family: int
    node: Optional[str]
    service: Optional[str]


@dataclass(slots=True)
class Graphics:
    phase: int
    local: Optional[GraphicsAddress]
    remote: Optional[GraphicsAddress]
    auth_scheme: Optional[str]
    subject: list[tuple[Optional[str], Optional[str]]]
    """The subject's identities as (type, name) pairs."""


@dataclass(slots=True)
class BlockJob:
    disk: Optional[str]
    type: int
    status: int
    path: Optional[str]


@dataclass(slots=True)
class DiskChange:
    old_src_path: Optional[str]
    new_src_path: Optional[str]
    dev_alias: Optional[str]
    reason: int


@dataclass(slots=True)
class TrayChange:
    dev_alias: Optional[str]
    reason: int


@dataclass(slots=True)
class PM:
    reason: int


@dataclass(slots=True)
class BalloonChange:
    actual: int
    """KiB."""


@dataclass(slots=True)
class Device:
    dev_alias: Optional[str]


@dataclass(slots=True)
class TypedParams:
    params: dict[str, Any]


@dataclass(slots=True)
class AgentLifecycle:
    state: int
    reason: int


@dataclass(slots=True)
class GuestUser:
    """``guest-user``: ``user`` (of ``domain``, None unless the guest has user domains) logged
    on or off (``state``, a GuestUserState)."""

    user: Optional[str]
    domain: Optional[str]
    state: int


@dataclass(slots=True)
class MigrationIteration:
    iteration: int


@dataclass(slots=True)
class MetadataChange:
    type: int
    nsuri: Optional[str]


@dataclass(slots=True)
class BlockThreshold:
    dev: Optional[str]
    path: Optional[str]
    threshold: int
    excess: int


@dataclass(slots=True)
class MemoryFailure:
    recipient: int
    action: int
    flags: int


@dataclass(slots=True)
class MemoryDeviceSizeChange:
    alias: Optional[str]
    size: int


@dataclass(slots=True)
class Existence:
    """``existence``: ``type`` is ExistenceType.ADDED (first event of the UUID) or REMOVED (last)."""

    type: int


@dataclass(slots=True)
class JobStateChange:
    """``job-state``: job ``name`` of ``kind`` went from ``old_state`` to ``new_state``."""

    name: Optional[str]
    kind: int
    old_state: int
    new_state: int
    error: Optional[str]


def _enum_table(cls: type[IntEnum]) -> dict[int, IntEnum]:
    return {int(member): member for member in cls}


def _as(table: dict[int, Any], value: int) -> Any:
    """The enum member for ``value``, or the int itself for a value newer than this package."""
    return table.get(value, value)


def _text(raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else raw.decode(errors="replace")


_DETAIL_OF_EVENT = {
    K.LifecycleEvent.DEFINED: K.DefinedDetail,
    K.LifecycleEvent.UNDEFINED: K.UndefinedDetail,
    K.LifecycleEvent.STARTED: K.StartedDetail,
    K.LifecycleEvent.SUSPENDED: K.SuspendedDetail,
    K.LifecycleEvent.RESUMED: K.ResumedDetail,
    K.LifecycleEvent.STOPPED: K.StoppedDetail,
    K.LifecycleEvent.SHUTDOWN: K.ShutdownDetail,
    K.LifecycleEvent.PMSUSPENDED: K.PMSuspendedDetail,
    K.LifecycleEvent.CRASHED: K.CrashedDetail,
}
_LIFECYCLE = _enum_table(K.LifecycleEvent)
_DETAILS = {int(event): _enum_table(detail) for event, detail in _DETAIL_OF_EVENT.items()}
_STATES = _enum_table(K.DomainState)
_REASON_OF_STATE = {
    K.DomainState.NOSTATE: K.NostateReason,
    K.DomainState.RUNNING: K.RunningReason,
    K.DomainState.BLOCKED: K.BlockedReason,
    K.DomainState.PAUSED: K.PausedReason,
    K.DomainState.SHUTDOWN: K.ShutdownReason,
    K.DomainState.SHUTOFF: K.ShutoffReason,
    K.DomainState.CRASHED: K.CrashedReason,
    K.DomainState.PMSUSPENDED: K.PMSuspendedReason,
}
_REASONS = {int(state): _enum_table(reason) for state, reason in _REASON_OF_STATE.items()}
_EXISTENCE = _enum_table(K.ExistenceType)
_GUEST_USER = _enum_table(K.GuestUserState)
_JOB_KINDS = _enum_table(K.JobKind)
_JOB_STATES = _enum_table(K.JobState)
_WATCHDOG = _enum_table(K.WatchdogAction)
_IO_ERROR = _enum_table(K.IOErrorAction)
_GRAPHICS_PHASE = _enum_table(K.GraphicsPhase)
_GRAPHICS_FAMILY = _enum_table(K.GraphicsAddressType)
_BLOCK_JOB_TYPE = _enum_table(K.BlockJobType)
_BLOCK_JOB_STATUS = _enum_table(K.BlockJobStatus)
_DISK_CHANGE = _enum_table(K.DiskChangeReason)
_TRAY_CHANGE = _enum_table(K.TrayChangeReason)
_AGENT_STATE = _enum_table(K.AgentLifecycleState)
_AGENT_REASON = _enum_table(K.AgentLifecycleReason)
_METADATA = _enum_table(K.MetadataType)
_MEMORY_RECIPIENT = _enum_table(K.MemoryFailureRecipient)
_MEMORY_ACTION = _enum_table(K.MemoryFailureAction)


def state_reason(state: int, reason: int) -> tuple[Any, Any]:
    """``state`` as a DomainState and ``reason`` as that state's *Reason enum."""
    return _as(_STATES, state), _as(_REASONS.get(state, {}), reason)


def _address(ptr: Any) -> Optional[GraphicsAddress]:
    if not ptr:
        return None
    a = ptr.contents
    return GraphicsAddress(_as(_GRAPHICS_FAMILY, a.family), _text(a.node), _text(a.service))


def _graphics(g: C.virConnectEventGraphics) -> Graphics:
    subject = []
    if g.subject:
        s = g.subject.contents
        subject = [(_text(s.identities[i].type), _text(s.identities[i].name)) for i in range(s.nidentity)]
    return Graphics(_as(_GRAPHICS_PHASE, g.phase), _address(g.local), _address(g.remote),
                    _text(g.authScheme), subject)


# C union member → (decoder of that member's C struct). The Python attribute is the member's
# name in snake_case.
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "lifecycle": lambda m: Lifecycle(_as(_LIFECYCLE, m.event), _as(_DETAILS.get(m.event, {}), m.detail)),
    "rtcChange": lambda m: RTCChange(m.utcOffset),
    "watchdog": lambda m: Watchdog(_as(_WATCHDOG, m.action)),
    "ioError": lambda m: DiskIOError(_text(m.srcPath), _text(m.devAlias), _as(_IO_ERROR, m.action), _text(m.reason)),
    "graphics": _graphics,
    "blockJob": lambda m: BlockJob(_text(m.disk), _as(_BLOCK_JOB_TYPE, m.type), _as(_BLOCK_JOB_STATUS, m.status),
                                   _text(m.path)),
    "diskChange": lambda m: DiskChange(_text(m.oldSrcPath), _text(m.newSrcPath), _text(m.devAlias),
                                       _as(_DISK_CHANGE, m.reason)),
    "trayChange": lambda m: TrayChange(_text(m.devAlias), _as(_TRAY_CHANGE, m.reason)),
    "pmWakeup": lambda m: PM(m.reason),
    "pmSuspend": lambda m: PM(m.reason),
    "balloonChange": lambda m: BalloonChange(m.actual),
    "pmSuspendDisk": lambda m: PM(m.reason),
    "deviceRemoved": lambda m: Device(_text(m.devAlias)),
    "tunable": lambda m: TypedParams(read_params(m.params, m.nparams)),
    "agentLifecycle": lambda m: AgentLifecycle(_as(_AGENT_STATE, m.state), _as(_AGENT_REASON, m.reason)),
    "deviceAdded": lambda m: Device(_text(m.devAlias)),
    "migrationIteration": lambda m: MigrationIteration(m.iteration),
    "jobCompleted": lambda m: TypedParams(read_params(m.params, m.nparams)),
    "deviceRemovalFailed": lambda m: Device(_text(m.devAlias)),
    "metadataChange": lambda m: MetadataChange(_as(_METADATA, m.type), _text(m.nsuri)),
    "blockThreshold": lambda m: BlockThreshold(_text(m.dev), _text(m.path), m.threshold, m.excess),
    "memoryFailure": lambda m: MemoryFailure(_as(_MEMORY_RECIPIENT, m.recipient), _as(_MEMORY_ACTION, m.action),
                                             m.flags),
    "memoryDeviceSizeChange": lambda m: MemoryDeviceSizeChange(_text(m.alias), m.size),
    "existence": lambda m: Existence(_as(_EXISTENCE, m.type)),
    "guestUser": lambda m: GuestUser(_text(m.user), _text(m.domain), _as(_GUEST_USER, m.state)),
    "jobState": lambda m: JobStateChange(_text(m.name), _as(_JOB_KINDS, m.kind), _as(_JOB_STATES, m.oldState),
                                         _as(_JOB_STATES, m.newState), _text(m.error)),
}


def _generic_payload(member: str, ctype: Any) -> Callable[[Any], Any]:
    """A decoder for a union member this package has no class for yet (the header grew): a
    dataclass of its scalar and string fields, named in snake_case."""
    names = [(f[0], _snake(f[0])) for f in ctype._fields_]
    cls = make_dataclass(member[0].upper() + member[1:], [(py, Any) for _, py in names], slots=True)

    def convert(value: Any) -> Any:
        return value.decode(errors="replace") if isinstance(value, bytes) else \
            value if isinstance(value, (int, float, type(None))) else None

    return lambda m: cls(*(convert(getattr(m, c)) for c, _ in names))


#: The union members with a class of their own above; the others get a generic one.
TYPED_MEMBERS = frozenset(_DECODERS)

# Event names whose payload is a member named otherwise (the header: "the member named after
# eventName in camelCase"; these two share their older sibling's member).
_MEMBER_ALIASES = {"io-error-reason": "ioError", "block-job-2": "blockJob"}


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part.capitalize() for part in rest)


def _snake(member: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", member).lower()


_MEMBER_TYPES = {f[0]: f[1] for f in C.virConnectEventData._fields_}
for _member, _ctype in _MEMBER_TYPES.items():
    if _member not in _DECODERS:
        _DECODERS[_member] = _generic_payload(_member, _ctype)

# event ID → (C union member, Python attribute), for the kinds that carry a payload.
_MEMBER_OF_ID: dict[int, tuple[str, str]] = {}
for _id, _name in _EVENT_NAMES.items():
    _member = _MEMBER_ALIASES.get(_name, _camel(_name))
    if _member in _DECODERS:
        _MEMBER_OF_ID[_id] = (_member, _snake(_member))

_DATA_OFFSET = C.virConnectEvent.data.offset
_EVENT_SIZE = ctypes.sizeof(C.virConnectEvent)


def _has_pointers(ctype: Any) -> bool:
    return any(t is ctypes.c_char_p or hasattr(t, "contents") or t is ctypes.c_void_p
               for _, t, *_ in ctype._fields_)


# Events whose payload points into the library's memory (strings, graphics addresses, typed
# parameters) are decoded in full at once, while those pointers are valid; the others (and
# every unknown kind: its name is a pointer too) only when a field is first read.
_LAZY_IDS = frozenset(event_id for event_id in _EVENT_NAMES
                      if event_id not in _MEMBER_OF_ID or not _has_pointers(_MEMBER_TYPES[_MEMBER_OF_ID[event_id][0]]))


def _header_format() -> tuple[struct.Struct, struct.Struct]:
    """Struct formats for the event's header fields, derived from the ctypes layout (so the
    layout is declared once): all of them, and the first three (ID, event name, domain name)."""
    codes = {ctypes.c_int: "i", ctypes.c_char_p: "P", ctypes.c_ulonglong: "Q"}
    fmt, position, prefix = "@", 0, ""
    for name, ctype, *_ in C.virConnectEvent._fields_:
        if name == "data":
            break
        field = getattr(C.virConnectEvent, name)
        fmt += "x" * (field.offset - position)
        fmt += codes.get(ctype, f"{ctypes.sizeof(ctype)}s")
        position = field.offset + field.size
        if name == "domainName":
            prefix = fmt
    return struct.Struct(fmt), struct.Struct(prefix)


_HEADER, _PREFIX = _header_format()
_UTC = datetime.timezone.utc
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_IDS = {int(member): member for member in EventID}
_uuid_cache: dict[bytes, uuid.UUID] = {}
_UUID_CACHE_MAX = 65536

T = TypeVar("T")


class _Member(Generic[T]):
    """Event attribute for one union member: the payload on events of that kind, else None."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, event: Optional["Event"], owner: type) -> Optional[T]:
        if event is None:
            return self  # type: ignore[return-value]
        member = _MEMBER_OF_ID.get(event.event_id)
        return event.payload if member is not None and member[1] == self.attribute else None


@dataclass
class Event:
    """One event: what the generic callback receives, as Python values.

    ``state``/``reason``/``domain_id``/``resource_version`` describe the domain at the moment
    of the event. ``payload`` is the kind's data, also reachable under the kind's own name
    (``ev.lifecycle``, ``ev.existence``, ``ev.io_error``, ``ev.job_state``, …), which is
    ``None`` on events of other kinds. ``bookmark`` and ``expired`` events concern no domain:
    their ``domain_name`` is ``""`` and ``domain_uuid`` the nil UUID.

    Events read from the library keep a copy of the C event and convert their fields the
    first time one is read (most consumers look at a few fields of most events).
    """

    # Declared by hand rather than with dataclass(slots=True) for the one slot that is not a
    # field: the copy of the C event awaiting conversion.
    __slots__ = ("event_id", "event_name", "domain_name", "domain_uuid", "domain_id", "resource_version",
                 "state", "reason", "timestamp", "payload", "_raw")

    event_id: int
    event_name: str
    domain_name: str
    domain_uuid: uuid.UUID
    domain_id: int
    resource_version: int
    state: int
    reason: int
    timestamp: datetime.datetime
    payload: Any

    lifecycle = _Member[Lifecycle]("lifecycle")
    rtc_change = _Member[RTCChange]("rtc_change")
    watchdog = _Member[Watchdog]("watchdog")
    io_error = _Member[DiskIOError]("io_error")
    graphics = _Member[Graphics]("graphics")
    block_job = _Member[BlockJob]("block_job")
    disk_change = _Member[DiskChange]("disk_change")
    tray_change = _Member[TrayChange]("tray_change")
    pm_wakeup = _Member[PM]("pm_wakeup")
    pm_suspend = _Member[PM]("pm_suspend")
    balloon_change = _Member[BalloonChange]("balloon_change")
    pm_suspend_disk = _Member[PM]("pm_suspend_disk")
    device_removed = _Member[Device]("device_removed")
    tunable = _Member[TypedParams]("tunable")
    agent_lifecycle = _Member[AgentLifecycle]("agent_lifecycle")
    device_added = _Member[Device]("device_added")
    migration_iteration = _Member[MigrationIteration]("migration_iteration")
    job_completed = _Member[TypedParams]("job_completed")
    device_removal_failed = _Member[Device]("device_removal_failed")
    metadata_change = _Member[MetadataChange]("metadata_change")
    block_threshold = _Member[BlockThreshold]("block_threshold")
    memory_failure = _Member[MemoryFailure]("memory_failure")
    memory_device_size_change = _Member[MemoryDeviceSizeChange]("memory_device_size_change")
    existence = _Member[Existence]("existence")
    job_state = _Member[JobStateChange]("job_state")
    guest_user = _Member[GuestUser]("guest_user")

    def __getattr__(self, name: str) -> Any:
        # Reached only for a slot not set yet: a field of an event not converted yet.
        try:
            raw = _RAW_SLOT.__get__(self, Event)
        except AttributeError:
            raw = None
        if raw is None or name not in _FIELDS:
            raise AttributeError(name)
        _convert(self, raw, None)
        return _SLOTS[name].__get__(self, Event)

    @property
    def is_expired(self) -> bool:
        """The stream or watch fell behind the history: relist and start again."""
        return self.event_id == EXPIRED_ID

    @property
    def is_bookmark(self) -> bool:
        """A progress mark: everything up to ``resource_version`` has been delivered."""
        return self.event_id == BOOKMARK_ID


_FIELDS = frozenset(f.name for f in fields(Event))
assert set(Event.__slots__) == _FIELDS | {"_raw"}
_SLOTS = {name: vars(Event)[name] for name in _FIELDS}
_RAW_SLOT = vars(Event)["_raw"]
for _member, _attribute in _MEMBER_OF_ID.values():
    if _attribute not in vars(Event):  # a kind newer than this file: reachable all the same
        setattr(Event, _attribute, _Member(_attribute))


def _convert(ev: Event, raw: bytes, address: Optional[int]) -> None:
    """Sets every field of ``ev`` from the copy ``raw`` of its C event (and from the live
    event at ``address`` for what pointers reach)."""
    (eid, name_ptr, _, raw_uuid, dom_id, version, state, reason, stamp) = _HEADER.unpack_from(raw)
    domain_uuid = _uuid_cache.get(raw_uuid)
    if domain_uuid is None:
        if len(_uuid_cache) >= _UUID_CACHE_MAX:
            _uuid_cache.clear()
        domain_uuid = _uuid_cache[raw_uuid] = uuid.UUID(bytes=raw_uuid)
    member = _MEMBER_OF_ID.get(eid)
    payload = None
    if member is not None:
        ctype = _MEMBER_TYPES[member[0]]
        data = ctype.from_address(address + _DATA_OFFSET) if address is not None \
            else ctype.from_buffer_copy(raw, _DATA_OFFSET)
        payload = _DECODERS[member[0]](data)
    reasons = _REASONS.get(state)
    ev.event_id = _IDS.get(eid, eid)
    name = _EVENT_NAMES.get(eid)
    if name is None:
        name = _text_at(name_ptr) if name_ptr and address is not None else ""
    ev.event_name = name
    ev.domain_uuid = domain_uuid
    ev.domain_id = dom_id
    ev.resource_version = version
    ev.state = _STATES.get(state, state)
    ev.reason = reasons.get(reason, reason) if reasons is not None else reason
    ev.timestamp = _EPOCH + datetime.timedelta(microseconds=stamp)
    ev.payload = payload
    ev._raw = None  # type: ignore[attr-defined] # the slot beside the fields


_new_event = object.__new__
_text_at = _ffi.text_at


def decode(address: int) -> Event:
    """The ``virConnectEvent`` at ``address`` (valid only until the library's next read or
    the callback's return) as an Event: copied now, converted now if it points to more."""
    raw = ctypes.string_at(address, _EVENT_SIZE)
    eid, _, name_ptr = _PREFIX.unpack_from(raw)
    ev = _new_event(Event)
    ev.domain_name = _text_at(name_ptr) if name_ptr else ""
    if eid in _LAZY_IDS:
        ev._raw = raw  # type: ignore[attr-defined]
    else:
        _convert(ev, raw, address)
    return ev


# ---- the stream ------------------------------------------------------------------------------

#: Events read per call: a batch amortises the call and the wake-up over many events.
BATCH = 256
# A blocking iteration waits in slices, so that Ctrl-C (delivered between C calls) is seen.
_WAIT_SLICE_MS = 200


class EventStream:
    """Events read from the library in batches (``virConnectEventStream*``), no event loop.

    Iterating yields :class:`Event`\\ s, oldest first, blocking for new ones; the iteration
    ends after an ``expired`` event (the stream fell further behind than the history: relist
    and open another), or when ``timeout`` seconds pass with no event. Close it (or use it
    as a context manager) to release it; :attr:`fd` is readable while events are pending.
    """

    def __init__(self, conn: "Connection", domain: Optional["Domain"], event: Optional[str],
                 since: Optional[int], bookmarks: bool, timeout: Optional[float]) -> None:
        flags = 0
        if since is not None:
            flags |= K.EventRegisterFlags.SINCE
        if bookmarks:
            flags |= K.EventRegisterFlags.BOOKMARKS
        self._conn = conn
        self.timeout = timeout
        self._slots = (ctypes.c_void_p * BATCH)()
        self._handle: Optional[int] = _ffi.lib.virConnectEventStreamOpen(
            conn._handle(), domain._ptr if domain is not None else None,
            event.encode() if event is not None else None, since or 0, flags)
        if not self._handle:
            fail("virConnectEventStreamOpen")
        self.expired = False

    def _stream(self) -> int:
        if not self._handle:
            raise StreamClosed("the event stream is closed", K.ErrorCode.INVALID_STREAM)
        return self._handle

    @property
    def fd(self) -> int:
        """A descriptor readable exactly while :meth:`read` would return at once (owned by the stream)."""
        fd = _ffi.lib.virConnectEventStreamFD(self._stream())
        if fd < 0:
            fail("virConnectEventStreamFD")
        return fd

    def fileno(self) -> int:
        """:attr:`fd`, so that the stream itself can be given to ``select``/``selectors``."""
        return self.fd

    def read(self, max_events: int = BATCH, timeout: Optional[float] = 0) -> list[Event]:
        """Up to ``max_events`` events, waiting up to ``timeout`` seconds for the first
        (0: do not wait; None: without limit). An empty list: none came in time, or the
        stream has expired (:attr:`expired`)."""
        count = max(1, min(max_events, BATCH))
        wait_ms = -1 if timeout is None else max(0, int(timeout * 1000))
        n = _ffi.lib.virConnectEventStreamRead(self._stream(), self._slots, count, wait_ms)
        if n < 0:
            fail("virConnectEventStreamRead")
        slots = self._slots
        events = [decode(slots[i]) for i in range(n)]  # type: ignore[arg-type] # n slots are set
        if n and events[-1].event_id == EXPIRED_ID:
            self.expired = True
        return events

    def __iter__(self) -> Iterator[Event]:
        import time

        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while not self.expired:
            if deadline is None:
                wait = _WAIT_SLICE_MS / 1000
            else:
                wait = min(_WAIT_SLICE_MS / 1000, deadline - time.monotonic())
                if wait < 0:
                    return
            batch = self.read(BATCH, wait)
            if batch and deadline is not None:
                deadline = time.monotonic() + self.timeout  # type: ignore[operator]
            yield from batch

    def close(self) -> None:
        """Closes the stream (idempotent)."""
        handle, self._handle = self._handle, None
        if handle:
            _ffi.lib.virConnectEventStreamClose(handle)

    @property
    def closed(self) -> bool:
        return not self._handle

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_handle", None):
            warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self, stacklevel=2)
            self.close()


async def _aiterate(stream: EventStream) -> AsyncIterator[Event]:
    loop = asyncio.get_running_loop()
    try:
        fd = stream.fd
        while not stream.expired:
            batch = stream.read(BATCH, 0)
            if batch:
                for event in batch:
                    yield event
                continue
            ready = loop.create_future()

            def wake(ready: asyncio.Future[None] = ready) -> None:
                if not ready.done():
                    ready.set_result(None)

            loop.add_reader(fd, wake)
            try:
                if stream.timeout is None:
                    await ready
                else:
                    try:
                        await asyncio.wait_for(ready, stream.timeout)
                    except asyncio.TimeoutError:
                        return
            finally:
                loop.remove_reader(fd)
    finally:
        stream.close()


class AsyncEventStream:
    """An :class:`EventStream` for ``async for``: it waits for events with the running loop's
    ``add_reader`` on the stream's descriptor (no thread) and ends as iterating the stream
    does. The stream is open from creation (so no change made after it is missed) and is
    closed when the iteration ends, by :meth:`aclose` or ``async with``, or when the object
    is dropped (as leaving ``async for`` with ``break`` does).
    """

    def __init__(self, stream: EventStream) -> None:
        self.stream = stream
        self._iteration: Optional[AsyncIterator[Event]] = None

    def __aiter__(self) -> "AsyncEventStream":
        return self

    async def __anext__(self) -> Event:
        if self._iteration is None:
            self._iteration = _aiterate(self.stream)
        return await self._iteration.__anext__()

    async def aclose(self) -> None:
        if self._iteration is not None:
            await self._iteration.aclose()  # type: ignore[attr-defined]
        self.stream.close()

    async def __aenter__(self) -> "AsyncEventStream":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        stream = getattr(self, "stream", None)
        if stream is not None:
            stream.close()
