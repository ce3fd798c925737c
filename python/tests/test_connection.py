"""Connections, domains, the error hierarchy."""

import gc
import uuid

import pytest

import virtevent
from virtevent import DomainState, DomainXMLFlags, ErrorCode, ErrorDomain

from conftest import domain_xml


def test_open_close_and_context_manager():
    conn = virtevent.open("test:///empty")
    assert conn.uri == "test:///empty" and conn.is_alive() and not conn.closed
    conn.close()
    conn.close()  # idempotent
    assert conn.closed and not conn.is_alive()
    with pytest.raises(virtevent.ConnectionClosed) as err:
        conn.domains()
    assert err.value.code == ErrorCode.INVALID_CONN
    with virtevent.open("test:///empty") as c:
        assert c.domains() == []
    assert c.closed


def test_default_uri_is_the_shared_test_hypervisor():
    with virtevent.open() as conn:
        assert conn.uri == "test:///default"
        assert "test" in [d.name for d in conn.domains()]
        assert conn.num_of_domains() >= 1


def test_open_refuses_an_unknown_uri():
    with pytest.raises(virtevent.VirteventError) as err:
        virtevent.open("nosuch:///x")
    assert err.value.code != ErrorCode.OK and err.value.message


def test_an_unclosed_connection_warns():
    conn = virtevent.open("test:///empty")
    with pytest.warns(ResourceWarning):
        del conn
        gc.collect()


def test_define_lookup_and_domain_properties(conn):
    dom = conn.define(domain_xml("alpha"))
    assert dom.name == "alpha" and isinstance(dom.uuid, uuid.UUID)
    assert dom.id == -1 and dom.state() == (DomainState.SHUTOFF, virtevent.ShutoffReason.UNKNOWN)
    assert dom.is_persistent() and not dom.is_active()
    assert conn.lookup("alpha") == dom
    assert conn.lookup(dom.uuid) == dom
    assert conn.lookup(str(dom.uuid)) == dom
    dom.start()
    assert dom.is_active() and dom.id > 0 and conn.lookup(dom.id) == dom
    assert dom.state() == (DomainState.RUNNING, virtevent.RunningReason.BOOTED)
    assert conn.domains() == [dom] and conn.num_of_domains() == 1
    assert "<name>alpha</name>" in dom.xml()
    assert dom.connection is conn and "alpha" in repr(dom) and hash(dom) == hash(conn.lookup("alpha"))


def test_every_state_change(conn):
    dom = conn.define(domain_xml("beta"))
    v0 = dom.resource_version
    dom.start(paused=True)
    assert dom.state()[0] == DomainState.PAUSED
    dom.resume()
    assert dom.state()[0] == DomainState.RUNNING
    dom.suspend()
    assert dom.state() == (DomainState.PAUSED, virtevent.PausedReason.USER)
    dom.resume()
    dom.reboot()
    assert dom.state()[0] == DomainState.RUNNING
    dom.shutdown()
    assert dom.state()[0] == DomainState.SHUTOFF
    dom.start()
    dom.destroy()
    assert dom.state() == (DomainState.SHUTOFF, virtevent.ShutoffReason.DESTROYED)
    assert dom.resource_version > v0
    dom.undefine()
    with pytest.raises(virtevent.NotFound):
        conn.lookup("beta")


def test_create_makes_a_transient_domain(conn):
    dom = conn.create(domain_xml("gamma"), paused=True)
    assert dom.is_active() and not dom.is_persistent()
    assert dom.state()[0] == DomainState.PAUSED
    dom.destroy()
    with pytest.raises(virtevent.NotFound):
        conn.lookup("gamma")


def test_list_and_watch_gives_domains_and_the_version(conn):
    a = conn.define(domain_xml("a"))
    conn.define(domain_xml("b")).start()
    domains, version = conn.list_and_watch()
    assert sorted(d.name for d in domains) == ["a", "b"]
    assert version == max(d.resource_version for d in domains)
    a.start()
    assert conn.list_and_watch()[1] > version


def test_compare_and_swap_define(conn):
    dom = conn.define(domain_xml("cas"))
    stale = dom.xml(DomainXMLFlags.RESOURCE_VERSION)
    assert f"resourceVersion='{dom.resource_version}'" in stale
    updated = dom.define(stale.replace("<memory unit='KiB'>1024</memory>", "<memory unit='KiB'>2048</memory>"))
    assert updated == dom
    with pytest.raises(virtevent.Conflict) as err:
        dom.define(stale)
    assert err.value.code == ErrorCode.RESOURCE_VERSION_CONFLICT
    assert isinstance(err.value, virtevent.VirteventError)
    with pytest.raises(virtevent.Conflict):
        dom.define(domain_xml("cas"), resource_version=dom.resource_version - 1)
    dom.define(domain_xml("cas"), resource_version=dom.resource_version)  # current: accepted


def test_errors_carry_code_domain_and_message(conn):
    with pytest.raises(virtevent.NotFound) as err:
        conn.lookup("missing")
    e = err.value
    assert e.code == ErrorCode.NO_DOMAIN and isinstance(e.code, ErrorCode)
    assert isinstance(e.domain, ErrorDomain) and "missing" in e.message and str(e) == e.message
    assert "NotFound" in repr(e)
    with pytest.raises(virtevent.NotFound):
        conn.lookup(uuid.uuid4())
    with pytest.raises(virtevent.NotFound):
        conn.lookup(4242)
    with pytest.raises(TypeError):
        conn.lookup(1.5)  # type: ignore[arg-type]
    dom = conn.define(domain_xml("idle"))
    with pytest.raises(virtevent.OperationInvalid) as err:
        dom.suspend()
    assert err.value.code == ErrorCode.OPERATION_INVALID
    with pytest.raises(virtevent.VirteventError) as err:
        conn.define("<domain")
    assert err.value.code in (ErrorCode.XML_ERROR, ErrorCode.XML_DETAIL)
    with pytest.raises(virtevent.InvalidArgument):
        conn.set_history_size(0)


def test_error_class_of_every_mapped_code():
    from virtevent.errors import ERROR_CLASSES

    for code, cls in ERROR_CLASSES.items():
        assert issubclass(cls, virtevent.VirteventError)
        assert cls("m", code).code == code
    assert virtevent.VirteventError("m", 99999).code == 99999  # newer than the package


def test_capabilities_and_settings(conn):
    supported = conn.supported_events()
    assert virtevent.EventID.LIFECYCLE in supported and virtevent.EventID.EXISTENCE in supported
    assert conn.supports("lifecycle") and conn.supports(virtevent.EventID.EXISTENCE)
    unsupported = [e for e in virtevent.EventID if e not in supported]
    assert unsupported and not conn.supports(unsupported[0])
    with pytest.raises(virtevent.InvalidArgument):
        conn.supports(12345)
    conn.set_history_size(16)
    conn.set_bookmark_interval(0.05)
