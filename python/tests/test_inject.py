"""dom.inject over virTestDomainInject (built on another branch: skipped while absent)."""

import pytest

import virtevent
from virtevent import _ffi
from virtevent.typedparams import ParamArray, TypedParamType, param_type, read_params

from conftest import domain_xml

HAS_INJECT = _ffi.symbol("virTestDomainInject") is not None


def test_param_types_follow_the_documented_mapping():
    assert param_type("path", "/x") == TypedParamType.STRING
    assert param_type("flag", True) == TypedParamType.BOOLEAN
    assert param_type("size", 5) == TypedParamType.ULLONG
    assert param_type("offset", -5) == TypedParamType.LLONG
    assert param_type("ratio", 0.5) == TypedParamType.DOUBLE
    with pytest.raises(TypeError):
        param_type("x", [1])


def test_a_param_array_reads_back_as_it_was_given():
    given = {"path": "/disk.img", "pause": False, "size": 2**40, "offset": -3600, "ratio": 0.25}
    array = ParamArray(given)
    assert array.count == 5
    assert read_params(array.array, array.count) == given
    with pytest.raises(ValueError):
        ParamArray({"size": -1})
    with pytest.raises(ValueError):
        ParamArray({"x" * 80: 1})


@pytest.mark.skipif(HAS_INJECT, reason="the library has virTestDomainInject")
def test_inject_is_not_supported_without_the_symbol(conn):
    dom = conn.define(domain_xml("noinject"))
    with pytest.raises(virtevent.NotSupported) as err:
        dom.inject("watchdog")
    assert err.value.code == virtevent.ErrorCode.NO_SUPPORT


@pytest.mark.skipif(not HAS_INJECT, reason="virTestDomainInject is not in this library yet")
def test_inject_what_the_hypervisor_would_do(conn):
    # The happenings and parameters of issue 9: "rtc" {offset: LLONG}, "balloon" {actual:
    # ULLONG KiB}, "guest-reboot".
    dom = conn.define(domain_xml("inject"))
    dom.start()
    with conn.events(domain=dom) as stream:
        dom.inject("rtc", offset=-3600)
        dom.inject("balloon", actual=512)
        dom.inject("guest-reboot")
        got = stream.read(timeout=2) + stream.read(timeout=0.2)
    rtc = [e.rtc_change for e in got if e.rtc_change is not None]
    balloon = [e.balloon_change for e in got if e.balloon_change is not None]
    assert [r.utc_offset for r in rtc] == [-3600]
    assert [b.actual for b in balloon] == [512]
    assert any(e.event_id == virtevent.EventID.REBOOT for e in got)
    with pytest.raises(virtevent.InvalidArgument):
        dom.inject("no-such-happening")
    with pytest.raises(virtevent.InvalidArgument):
        dom.inject("rtc", offset="soon")  # ill-typed: a STRING where LLONG is expected


@pytest.mark.skipif(not HAS_INJECT, reason="virTestDomainInject is not in this library yet")
def test_a_guest_user_logs_on_through_the_agent(conn):
    agent = "<devices><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel></devices>"
    dom = conn.define(domain_xml("users").replace("</domain>", agent + "</domain>"))
    dom.start()
    with pytest.raises(virtevent.OperationInvalid):
        dom.inject("guest-user", user="alice", state="logon")  # the agent is not connected yet
    with conn.events(domain=dom, event="guest-user") as stream:
        dom.inject("agent", state="connected")
        dom.inject("guest-user", user="alice", state="logon")
        dom.inject("guest-user", user="alice", state="logoff")
        got = stream.read(timeout=2)
    assert [(e.guest_user.user, e.guest_user.state) for e in got] == [
        ("alice", virtevent.GuestUserState.LOGON), ("alice", virtevent.GuestUserState.LOGOFF)]
    assert all(e.event_name == "guest-user" for e in got)
