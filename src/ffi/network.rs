//! libvirt's network calls: lookups, define/create/destroy/undefine, names and UUIDs,
//! references, lists. Each change queues its VIR_NETWORK_EVENT_ID_LIFECYCLE event.

use super::{entry, malloc_string};
use super::objects::{self as obj, driver};
use super::types::{virConnectPtr, virNetworkPtr};
use crate::events::family::Family::Network;
use std::ffi::{c_char, c_int, c_uchar, c_uint};

/// Looks up a network by name; free the result with virNetworkFree.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virNetworkLookupByName(conn: virConnectPtr, name: *const c_char) -> virNetworkPtr {
    entry("virNetworkLookupByName", || obj::lookup_by_name(conn, Network, name, "virNetworkLookupByName").map(|h| h.ptr()))
}

/// Looks up a network by raw UUID (VIR_UUID_BUFLEN bytes).
///
/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN bytes.
#[no_mangle]
pub unsafe extern "C" fn virNetworkLookupByUUID(conn: virConnectPtr, uuid: *const c_uchar) -> virNetworkPtr {
    entry("virNetworkLookupByUUID", || obj::lookup_by_uuid(conn, Network, uuid, "virNetworkLookupByUUID").map(|h| h.ptr()))
}

/// Looks up a network by UUID string.
///
/// # Safety
/// `uuidstr` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virNetworkLookupByUUIDString(conn: virConnectPtr, uuidstr: *const c_char) -> virNetworkPtr {
    entry("virNetworkLookupByUUIDString", || {
        obj::lookup_by_uuid_string(conn, Network, uuidstr, "virNetworkLookupByUUIDString").map(|h| h.ptr())
    })
}

/// Defines (or redefines) a persistent network, inactive (VIR_NETWORK_EVENT_DEFINED).
///
/// # Safety
/// `xml` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virNetworkDefineXML(conn: virConnectPtr, xml: *const c_char) -> virNetworkPtr {
    entry("virNetworkDefineXML", || obj::from_xml(conn, xml, "virNetworkDefineXML", |d, x| d.define_object(Network, x, 0)).map(|h| h.ptr()))
}

/// virNetworkDefineXML with flags (VIR_NETWORK_DEFINE_VALIDATE).
///
/// # Safety
/// `xml` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virNetworkDefineXMLFlags(conn: virConnectPtr, xml: *const c_char, flags: c_uint) -> virNetworkPtr {
    entry("virNetworkDefineXMLFlags", || {
        obj::from_xml(conn, xml, "virNetworkDefineXMLFlags", |d, x| d.define_object(Network, x, flags)).map(|h| h.ptr())
    })
}

/// Creates and starts a transient network (VIR_NETWORK_EVENT_STARTED); it goes when destroyed.
///
/// # Safety
/// `xmlDesc` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virNetworkCreateXML(conn: virConnectPtr, xmlDesc: *const c_char) -> virNetworkPtr {
    entry("virNetworkCreateXML", || obj::from_xml(conn, xmlDesc, "virNetworkCreateXML", |d, x| d.create_object(Network, x, 0)).map(|h| h.ptr()))
}

/// virNetworkCreateXML with flags (VIR_NETWORK_CREATE_VALIDATE).
///
/// # Safety
/// `xmlDesc` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virNetworkCreateXMLFlags(conn: virConnectPtr, xmlDesc: *const c_char, flags: c_uint) -> virNetworkPtr {
    entry("virNetworkCreateXMLFlags", || {
        obj::from_xml(conn, xmlDesc, "virNetworkCreateXMLFlags", |d, x| d.create_object(Network, x, flags)).map(|h| h.ptr())
    })
}

/// Starts a defined network (VIR_NETWORK_EVENT_STARTED). Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virNetworkCreate(network: virNetworkPtr) -> c_int {
    entry("virNetworkCreate", || {
        let h = obj::object_to_change(network, Network, "virNetworkCreate")?;
        driver(&h.conn).start_object(&h.object, 0).map(|_| 0)
    })
}

/// Stops a network (VIR_NETWORK_EVENT_STOPPED); a transient one goes. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virNetworkDestroy(network: virNetworkPtr) -> c_int {
    entry("virNetworkDestroy", || {
        let h = obj::object_to_change(network, Network, "virNetworkDestroy")?;
        driver(&h.conn).stop_object(&h.object).map(|_| 0)
    })
}

/// Removes an inactive network's definition (VIR_NETWORK_EVENT_UNDEFINED). Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virNetworkUndefine(network: virNetworkPtr) -> c_int {
    entry("virNetworkUndefine", || {
        let h = obj::object_to_change(network, Network, "virNetworkUndefine")?;
        driver(&h.conn).undefine_object(&h.object).map(|_| 0)
    })
}

