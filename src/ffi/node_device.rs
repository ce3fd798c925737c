//! libvirt's node device calls: lookup, vHBA creation and destruction (the node device
//! LIFECYCLE events CREATED and DELETED), name, references, list.

use super::entry;
use super::family_types::virNodeDevicePtr;
use super::objects::{self as obj, driver};
use super::types::virConnectPtr;
use crate::events::family::Family::NodeDevice;
use std::ffi::{c_char, c_int, c_uint};

/// Looks up a host device by name; free the result with virNodeDeviceFree.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virNodeDeviceLookupByName(conn: virConnectPtr, name: *const c_char) -> virNodeDevicePtr {
    entry("virNodeDeviceLookupByName", || obj::lookup_by_name(conn, NodeDevice, name, "virNodeDeviceLookupByName").map(|h| h.ptr()))
}

/// Creates a device from XML: on the test hypervisor, a vHBA (a `scsi_host` capability with
/// an `fc_host` one giving its wwnn and wwpn) on a vport-capable Fibre Channel host
/// (VIR_NODE_DEVICE_EVENT_CREATED). Free the result with virNodeDeviceFree.
///
/// # Safety
/// `xmlDesc` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virNodeDeviceCreateXML(conn: virConnectPtr, xmlDesc: *const c_char, flags: c_uint) -> virNodeDevicePtr {
    entry("virNodeDeviceCreateXML", || {
        obj::from_xml(conn, xmlDesc, "virNodeDeviceCreateXML", |d, x| d.create_node_device(x, flags)).map(|h| h.ptr())
    })
}

/// Destroys a Fibre Channel host device (VIR_NODE_DEVICE_EVENT_DELETED). Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virNodeDeviceDestroy(dev: virNodeDevicePtr) -> c_int {
    entry("virNodeDeviceDestroy", || {
        let h = obj::object_to_change(dev, NodeDevice, "virNodeDeviceDestroy")?;
        driver(&h.conn).destroy_node_device(&h.object).map(|_| 0)
    })
}

/// The device's name, valid while the handle lives; NULL on error.
#[no_mangle]
pub extern "C" fn virNodeDeviceGetName(dev: virNodeDevicePtr) -> *const c_char {
    entry("virNodeDeviceGetName", || obj::object(dev, NodeDevice, "virNodeDeviceGetName").map(|h| h.name_ptr()))
}

/// The device's XML description; free it with free(). NULL on error.
#[no_mangle]
pub extern "C" fn virNodeDeviceGetXMLDesc(dev: virNodeDevicePtr, flags: c_uint) -> *mut c_char {
    entry("virNodeDeviceGetXMLDesc", || obj::xml_desc(dev, NodeDevice, flags, "virNodeDeviceGetXMLDesc"))
}

/// Takes another reference on the handle. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virNodeDeviceRef(dev: virNodeDevicePtr) -> c_int {
    entry("virNodeDeviceRef", || obj::ref_object(dev, NodeDevice, "virNodeDeviceRef"))
}

/// Gives back a reference; the last one frees the handle. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virNodeDeviceFree(dev: virNodeDevicePtr) -> c_int {
    entry("virNodeDeviceFree", || obj::free_object(dev, NodeDevice, "virNodeDeviceFree"))
}

/// The host devices of `conn` (no capability filter: flags must be 0): returns how many, and
/// with `devices` a NULL-terminated array to free() after virNodeDeviceFree on each.
///
/// # Safety
/// `devices` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virConnectListAllNodeDevices(conn: virConnectPtr, devices: *mut *mut virNodeDevicePtr, flags: c_uint) -> c_int {
    entry("virConnectListAllNodeDevices", || obj::list_all(conn, NodeDevice, devices, flags, "virConnectListAllNodeDevices"))
}
