//! Object families: besides domains, libvirt reports events about networks, storage pools,
//! node devices and secrets, each family with its own registration call, event IDs (all
//! starting at 0) and callback types. They all travel through the same core as domain events:
//! one bus per backend (same loop timer, commit order, revisions, history), one registry (same
//! duplicate, freecb, close and re-entrancy rules).
//!
//! What keeps the families apart is the family carried both by the event and by the
//! registration key:
//! - An event about another object than a domain is `EventKind::Object`, whose `ObjectEvent`
//!   names its family; `Event::uuid` is the object's UUID (a node device, which has none, gets
//!   a key its backend derives from its name and never reuses for another name), so a
//!   registration's object filter works for every family unchanged.
//! - The registry indexes registrations by a *registry ID*: a domain event ID as it is, another
//!   family's event ID offset by that family's base (`Family::registry_id`). A network
//!   registration for LIFECYCLE (0) is therefore filed under another ID than a domain one, and
//!   an event is looked up only under its own family's IDs.
//! - "Every event" (the generic callback, watches, event streams) means every *domain* event:
//!   those registrations keep seeing exactly what they saw before other families existed.
//! - Registrations of another family are made and removed in `Style::ObjectAny(family)`, so an
//!   ID is deregistered only through its own family's call.

use crate::abi::*;
use std::ffi::CString;

/// The kinds of objects whose changes are reported as events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Domain,
    Network,
    StoragePool,
    NodeDevice,
    Secret,
}

/// Distance between two families' registry IDs: above every domain event ID, extensions
/// included.
const REGISTRY_ID_STRIDE: i32 = 1 << 16;

/// The registry IDs of the families other than domains, by family index - 1 and event ID.
static OBJECT_REGISTRY_IDS: [[i32; 2]; 4] = [
    [REGISTRY_ID_STRIDE, REGISTRY_ID_STRIDE + 1],
    [2 * REGISTRY_ID_STRIDE, 2 * REGISTRY_ID_STRIDE + 1],
    [3 * REGISTRY_ID_STRIDE, 3 * REGISTRY_ID_STRIDE + 1],
    [4 * REGISTRY_ID_STRIDE, 4 * REGISTRY_ID_STRIDE + 1],
];

impl Family {
    /// The families other than domains.
    pub const OBJECTS: [Family; 4] = [Family::Network, Family::StoragePool, Family::NodeDevice, Family::Secret];

    fn index(self) -> i32 {
        match self {
            Family::Domain => 0,
            Family::Network => 1,
            Family::StoragePool => 2,
            Family::NodeDevice => 3,
            Family::Secret => 4,
        }
    }

    /// The registry's ID for this family's event `event_id`.
    pub fn registry_id(self, event_id: i32) -> i32 {
        self.index() * REGISTRY_ID_STRIDE + event_id
    }

    /// The family a registry ID belongs to.
    pub fn of_registry_id(id: i32) -> Family {
        match id.div_euclid(REGISTRY_ID_STRIDE) {
            1 => Family::Network,
            2 => Family::StoragePool,
            3 => Family::NodeDevice,
            4 => Family::Secret,
            _ => Family::Domain,
        }
    }

    /// The family's own event ID behind a registry ID.
    pub fn event_id_of(self, registry_id: i32) -> i32 {
        registry_id - self.index() * REGISTRY_ID_STRIDE
    }

    /// libvirt 9.0's number of event IDs of another family than domains (its `*_EVENT_ID_LAST`).
    pub fn event_id_last(self) -> i32 {
        match self {
            Family::Domain => VIR_DOMAIN_EVENT_ID_LAST,
            Family::Network => VIR_NETWORK_EVENT_ID_LAST,
            Family::StoragePool => VIR_STORAGE_POOL_EVENT_ID_LAST,
            Family::NodeDevice => VIR_NODE_DEVICE_EVENT_ID_LAST,
            Family::Secret => VIR_SECRET_EVENT_ID_LAST,
        }
    }

