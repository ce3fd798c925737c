//! Event registration of networks, storage pools, node devices and secrets
//! (virConnect{Network,StoragePool,NodeDevice,Secret}Event{Register,Deregister}Any) on the
//! domain events' core (see `events::family`): the same bus, loop, ordering, duplicate rule,
//! freecb and close rules. Each callback gets a handle of its family lent for the call.

use super::entry;
use super::events::{AppCallback, StoredFn};
use super::family_types::*;
use super::handles;
use super::objects;
use super::types::{virConnectPtr, virFreeCallback, virNetworkPtr};
use crate::error::{Result, VirError};
use crate::events::family::{Family, ObjectChange};
use crate::events::registry::{Filter, NewRegistration, Start, Style};
use crate::events::{Event, EventKind};
use crate::objects::ObjectRef;
use std::ffi::{c_int, c_void};
use std::sync::Arc;

/// Every family's generic callback type, as stored (the pointer is called back with the type
/// its event ID implies).
type ObjectGenericFn = unsafe extern "C" fn(virConnectPtr, *mut c_void, *mut c_void);
type ObjectLifecycleFn = unsafe extern "C" fn(virConnectPtr, *mut c_void, c_int, c_int, *mut c_void);

/// Calls an application's callback for one event ID of another family than domains
/// (registered in `Style::ObjectAny`), with a handle of its family lent for the call.
pub(crate) fn call(callback: &AppCallback, event: &Arc<Event>) {
    let EventKind::Object(o) = &event.kind else { return };
    let object = ObjectRef { family: o.family, name: o.name.to_string_lossy().into_owned(), uuid: event.uuid, usage: o.usage.clone() };
    let handle = match handles::new_object(&callback.conn, object, 1) {
        Ok(handle) => handle,
        Err(e) => {
            crate::debuglog::log(format_args!("event {} not delivered: {}", event.revision, e.message));
            return;
        }
    };
    let conn = handles::connection_ptr(&callback.conn);
    let opaque = callback.opaque as *mut c_void;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match o.change {
        // SAFETY: registered for the family's LIFECYCLE ID, so `cb` has its lifecycle type;
        // the lent handle stays valid during the call.
        ObjectChange::Lifecycle { event, detail } => unsafe {
            let lifecycle = std::mem::transmute::<StoredFn, ObjectLifecycleFn>(callback.cb);
            lifecycle(conn, handle.ptr(), event, detail, opaque)
        },
        // SAFETY: the other IDs' callbacks have the generic type.
        _ => unsafe {
            let generic = std::mem::transmute::<StoredFn, ObjectGenericFn>(callback.cb);
            generic(conn, handle.ptr(), opaque)
        },
    }));
    handles::free_object(&handle);
    drop(outcome);
}

fn register(
    family: Family,
    conn: virConnectPtr,
    filter: *mut c_void,
    event_id: c_int,
    cb: Option<ObjectGenericFn>,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> Result<c_int> {
    let api = family.register_call();
    let conn = objects::connection(conn, api)?;
    if !(0..family.event_id_last()).contains(&event_id) {
        return Err(VirError::invalid_arg(format!("{api}: eventID must be below {}, but got {event_id}", family.event_id_last())));
    }
    let cb = cb.ok_or_else(|| VirError::invalid_arg(format!("{api}: cb must not be NULL")))?;
    let object = if filter.is_null() {
        None
    } else {
        let handle = objects::object(filter, family, api)?;
        if !Arc::ptr_eq(handle.conn.conn.driver().events(), conn.conn.driver().events()) {
            return Err(VirError::invalid_arg(format!("{api}: the {} belongs to another hypervisor", family.noun())));
        }
        Some(handle.object.uuid)
    };
    let bus = conn.conn.driver().events();
    let filter = Filter { event_id: Some(family.registry_id(event_id)), domain: object };
    bus.register(
        NewRegistration {
            style: Style::ObjectAny(family),
            filter,
            start: Start::Now,
            bookmarks: false,
            // SAFETY: only the pointer is stored; `call` gives it back its family's type.
            callback: AppCallback { conn: conn.clone(), cb: unsafe { std::mem::transmute::<ObjectGenericFn, StoredFn>(cb) }, opaque: opaque as usize, freecb },
        },
        || !conn.conn.is_closed(),
    )
}

fn deregister(family: Family, conn: virConnectPtr, callback_id: c_int) -> Result<c_int> {
    let conn = objects::connection(conn, family.deregister_call())?;
    conn.conn.driver().events().deregister(conn.conn.id, callback_id, Style::ObjectAny(family))?;
    Ok(0)
}

/// The stored form of a family's generic callback type.
fn generic<P>(cb: Option<unsafe extern "C" fn(virConnectPtr, *mut P, *mut c_void)>) -> Option<ObjectGenericFn> {
    // SAFETY: only the object pointer's pointee type differs; the pointer is called back with
    // a handle of that family.
    cb.map(|f| unsafe { std::mem::transmute::<unsafe extern "C" fn(virConnectPtr, *mut P, *mut c_void), ObjectGenericFn>(f) })
}

/// Registers `cb` for network event `eventID` (a virNetworkEventID; cast `cb` with
/// VIR_NETWORK_EVENT_CALLBACK), for network `net` only or, with NULL, for all. Callbacks run from
/// the event loop with a `net` they do not own. `freecb`, if not NULL, runs once with `opaque`
/// after deregistration or connection close, never while `cb` runs. Returns the callback ID, or -1.
#[no_mangle]
pub extern "C" fn virConnectNetworkEventRegisterAny(
    conn: virConnectPtr,
    net: virNetworkPtr,
    eventID: c_int,
    cb: virConnectNetworkEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    entry("virConnectNetworkEventRegisterAny", || register(Family::Network, conn, net as *mut c_void, eventID, generic(cb), opaque, freecb))
}

/// Deregisters callback `callbackID` of virConnectNetworkEventRegisterAny. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virConnectNetworkEventDeregisterAny(conn: virConnectPtr, callbackID: c_int) -> c_int {
    entry("virConnectNetworkEventDeregisterAny", || deregister(Family::Network, conn, callbackID))
}

