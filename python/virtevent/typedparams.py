"""libvirt typed parameters (``virTypedParameter``) to and from Python values.

Python → C, for :meth:`Domain.inject`: the one mapping from a Python value to a parameter
type is :func:`param_type` —

* ``str`` → ``VIR_TYPED_PARAM_STRING``
* ``bool`` → ``VIR_TYPED_PARAM_BOOLEAN`` (tested before ``int``: a bool is an int in Python)
* ``int`` → ``VIR_TYPED_PARAM_ULLONG``, except for the names in :data:`SIGNED_PARAMS`
  (``offset``, a signed RTC offset in seconds) → ``VIR_TYPED_PARAM_LLONG``
* ``float`` → ``VIR_TYPED_PARAM_DOUBLE``
"""

from __future__ import annotations

import ctypes
from typing import Any, Union

from . import _ffi
from ._constants import VIR_TYPED_PARAM_FIELD_LENGTH, TypedParamType

#: Integer parameters that may be negative, sent as LLONG rather than ULLONG.
SIGNED_PARAMS = frozenset({"offset"})

Value = Union[str, bool, int, float]


def param_type(name: str, value: Value) -> TypedParamType:
    """The parameter type ``value`` is sent as under ``name`` (see the module's docstring)."""
    if isinstance(value, str):
        return TypedParamType.STRING
    if isinstance(value, bool):
        return TypedParamType.BOOLEAN
    if isinstance(value, int):
        return TypedParamType.LLONG if name in SIGNED_PARAMS else TypedParamType.ULLONG
    if isinstance(value, float):
        return TypedParamType.DOUBLE
    raise TypeError(f"parameter {name!r}: {type(value).__name__} has no typed-parameter type")


class ParamArray:
    """A C array of typed parameters built from keyword arguments; keeps its strings alive."""

    def __init__(self, params: dict[str, Value]) -> None:
        self.array = (_ffi.virTypedParameter * max(1, len(params)))()
        self.count = len(params)
        self._strings: list[ctypes.Array[ctypes.c_char]] = []
        for slot, (name, value) in zip(self.array, params.items()):
            field = name.encode()
            if not 0 < len(field) < VIR_TYPED_PARAM_FIELD_LENGTH:
                raise ValueError(f"parameter name {name!r}: 1 to {VIR_TYPED_PARAM_FIELD_LENGTH - 1} bytes")
            slot.field = field
            kind = param_type(name, value)
            slot.type = kind
            if kind == TypedParamType.STRING:
                buf = ctypes.create_string_buffer(str(value).encode())
                self._strings.append(buf)
                slot.value.s = ctypes.addressof(buf)
            elif kind == TypedParamType.BOOLEAN:
                slot.value.b = b"\x01" if value else b"\x00"
            elif kind == TypedParamType.LLONG:
                slot.value.l = int(value)
            elif kind == TypedParamType.ULLONG:
                if int(value) < 0:
                    raise ValueError(f"parameter {name!r}: {value} is negative (sent as ULLONG)")
                slot.value.ul = int(value)
            else:
                slot.value.d = float(value)


def read_params(params: Any, count: int) -> dict[str, Any]:
    """The ``count`` parameters at ``params`` (a POINTER(virTypedParameter)) as a dict."""
    out: dict[str, Any] = {}
    for i in range(count):
        p = params[i]
        name = p.field.decode(errors="replace")
        kind = p.type
        if kind == TypedParamType.INT:
            out[name] = p.value.i
        elif kind == TypedParamType.UINT:
            out[name] = p.value.ui
        elif kind == TypedParamType.LLONG:
            out[name] = p.value.l
        elif kind == TypedParamType.ULLONG:
            out[name] = p.value.ul
        elif kind == TypedParamType.DOUBLE:
            out[name] = p.value.d
        elif kind == TypedParamType.BOOLEAN:
            out[name] = p.value.b != b"\x00"
        elif kind == TypedParamType.STRING:
            out[name] = p.value.s.decode(errors="replace") if p.value.s is not None else None
    return out
