"""Debian's libvirt-python, unchanged, on virtevent's libvirt.so.0 (run with LD_LIBRARY_PATH
pointing at it): it registers a callback for every domain event ID with libvirt's own event
loop, receives the events of a scripted session, and gets a libvirtError with
VIR_ERR_NO_SUPPORT from a call virtevent does not implement. Prints PASS/FAIL lines."""

import sys
import libvirt

failures = 0
# libvirt 9.0's domain event IDs (the Python module has no _LAST).
DOMAIN_EVENT_IDS = libvirt.VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE + 1


def check(name, ok, detail=""):
    global failures
    print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")
    failures += 0 if ok else 1


libvirt.registerErrorHandler(lambda ctx, err: None, None)
libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open("test:///default")
seen = []


def on_event(*args):
    # (conn, dom, ..., opaque): the opaque is the event ID the callback was registered for.
    seen.append((args[-1], args[1].name()))


ids = [conn.domainEventRegisterAny(None, event_id, on_event, event_id) for event_id in range(DOMAIN_EVENT_IDS)]
check("dropin_python_registers_every_domain_event_id", len(set(ids)) == DOMAIN_EVENT_IDS)

dom = conn.defineXML("<domain type='test'><name>py-dropin</name><memory>1024</memory><os><type>hvm</type></os></domain>")
dom.create()
dom.suspend()
dom.resume()
dom.destroy()
dom.undefine()
deadline = 50
while len(seen) < 6 and deadline:
    libvirt.virEventRunDefaultImpl()
    deadline -= 1
lifecycle = [name for event_id, name in seen if event_id == libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE]
check("dropin_python_receives_the_session_lifecycle", lifecycle == ["py-dropin"] * 6, repr(seen))

state, _ = conn.lookupByName("test").state()
check("dropin_python_reads_state", state == libvirt.VIR_DOMAIN_RUNNING, repr(state))

try:
    conn.lookupByName("test").migrateToURI("test:///elsewhere", 0, None, 0)
    check("dropin_python_unsupported_call_raises", False, "no exception")
except libvirt.libvirtError as e:
    check("dropin_python_unsupported_call_raises", e.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT, str(e))

for callback_id in ids:
    conn.domainEventDeregisterAny(callback_id)
check("dropin_python_closes", conn.close() >= 0)
sys.exit(1 if failures else 0)
