"""The stream iterator: batches, the descriptor, filters, since, expiry, bookmarks, Event values."""

import dataclasses
import datetime
import select
import uuid

import pytest

import virtevent
from virtevent import EventID, ExistenceType, LifecycleEvent

from conftest import domain_xml


def readable(fd: int, timeout: float = 0) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


def test_iterating_yields_every_change_in_order(conn, running):
    with conn.events(timeout=0.2) as stream:
        dom = running("one")
        dom.suspend()
        dom.resume()
        events = list(stream)
    assert [e.event_name for e in events] == ["existence", "lifecycle", "lifecycle", "lifecycle", "lifecycle"]
    assert [e.lifecycle.event for e in events[1:]] == [
        LifecycleEvent.DEFINED, LifecycleEvent.STARTED, LifecycleEvent.SUSPENDED, LifecycleEvent.RESUMED]
    versions = [e.resource_version for e in events]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert stream.closed


def test_event_values_are_python_values(conn, running):
    with conn.events() as stream:
        before = datetime.datetime.now(datetime.timezone.utc)
        dom = running("values")
        events = stream.read()
    added, defined, started = events
    assert dataclasses.is_dataclass(added)
    assert added.event_id == EventID.EXISTENCE and isinstance(added.event_id, EventID)
    assert added.existence.type == ExistenceType.ADDED and added.lifecycle is None
    assert defined.lifecycle.detail == virtevent.DefinedDetail.ADDED and defined.existence is None
    assert started.domain_name == "values" and started.domain_uuid == dom.uuid
    assert isinstance(started.domain_uuid, uuid.UUID)
    assert started.domain_id == dom.id and started.state == virtevent.DomainState.RUNNING
    assert started.reason == virtevent.RunningReason.BOOTED
    assert started.timestamp.tzinfo is not None
    assert before - datetime.timedelta(seconds=1) <= started.timestamp <= datetime.datetime.now(datetime.timezone.utc)
    assert started.payload is started.lifecycle and started.io_error is None and started.job_state is None
    assert started == dataclasses.replace(started)


def test_batches_and_descriptor_readiness(conn, running):
    dom = running("batch")
    with conn.events() as stream:
        fd = stream.fd
        assert not readable(fd) and stream.read() == []
        for _ in range(5):
            dom.suspend()
            dom.resume()
        assert readable(fd)
        assert len(stream.read(4)) == 4
        assert readable(fd)
        assert len(stream.read(100)) == 6
        assert not readable(fd)
        dom.suspend()
        assert readable(fd, 1)
        assert [e.lifecycle.event for e in stream.read(timeout=None)] == [LifecycleEvent.SUSPENDED]


def test_read_waits_up_to_its_timeout(conn):
    import time

    with conn.events() as stream:
        start = time.monotonic()
        assert stream.read(timeout=0.1) == []
        assert time.monotonic() - start >= 0.09


def test_filters_by_domain_and_by_event(conn, running):
    a, b = running("a"), running("b")
    with conn.events(domain=a) as of_a, conn.events(event="lifecycle") as lifecycle:
        for dom in (a, b):
            dom.suspend()
        c = running("c")
        assert [e.domain_name for e in of_a.read()] == ["a"]
        got = lifecycle.read()
        assert [e.domain_name for e in got] == ["a", "b", "c", "c"]
        assert all(e.event_id == EventID.LIFECYCLE for e in got)
    c.destroy()


def test_since_replays_exactly_the_changes_after_a_listing(conn, running):
    dom = running("since")
    _, version = conn.list_and_watch()
    dom.suspend()
    dom.resume()
    with conn.events(since=version) as stream:
        replayed = stream.read()
    assert [e.lifecycle.event for e in replayed] == [LifecycleEvent.SUSPENDED, LifecycleEvent.RESUMED]
    assert replayed[0].resource_version == version + 1


def test_since_beyond_the_history_is_expired(conn, running):
    conn.set_history_size(4)
    dom = running("old")
    _, version = conn.list_and_watch()
    for _ in range(5):
        dom.suspend()
        dom.resume()
    with pytest.raises(virtevent.Expired) as err:
        conn.events(since=version)
    assert err.value.code == virtevent.ErrorCode.RESOURCE_VERSION_EXPIRED
    with pytest.raises(virtevent.InvalidArgument):
        conn.events(since=10**12)


def test_a_stream_that_falls_behind_gets_expired_then_ends(conn, running):
    conn.set_history_size(8)
    dom = running("slow")
    with conn.events() as stream:
        for _ in range(20):
            dom.suspend()
            dom.resume()
        events = list(stream)
        assert events[-1].is_expired and events[-1].event_name == "expired"
        assert events[-1].domain_name == "" and events[-1].domain_uuid == uuid.UUID(int=0)
        assert stream.expired and stream.read() == []


