//! The test hypervisor's networks, storage pools, node devices and secrets: the backend-neutral
//! object core (`crate::objects`) plus what only this simulated host does — its initial objects
//! (those of libvirt's default test driver) and vHBA creation on its mock Fibre Channel hosts.

use super::TestDriver;
use crate::abi::*;
use crate::domains::check_flags;
use crate::driver::objects::{ObjectDriver, ObjectState, PoolSizes};
use crate::error::{Result, VirError};
use crate::events::family::Family;
use crate::model::xml::Element;
use crate::objects::{find_capability, ObjectDef, ObjectRef, Objects};
use uuid::Uuid;

/// The network of libvirt's default test driver (facts: name, UUID, configuration).
const DEFAULT_NETWORK_XML: &str = "<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>";

/// The storage pool of libvirt's default test driver.
const DEFAULT_POOL_XML: &str = "<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <capacity unit='bytes'>107374182400</capacity>
  <allocation unit='bytes'>0</allocation>
  <available unit='bytes'>107374182400</available>
  <source>
  </source>
  <target>
    <path>/default-pool</path>
  </target>
</pool>";

/// The host devices of libvirt's default test driver: the machine and its Fibre Channel hosts.
const DEFAULT_NODE_DEVICES_XML: [&str; 4] = [
    "<device>
  <name>computer</name>
  <capability type='system'>
    <hardware>
      <vendor>Libvirt</vendor>
      <version>Test driver</version>
      <serial>123456</serial>
      <uuid>11111111-2222-3333-4444-555555555555</uuid>
    </hardware>
    <firmware>
      <vendor>Libvirt</vendor>
      <version>Test Driver</version>
      <release_date>01/22/2007</release_date>
    </firmware>
  </capability>
</device>",
    "<device>
  <name>scsi_host1</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>1</host>
    <unique_id>0</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000012341234</wwnn>
      <wwpn>1000000012341234</wwpn>
      <fabric_wwn>2000000043214321</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>0</max_vports>
      <vports>0</vports>
    </capability>
  </capability>
</device>",
    "<device>
  <name>scsi_host11</name>
  <parent>scsi_host1</parent>
  <capability type='scsi_host'>
    <host>11</host>
    <unique_id>10</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000034563456</wwnn>
      <wwpn>1000000034563456</wwpn>
      <fabric_wwn>2000000043214321</fabric_wwn>
    </capability>
  </capability>
</device>",
    "<device>
  <name>scsi_host2</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>2</host>
    <unique_id>1</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000056785678</wwnn>
      <wwpn>1000000056785678</wwpn>
      <fabric_wwn>2000000087658765</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>0</max_vports>
      <vports>0</vports>
    </capability>
  </capability>
</device>",
];

/// The size libvirt's test driver gives every storage pool, whatever its definition says.
pub(super) const POOL_CAPACITY: u64 = 100 << 30;

/// The longest secret value accepted.
const MAX_SECRET_VALUE: usize = 64 * 1024;

impl TestDriver {
    /// Adds libvirt's default test objects: the running network `default`, the running pool
    /// `default-pool`, the host's node devices.
    pub(super) fn preload_default_objects(&self) -> Result<()> {
        self.inner.store.commit(|txn| {
            txn.preload_object(Family::Network, ObjectDef::parse(Family::Network, DEFAULT_NETWORK_XML)?, true)?;
            txn.preload_object(Family::StoragePool, ObjectDef::parse(Family::StoragePool, DEFAULT_POOL_XML)?, true)?;
            for xml in DEFAULT_NODE_DEVICES_XML {
                txn.preload_object(Family::NodeDevice, ObjectDef::parse(Family::NodeDevice, xml)?, true)?;
            }
            Ok(())
        })
    }

    fn read_objects<R>(&self, f: impl FnOnce(&Objects) -> Result<R>) -> Result<R> {
        f(&self.inner.store.lock().objects)
    }
}

/// A storage pool's definition with the test driver's size (an empty pool); others unchanged.
fn sized(mut def: ObjectDef) -> ObjectDef {
    if def.root.name == "pool" {
        def.set_pool_size(POOL_CAPACITY, 0);
    }
    def
}

