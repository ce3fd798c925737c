//! The backend-neutral core of the other object families (networks, storage pools, node
//! devices, secrets): their table, kept inside the domain table (`domains::Table::objects`) so
//! that a change to any object takes the next revision of the same counter and publishes its
//! event under the same lock as domain changes (one commit order for everything); the changes
//! every backend shares (define, start, stop, undefine, refresh, set a secret's value, create and
//! destroy a node device) as transaction methods; lookups. Definitions are kept as element trees,
//! so that what an application defined round-trips through virXxxGetXMLDesc.

pub mod def;

use crate::abi::*;
use crate::domains::Txn;
use crate::error::{Result, VirError};
use crate::events::family::{Family, ObjectChange, ObjectEvent, SecretUsage};
use crate::events::{now_us, Event, EventKind};
use crate::fasthash::FastMap;
use crate::model::xml::Element;
pub use def::ObjectDef;
use std::ffi::CString;
use uuid::Uuid;

/// An object as a handle names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub family: Family,
    pub name: String,
    /// The object's UUID; for a node device, the key its backend gave its name.
    pub uuid: Uuid,
    /// A secret's usage.
    pub usage: Option<SecretUsage>,
}

/// One network, storage pool, node device or secret.
pub struct HostObject {
    pub family: Family,
    pub def: ObjectDef,
    /// For a node device: the key its name has on this backend.
    pub uuid: Uuid,
    pub active: bool,
    pub persistent: bool,
    pub autostart: bool,
    /// A secret's value, once set.
    pub value: Option<Vec<u8>>,
    /// Revision of the last committed change.
    pub revision: u64,
}

impl HostObject {
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef { family: self.family, name: self.def.name.clone(), uuid: self.uuid, usage: self.def.usage.clone() }
    }

    /// What messages call it: its name, or a secret's UUID.
    fn label(&self) -> String {
        format!("{} '{}'", self.family.noun(), self.def.name)
    }
}

/// Every object of one hypervisor besides its domains.
#[derive(Default)]
pub struct Objects {
    objects: FastMap<(Family, Uuid), HostObject>,
    names: FastMap<(Family, String), Uuid>,
    /// Node devices have no UUID: each name gets a key once and keeps it, so that a registration
    /// filtered on a device still matches it after it is destroyed and created again (libvirt
    /// matches node devices by name).
    device_keys: FastMap<String, Uuid>,
}

impl Objects {
    /// The objects of `family`, in name order.
    pub fn list(&self, family: Family) -> Vec<&HostObject> {
        let mut list: Vec<&HostObject> = self.objects.values().filter(|o| o.family == family).collect();
        list.sort_by(|a, b| a.def.name.cmp(&b.def.name));
        list
    }

    pub fn get(&self, obj: &ObjectRef) -> Result<&HostObject> {
        self.objects.get(&(obj.family, obj.uuid)).ok_or_else(|| no_such(obj.family, format!("with matching uuid '{}' ({})", obj.uuid, obj.name)))
    }

    pub fn by_name(&self, family: Family, name: &str) -> Result<&HostObject> {
        self.names
            .get(&(family, name.to_string()))
            .and_then(|uuid| self.objects.get(&(family, *uuid)))
            .ok_or_else(|| no_such(family, format!("with matching name '{name}'")))
    }

    pub fn by_uuid(&self, family: Family, uuid: &Uuid) -> Result<&HostObject> {
        self.objects.get(&(family, *uuid)).ok_or_else(|| no_such(family, format!("with matching uuid '{uuid}'")))
    }

    /// The secret used for `usage_id` of `usage_type`.
    pub fn secret_by_usage(&self, usage_type: i32, usage_id: &str) -> Result<&HostObject> {
        self.objects
            .values()
            .find(|o| o.def.usage.as_ref().is_some_and(|u| u.usage_type == usage_type && u.usage_id.as_bytes() == usage_id.as_bytes()))
            .ok_or_else(|| no_such(Family::Secret, format!("with matching usage '{usage_id}'")))
    }

    fn device_key(&mut self, name: &str) -> Uuid {
        *self.device_keys.entry(name.to_string()).or_insert_with(Uuid::new_v4)
    }
}

fn no_such(family: Family, what: String) -> VirError {
    VirError::new(family.no_such_object(), VIR_FROM_TEST, format!("no {} {what}", family.noun()))
}

fn invalid(detail: String) -> VirError {
    VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, detail)
}

