"""``async for`` over the stream's descriptor, with no thread."""

import asyncio
import threading

import virtevent
from virtevent import LifecycleEvent


def test_aevents_wakes_on_changes_made_later(conn, running):
    dom = running("async")

    async def main():
        loop = asyncio.get_running_loop()
        threads = threading.active_count()

        def change():
            dom.suspend()
            dom.resume()

        loop.call_later(0.05, change)
        got = []
        async for ev in conn.aevents(domain=dom, timeout=0.3):
            got.append(ev.lifecycle.event)
        assert threading.active_count() == threads
        return got

    assert asyncio.run(main()) == [LifecycleEvent.SUSPENDED, LifecycleEvent.RESUMED]


def test_aevents_break_closes_the_stream(conn, running):
    dom = running("brk")

    async def main():
        asyncio.get_running_loop().call_soon(dom.suspend)
        async for ev in conn.aevents():
            assert ev.lifecycle.event == LifecycleEvent.SUSPENDED
            break

    asyncio.run(main())  # an unclosed stream would raise ResourceWarning as an error here


def test_aevents_since_and_expiry(conn, running):
    conn.set_history_size(8)
    dom = running("exp")
    _, version = conn.list_and_watch()

    async def main():
        async with conn.aevents(since=version) as events:
            for _ in range(20):
                dom.suspend()
                dom.resume()
            return [ev async for ev in events]

    # open since the listing, then fallen further behind than the history: ends with expired
    got = asyncio.run(main())
    assert got[-1].is_expired and len(got) <= 9


def test_aevents_interleaves_with_other_tasks(conn, running):
    a, b = running("a"), running("b")

    async def watch(dom):
        return [ev.domain_name async for ev in conn.aevents(domain=dom, timeout=0.3)]

    async def churn():
        for _ in range(10):
            await asyncio.sleep(0.005)
            a.suspend()
            a.resume()
            b.suspend()
            b.resume()

    async def main():
        return await asyncio.gather(watch(a), watch(b), churn())

    of_a, of_b, _ = asyncio.run(main())
    assert of_a == ["a"] * 20 and of_b == ["b"] * 20


def test_aevents_error_on_a_closed_connection():
    import pytest

    other = virtevent.open("test:///empty")

    async def main():
        asyncio.get_running_loop().call_soon(other.close)
        async for _ in other.aevents():
            pass

    with pytest.raises(virtevent.ConnectionClosed):
        asyncio.run(main())