fn nodedev_error(code: i32, detail: String) -> VirError {
    VirError::new(code, VIR_FROM_NODEDEV, detail)
}

/// The text of `path` (child element names) under `e`.
fn text_at(e: &Element, path: &[&str]) -> Option<String> {
    path.iter().try_fold(e, |e, name| e.child(name)).map(Element::text)
}

/// The vHBA a mock Fibre Channel host creates for `def` (a scsi_host with an fc_host's WWNs):
/// named after the next free SCSI host number, its fabric the parent's.
fn vhba(objects: &Objects, mut def: ObjectDef) -> Result<ObjectDef> {
    let fc = find_capability(&def.root, "fc_host").ok_or_else(|| {
        nodedev_error(VIR_ERR_XML_ERROR, "a node device can only be created as a vHBA: a 'scsi_host' capability with an 'fc_host' one".into())
    })?;
    let (wwnn, wwpn) = match (text_at(fc, &["wwnn"]), text_at(fc, &["wwpn"])) {
        (Some(n), Some(p)) if n.len() == 16 && p.len() == 16 && (n.clone() + &p).bytes().all(|b| b.is_ascii_hexdigit()) => (n, p),
        _ => return Err(nodedev_error(VIR_ERR_XML_ERROR, "a vHBA needs a 16-hex-digit wwnn and wwpn".into())),
    };
    let devices = objects.list(Family::NodeDevice);
    let parent = match text_at(&def.root, &["parent"]) {
        Some(name) => {
            let parent = objects.by_name(Family::NodeDevice, &name)?;
            if find_capability(&parent.def.root, "vport_ops").is_none() {
                return Err(nodedev_error(VIR_ERR_INTERNAL_ERROR, format!("Parent device {name} is not capable of vport operations")));
            }
            parent
        }
        None => *devices
            .iter()
            .find(|o| find_capability(&o.def.root, "vport_ops").is_some())
            .ok_or_else(|| nodedev_error(VIR_ERR_INTERNAL_ERROR, "no parent device is capable of vport operations".into()))?,
    };
    let host = devices
        .iter()
        .filter_map(|o| find_capability(&o.def.root, "scsi_host").and_then(|c| text_at(c, &["host"])).and_then(|h| h.parse::<u32>().ok()))
        .max()
        .unwrap_or(0)
        + 1;
    let fabric = find_capability(&parent.def.root, "fc_host").and_then(|c| text_at(c, &["fabric_wwn"])).unwrap_or_default();
    let xml = format!(
        "<device><name>scsi_host{host}</name><parent>{parent}</parent><capability type='scsi_host'><host>{host}</host>\
         <capability type='fc_host'><wwnn>{wwnn}</wwnn><wwpn>{wwpn}</wwpn><fabric_wwn>{fabric}</fabric_wwn></capability>\
         </capability></device>",
        parent = parent.def.name,
    );
    def = ObjectDef::parse(Family::NodeDevice, &xml)?;
    Ok(def)
}

impl ObjectDriver for TestDriver {
    fn list_objects(&self, family: Family) -> Vec<ObjectRef> {
        self.inner.store.lock().objects.list(family).into_iter().map(|o| o.object_ref()).collect()
    }

    fn lookup_object_by_name(&self, family: Family, name: &str) -> Result<ObjectRef> {
        self.read_objects(|o| o.by_name(family, name).map(|o| o.object_ref()))
    }

    fn lookup_object_by_uuid(&self, family: Family, uuid: &Uuid) -> Result<ObjectRef> {
        self.read_objects(|o| o.by_uuid(family, uuid).map(|o| o.object_ref()))
    }

    fn lookup_secret_by_usage(&self, usage_type: i32, usage_id: &str) -> Result<ObjectRef> {
        self.read_objects(|o| o.secret_by_usage(usage_type, usage_id).map(|o| o.object_ref()))
    }