    /// What the family's objects are called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Family::Domain => "domain",
            Family::Network => "network",
            Family::StoragePool => "storage pool",
            Family::NodeDevice => "node device",
            Family::Secret => "secret",
        }
    }

    /// The part of libvirt that reports this family's errors.
    pub fn error_domain(self) -> i32 {
        match self {
            Family::Domain => VIR_FROM_DOMAIN,
            Family::Network => VIR_FROM_NETWORK,
            Family::StoragePool => VIR_FROM_STORAGE,
            Family::NodeDevice => VIR_FROM_NODEDEV,
            Family::Secret => VIR_FROM_SECRET,
        }
    }

    /// The error of a lookup that found no such object.
    pub fn no_such_object(self) -> i32 {
        match self {
            Family::Domain => VIR_ERR_NO_DOMAIN,
            Family::Network => VIR_ERR_NO_NETWORK,
            Family::StoragePool => VIR_ERR_NO_STORAGE_POOL,
            Family::NodeDevice => VIR_ERR_NO_NODE_DEVICE,
            Family::Secret => VIR_ERR_NO_SECRET,
        }
    }

    /// The error of a handle that is not one of this family's.
    pub fn invalid_handle(self) -> i32 {
        match self {
            Family::Domain => VIR_ERR_INVALID_DOMAIN,
            Family::Network => VIR_ERR_INVALID_NETWORK,
            Family::StoragePool => VIR_ERR_INVALID_STORAGE_POOL,
            Family::NodeDevice => VIR_ERR_INVALID_NODE_DEVICE,
            Family::Secret => VIR_ERR_INVALID_SECRET,
        }
    }

    /// The C call that registers a callback for one of this family's events.
    pub fn register_call(self) -> &'static str {
        match self {
            Family::Domain => "virConnectDomainEventRegisterAny",
            Family::Network => "virConnectNetworkEventRegisterAny",
            Family::StoragePool => "virConnectStoragePoolEventRegisterAny",
            Family::NodeDevice => "virConnectNodeDeviceEventRegisterAny",
            Family::Secret => "virConnectSecretEventRegisterAny",
        }
    }

    /// The C call that removes such a registration.
    pub fn deregister_call(self) -> &'static str {
        match self {
            Family::Domain => "virConnectDomainEventDeregisterAny",
            Family::Network => "virConnectNetworkEventDeregisterAny",
            Family::StoragePool => "virConnectStoragePoolEventDeregisterAny",
            Family::NodeDevice => "virConnectNodeDeviceEventDeregisterAny",
            Family::Secret => "virConnectSecretEventDeregisterAny",
        }
    }
}

/// What happened to an object of another family than domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectChange {
    /// The family's LIFECYCLE event (ID 0) with its `vir…EventLifecycleType` and detail.
    Lifecycle { event: i32, detail: i32 },
    /// VIR_STORAGE_POOL_EVENT_ID_REFRESH.
    PoolRefreshed,
    /// VIR_NODE_DEVICE_EVENT_ID_UPDATE.
    NodeDeviceUpdated,
    /// VIR_SECRET_EVENT_ID_VALUE_CHANGED.
    SecretValueChanged,
}

/// A secret's usage, as its handle reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretUsage {
    /// A virSecretUsageType.
    pub usage_type: i32,
    pub usage_id: CString,
}

/// An event about a network, storage pool, node device or secret (`EventKind::Object`).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectEvent {
    pub family: Family,
    /// The object's name (a secret has none: its UUID, as libvirt names it in messages).
    pub name: CString,
    /// For a secret: its usage.
    pub usage: Option<SecretUsage>,
    pub change: ObjectChange,
}

impl ObjectEvent {
    /// The event ID within its family.
    pub fn event_id(&self) -> i32 {
        match self.change {
            ObjectChange::Lifecycle { .. } => 0,
            ObjectChange::PoolRefreshed => VIR_STORAGE_POOL_EVENT_ID_REFRESH,
            ObjectChange::NodeDeviceUpdated => VIR_NODE_DEVICE_EVENT_ID_UPDATE,
            ObjectChange::SecretValueChanged => VIR_SECRET_EVENT_ID_VALUE_CHANGED,
        }
    }

    /// The registry ID registrations for this event are filed under.
    pub fn registry_ids(&self) -> &'static [i32] {
        let family = (self.family.index() - 1) as usize;
        std::slice::from_ref(&OBJECT_REGISTRY_IDS[family][self.event_id() as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ids_keep_families_apart_and_convert_back() {
        let mut seen = std::collections::HashSet::new();
        for id in crate::events::all_event_ids() {
            assert_eq!(Family::of_registry_id(Family::Domain.registry_id(id)), Family::Domain);
            assert!(seen.insert(Family::Domain.registry_id(id)));
        }
        for family in Family::OBJECTS {
            for id in 0..family.event_id_last() {
                let rid = family.registry_id(id);
                assert!(seen.insert(rid), "{family:?} {id} collides");
                assert_eq!(Family::of_registry_id(rid), family);
                assert_eq!(family.event_id_of(rid), id);
            }
        }
        let refresh = ObjectEvent { family: Family::StoragePool, name: CString::new("p").unwrap(), usage: None, change: ObjectChange::PoolRefreshed };
        assert_eq!(refresh.registry_ids(), [Family::StoragePool.registry_id(VIR_STORAGE_POOL_EVENT_ID_REFRESH)]);
        let started = ObjectEvent { change: ObjectChange::Lifecycle { event: 2, detail: 0 }, family: Family::Network, ..refresh };
        assert_eq!(started.registry_ids(), [Family::Network.registry_id(VIR_NETWORK_EVENT_ID_LIFECYCLE)]);
    }
}
