"""Connections and domains (``virConnect*``, ``virDomain*``), and callbacks."""

from __future__ import annotations

import atexit
import ctypes
import itertools
import threading
import uuid
import warnings
import weakref
import xml.etree.ElementTree as ElementTree
from typing import Any, Callable, Optional, Union

from . import _ffi
from ._constants import VIR_DOMAIN_JOB_PERSIST, ErrorCode, EventRegisterFlags, StartFlags
from .errors import ConnectionClosed, NotSupported, check, enum_or_int, fail
from .events import AsyncEventStream, Event, EventID, EventStream, decode, state_reason
from .jobs import Job, JobHandle, list_jobs
from .typedparams import ParamArray, Value

_NOT_RUNNING = 0xFFFFFFFF  # virDomainGetID's (unsigned int)-1


class Domain:
    """A domain (virtual machine) of a :class:`Connection`.

    Holds a reference to the library's handle, released when the object goes away. Properties
    and methods ask the library each time: a Domain is a handle, not a snapshot.
    """

    __slots__ = ("_ptr", "_conn", "__weakref__")

    def __init__(self, conn: "Connection", ptr: int) -> None:
        self._ptr: Optional[int] = ptr
        self._conn = conn

    def __del__(self) -> None:
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr and _ffi is not None:
            _ffi.lib.virDomainFree(ptr)

    def __repr__(self) -> str:
        try:
            return f"<Domain {self.name!r} {self.uuid}>"
        except Exception:  # noqa: BLE001 - a repr must not fail
            return "<Domain (unavailable)>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Domain) and other._conn is self._conn and other.uuid == self.uuid

    def __hash__(self) -> int:
        return hash(self.uuid)

    @property
    def connection(self) -> "Connection":
        return self._conn

    @property
    def name(self) -> str:
        name = _ffi.lib.virDomainGetName(self._ptr)
        if name is None:
            fail("virDomainGetName")
        return name.decode()

    @property
    def uuid(self) -> uuid.UUID:
        buf = ctypes.create_string_buffer(16)
        check(_ffi.lib.virDomainGetUUID(self._ptr, buf), "virDomainGetUUID")
        return uuid.UUID(bytes=buf.raw)

    @property
    def id(self) -> int:
        """The running domain's ID, -1 when it is not running."""
        value = _ffi.lib.virDomainGetID(self._ptr)
        return -1 if value == _NOT_RUNNING else value

    @property
    def resource_version(self) -> int:
        """The backend revision of the domain's last committed change."""
        version = ctypes.c_ulonglong()
        check(_ffi.lib.virDomainGetResourceVersion(self._ptr, ctypes.byref(version)),
              "virDomainGetResourceVersion")
        return version.value

    def state(self) -> tuple[Any, Any]:
        """``(state, reason)``: a DomainState and the matching *Reason enum."""
        state, reason = ctypes.c_int(), ctypes.c_int()
        check(_ffi.lib.virDomainGetState(self._ptr, ctypes.byref(state), ctypes.byref(reason), 0),
              "virDomainGetState")
        return state_reason(state.value, reason.value)

    def is_active(self) -> bool:
        return bool(check(_ffi.lib.virDomainIsActive(self._ptr), "virDomainIsActive"))

    def is_persistent(self) -> bool:
        return bool(check(_ffi.lib.virDomainIsPersistent(self._ptr), "virDomainIsPersistent"))

    def xml(self, flags: int = 0) -> str:
        """The domain's XML (``DomainXMLFlags.RESOURCE_VERSION`` adds ``resourceVersion``, which
        makes :meth:`define` of the edited XML a compare-and-swap)."""
        text = _ffi.take_string(_ffi.lib.virDomainGetXMLDesc(self._ptr, int(flags)))
        if text is None:
            fail("virDomainGetXMLDesc")
        return text

    def define(self, xml: str, resource_version: Optional[int] = None) -> "Domain":
        """Updates the domain's definition. XML that carries ``resourceVersion`` (from
        ``xml(DomainXMLFlags.RESOURCE_VERSION)``), or ``resource_version`` given here, makes it a
        compare-and-swap: :class:`~virtevent.Conflict` if the domain changed since. XML
        without a ``<uuid>`` gets this domain's."""
        root = ElementTree.fromstring(xml)
        if root.find("uuid") is None or resource_version is not None:
            if root.find("uuid") is None:
                ElementTree.SubElement(root, "uuid").text = str(self.uuid)
            if resource_version is not None:
                root.set("resourceVersion", str(resource_version))
            xml = ElementTree.tostring(root, encoding="unicode")
        return self._conn.define(xml)

    def suspend(self) -> None:
        check(_ffi.lib.virDomainSuspend(self._ptr), "virDomainSuspend")

    def resume(self) -> None:
        check(_ffi.lib.virDomainResume(self._ptr), "virDomainResume")

    def start(self, paused: bool = False) -> None:
        """Boots the defined domain (``paused``: leave it paused)."""
        flags = StartFlags.PAUSED if paused else 0
        check(_ffi.lib.virDomainCreateWithFlags(self._ptr, flags), "virDomainCreateWithFlags")

    def destroy(self) -> None:
        check(_ffi.lib.virDomainDestroy(self._ptr), "virDomainDestroy")

    def shutdown(self) -> None:
        check(_ffi.lib.virDomainShutdown(self._ptr), "virDomainShutdown")

    def reboot(self) -> None:
        check(_ffi.lib.virDomainReboot(self._ptr, 0), "virDomainReboot")

    def undefine(self) -> None:
        check(_ffi.lib.virDomainUndefine(self._ptr), "virDomainUndefine")

    # ---- jobs ----

    def jobs(self, active: bool = False, finished: bool = False, stats: bool = True) -> list[Job]:
        """The domain's jobs in the order they started (``active``/``finished`` filter;
        neither: both). ``stats=False`` leaves out their statistics."""
        return list_jobs(self, active, finished, stats)

    def job(self, name: str) -> JobHandle:
        """Job ``name`` of this domain (it need not exist yet: calls on it raise NotFound)."""
        return JobHandle(self, name)

    def block_pull(self, disk: str, bandwidth: int = 0, persist: bool = False) -> JobHandle:
        """Starts a block pull of ``disk`` (bandwidth in MiB/s, 0: the default); ``persist``
        keeps the finished job listed until dismissed. Returns its job."""
        flags = VIR_DOMAIN_JOB_PERSIST if persist else 0
        check(_ffi.lib.virDomainBlockPull(self._ptr, disk.encode(), bandwidth, flags), "virDomainBlockPull")
        return JobHandle(self, f"block-pull-{disk}")

    # ---- the test hypervisor ----

    def inject(self, what: str, **params: Value) -> None:
        """Test hypervisor: makes the domain's hypervisor do ``what`` (an I/O error, a watchdog,
        a graphics client, …) through ``virTestDomainInject``. Parameters are typed as
        :func:`virtevent.typedparams.param_type` says. NotSupported if the library lacks it."""
        inject = _ffi.symbol("virTestDomainInject")
        if inject is None:
            raise NotSupported(f"{_ffi.LIBRARY_PATH} has no virTestDomainInject", ErrorCode.NO_SUPPORT)
        array = ParamArray(params)
        check(inject(self._ptr, what.encode(), array.array, array.count, 0), "virTestDomainInject")


