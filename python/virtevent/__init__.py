"""virtevent: the libvirt-style domain event and job API of libvirtevent, in idiomatic Python.

Loads the C library with ctypes (``VIRTEVENT_LIBRARY``, then the system's library path, then
the checkout's ``target/release``). Start with :func:`open`::

    import virtevent

    with virtevent.open("test:///empty") as conn, conn.events(timeout=1) as stream:
        dom = conn.define(XML)
        dom.start()
        for ev in stream:
            print(ev.event_name, ev.domain_name, ev.lifecycle)
"""

from ._constants import (
    AgentLifecycleReason,
    AgentLifecycleState,
    BlockJobStatus,
    BlockJobType,
    CrashedDetail,
    DefinedDetail,
    DiskChangeReason,
    DomainState,
    DomainXMLFlags,
    ErrorCode,
    ErrorDomain,
    ExistenceType,
    GraphicsAddressType,
    GraphicsPhase,
    GuestUserState,
    IOErrorAction,
    JobControl,
    JobKind,
    JobState,
    LifecycleEvent,
    MemoryFailureAction,
    MemoryFailureRecipient,
    MetadataType,
    PausedReason,
    PMSuspendedDetail,
    ResumedDetail,
    RunningReason,
    ShutdownDetail,
    ShutoffReason,
    StartedDetail,
    StoppedDetail,
    SuspendedDetail,
    TrayChangeReason,
    UndefinedDetail,
    WatchdogAction,
)
from ._ffi import LIBRARY_PATH
from .connection import Connection, Domain, Registration, open
from .errors import (
    Conflict,
    ConnectionClosed,
    Expired,
    InvalidArgument,
    NotFound,
    NotSupported,
    OperationInvalid,
    StreamClosed,
    VirteventError,
)
from .events import (
    AsyncEventStream,
    Event,
    EventID,
    EventStream,
    event_id,
    event_name,
    event_names,
)
from .informer import DomainSnapshot, Informer
from .jobs import Job, JobHandle

__version__ = "0.1.0"

__all__ = [
    "AgentLifecycleReason", "AgentLifecycleState", "BlockJobStatus", "BlockJobType", "CrashedDetail",
    "DefinedDetail", "DiskChangeReason", "DomainState", "DomainXMLFlags", "ErrorCode", "ErrorDomain",
    "ExistenceType", "GraphicsAddressType", "GraphicsPhase", "GuestUserState", "IOErrorAction", "JobControl", "JobKind",
    "JobState", "LifecycleEvent", "MemoryFailureAction", "MemoryFailureRecipient", "MetadataType",
    "PausedReason", "PMSuspendedDetail", "ResumedDetail", "RunningReason", "ShutdownDetail",
    "ShutoffReason", "StartedDetail", "StoppedDetail", "SuspendedDetail", "TrayChangeReason",
    "UndefinedDetail", "WatchdogAction",
    "LIBRARY_PATH", "Connection", "Domain", "Registration", "open",
    "Conflict", "ConnectionClosed", "Expired", "InvalidArgument", "NotFound", "NotSupported",
    "OperationInvalid", "StreamClosed", "VirteventError",
    "AsyncEventStream", "Event", "EventID", "EventStream", "event_id", "event_name", "event_names",
    "DomainSnapshot", "Informer", "Job", "JobHandle",
]