/// Registers `cb` for storage pool event `eventID` (a virStoragePoolEventID; cast `cb` with
/// VIR_STORAGE_POOL_EVENT_CALLBACK), for `pool` only or, with NULL, for all. As
/// virConnectNetworkEventRegisterAny otherwise. Returns the callback ID, or -1.
#[no_mangle]
pub extern "C" fn virConnectStoragePoolEventRegisterAny(
    conn: virConnectPtr,
    pool: virStoragePoolPtr,
    eventID: c_int,
    cb: virConnectStoragePoolEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    entry("virConnectStoragePoolEventRegisterAny", || {
        register(Family::StoragePool, conn, pool as *mut c_void, eventID, generic(cb), opaque, freecb)
    })
}

/// Deregisters callback `callbackID` of virConnectStoragePoolEventRegisterAny. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virConnectStoragePoolEventDeregisterAny(conn: virConnectPtr, callbackID: c_int) -> c_int {
    entry("virConnectStoragePoolEventDeregisterAny", || deregister(Family::StoragePool, conn, callbackID))
}

/// Registers `cb` for node device event `eventID` (a virNodeDeviceEventID; cast `cb` with
/// VIR_NODE_DEVICE_EVENT_CALLBACK), for device `dev` only (matched by name, as libvirt does) or,
/// with NULL, for all. As virConnectNetworkEventRegisterAny otherwise.
#[no_mangle]
pub extern "C" fn virConnectNodeDeviceEventRegisterAny(
    conn: virConnectPtr,
    dev: virNodeDevicePtr,
    eventID: c_int,
    cb: virConnectNodeDeviceEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    entry("virConnectNodeDeviceEventRegisterAny", || {
        register(Family::NodeDevice, conn, dev as *mut c_void, eventID, generic(cb), opaque, freecb)
    })
}

/// Deregisters callback `callbackID` of virConnectNodeDeviceEventRegisterAny. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virConnectNodeDeviceEventDeregisterAny(conn: virConnectPtr, callbackID: c_int) -> c_int {
    entry("virConnectNodeDeviceEventDeregisterAny", || deregister(Family::NodeDevice, conn, callbackID))
}

/// Registers `cb` for secret event `eventID` (a virSecretEventID; cast `cb` with
/// VIR_SECRET_EVENT_CALLBACK), for `secret` only or, with NULL, for all. As
/// virConnectNetworkEventRegisterAny otherwise.
#[no_mangle]
pub extern "C" fn virConnectSecretEventRegisterAny(
    conn: virConnectPtr,
    secret: virSecretPtr,
    eventID: c_int,
    cb: virConnectSecretEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    entry("virConnectSecretEventRegisterAny", || register(Family::Secret, conn, secret as *mut c_void, eventID, generic(cb), opaque, freecb))
}

/// Deregisters callback `callbackID` of virConnectSecretEventRegisterAny. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virConnectSecretEventDeregisterAny(conn: virConnectPtr, callbackID: c_int) -> c_int {
    entry("virConnectSecretEventDeregisterAny", || deregister(Family::Secret, conn, callbackID))
}
