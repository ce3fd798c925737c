//! What the calls of networks, storage pools, node devices and secrets share: argument checks,
//! lookups, handing out and resolving handles, UUIDs, lists. The C functions themselves are in
//! network.rs, storage_pool.rs, node_device.rs and secret.rs, each a thin wrapper over these.

use super::handles::{self, ConnHandle, ObjectHandle};
use super::types::{virConnectPtr, VIR_UUID_BUFLEN};
use super::{malloc_string, str_arg};
use crate::abi::*;
use crate::driver::objects::ObjectDriver;
use crate::error::{Result, VirError};
use crate::events::family::Family;
use crate::objects::ObjectRef;
use std::ffi::{c_char, c_int, c_uchar, c_uint};
use std::sync::Arc;
use uuid::Uuid;

/// The open connection and its backend's objects.
pub(crate) fn connection(conn: virConnectPtr, api: &str) -> Result<Arc<ConnHandle>> {
    handles::connection(conn, api)
}

pub(crate) fn driver(conn: &ConnHandle) -> &dyn ObjectDriver {
    conn.conn.driver().objects()
}

/// A new handle, with one reference, for an object of `conn`.
pub(crate) fn hand_out(conn: &Arc<ConnHandle>, object: ObjectRef) -> Result<Arc<ObjectHandle>> {
    handles::new_object(conn, object, 1)
}

/// The object of `family` behind a pointer from C.
pub(crate) fn object<T>(ptr: *mut T, family: Family, api: &str) -> Result<Arc<ObjectHandle>> {
    handles::object(ptr as usize, family, api)
}

/// The object behind a pointer, for a call that changes it: refused on a read-only connection.
pub(crate) fn object_to_change<T>(ptr: *mut T, family: Family, api: &str) -> Result<Arc<ObjectHandle>> {
    let handle = object(ptr, family, api)?;
    handle.conn.conn.check_writable(api)?;
    Ok(handle)
}

/// # Safety
/// `name` is NULL or a NUL-terminated string.
pub(crate) unsafe fn lookup_by_name(conn: virConnectPtr, family: Family, name: *const c_char, api: &str) -> Result<Arc<ObjectHandle>> {
    let conn = connection(conn, api)?;
    let name = str_arg(name, "name", api)?;
    let found = driver(&conn).lookup_object_by_name(family, name)?;
    hand_out(&conn, found)
}

/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN bytes.
pub(crate) unsafe fn lookup_by_uuid(conn: virConnectPtr, family: Family, uuid: *const c_uchar, api: &str) -> Result<Arc<ObjectHandle>> {
    let conn = connection(conn, api)?;
    if uuid.is_null() {
        return Err(VirError::invalid_arg(format!("{api}: uuid must not be NULL")));
    }
    let mut bytes = [0u8; VIR_UUID_BUFLEN];
    std::ptr::copy_nonoverlapping(uuid, bytes.as_mut_ptr(), VIR_UUID_BUFLEN);
    let found = driver(&conn).lookup_object_by_uuid(family, &Uuid::from_bytes(bytes))?;
    hand_out(&conn, found)
}

/// # Safety
/// `uuidstr` is NULL or a NUL-terminated string.
pub(crate) unsafe fn lookup_by_uuid_string(conn: virConnectPtr, family: Family, uuidstr: *const c_char, api: &str) -> Result<Arc<ObjectHandle>> {
    let conn = connection(conn, api)?;
    let text = str_arg(uuidstr, "uuidstr", api)?;
    let uuid = Uuid::parse_str(text.trim()).map_err(|_| VirError::invalid_arg(format!("{api}: malformed UUID '{text}'")))?;
    let found = driver(&conn).lookup_object_by_uuid(family, &uuid)?;
    hand_out(&conn, found)
}

/// A define or a create from XML, on a writable connection.
///
/// # Safety
/// `xml` is NULL or a NUL-terminated string.
pub(crate) unsafe fn from_xml(
    conn: virConnectPtr,
    xml: *const c_char,
    api: &str,
    change: impl FnOnce(&dyn ObjectDriver, &str) -> Result<ObjectRef>,
) -> Result<Arc<ObjectHandle>> {
    let conn = connection(conn, api)?;
    conn.conn.check_writable(api)?;
    let xml = str_arg(xml, "xml", api)?;
    let made = change(driver(&conn), xml)?;
    hand_out(&conn, made)
}

/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN writable bytes.
pub(crate) unsafe fn get_uuid<T>(ptr: *mut T, family: Family, uuid: *mut c_uchar, api: &str) -> Result<i32> {
    let handle = object(ptr, family, api)?;
    if uuid.is_null() {
        return Err(VirError::invalid_arg(format!("{api}: uuid must not be NULL")));
    }
    std::ptr::copy_nonoverlapping(handle.object.uuid.as_bytes().as_ptr(), uuid, VIR_UUID_BUFLEN);
    Ok(0)
}