# ---- callbacks ----------------------------------------------------------------------------
# Each registration gets its own ctypes thunk (the library refuses the same function pointer
# twice for one event name and domain), kept with the Python function under an integer token
# passed as `opaque`. The library's free callback, run on cancel or connection close once no
# call is running, drops the entry: that is what releases both.

_callbacks: dict[int, tuple[Callable[[Event], Any], Any]] = {}
_tokens = itertools.count(1)


def _thunk(fn: Callable[[Event], Any]) -> Any:
    def dispatch(conn: Optional[int], dom: Optional[int], event: Optional[int], opaque: Optional[int]) -> None:
        if _pinning and threading.get_ident() not in _pinned:
            _pin_thread_state()
        if event:
            fn(decode(event))  # an exception goes to sys.unraisablehook (ctypes reports it)

    return _ffi.virConnectEventCallback(dispatch)


# A ctypes callback on a thread Python did not start creates a Python thread state on entry
# and destroys it on return: most of the cost of a call (about 9 of 11 µs per event). The
# dispatch thread's state is therefore kept (pinned with one extra PyGILState_Ensure) from its
# first callback until the package's last connection closes, when it is released on that
# thread (the library stops the thread then).
_pythonapi = ctypes.pythonapi
_pythonapi.PyGILState_Ensure.restype = ctypes.c_int
_pythonapi.PyGILState_Release.argtypes = [ctypes.c_int]
_pinned: dict[int, int] = {}  # thread ident → PyGILState_STATE of the pin
# Off while the last connection closes: a callback between the release and the library's
# stopping the thread must not pin the state again.
_pinning = True


