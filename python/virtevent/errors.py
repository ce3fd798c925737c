"""One exception hierarchy for every failure the library reports.

A failing C call returns -1 or NULL and leaves its error (libvirt's ``virError``) in the
calling thread; :func:`check` turns it into the :class:`VirteventError` subclass its code
maps to, keeping the code, the part of the library that raised it, and the message.
"""

from __future__ import annotations

from typing import Any, NoReturn, Optional

from . import _ffi
from ._constants import ErrorCode, ErrorDomain


def enum_or_int(cls: type, value: int) -> Any:
    """``cls(value)``, or the plain int for a value newer than this package."""
    try:
        return cls(value)
    except ValueError:
        return value


class VirteventError(Exception):
    """A call failed. ``code`` is an :class:`ErrorCode` (or a plain int for a code newer than
    this package), ``domain`` an :class:`ErrorDomain`, ``message`` the library's message."""

    def __init__(self, message: str, code: int = ErrorCode.INTERNAL_ERROR,
                 domain: int = ErrorDomain.NONE) -> None:
        super().__init__(message)
        self.message = message
        self.code = enum_or_int(ErrorCode, code)
        self.domain = enum_or_int(ErrorDomain, domain)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, domain={self.domain!r}, message={self.message!r})"


class Conflict(VirteventError):
    """A compare-and-swap update found the domain at another resource version."""


class Expired(VirteventError):
    """The event history no longer reaches back to the version asked for: relist."""


class NotFound(VirteventError):
    """No such domain, job, or other object."""


class InvalidArgument(VirteventError):
    """An argument the library refused."""


class NotSupported(VirteventError):
    """This library (or this backend) does not have the operation."""


class OperationInvalid(VirteventError):
    """The operation is not valid in the object's current state."""


class ConnectionClosed(VirteventError):
    """The connection is closed."""


class StreamClosed(VirteventError):
    """The event stream is closed."""


# The one place a code picks its class; any other code raises VirteventError itself.
ERROR_CLASSES: dict[int, type[VirteventError]] = {
    ErrorCode.RESOURCE_VERSION_CONFLICT: Conflict,
    ErrorCode.RESOURCE_VERSION_EXPIRED: Expired,
    ErrorCode.NO_DOMAIN: NotFound,
    ErrorCode.NO_DOMAIN_JOB: NotFound,
    ErrorCode.INVALID_ARG: InvalidArgument,
    ErrorCode.NO_SUPPORT: NotSupported,
    ErrorCode.OPERATION_INVALID: OperationInvalid,
    ErrorCode.INVALID_CONN: ConnectionClosed,
    ErrorCode.INVALID_STREAM: StreamClosed,
}


def last_error(what: str) -> VirteventError:
    """The calling thread's last error as an exception (``what`` names the failed call)."""
    err: Optional[_ffi.virError] = None
    ptr = _ffi.lib.virGetLastError()
    if ptr:
        err = ptr.contents
    if err is None or err.code == ErrorCode.OK:
        return VirteventError(f"{what} failed without an error")
    message = err.message.decode(errors="replace") if err.message else f"{what} failed"
    return ERROR_CLASSES.get(err.code, VirteventError)(message, err.code, err.domain)


def fail(what: str) -> NoReturn:
    raise last_error(what)


def check(result: int, what: str) -> int:
    """Raises the last error if an int-returning call failed (-1); returns the result."""
    if result < 0:
        fail(what)
    return result
