//! What a backend offers for networks, storage pools, node devices and secrets (the object
//! families beside domains; see `crate::objects`). Changes return once committed, their events
//! queued on the backend's bus like a domain's.

use crate::error::Result;
use crate::events::family::Family;
use crate::objects::ObjectRef;
use uuid::Uuid;

/// The state a handle's queries report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectState {
    pub active: bool,
    pub persistent: bool,
    /// Whether a network or storage pool starts with its host.
    pub autostart: bool,
}

/// What virStoragePoolGetInfo reports, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSizes {
    pub capacity: u64,
    pub allocation: u64,
    pub available: u64,
}

pub trait ObjectDriver: Send + Sync {
    /// The objects of `family`, in name order.
    fn list_objects(&self, family: Family) -> Vec<ObjectRef>;
    fn lookup_object_by_name(&self, family: Family, name: &str) -> Result<ObjectRef>;
    fn lookup_object_by_uuid(&self, family: Family, uuid: &Uuid) -> Result<ObjectRef>;
    fn lookup_secret_by_usage(&self, usage_type: i32, usage_id: &str) -> Result<ObjectRef>;
    /// virNetworkDefineXML, virStoragePoolDefineXML, virSecretDefineXML.
    fn define_object(&self, family: Family, xml: &str, flags: u32) -> Result<ObjectRef>;
    /// virNetworkCreateXML, virStoragePoolCreateXML: a transient object, started.
    fn create_object(&self, family: Family, xml: &str, flags: u32) -> Result<ObjectRef>;
    fn start_object(&self, obj: &ObjectRef, flags: u32) -> Result<()>;
    fn stop_object(&self, obj: &ObjectRef) -> Result<()>;
    fn undefine_object(&self, obj: &ObjectRef) -> Result<()>;
    fn refresh_pool(&self, obj: &ObjectRef, flags: u32) -> Result<()>;
    fn create_node_device(&self, xml: &str, flags: u32) -> Result<ObjectRef>;
    fn destroy_node_device(&self, obj: &ObjectRef) -> Result<()>;
    fn set_secret_value(&self, obj: &ObjectRef, value: &[u8], flags: u32) -> Result<()>;
    fn secret_value(&self, obj: &ObjectRef, flags: u32) -> Result<Vec<u8>>;
    fn object_state(&self, obj: &ObjectRef) -> Result<ObjectState>;
    /// virNetworkSetAutostart, virStoragePoolSetAutostart.
    fn set_autostart(&self, obj: &ObjectRef, autostart: bool) -> Result<()>;
    fn pool_sizes(&self, obj: &ObjectRef) -> Result<PoolSizes>;
    /// The host bridge a network's definition names.
    fn network_bridge(&self, obj: &ObjectRef) -> Result<String>;
    fn object_xml(&self, obj: &ObjectRef, flags: u32) -> Result<String>;
}