def test_bookmarks_while_nothing_happens(conn, running):
    running("quiet")
    conn.set_bookmark_interval(0.05)
    _, version = conn.list_and_watch()
    with conn.events(since=version, bookmarks=True) as stream:
        got = stream.read(timeout=2)
    assert got and got[0].is_bookmark and got[0].resource_version == version


def test_closed_stream_and_closed_connection(conn, running):
    stream = conn.events()
    stream.close()
    stream.close()
    with pytest.raises(virtevent.StreamClosed):
        stream.read()
    with pytest.raises(virtevent.StreamClosed):
        stream.fd
    other = virtevent.open("test:///empty")
    with other.events() as orphan:
        other.close()
        with pytest.raises(virtevent.ConnectionClosed):
            orphan.read()


def test_opening_on_a_closed_connection_and_bad_event_name(conn):
    with pytest.raises(virtevent.InvalidArgument):
        conn.events(event="no-such-event")
    closed = virtevent.open("test:///empty")
    closed.close()
    with pytest.raises(virtevent.ConnectionClosed):
        closed.events()


def test_an_unclosed_stream_warns(conn):
    import gc

    stream = conn.events()
    with pytest.warns(ResourceWarning):
        del stream
        gc.collect()


def test_job_state_events_carry_the_job(conn):
    dom = conn.define(domain_xml("jobs", disk=True))
    dom.start()
    with conn.events(event="job-state") as stream:
        job = dom.block_pull("vda", bandwidth=1)
        job.abort()
        seen = []
        for ev in stream.read(timeout=2) + stream.read(timeout=0.5):
            seen.append((ev.job_state.old_state, ev.job_state.new_state))
            assert ev.job_state.name == "block-pull-vda" and ev.job_state.kind == virtevent.JobKind.BLOCK_PULL
    assert (virtevent.JobState.NONE, virtevent.JobState.CREATED) in seen
    assert any(new == virtevent.JobState.ABORTED for _, new in seen)
    dom.destroy()


def test_events_stay_valid_after_later_reads_and_close(conn, running):
    dom = running("keep")
    with conn.events() as stream:
        dom.suspend()
        first = stream.read()
        dom.resume()
        second = stream.read()
        job_dom = conn.define(domain_xml("keepjob", disk=True))
        job_dom.start()
        job_dom.block_pull("vda", bandwidth=1).abort()
        later = stream.read(timeout=1) + stream.read(timeout=0.3)
    # converted only now, long after the reads that produced them and the stream's close
    assert first[0].lifecycle.event == LifecycleEvent.SUSPENDED and first[0].domain_name == "keep"
    assert second[0].lifecycle.event == LifecycleEvent.RESUMED
    assert first[0].resource_version + 1 == second[0].resource_version
    jobs = [e for e in later if e.job_state is not None]
    assert jobs and all(e.job_state.name == "block-pull-vda" for e in jobs)
    as_dict = dataclasses.asdict(second[0])
    assert as_dict["domain_name"] == "keep" and as_dict["payload"]["event"] == LifecycleEvent.RESUMED
    assert "keep" in repr(first[0]) and first[0] != second[0]
    assert "_raw" not in as_dict
    with pytest.raises(AttributeError):
        first[0].no_such_field
    made = dataclasses.replace(first[0], domain_name="other")
    assert made.domain_name == "other" and made.lifecycle == first[0].lifecycle
    with pytest.raises(AttributeError):
        made.no_such_field
    job_dom.destroy()


def test_every_union_member_has_its_own_payload_class():
    from virtevent import _cstructs, events

    members = {f[0] for f in _cstructs.virConnectEventData._fields_}
    missing = members - events.TYPED_MEMBERS
    assert not missing, f"union members without a payload class in events.py: {sorted(missing)}"


def test_a_union_member_newer_than_the_package_gets_a_generic_payload():
    from virtevent import _cstructs, events

    decode = events._generic_payload("guestUser", _cstructs.virConnectEventJobState)
    value = _cstructs.virConnectEventJobState(b"u", 1, 2, 3, None)
    payload = decode(value)
    assert type(payload).__name__ == "GuestUser" and dataclasses.is_dataclass(payload)
    assert (payload.name, payload.kind, payload.old_state, payload.new_state, payload.error) == ("u", 1, 2, 3, None)


def test_the_stream_works_with_selectors_and_a_close_from_another_thread_wakes_a_read(conn, running):
    import selectors
    import threading

    dom = running("sel")
    stream = conn.events()
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        assert sel.select(0) == []
        dom.suspend()
        [(key, _)] = sel.select(1)
        assert key.fileobj is stream and len(stream.read()) == 1
        sel.unregister(stream)
    threading.Timer(0.1, stream.close).start()
    with pytest.raises(virtevent.StreamClosed):
        stream.read(timeout=None)  # blocked until the other thread closes the stream
    assert stream.closed
