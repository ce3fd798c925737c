"""The C library, loaded with dlopen, and the prototypes of the functions the package calls.

Everything that touches raw pointers lives here and in the decoders of ``events.py``; the
rest of the package works with Python objects. The structures (``virConnectEvent`` and its
union, ``virError``, ``virDomainJob``, ``virTypedParameter``) are generated from the header
into ``_cstructs.py``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int, c_uint, c_ulong, c_ulonglong, c_void_p
from pathlib import Path
from typing import Any, Iterator, Optional

LIBRARY_ENV = "VIRTEVENT_LIBRARY"


def _checkout_library() -> Iterator[Path]:
    """The checkout's build: next to the package source (a source tree or an editable
    install), then the checkout recorded by a non-editable ``pip install ./python``."""
    yield Path(__file__).resolve().parent.parent.parent / "target" / "release" / "libvirtevent.so"
    try:
        from ._checkout import CHECKOUT  # written by setup.py's build step
    except ImportError:
        return
    yield Path(CHECKOUT) / "target" / "release" / "libvirtevent.so"


def _candidates() -> Iterator[str]:
    explicit = os.environ.get(LIBRARY_ENV)
    if explicit:
        # An explicit choice is the only one: falling back would hide a mistake.
        yield explicit
        return
    found = ctypes.util.find_library("virtevent")
    if found:
        yield found
    # The dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache, the default directories),
    # which finds `make install`'s copy even before ldconfig has recorded it in the cache.
    yield "libvirtevent.so.0"
    for path in _checkout_library():
        yield str(path)


def _load() -> tuple[ctypes.CDLL, str]:
    tried = []
    for candidate in _candidates():
        try:
            return ctypes.CDLL(candidate), candidate
        except OSError as err:
            tried.append(f"{candidate} ({err})")
    raise ImportError(
        "virtevent: cannot load libvirtevent; tried: " + "; ".join(tried)
        + f". Set {LIBRARY_ENV} to the library's path, run `make install`, or build the "
        "checkout with `make`."
    )


lib, LIBRARY_PATH = _load()
libc = ctypes.CDLL(None)
libc.free.argtypes = [c_void_p]
libc.free.restype = None

# The structures, generated from the header (_cstructs.py).
from ._cstructs import virDomainJob, virError, virTypedParameter  # noqa: E402

# ---- callbacks --------------------------------------------------------------------------

virConnectEventCallback = CFUNCTYPE(None, c_void_p, c_void_p, c_void_p, c_void_p)
virFreeCallback = CFUNCTYPE(None, c_void_p)
virErrorFunc = CFUNCTYPE(None, c_void_p, c_void_p)
virEventTimeoutCallback = CFUNCTYPE(None, c_int, c_void_p)

# ---- functions --------------------------------------------------------------------------

_conn = c_void_p
_dom = c_void_p
_stream = c_void_p

_PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {
    "virGetLastError": (POINTER(virError), []),
    "virResetLastError": (None, []),
    "virSetErrorFunc": (None, [c_void_p, virErrorFunc]),
    "virConnectOpen": (_conn, [c_char_p]),
    "virConnectClose": (c_int, [_conn]),
    "virConnectGetURI": (c_void_p, [_conn]),
    "virConnectIsAlive": (c_int, [_conn]),
    "virConnectNumOfDomains": (c_int, [_conn]),
    "virConnectListAllDomains": (c_int, [_conn, POINTER(POINTER(c_void_p)), c_uint]),
    "virConnectListAllDomainsVersioned": (
        c_int, [_conn, POINTER(POINTER(c_void_p)), POINTER(c_ulonglong), c_uint]),
    "virDomainDefineXML": (_dom, [_conn, c_char_p]),
    "virDomainDefineXMLFlags": (_dom, [_conn, c_char_p, c_uint]),
    "virDomainCreateXML": (_dom, [_conn, c_char_p, c_uint]),
    "virDomainLookupByName": (_dom, [_conn, c_char_p]),
    "virDomainLookupByUUID": (_dom, [_conn, c_char_p]),
    "virDomainLookupByID": (_dom, [_conn, c_int]),
    "virDomainFree": (c_int, [_dom]),
    "virDomainGetName": (c_char_p, [_dom]),
    "virDomainGetUUID": (c_int, [_dom, c_char_p]),
    "virDomainGetID": (c_uint, [_dom]),
    "virDomainGetState": (c_int, [_dom, POINTER(c_int), POINTER(c_int), c_uint]),
    "virDomainGetResourceVersion": (c_int, [_dom, POINTER(c_ulonglong)]),
    "virDomainGetXMLDesc": (c_void_p, [_dom, c_uint]),
    "virDomainIsActive": (c_int, [_dom]),
    "virDomainIsPersistent": (c_int, [_dom]),
    "virDomainCreateWithFlags": (c_int, [_dom, c_uint]),
    "virDomainSuspend": (c_int, [_dom]),
    "virDomainResume": (c_int, [_dom]),
    "virDomainDestroy": (c_int, [_dom]),
    "virDomainShutdown": (c_int, [_dom]),
    "virDomainReboot": (c_int, [_dom, c_uint]),
    "virDomainUndefine": (c_int, [_dom]),
    "virEventRegisterThreadImpl": (c_int, []),
    "virEventAddTimeout": (c_int, [c_int, virEventTimeoutCallback, c_void_p, virFreeCallback]),
    "virEventRemoveTimeout": (c_int, [c_int]),
    "virConnectEventRegisterFlags": (
        c_int, [_conn, _dom, c_char_p, c_ulonglong, virConnectEventCallback, c_void_p, virFreeCallback, c_uint]),
    "virConnectEventUnregister": (c_int, [_conn, c_int]),
    "virConnectDomainEventNameToID": (c_int, [c_char_p]),
    "virConnectDomainEventIDToName": (c_char_p, [c_int]),
    "virConnectDomainEventIsSupported": (c_int, [_conn, c_int]),
    "virConnectListDomainEventIDs": (c_int, [_conn, POINTER(POINTER(c_int)), c_uint]),
    "virConnectSetEventHistorySize": (c_int, [_conn, c_uint]),
    "virConnectSetEventBookmarkInterval": (c_int, [_conn, c_uint]),
    "virConnectEventStreamOpen": (_stream, [_conn, _dom, c_char_p, c_ulonglong, c_uint]),
    "virConnectEventStreamFD": (c_int, [_stream]),
    "virConnectEventStreamRead": (c_int, [_stream, POINTER(c_void_p), c_int, c_int]),
    "virConnectEventStreamClose": (c_int, [_stream]),
    "virDomainJobList": (c_int, [_dom, POINTER(POINTER(POINTER(virDomainJob))), c_uint]),
    "virDomainJobFree": (None, [POINTER(virDomainJob)]),
    "virDomainJobGetXMLDesc": (c_void_p, [_dom, c_char_p, c_uint]),
    "virDomainJobControl": (c_int, [_dom, c_char_p, c_int, c_uint]),
    "virDomainBlockPull": (c_int, [_dom, c_char_p, c_ulong, c_uint]),
    "virTestDomainFailJob": (c_int, [_dom, c_char_p, c_char_p, c_uint]),
}

# Being built on another branch: resolved when first used (see symbol()).
_OPTIONAL: dict[str, tuple[Any, list[Any]]] = {
    "virTestDomainInject": (c_int, [_dom, c_char_p, POINTER(virTypedParameter), c_int, c_uint]),
}

for _name, (_restype, _argtypes) in _PROTOTYPES.items():
    _fn = getattr(lib, _name)
    _fn.restype = _restype
    _fn.argtypes = _argtypes



# libvirt's default error handler prints every error on stderr; Python reports errors as
# exceptions instead, so the package installs a handler that does nothing (as libvirt-python
# installs its own).
@virErrorFunc
def _ignore_error(user_data: Optional[int], error: Optional[int]) -> None:
    return None


lib.virSetErrorFunc(None, _ignore_error)


def symbol(name: str) -> Optional[Any]:
    """An optional function of the library with its prototype, or None if it lacks it."""
    restype, argtypes = _OPTIONAL[name]
    try:
        fn = getattr(lib, name)
    except AttributeError:
        return None
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


# Python's own constructor from a C string, a third of ctypes.string_at(ptr).decode()'s cost
# (it runs once per event). Raises UnicodeDecodeError on invalid UTF-8.
str_at = ctypes.pythonapi.PyUnicode_FromString
str_at.argtypes = [c_void_p]
str_at.restype = ctypes.py_object


def text_at(address: int) -> str:
    """The NUL-terminated UTF-8 string at ``address`` (invalid bytes replaced)."""
    try:
        return str_at(address)
    except UnicodeDecodeError:
        return ctypes.string_at(address).decode(errors="replace")


def take_string(address: Optional[int]) -> Optional[str]:
    """A `char *` the caller owns, as str, freed."""
    if not address:
        return None
    try:
        return ctypes.string_at(address).decode()
    finally:
        libc.free(address)
