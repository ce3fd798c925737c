"""The informer against random operations, through expiries."""

import random

import virtevent
from virtevent import DomainState
from virtevent.informer import DomainSnapshot

from conftest import domain_xml


def listing(conn):
    return {d.uuid: DomainSnapshot.of(d) for d in conn.domains()}


def random_operation(conn, rnd, names):
    """One random change; returns how many it made (0 when the operation was refused)."""
    name = rnd.choice(names)
    try:
        dom = conn.lookup(name)
    except virtevent.NotFound:
        if rnd.random() < 0.5:
            conn.define(domain_xml(name))
        else:
            conn.create(domain_xml(name), paused=rnd.random() < 0.3)
        return 1
    state = dom.state()[0]
    try:
        if state == DomainState.SHUTOFF:
            rnd.choice([dom.start, dom.undefine, lambda: dom.start(paused=True)])()
        elif state == DomainState.PAUSED:
            rnd.choice([dom.resume, dom.destroy])()
        else:
            rnd.choice([dom.suspend, dom.destroy, dom.shutdown, dom.reboot,
                        lambda: dom.define(domain_xml(name))])()
    except virtevent.OperationInvalid:
        return 0
    return 1


def test_informer_equals_the_listing_after_thousands_of_changes_through_expiries(conn):
    rnd = random.Random(11)
    names = [f"d{i}" for i in range(12)]
    conn.set_history_size(32)
    changes = 0
    with virtevent.Informer(conn) as informer:
        assert informer.lists == 1 and dict(informer.domains) == {}
        while changes < 3000:
            # bursts longer than the history force expiries; short ones do not
            burst = rnd.choice([5, 10, 20, 80])
            for _ in range(burst):
                changes += random_operation(conn, rnd, names)
            informer.poll()
            assert dict(informer.domains) == listing(conn)
        assert informer.lists > 5
        assert informer.version == conn.list_and_watch()[1]


def test_informer_reports_changes(conn):
    changes = []
    with virtevent.Informer(conn, on_change=lambda key, old, new: changes.append((key, old, new))) as informer:
        dom = conn.define(domain_xml("watched"))
        dom.start()
        assert informer.run_until(lambda inf: dom.uuid in inf.domains
                                  and inf.domains[dom.uuid].state == DomainState.RUNNING, 2)
        dom.destroy()
        dom.undefine()
        assert informer.run_until(lambda inf: dom.uuid not in inf.domains, 2)
        assert not informer.run_until(lambda inf: False, 0.05)
    assert changes[0][1] is None and changes[0][2].name == "watched"
    assert changes[-1][2] is None


def test_informer_starts_from_existing_domains(conn):
    conn.define(domain_xml("pre")).start()
    with virtevent.Informer(conn) as informer:
        assert [s.name for s in informer.domains.values()] == ["pre"]
        assert informer.domains == listing(conn)


def test_informer_keeps_up_with_a_concurrent_writer_through_expiries(conn):
    import threading

    conn.set_history_size(16)
    stop = threading.Event()
    made = [0]

    def writer():
        rnd = random.Random(5)
        names = [f"w{i}" for i in range(8)]
        while not stop.is_set() and made[0] < 3000:
            made[0] += random_operation(conn, rnd, names)

    mirror = {}

    def on_change(key, old, new):
        assert mirror.get(key) == old
        if new is None:
            del mirror[key]
        else:
            mirror[key] = new

    with virtevent.Informer(conn, on_change=on_change) as informer:
        thread = threading.Thread(target=writer)
        thread.start()
        try:
            while thread.is_alive():
                informer.poll(0.001)
        finally:
            stop.set()
            thread.join()
        informer.poll()
        assert dict(informer.domains) == listing(conn) == mirror
        assert informer.lists > 1