    fn define_object(&self, family: Family, xml: &str, flags: u32) -> Result<ObjectRef> {
        // VIR_NETWORK_DEFINE_VALIDATE, VIR_STORAGE_POOL_DEFINE_VALIDATE, VIR_SECRET_DEFINE_VALIDATE.
        check_flags(flags, 1)?;
        let def = sized(ObjectDef::parse(family, xml)?);
        self.inner.store.commit(|txn| txn.define_object(family, def))
    }

    fn create_object(&self, family: Family, xml: &str, flags: u32) -> Result<ObjectRef> {
        // VIR_NETWORK_CREATE_VALIDATE; VIR_STORAGE_POOL_CREATE_WITH_BUILD and its two variants.
        check_flags(flags, if family == Family::StoragePool { 0x7 } else { 1 })?;
        let def = sized(ObjectDef::parse(family, xml)?);
        self.inner.store.commit(|txn| txn.create_object(family, def))
    }

    fn start_object(&self, obj: &ObjectRef, flags: u32) -> Result<()> {
        check_flags(flags, if obj.family == Family::StoragePool { 0x7 } else { 0 })?;
        self.inner.store.commit(|txn| txn.start_object(obj))
    }

    fn stop_object(&self, obj: &ObjectRef) -> Result<()> {
        self.inner.store.commit(|txn| txn.stop_object(obj))
    }

    fn undefine_object(&self, obj: &ObjectRef) -> Result<()> {
        self.inner.store.commit(|txn| txn.undefine_object(obj))
    }

    fn refresh_pool(&self, obj: &ObjectRef, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        self.inner.store.commit(|txn| txn.refresh_pool(obj))
    }

    fn create_node_device(&self, xml: &str, flags: u32) -> Result<ObjectRef> {
        // VIR_NODE_DEVICE_CREATE_XML_VALIDATE.
        check_flags(flags, 1)?;
        let def = ObjectDef::parse(Family::NodeDevice, xml)?;
        self.inner.store.commit(|txn| {
            let def = vhba(&txn.st.objects, def)?;
            txn.add_node_device(def)
        })
    }

    fn destroy_node_device(&self, obj: &ObjectRef) -> Result<()> {
        self.inner.store.commit(|txn| {
            let dev = txn.st.objects.get(obj)?;
            if find_capability(&dev.def.root, "fc_host").is_none() {
                return Err(nodedev_error(VIR_ERR_OPERATION_INVALID, format!("node device '{}' is not a Fibre Channel host: only those can be destroyed", obj.name)));
            }
            txn.remove_node_device(obj)
        })
    }

    fn set_secret_value(&self, obj: &ObjectRef, value: &[u8], flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        if value.len() > MAX_SECRET_VALUE {
            return Err(VirError::invalid_arg(format!("a secret value of {} bytes is longer than the {MAX_SECRET_VALUE} accepted", value.len())));
        }
        self.inner.store.commit(|txn| txn.set_secret_value(obj, value))
    }

    fn secret_value(&self, obj: &ObjectRef, flags: u32) -> Result<Vec<u8>> {
        check_flags(flags, 0)?;
        self.read_objects(|o| {
            let secret = o.get(obj)?;
            if secret.def.root.attr("private") == Some("yes") {
                return Err(VirError::new(VIR_ERR_INVALID_SECRET, VIR_FROM_SECRET, "secret is private"));
            }
            secret
                .value
                .clone()
                .ok_or_else(|| VirError::new(VIR_ERR_NO_SECRET, VIR_FROM_SECRET, format!("secret '{}' does not have a value", obj.uuid)))
        })
    }

    fn object_state(&self, obj: &ObjectRef) -> Result<ObjectState> {
        self.read_objects(|o| o.get(obj).map(|o| ObjectState { active: o.active, persistent: o.persistent, autostart: o.autostart }))
    }

    fn set_autostart(&self, obj: &ObjectRef, autostart: bool) -> Result<()> {
        self.inner.store.commit(|txn| txn.set_object_autostart(obj, autostart))
    }

    fn network_bridge(&self, obj: &ObjectRef) -> Result<String> {
        self.read_objects(|o| {
            let def = &o.get(obj)?.def;
            def.root
                .child("bridge")
                .and_then(|b| b.attr("name"))
                .filter(|name| !name.is_empty())
                .map(str::to_string)
                .ok_or_else(|| VirError::new(VIR_ERR_INTERNAL_ERROR, VIR_FROM_TEST, format!("network '{}' does not have a bridge name.", def.name)))
        })
    }

