"""Debian's libvirt-python, unchanged, on virtevent's libvirt.so.0 (run with LD_LIBRARY_PATH
pointing at it): it registers a callback for every domain event ID with libvirt's own event
loop and callbacks for the network, storage pool, node device and secret events, receives the
events of a scripted session, and gets a libvirtError with
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
# A periodic timer bounds each loop iteration, so that a missing event fails instead of hanging.
libvirt.virEventAddTimeout(100, lambda timer, opaque: None, None)
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

# The other object families, through the binding's own callback wrappers.
objects = []
conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
                             lambda c, net, event, detail, _: objects.append(("network", net.name(), event)), None)
conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                 lambda c, pool, event, detail, _: objects.append(("pool", pool.name(), event)), None)
conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                 lambda c, pool, _: objects.append(("pool", pool.name(), "refresh")), None)
conn.nodeDeviceEventRegisterAny(None, libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                                lambda c, dev, event, detail, _: objects.append(("device", dev.name(), event)), None)
conn.nodeDeviceEventRegisterAny(None, libvirt.VIR_NODE_DEVICE_EVENT_ID_UPDATE,
                                lambda c, dev, _: objects.append(("device", dev.name(), "update")), None)
conn.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_LIFECYCLE,
                            lambda c, secret, event, detail, _: objects.append(("secret", secret.UUIDString(), event)), None)
conn.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_VALUE_CHANGED,
                            lambda c, secret, _: objects.append(("secret", secret.UUIDString(), "value")), None)
net = conn.networkDefineXML("<network><name>py-net</name></network>")
net.create()
net.destroy()
net.undefine()
pool = conn.storagePoolCreateXML("<pool type='dir'><name>py-pool</name><target><path>/py</path></target></pool>", 0)
pool.refresh(0)
pool.destroy()
dev = conn.nodeDeviceCreateXML("<device><parent>scsi_host2</parent><capability type='scsi_host'><capability type='fc_host'>"
                               "<wwnn>2000000011112222</wwnn><wwpn>1000000011112222</wwpn></capability></capability></device>", 0)
dev.destroy()
secret_uuid = "5e1a2b3c-4d5e-4f60-8172-839405a6b7c8"
secret = conn.secretDefineXML(f"<secret ephemeral='no' private='no'><uuid>{secret_uuid}</uuid>"
                              "<usage type='tls'><name>py-tls</name></usage></secret>", 0)
secret.setValue(b"pw", 0)
check("dropin_python_secret_value", secret.value(0) == b"pw" and secret.usageID() == "py-tls")
secret.undefine()
deadline = 50
while len(objects) < 12 and deadline:
    libvirt.virEventRunDefaultImpl()
    deadline -= 1
check("dropin_python_receives_object_events", objects == [
    ("network", "py-net", libvirt.VIR_NETWORK_EVENT_DEFINED), ("network", "py-net", libvirt.VIR_NETWORK_EVENT_STARTED),
    ("network", "py-net", libvirt.VIR_NETWORK_EVENT_STOPPED), ("network", "py-net", libvirt.VIR_NETWORK_EVENT_UNDEFINED),
    ("pool", "py-pool", libvirt.VIR_STORAGE_POOL_EVENT_STARTED), ("pool", "py-pool", "refresh"),
    ("pool", "py-pool", libvirt.VIR_STORAGE_POOL_EVENT_STOPPED),
    ("device", "scsi_host12", libvirt.VIR_NODE_DEVICE_EVENT_CREATED), ("device", "scsi_host12", libvirt.VIR_NODE_DEVICE_EVENT_DELETED),
    ("secret", secret_uuid, libvirt.VIR_SECRET_EVENT_DEFINED), ("secret", secret_uuid, "value"),
    ("secret", secret_uuid, libvirt.VIR_SECRET_EVENT_UNDEFINED),
], repr(objects))
check("dropin_python_lists_objects",
      [n.name() for n in conn.listAllNetworks()] == ["default"]
      and [p.name() for p in conn.listAllStoragePools()] == ["default-pool"]
      and sorted(d.name() for d in conn.listAllDevices()) == ["computer", "scsi_host1", "scsi_host11", "scsi_host2"],
      repr(conn.listAllNetworks()))

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
