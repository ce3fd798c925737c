"""Shared fixtures: private test:///empty connections and domain XML."""

from __future__ import annotations

import gc
from typing import Callable, Iterator

import pytest

import virtevent


def domain_xml(name: str, disk: bool = False) -> str:
    """A minimal persistent test domain (``disk``: with a three-image chain on vda, for jobs)."""
    devices = ""
    if disk:
        devices = (
            "<devices><disk type='file' device='disk'><source file='/%s-top.qcow2'/>"
            "<backingStore type='file'><format type='qcow2'/><source file='/%s-mid.qcow2'/>"
            "<backingStore type='file'><format type='raw'/><source file='/%s-base.img'/>"
            "</backingStore></backingStore><target dev='vda'/></disk></devices>" % (name, name, name)
        )
    return (f"<domain type='test'><name>{name}</name><memory>1024</memory>"
            f"<os><type>hvm</type></os>{devices}</domain>")


@pytest.fixture
def conn() -> Iterator[virtevent.Connection]:
    with virtevent.open("test:///empty") as c:
        yield c
    gc.collect()


@pytest.fixture
def running(conn: virtevent.Connection) -> Callable[[str], virtevent.Domain]:
    def make(name: str) -> virtevent.Domain:
        dom = conn.define(domain_xml(name))
        dom.start()
        return dom
    return make