/// # Safety
/// `buf` is NULL or points to VIR_UUID_STRING_BUFLEN writable bytes.
pub(crate) unsafe fn get_uuid_string<T>(ptr: *mut T, family: Family, buf: *mut c_char, api: &str) -> Result<i32> {
    let handle = object(ptr, family, api)?;
    if buf.is_null() {
        return Err(VirError::invalid_arg(format!("{api}: buf must not be NULL")));
    }
    let text = handle.object.uuid.hyphenated().to_string();
    std::ptr::copy_nonoverlapping(text.as_ptr() as *const c_char, buf, text.len());
    *buf.add(text.len()) = 0;
    Ok(0)
}

pub(crate) fn is_active<T>(ptr: *mut T, family: Family, api: &str) -> Result<i32> {
    let handle = object(ptr, family, api)?;
    Ok(driver(&handle.conn).object_state(&handle.object)?.active as i32)
}

pub(crate) fn is_persistent<T>(ptr: *mut T, family: Family, api: &str) -> Result<i32> {
    let handle = object(ptr, family, api)?;
    Ok(driver(&handle.conn).object_state(&handle.object)?.persistent as i32)
}

/// Whether a network or pool starts with its host, into `autostart`.
///
/// # Safety
/// `autostart` is NULL or points to a writable int.
pub(crate) unsafe fn get_autostart<T>(ptr: *mut T, family: Family, autostart: *mut c_int, api: &str) -> Result<i32> {
    let handle = object(ptr, family, api)?;
    let out = autostart.as_mut().ok_or_else(|| VirError::invalid_arg(format!("{api}: autostart must not be NULL")))?;
    *out = driver(&handle.conn).object_state(&handle.object)?.autostart as c_int;
    Ok(0)
}

pub(crate) fn set_autostart<T>(ptr: *mut T, family: Family, autostart: c_int, api: &str) -> Result<i32> {
    let handle = object_to_change(ptr, family, api)?;
    driver(&handle.conn).set_autostart(&handle.object, autostart != 0)?;
    Ok(0)
}

pub(crate) fn xml_desc<T>(ptr: *mut T, family: Family, flags: c_uint, api: &str) -> Result<*mut c_char> {
    let handle = object(ptr, family, api)?;
    let xml = driver(&handle.conn).object_xml(&handle.object, flags)?;
    Ok(malloc_string(&xml))
}

pub(crate) fn ref_object<T>(ptr: *mut T, family: Family, api: &str) -> Result<i32> {
    handles::ref_object(&object(ptr, family, api)?);
    Ok(0)
}

pub(crate) fn free_object<T>(ptr: *mut T, family: Family, api: &str) -> Result<i32> {
    handles::free_object(&object(ptr, family, api)?);
    Ok(0)
}

// The list filters of virConnectListAllNetworks and virConnectListAllStoragePools: their
// INACTIVE, ACTIVE, PERSISTENT and TRANSIENT bits have the same values.
const LIST_INACTIVE: u32 = VIR_CONNECT_LIST_NETWORKS_INACTIVE as u32;
const LIST_ACTIVE: u32 = VIR_CONNECT_LIST_NETWORKS_ACTIVE as u32;
const LIST_PERSISTENT: u32 = VIR_CONNECT_LIST_NETWORKS_PERSISTENT as u32;
const LIST_TRANSIENT: u32 = VIR_CONNECT_LIST_NETWORKS_TRANSIENT as u32;

/// virConnectListAll… of `family`: the number of objects, and with `out` a malloc'd,
/// NULL-terminated array of new handles. Networks and pools filter on being active and
/// persistent; other families take no flags.
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn list_all<T>(conn: virConnectPtr, family: Family, out: *mut *mut *mut T, flags: c_uint, api: &str) -> Result<i32> {
    let conn = connection(conn, api)?;
    let known = match family {
        Family::Network | Family::StoragePool => LIST_INACTIVE | LIST_ACTIVE | LIST_PERSISTENT | LIST_TRANSIENT,
        _ => 0,
    };
    super::check_no_flags(flags & !known, api)?;
    let wants = |yes: u32, no: u32, is: bool| flags & (yes | no) == 0 || (is && flags & yes != 0) || (!is && flags & no != 0);
    let driver = driver(&conn);
    let mut list = Vec::new();
    for object in driver.list_objects(family) {
        let state = driver.object_state(&object)?;
        if wants(LIST_ACTIVE, LIST_INACTIVE, state.active) && wants(LIST_PERSISTENT, LIST_TRANSIENT, state.persistent) {
            list.push(object);
        }
    }
    if let Some(out) = out.as_mut() {
        let array = libc::calloc(list.len() + 1, std::mem::size_of::<*mut T>()) as *mut *mut T;
        if array.is_null() {
            return Err(VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, ""));
        }
        for (i, object) in list.iter().enumerate() {
            match hand_out(&conn, object.clone()) {
                Ok(handle) => *array.add(i) = handle.ptr(),
                Err(e) => {
                    for j in 0..i {
                        let _ = free_object(*array.add(j), family, api);
                    }
                    libc::free(array as *mut _);
                    return Err(e);
                }
            }
        }
        *out = array;
    }
    Ok(list.len() as i32)
}