impl<X> Txn<'_, X> {
    fn object(&mut self, obj: &ObjectRef) -> Result<&mut HostObject> {
        let objects = &mut self.st.objects;
        objects.objects.get_mut(&(obj.family, obj.uuid)).ok_or_else(|| no_such(obj.family, format!("with matching uuid '{}' ({})", obj.uuid, obj.name)))
    }

    /// Commits the object's current state as the next revision and queues `change` with it.
    fn emit_object(&mut self, family: Family, uuid: Uuid, change: ObjectChange) {
        self.st.revision += 1;
        let revision = self.st.revision;
        let obj = self.st.objects.objects.get_mut(&(family, uuid)).expect("object checked by caller");
        obj.revision = revision;
        let name = CString::new(obj.def.name.as_str()).unwrap_or_default();
        self.bus.publish(Event {
            revision,
            timestamp_us: now_us(),
            uuid,
            id: -1,
            state: VIR_DOMAIN_NOSTATE,
            reason: 0,
            def: None,
            kind: EventKind::Object(Box::new(ObjectEvent { family, name, usage: obj.def.usage.clone(), change })),
        });
    }

    fn lifecycle_object(&mut self, family: Family, uuid: Uuid, event: i32) {
        self.emit_object(family, uuid, ObjectChange::Lifecycle { event, detail: 0 });
    }

    fn remove_object(&mut self, family: Family, uuid: Uuid) {
        if let Some(obj) = self.st.objects.objects.remove(&(family, uuid)) {
            self.st.objects.names.remove(&(family, obj.def.name));
        }
    }

    /// The object a definition refers to, refusing a name or UUID another object of its family
    /// uses (node devices and secrets are matched by UUID alone).
    fn existing_object(&self, family: Family, def: &ObjectDef) -> Result<Option<Uuid>> {
        let objects = &self.st.objects;
        let noun = family.noun();
        if let Some(obj) = objects.objects.get(&(family, def.uuid)) {
            if obj.def.name != def.name && family != Family::Secret {
                return Err(VirError::new(
                    VIR_ERR_OPERATION_FAILED,
                    family.error_domain(),
                    format!("{noun} '{}' is already defined with uuid {}", obj.def.name, def.uuid),
                ));
            }
            return Ok(Some(def.uuid));
        }
        if family == Family::Secret {
            if let Some(usage) = &def.usage {
                if let Ok(other) = objects.secret_by_usage(usage.usage_type, usage.usage_id.to_str().unwrap_or_default()) {
                    return Err(VirError::new(
                        VIR_ERR_INTERNAL_ERROR,
                        family.error_domain(),
                        format!("a secret with UUID {} already defined for use with {}", other.uuid, usage.usage_id.to_string_lossy()),
                    ));
                }
            }
            return Ok(None);
        }
        if let Some(other) = objects.names.get(&(family, def.name.clone())) {
            return Err(VirError::new(
                VIR_ERR_OPERATION_FAILED,
                family.error_domain(),
                format!("{noun} '{}' already exists with uuid {other}", def.name),
            ));
        }
        Ok(None)
    }

    fn insert_object(&mut self, family: Family, def: ObjectDef, active: bool, persistent: bool) -> Uuid {
        let uuid = if family == Family::NodeDevice { self.st.objects.device_key(&def.name) } else { def.uuid };
        self.st.objects.names.insert((family, def.name.clone()), uuid);
        self.st.objects.objects.insert((family, uuid), HostObject { family, def, uuid, active, persistent, autostart: false, value: None, revision: 0 });
        uuid
    }

    /// Defines or redefines a network, storage pool or secret (DEFINED).
    pub fn define_object(&mut self, family: Family, def: ObjectDef) -> Result<ObjectRef> {
        let uuid = match self.existing_object(family, &def)? {
            Some(uuid) => {
                let obj = self.object_mut(family, uuid);
                obj.def = def;
                obj.persistent = true;
                uuid
            }
            None => self.insert_object(family, def, false, true),
        };
        self.lifecycle_object(family, uuid, 0);
        Ok(self.object_mut(family, uuid).object_ref())
    }

    fn object_mut(&mut self, family: Family, uuid: Uuid) -> &mut HostObject {
        self.st.objects.objects.get_mut(&(family, uuid)).expect("object checked by caller")
    }

    /// Starts a transient network or storage pool from a definition (STARTED).
    pub fn create_object(&mut self, family: Family, def: ObjectDef) -> Result<ObjectRef> {
        let uuid = match self.existing_object(family, &def)? {
            Some(uuid) => {
                let obj = self.object_mut(family, uuid);
                if obj.active {
                    return Err(invalid(format!("{} is already active", obj.label())));
                }
                obj.def = def;
                uuid
            }
            None => self.insert_object(family, def, false, false),
        };
        self.start_object(&ObjectRef { family, name: String::new(), uuid, usage: None })?;
        Ok(self.object_mut(family, uuid).object_ref())
    }

    /// virNetworkCreate, virStoragePoolCreate (STARTED).
    pub fn start_object(&mut self, obj: &ObjectRef) -> Result<()> {
        let o = self.object(obj)?;
        if o.active {
            return Err(invalid(match o.family {
                Family::Network => format!("Network '{}' is already running", o.def.name),
                _ => format!("{} is active", o.label()),
            }));
        }
        o.active = true;
        self.lifecycle_object(obj.family, obj.uuid, VIR_NETWORK_EVENT_STARTED);
        Ok(())
    }

    /// virNetworkDestroy, virStoragePoolDestroy (STOPPED); a transient object goes.
    pub fn stop_object(&mut self, obj: &ObjectRef) -> Result<()> {
        let o = self.object(obj)?;
        if !o.active {
            return Err(invalid(format!("{} is not active", o.label())));
        }
        o.active = false;
        let persistent = o.persistent;
        self.lifecycle_object(obj.family, obj.uuid, VIR_NETWORK_EVENT_STOPPED);
        if !persistent {
            self.remove_object(obj.family, obj.uuid);
        }
        Ok(())
    }

    /// virNetworkUndefine, virStoragePoolUndefine, virSecretUndefine (UNDEFINED). As in
    /// libvirt's test driver, a running network or pool must be stopped first.
    pub fn undefine_object(&mut self, obj: &ObjectRef) -> Result<()> {
        let o = self.object(obj)?;
        if o.active {
            return Err(invalid(match o.family {
                Family::Network => format!("Network '{}' is still running", o.def.name),
                _ => format!("{} is active", o.label()),
            }));
        }
        if !o.persistent {
            return Err(invalid(format!("cannot undefine transient {}", o.family.noun())));
        }
        self.lifecycle_object(obj.family, obj.uuid, VIR_NETWORK_EVENT_UNDEFINED);
        self.remove_object(obj.family, obj.uuid);
        Ok(())
    }

    /// virStoragePoolRefresh (REFRESH).
    pub fn refresh_pool(&mut self, obj: &ObjectRef) -> Result<()> {
        let o = self.object(obj)?;
        if !o.active {
            return Err(invalid(format!("{} is not active", o.label())));
        }
        self.emit_object(obj.family, obj.uuid, ObjectChange::PoolRefreshed);
        Ok(())
    }

    /// virNetworkSetAutostart, virStoragePoolSetAutostart: no event, as in libvirt.
    pub fn set_object_autostart(&mut self, obj: &ObjectRef, autostart: bool) -> Result<()> {
        self.object(obj)?.autostart = autostart;
        Ok(())
    }

    /// virSecretSetValue (VALUE_CHANGED).
    pub fn set_secret_value(&mut self, obj: &ObjectRef, value: &[u8]) -> Result<()> {
        self.object(obj)?.value = Some(value.to_vec());
        self.emit_object(obj.family, obj.uuid, ObjectChange::SecretValueChanged);
        Ok(())
    }

    /// Adds a node device (CREATED).
    pub fn add_node_device(&mut self, def: ObjectDef) -> Result<ObjectRef> {
        if self.st.objects.names.contains_key(&(Family::NodeDevice, def.name.clone())) {
            return Err(VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_NODEDEV, format!("node device '{}' already exists", def.name)));
        }
        let uuid = self.insert_object(Family::NodeDevice, def, true, false);
        self.lifecycle_object(Family::NodeDevice, uuid, VIR_NODE_DEVICE_EVENT_CREATED);
        Ok(self.object_mut(Family::NodeDevice, uuid).object_ref())
    }

    /// Removes a node device (DELETED).
    pub fn remove_node_device(&mut self, obj: &ObjectRef) -> Result<()> {
        self.object(obj)?;
        self.lifecycle_object(Family::NodeDevice, obj.uuid, VIR_NODE_DEVICE_EVENT_DELETED);
        self.remove_object(Family::NodeDevice, obj.uuid);
        Ok(())
    }

    /// Adds an object of a hypervisor's initial configuration, with no event (as libvirt's
    /// test driver starts with them).
    pub fn preload_object(&mut self, family: Family, def: ObjectDef, active: bool) -> Result<()> {
        if self.existing_object(family, &def)?.is_some() {
            return Err(VirError::new(VIR_ERR_OPERATION_FAILED, family.error_domain(), format!("{} '{}' is defined twice", family.noun(), def.name)));
        }
        self.insert_object(family, def, active, true);
        Ok(())
    }
}

/// The element tree of a node device's capability `kind` (nested ones included).
pub fn find_capability<'a>(e: &'a Element, kind: &str) -> Option<&'a Element> {
    e.elements().filter(|c| c.name == "capability").find_map(|c| if c.attr("type") == Some(kind) { Some(c) } else { find_capability(c, kind) })
}