def _pin_thread_state() -> None:
    _pinned[threading.get_ident()] = _pythonapi.PyGILState_Ensure()


def _unpin_thread_state() -> None:
    state = _pinned.pop(threading.get_ident(), None)
    if state is not None:
        _pythonapi.PyGILState_Release(state)


_unpinned = threading.Event()


@_ffi.virEventTimeoutCallback
def _unpin_on_dispatch_thread(timer: int, opaque: Optional[int]) -> None:
    _unpin_thread_state()
    _unpinned.set()


def _release_dispatch_thread_state() -> None:
    if threading.get_ident() in _pinned:  # closing from a callback: this is the thread
        _unpin_thread_state()
        return
    _unpinned.clear()
    timer = _ffi.lib.virEventAddTimeout(0, _unpin_on_dispatch_thread, None, _ffi.virFreeCallback())
    if timer >= 0:
        _unpinned.wait(1.0)
        _ffi.lib.virEventRemoveTimeout(timer)


@_ffi.virFreeCallback
def _release(opaque: Optional[int]) -> None:
    _callbacks.pop(opaque or 0, None)


class Registration:
    """A callback registered with :meth:`Connection.on`; :meth:`cancel` removes it."""

    def __init__(self, conn: "Connection", callback_id: int, token: int) -> None:
        self.connection = conn
        self.id = callback_id
        self._token = token

    @property
    def active(self) -> bool:
        return self._token in _callbacks

    def cancel(self) -> None:
        """Deregisters the callback (idempotent); its function is released once no call of it
        is running."""
        if self._token in _callbacks and not self.connection.closed:
            check(_ffi.lib.virConnectEventUnregister(self.connection._handle(), self.id),
                  "virConnectEventUnregister")

    def __enter__(self) -> "Registration":
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


_thread_impl_lock = threading.Lock()
_thread_impl_started = False


def _start_thread_impl() -> None:
    global _thread_impl_started
    with _thread_impl_lock:
        if not _thread_impl_started:
            check(_ffi.lib.virEventRegisterThreadImpl(), "virEventRegisterThreadImpl")
            _thread_impl_started = True


# ---- connections ----------------------------------------------------------------------------

_open_connections: "weakref.WeakSet[Connection]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    # The library's dispatch thread must not call into an interpreter that is going away.
    for conn in list(_open_connections):
        conn.close()


DomainKey = Union[str, uuid.UUID, int]