    fn pool_sizes(&self, obj: &ObjectRef) -> Result<PoolSizes> {
        self.read_objects(|o| {
            let (capacity, allocation, available) = o.get(obj)?.def.pool_size();
            Ok(PoolSizes { capacity, allocation, available })
        })
    }

    fn object_xml(&self, obj: &ObjectRef, flags: u32) -> Result<String> {
        // VIR_NETWORK_XML_INACTIVE, VIR_STORAGE_XML_INACTIVE: one definition is kept.
        check_flags(flags, 1)?;
        self.read_objects(|o| o.get(obj).map(|o| o.def.to_xml()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::family::ObjectChange;
    use crate::events::EventKind;

    fn story(d: &TestDriver, from: u64) -> Vec<String> {
        d.inner
            .store
            .bus
            .history()
            .iter()
            .filter(|e| e.revision > from)
            .filter_map(|e| match &e.kind {
                EventKind::Object(o) => Some(match o.change {
                    ObjectChange::Lifecycle { event, .. } => format!("{:?}:{}:{event}", o.family, o.name.to_str().unwrap()),
                    other => format!("{:?}:{}:{other:?}", o.family, o.name.to_str().unwrap()),
                }),
                _ => None,
            })
            .collect()
    }

    const NET: &str = "<network><name>n1</name><uuid>11111111-2222-3333-4444-000000000001</uuid></network>";

    #[test]
    fn default_host_holds_libvirts_test_objects() {
        let d = TestDriver::with_default_domain();
        let names = |f| d.list_objects(f).into_iter().map(|o| o.name).collect::<Vec<_>>();
        assert_eq!(names(Family::Network), ["default"]);
        assert_eq!(names(Family::StoragePool), ["default-pool"]);
        assert_eq!(names(Family::NodeDevice), ["computer", "scsi_host1", "scsi_host11", "scsi_host2"]);
        assert!(names(Family::Secret).is_empty());
        let net = d.lookup_object_by_name(Family::Network, "default").unwrap();
        assert_eq!(net.uuid.to_string(), "dd8fe884-6c02-601e-7551-cca97df1c5df");
        assert_eq!(d.object_state(&net).unwrap(), ObjectState { active: true, persistent: true, autostart: false });
        assert!(TestDriver::empty().list_objects(Family::Network).is_empty());
    }

    #[test]
    fn networks_and_pools_live_as_in_libvirts_test_driver() {
        let d = TestDriver::with_default_domain();
        let mark = d.revision();
        let n = d.define_object(Family::Network, NET, 0).unwrap();
        d.define_object(Family::Network, NET, 0).unwrap();
        d.start_object(&n, 0).unwrap();
        assert_eq!(d.start_object(&n, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        let err = d.undefine_object(&n).unwrap_err();
        assert_eq!((err.code, err.message.as_str()), (VIR_ERR_OPERATION_INVALID, "Requested operation is not valid: Network 'n1' is still running"));
        d.stop_object(&n).unwrap();
        d.undefine_object(&n).unwrap();
        assert_eq!(d.lookup_object_by_name(Family::Network, "n1").unwrap_err().code, VIR_ERR_NO_NETWORK);
        let t = d.create_object(Family::Network, &NET.replace("n1", "n2").replace("001<", "002<"), 0).unwrap();
        d.stop_object(&t).unwrap();
        assert!(d.lookup_object_by_name(Family::Network, "n2").is_err(), "a transient network goes when stopped");
        let clash = d.define_object(Family::Network, &NET.replace("n1", "default"), 0).unwrap_err();
        assert_eq!((clash.code, clash.domain), (VIR_ERR_OPERATION_FAILED, VIR_FROM_NETWORK));
        assert!(clash.message.contains("already exists with uuid dd8fe884"), "{}", clash.message);

        let pool = d.lookup_object_by_name(Family::StoragePool, "default-pool").unwrap();
        d.refresh_pool(&pool, 0).unwrap();
        d.stop_object(&pool).unwrap();
        assert_eq!(d.refresh_pool(&pool, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        assert_eq!(
            story(&d, mark),
            [
                "Network:n1:0", "Network:n1:0", "Network:n1:2", "Network:n1:3", "Network:n1:1", "Network:n2:2", "Network:n2:3",
                "StoragePool:default-pool:PoolRefreshed", "StoragePool:default-pool:3"
            ]
        );
    }

    #[test]
    fn vhbas_are_created_on_vport_capable_hosts_and_destroyed() {
        let d = TestDriver::with_default_domain();
        let mark = d.revision();
        let xml = "<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'>\
                   <wwnn>2000000012341111</wwnn><wwpn>1000000012341111</wwpn></capability></capability></device>";
        let dev = d.create_node_device(xml, 0).unwrap();
        assert_eq!(dev.name, "scsi_host12");
        assert!(d.object_xml(&dev, 0).unwrap().contains("<fabric_wwn>2000000043214321</fabric_wwn>"));
        let err = d.create_node_device(&xml.replace("scsi_host1<", "computer<"), 0).unwrap_err();
        assert_eq!((err.code, err.message.as_str()), (VIR_ERR_INTERNAL_ERROR, "internal error: Parent device computer is not capable of vport operations"));
        assert_eq!(d.create_node_device("<device><capability type='system'/></device>", 0).unwrap_err().code, VIR_ERR_XML_ERROR);
        d.destroy_node_device(&dev).unwrap();
        let again = d.create_node_device(xml, 0).unwrap();
        assert_eq!(again.uuid, dev.uuid, "a name keeps its key, as libvirt matches devices by name");
        let computer = d.lookup_object_by_name(Family::NodeDevice, "computer").unwrap();
        assert_eq!(d.destroy_node_device(&computer).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        assert_eq!(story(&d, mark), ["NodeDevice:scsi_host12:0", "NodeDevice:scsi_host12:1", "NodeDevice:scsi_host12:0"]);
    }

    #[test]
    fn secrets_hold_values_and_refuse_clashing_usages() {
        let d = TestDriver::empty();
        let xml = "<secret ephemeral='no' private='no'><uuid>11111111-2222-3333-4444-0000000000c1</uuid>\
                   <usage type='volume'><volume>/var/lib/images/a.img</volume></usage></secret>";
        let s = d.define_object(Family::Secret, xml, 0).unwrap();
        assert_eq!(s.name, "11111111-2222-3333-4444-0000000000c1");
        assert_eq!(d.secret_value(&s, 0).unwrap_err().code, VIR_ERR_NO_SECRET);
        d.set_secret_value(&s, b"hunter2", 0).unwrap();
        assert_eq!(d.secret_value(&s, 0).unwrap(), b"hunter2");
        assert_eq!(d.lookup_secret_by_usage(VIR_SECRET_USAGE_TYPE_VOLUME, "/var/lib/images/a.img").unwrap(), s);
        let clash = d.define_object(Family::Secret, &xml.replace("0c1<", "0c2<"), 0).unwrap_err();
        assert!(clash.message.contains("already defined for use with /var/lib/images/a.img"), "{}", clash.message);
        let private = d.define_object(Family::Secret, "<secret private='yes'/>", 0).unwrap();
        d.set_secret_value(&private, b"x", 0).unwrap();
        assert_eq!(d.secret_value(&private, 0).unwrap_err().code, VIR_ERR_INVALID_SECRET);
        d.undefine_object(&s).unwrap();
        assert_eq!(d.set_secret_value(&s, b"x", 0).unwrap_err().code, VIR_ERR_NO_SECRET);
        assert_eq!(
            story(&d, 0).iter().filter(|e| e.contains("0c1")).cloned().collect::<Vec<_>>(),
            [
                "Secret:11111111-2222-3333-4444-0000000000c1:0",
                "Secret:11111111-2222-3333-4444-0000000000c1:SecretValueChanged",
                "Secret:11111111-2222-3333-4444-0000000000c1:1"
            ]
        );
    }
}