/// The network's name, valid while the handle lives; NULL on error.
#[no_mangle]
pub extern "C" fn virNetworkGetName(network: virNetworkPtr) -> *const c_char {
    entry("virNetworkGetName", || obj::object(network, Network, "virNetworkGetName").map(|h| h.name_ptr()))
}

/// The network's raw UUID into `uuid` (VIR_UUID_BUFLEN bytes). Returns 0 or -1.
///
/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN writable bytes.
#[no_mangle]
pub unsafe extern "C" fn virNetworkGetUUID(network: virNetworkPtr, uuid: *mut c_uchar) -> c_int {
    entry("virNetworkGetUUID", || obj::get_uuid(network, Network, uuid, "virNetworkGetUUID"))
}

/// The network's UUID as a string into `buf` (VIR_UUID_STRING_BUFLEN bytes). Returns 0 or -1.
///
/// # Safety
/// `buf` is NULL or points to VIR_UUID_STRING_BUFLEN writable bytes.
#[no_mangle]
pub unsafe extern "C" fn virNetworkGetUUIDString(network: virNetworkPtr, buf: *mut c_char) -> c_int {
    entry("virNetworkGetUUIDString", || obj::get_uuid_string(network, Network, buf, "virNetworkGetUUIDString"))
}

/// Whether the network starts with its host: 1 or 0 into `autostart`. Returns 0 or -1.
///
/// # Safety
/// `autostart` is NULL or points to a writable int.
#[no_mangle]
pub unsafe extern "C" fn virNetworkGetAutostart(network: virNetworkPtr, autostart: *mut c_int) -> c_int {
    entry("virNetworkGetAutostart", || obj::get_autostart(network, Network, autostart, "virNetworkGetAutostart"))
}

/// Makes the network start with its host (`autostart` non-zero) or not. No event. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virNetworkSetAutostart(network: virNetworkPtr, autostart: c_int) -> c_int {
    entry("virNetworkSetAutostart", || obj::set_autostart(network, Network, autostart, "virNetworkSetAutostart"))
}

/// The name of the host bridge the network uses; free it with free(). NULL on error (a network
/// whose definition names no bridge).
#[no_mangle]
pub extern "C" fn virNetworkGetBridgeName(network: virNetworkPtr) -> *mut c_char {
    entry("virNetworkGetBridgeName", || {
        let handle = obj::object(network, Network, "virNetworkGetBridgeName")?;
        Ok(malloc_string(&driver(&handle.conn).network_bridge(&handle.object)?))
    })
}

/// 1 if the network is running, 0 if not, -1 on error.
#[no_mangle]
pub extern "C" fn virNetworkIsActive(net: virNetworkPtr) -> c_int {
    entry("virNetworkIsActive", || obj::is_active(net, Network, "virNetworkIsActive"))
}

/// 1 if the network has a persistent definition, 0 if it is transient, -1 on error.
#[no_mangle]
pub extern "C" fn virNetworkIsPersistent(net: virNetworkPtr) -> c_int {
    entry("virNetworkIsPersistent", || obj::is_persistent(net, Network, "virNetworkIsPersistent"))
}

/// The network's XML definition; free it with free(). NULL on error.
#[no_mangle]
pub extern "C" fn virNetworkGetXMLDesc(network: virNetworkPtr, flags: c_uint) -> *mut c_char {
    entry("virNetworkGetXMLDesc", || obj::xml_desc(network, Network, flags, "virNetworkGetXMLDesc"))
}

/// The connection the network belongs to (not a new reference). NULL on error.
#[no_mangle]
pub extern "C" fn virNetworkGetConnect(net: virNetworkPtr) -> virConnectPtr {
    entry("virNetworkGetConnect", || obj::object(net, Network, "virNetworkGetConnect").map(|h| super::handles::connection_ptr(&h.conn)))
}

/// Takes another reference on the handle. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virNetworkRef(network: virNetworkPtr) -> c_int {
    entry("virNetworkRef", || obj::ref_object(network, Network, "virNetworkRef"))
}

/// Gives back a reference; the last one frees the handle. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virNetworkFree(network: virNetworkPtr) -> c_int {
    entry("virNetworkFree", || obj::free_object(network, Network, "virNetworkFree"))
}

/// The networks of `conn` (filtered by VIR_CONNECT_LIST_NETWORKS_ACTIVE/INACTIVE/PERSISTENT/
/// TRANSIENT): returns how many, and with `nets` a NULL-terminated array to free() after
/// virNetworkFree on each. -1 on error.
///
/// # Safety
/// `nets` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virConnectListAllNetworks(conn: virConnectPtr, nets: *mut *mut virNetworkPtr, flags: c_uint) -> c_int {
    entry("virConnectListAllNetworks", || obj::list_all(conn, Network, nets, flags, "virConnectListAllNetworks"))
}