class Connection:
    """A connection to a hypervisor (``virtevent.open(uri)``); a context manager.

    ``test:///empty`` gives a private empty test hypervisor, ``test:///default`` the shared
    one with its domain ``test``.
    """

    def __init__(self, uri: Optional[str] = None) -> None:
        self._ptr: Optional[int] = _ffi.lib.virConnectOpen(uri.encode() if uri is not None else None)
        if not self._ptr:
            fail("virConnectOpen")
        _open_connections.add(self)

    def _handle(self) -> int:
        if not self._ptr:
            raise ConnectionClosed("the connection is closed", ErrorCode.INVALID_CONN)
        return self._ptr

    # ---- life ----

    def close(self) -> None:
        """Closes the connection (idempotent): its callbacks are deregistered and released,
        its streams end (they must still be closed)."""
        global _pinning
        ptr, self._ptr = self._ptr, None
        if ptr:
            _open_connections.discard(self)
            last = not _open_connections
            if last:
                _pinning = False
                if _pinned:
                    _release_dispatch_thread_state()
            try:
                _ffi.lib.virConnectClose(ptr)
            finally:
                if last:
                    _pinning = True

    @property
    def closed(self) -> bool:
        return not self._ptr

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_ptr", None):
            warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self, stacklevel=2)
            self.close()

    def __repr__(self) -> str:
        return f"<virtevent.Connection {'closed' if self.closed else self.uri}>"

    @property
    def uri(self) -> str:
        text = _ffi.take_string(_ffi.lib.virConnectGetURI(self._handle()))
        if text is None:
            fail("virConnectGetURI")
        return text

    def is_alive(self) -> bool:
        return not self.closed and _ffi.lib.virConnectIsAlive(self._ptr) == 1

    # ---- domains ----

    def _domain(self, ptr: Optional[int], what: str) -> Domain:
        if not ptr:
            fail(what)
        return Domain(self, ptr)

    def _listing(self, version: Optional[ctypes.c_ulonglong]) -> list[Domain]:
        array = ctypes.POINTER(ctypes.c_void_p)()
        if version is None:
            n = _ffi.lib.virConnectListAllDomains(self._handle(), ctypes.byref(array), 0)
        else:
            n = _ffi.lib.virConnectListAllDomainsVersioned(self._handle(), ctypes.byref(array),
                                                           ctypes.byref(version), 0)
        check(n, "virConnectListAllDomains")
        try:
            return [Domain(self, array[i]) for i in range(n)]
        finally:
            _ffi.libc.free(ctypes.cast(array, ctypes.c_void_p))

    def domains(self) -> list[Domain]:
        """Every domain, active or not."""
        return self._listing(None)

    def num_of_domains(self) -> int:
        """How many domains are running."""
        return check(_ffi.lib.virConnectNumOfDomains(self._handle()), "virConnectNumOfDomains")

    def list_and_watch(self) -> tuple[list[Domain], int]:
        """Every domain and the resource version at which that list is one consistent
        snapshot: ``events(since=version)`` then gives every later change, no gap, no duplicate."""
        version = ctypes.c_ulonglong()
        domains = self._listing(version)
        return domains, version.value

    def lookup(self, key: DomainKey) -> Domain:
        """The domain with this name (str), UUID (uuid.UUID, or a str that parses as one when
        no domain has that name) or ID (int); NotFound otherwise."""
        handle = self._handle()
        if isinstance(key, uuid.UUID):
            return self._domain(_ffi.lib.virDomainLookupByUUID(handle, key.bytes), "virDomainLookupByUUID")
        if isinstance(key, int) and not isinstance(key, bool):
            return self._domain(_ffi.lib.virDomainLookupByID(handle, key), "virDomainLookupByID")
        if isinstance(key, str):
            ptr = _ffi.lib.virDomainLookupByName(handle, key.encode())
            if not ptr:
                try:
                    parsed = uuid.UUID(key)
                except ValueError:
                    fail("virDomainLookupByName")
                return self.lookup(parsed)
            return Domain(self, ptr)
        raise TypeError(f"lookup by name, UUID or ID, not {type(key).__name__}")

    def define(self, xml: str) -> Domain:
        """Defines (or updates) a persistent domain; a compare-and-swap when the XML carries
        ``resourceVersion`` (Conflict on a stale version)."""
        return self._domain(_ffi.lib.virDomainDefineXML(self._handle(), xml.encode()), "virDomainDefineXML")

    def create(self, xml: str, paused: bool = False) -> Domain:
        """Boots a transient domain from ``xml`` (``paused``: leave it paused)."""
        flags = StartFlags.PAUSED if paused else 0
        return self._domain(_ffi.lib.virDomainCreateXML(self._handle(), xml.encode(), flags),
                            "virDomainCreateXML")

    # ---- events ----

    def events(self, domain: Optional[Domain] = None, event: Optional[str] = None,
               since: Optional[int] = None, bookmarks: bool = False,
               timeout: Optional[float] = None) -> EventStream:
        """A stream of events (of ``domain``, of kind ``event``, or all) read in batches.

        ``since``: first every event after that resource version (from :meth:`list_and_watch`
        or the last event seen), Expired if the history no longer reaches back that far.
        ``bookmarks``: also "bookmark" events while nothing happens. ``timeout``: iteration
        ends after that many seconds without an event (None: it waits for ever).
        """
        return EventStream(self, domain, event, since, bookmarks, timeout)

    def aevents(self, domain: Optional[Domain] = None, event: Optional[str] = None,
                since: Optional[int] = None, bookmarks: bool = False,
                timeout: Optional[float] = None) -> AsyncEventStream:
        """:meth:`events` for asyncio: ``async for ev in conn.aevents(): …``, woken by the
        running loop when the stream's descriptor becomes readable (no thread)."""
        return AsyncEventStream(EventStream(self, domain, event, since, bookmarks, timeout))

    def on(self, event: Optional[str], fn: Callable[[Event], Any], domain: Optional[Domain] = None,
           since: Optional[int] = None, bookmarks: bool = False) -> Registration:
        """Calls ``fn(ev)`` for every event of kind ``event`` (None: every kind) of ``domain``
        (None: every domain), on the library's dispatch thread (``virEventRegisterThreadImpl``),
        one at a time, in order. An exception raised by ``fn`` goes to ``sys.unraisablehook``.
        ``since`` replays from that resource version first."""
        handle = self._handle()
        _start_thread_impl()
        token = next(_tokens)
        thunk = _thunk(fn)
        _callbacks[token] = (fn, thunk)
        flags = 0
        if since is not None:
            flags |= EventRegisterFlags.SINCE
        if bookmarks:
            flags |= EventRegisterFlags.BOOKMARKS
        callback_id = _ffi.lib.virConnectEventRegisterFlags(
            handle, domain._ptr if domain is not None else None,
            event.encode() if event is not None else None, since or 0, thunk, token, _release, flags)
        if callback_id < 0:
            _callbacks.pop(token, None)  # a refused registration never runs the free callback
            fail("virConnectEventRegisterFlags")
        return Registration(self, callback_id, token)

    # ---- capabilities and settings ----

    def supported_events(self) -> list[Any]:
        """The event IDs this connection's backend can emit."""
        ids = ctypes.POINTER(ctypes.c_int)()
        n = check(_ffi.lib.virConnectListDomainEventIDs(self._handle(), ctypes.byref(ids), 0),
                  "virConnectListDomainEventIDs")
        try:
            return [enum_or_int(EventID, ids[i]) for i in range(n)]
        finally:
            _ffi.libc.free(ctypes.cast(ids, ctypes.c_void_p))

    def supports(self, event: Union[str, int]) -> bool:
        """Whether the backend can emit ``event`` (a name or an ID); if not, poll instead."""
        from .events import event_id as name_to_id

        event_id = name_to_id(event) if isinstance(event, str) else int(event)
        return bool(check(_ffi.lib.virConnectDomainEventIsSupported(self._handle(), event_id),
                          "virConnectDomainEventIsSupported"))

    def set_history_size(self, size: int) -> None:
        """How many events the backend keeps for watches and streams (default 4096)."""
        check(_ffi.lib.virConnectSetEventHistorySize(self._handle(), size), "virConnectSetEventHistorySize")

    def set_bookmark_interval(self, seconds: float) -> None:
        """How long a ``bookmarks`` stream or callback goes without events before a bookmark."""
        check(_ffi.lib.virConnectSetEventBookmarkInterval(self._handle(), int(seconds * 1000)),
              "virConnectSetEventBookmarkInterval")


def open(uri: Optional[str] = None) -> Connection:  # noqa: A001 - the package's entry point
    """Opens a connection (``None``: ``test:///default``)."""
    return Connection(uri)
