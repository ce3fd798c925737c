"""conn.on: the generic callback on the library's dispatch thread."""

import gc
import threading
import time
import weakref

import pytest

import virtevent
from virtevent import LifecycleEvent


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


class Recorder:
    def __init__(self):
        self.events = []
        self.threads = set()

    def __call__(self, ev):
        self.events.append(ev)
        self.threads.add(threading.current_thread().ident)


def test_callbacks_receive_events_in_order_on_the_dispatch_thread(conn, running):
    rec = Recorder()
    with conn.on("lifecycle", rec) as reg:
        assert reg.active and reg.id >= 0
        dom = running("cb")
        for _ in range(50):
            dom.suspend()
            dom.resume()
        assert wait_for(lambda: len(rec.events) == 102)
    kinds = [e.lifecycle.event for e in rec.events]
    assert kinds[:2] == [LifecycleEvent.DEFINED, LifecycleEvent.STARTED]
    assert kinds[2:] == [LifecycleEvent.SUSPENDED, LifecycleEvent.RESUMED] * 50
    assert threading.get_ident() not in rec.threads and len(rec.threads) == 1
    assert not reg.active


def test_filters_since_and_cancel(conn, running):
    a, b = running("a"), running("b")
    _, version = conn.list_and_watch()
    a.suspend()
    of_a, every = Recorder(), Recorder()
    reg_a = conn.on(None, of_a, domain=a, since=version)
    reg_all = conn.on("existence", every)
    b.suspend()
    c = running("c")
    assert wait_for(lambda: len(every.events) == 1 and len(of_a.events) == 1)
    assert of_a.events[0].lifecycle.event == LifecycleEvent.SUSPENDED  # replayed
    assert every.events[0].domain_name == "c"
    reg_a.cancel()
    reg_a.cancel()
    a.resume()
    c.destroy()
    c.undefine()
    assert wait_for(lambda: len(every.events) == 2)
    assert every.events[1].existence.type == virtevent.ExistenceType.REMOVED
    assert len(of_a.events) == 1
    reg_all.cancel()


def test_refused_registrations_raise_and_keep_nothing(conn):
    from virtevent.connection import _callbacks

    before = len(_callbacks)
    with pytest.raises(virtevent.InvalidArgument):
        conn.on("no-such-event", print)
    assert len(_callbacks) == before
    closed = virtevent.open("test:///empty")
    closed.close()
    with pytest.raises(virtevent.ConnectionClosed):
        closed.on(None, print)
    assert len(_callbacks) == before


def test_callbacks_are_released_on_cancel(conn, running):
    rec = Recorder()
    ref = weakref.ref(rec)
    reg = conn.on(None, rec)
    running("leak")
    assert wait_for(lambda: len(ref().events) == 3)
    reg.cancel()
    del rec
    gc.collect()
    assert wait_for(lambda: ref() is None)


def test_callbacks_are_released_on_close(running):
    other = virtevent.open("test:///empty")
    recs = [Recorder() for _ in range(3)]
    refs = [weakref.ref(r) for r in recs]
    regs = [other.on(None, r) for r in recs]
    other.close()
    assert not any(r.active for r in regs)
    regs[0].cancel()  # after close: nothing left to do
    del recs
    gc.collect()
    assert all(r() is None for r in refs)


def test_a_callback_that_raises_is_reported_and_not_fatal(conn, running, monkeypatch):
    reported = []
    monkeypatch.setattr("sys.unraisablehook", lambda info: reported.append(info.exc_value))
    seen = []

    def boom(ev):
        seen.append(ev)
        raise RuntimeError(f"callback failed on {ev.event_name}")

    with conn.on("lifecycle", boom):
        dom = running("raise")
        dom.suspend()
        assert wait_for(lambda: len(seen) == 3 and len(reported) == 3)
    assert all(isinstance(e, RuntimeError) for e in reported)
    assert dom.state()[0] == virtevent.DomainState.PAUSED


def test_a_callback_may_call_the_api_and_cancel_itself(conn, running):
    names = []
    holder = {}

    def once(ev):
        names.append(conn.lookup(ev.domain_uuid).name)
        holder["reg"].cancel()

    holder["reg"] = conn.on("lifecycle", once)
    dom = running("self")
    dom.suspend()
    assert wait_for(lambda: not holder["reg"].active)
    time.sleep(0.05)
    assert names == ["self"]


def test_the_dispatch_threads_python_state_is_released_with_the_last_connection():
    from virtevent import connection

    from conftest import domain_xml

    gc.collect()
    assert not connection._open_connections  # every other test closed its connections
    rec = Recorder()
    with virtevent.open("test:///empty") as other:
        other.on(None, rec)
        other.define(domain_xml("pin"))
        assert wait_for(lambda: len(rec.events) == 2)
        assert list(connection._pinned) == list(rec.threads)
    assert connection._pinned == {}


def test_a_raising_callback_is_printed_with_its_traceback_by_default():
    import os
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    script = textwrap.dedent("""
        import time, virtevent
        XML = "<domain type='test'><name>r</name><memory>1024</memory><os><type>hvm</type></os></domain>"
        seen = []
        def boom(ev):
            seen.append(ev)
            raise ValueError("raised by the callback")
        with virtevent.open("test:///empty") as conn:
            conn.on("lifecycle", boom)
            conn.define(XML).start()
            deadline = time.monotonic() + 5
            while len(seen) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
        print("still running", len(seen))
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "still running 2"
    assert proc.stderr.count("ValueError: raised by the callback") == 2
    assert "Traceback" in proc.stderr and "in boom" in proc.stderr
