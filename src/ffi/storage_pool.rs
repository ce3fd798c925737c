//! libvirt's storage pool calls: lookups, define/create/destroy/undefine/refresh, names and
//! UUIDs, references, lists. Each change queues its storage pool event.

use super::entry;
use super::family_types::{_virStoragePoolInfo, virStoragePoolInfoPtr, virStoragePoolPtr};
use super::objects::{self as obj, driver};
use super::types::virConnectPtr;
use crate::events::family::Family::StoragePool;
use crate::abi::*;
use crate::error::VirError;
use std::ffi::{c_char, c_int, c_uchar, c_uint};

/// Looks up a storage pool by name; free the result with virStoragePoolFree.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virStoragePoolLookupByName(conn: virConnectPtr, name: *const c_char) -> virStoragePoolPtr {
    entry("virStoragePoolLookupByName", || obj::lookup_by_name(conn, StoragePool, name, "virStoragePoolLookupByName").map(|h| h.ptr()))
}

/// Looks up a storage pool by raw UUID (VIR_UUID_BUFLEN bytes).
///
/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN bytes.
#[no_mangle]
pub unsafe extern "C" fn virStoragePoolLookupByUUID(conn: virConnectPtr, uuid: *const c_uchar) -> virStoragePoolPtr {
    entry("virStoragePoolLookupByUUID", || obj::lookup_by_uuid(conn, StoragePool, uuid, "virStoragePoolLookupByUUID").map(|h| h.ptr()))
}

/// Looks up a storage pool by UUID string.
///
/// # Safety
/// `uuidstr` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virStoragePoolLookupByUUIDString(conn: virConnectPtr, uuidstr: *const c_char) -> virStoragePoolPtr {
    entry("virStoragePoolLookupByUUIDString", || {
        obj::lookup_by_uuid_string(conn, StoragePool, uuidstr, "virStoragePoolLookupByUUIDString").map(|h| h.ptr())
    })
}

/// Defines (or redefines) a persistent storage pool, inactive (VIR_STORAGE_POOL_EVENT_DEFINED).
///
/// # Safety
/// `xml` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virStoragePoolDefineXML(conn: virConnectPtr, xml: *const c_char, flags: c_uint) -> virStoragePoolPtr {
    entry("virStoragePoolDefineXML", || {
        obj::from_xml(conn, xml, "virStoragePoolDefineXML", |d, x| d.define_object(StoragePool, x, flags)).map(|h| h.ptr())
    })
}

/// Creates and starts a transient storage pool (VIR_STORAGE_POOL_EVENT_STARTED).
///
/// # Safety
/// `xmlDesc` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virStoragePoolCreateXML(conn: virConnectPtr, xmlDesc: *const c_char, flags: c_uint) -> virStoragePoolPtr {
    entry("virStoragePoolCreateXML", || {
        obj::from_xml(conn, xmlDesc, "virStoragePoolCreateXML", |d, x| d.create_object(StoragePool, x, flags)).map(|h| h.ptr())
    })
}

/// Starts a defined storage pool (VIR_STORAGE_POOL_EVENT_STARTED). Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virStoragePoolCreate(pool: virStoragePoolPtr, flags: c_uint) -> c_int {
    entry("virStoragePoolCreate", || {
        let h = obj::object_to_change(pool, StoragePool, "virStoragePoolCreate")?;
        driver(&h.conn).start_object(&h.object, flags).map(|_| 0)
    })
}

/// Stops a storage pool (VIR_STORAGE_POOL_EVENT_STOPPED); a transient one goes. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virStoragePoolDestroy(pool: virStoragePoolPtr) -> c_int {
    entry("virStoragePoolDestroy", || {
        let h = obj::object_to_change(pool, StoragePool, "virStoragePoolDestroy")?;
        driver(&h.conn).stop_object(&h.object).map(|_| 0)
    })
}

/// Removes an inactive storage pool's definition (VIR_STORAGE_POOL_EVENT_UNDEFINED). Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virStoragePoolUndefine(pool: virStoragePoolPtr) -> c_int {
    entry("virStoragePoolUndefine", || {
        let h = obj::object_to_change(pool, StoragePool, "virStoragePoolUndefine")?;
        driver(&h.conn).undefine_object(&h.object).map(|_| 0)
    })
}

/// Rescans a running storage pool (VIR_STORAGE_POOL_EVENT_ID_REFRESH). Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virStoragePoolRefresh(pool: virStoragePoolPtr, flags: c_uint) -> c_int {
    entry("virStoragePoolRefresh", || {
        let h = obj::object_to_change(pool, StoragePool, "virStoragePoolRefresh")?;
        driver(&h.conn).refresh_pool(&h.object, flags).map(|_| 0)
    })
}

/// The storage pool's name, valid while the handle lives; NULL on error.
#[no_mangle]
pub extern "C" fn virStoragePoolGetName(pool: virStoragePoolPtr) -> *const c_char {
    entry("virStoragePoolGetName", || obj::object(pool, StoragePool, "virStoragePoolGetName").map(|h| h.name_ptr()))
}

/// The storage pool's raw UUID into `uuid` (VIR_UUID_BUFLEN bytes). Returns 0 or -1.
///
/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN writable bytes.
#[no_mangle]
pub unsafe extern "C" fn virStoragePoolGetUUID(pool: virStoragePoolPtr, uuid: *mut c_uchar) -> c_int {
    entry("virStoragePoolGetUUID", || obj::get_uuid(pool, StoragePool, uuid, "virStoragePoolGetUUID"))
}

/// The storage pool's UUID as a string into `buf` (VIR_UUID_STRING_BUFLEN bytes). Returns 0 or -1.
///
/// # Safety
/// `buf` is NULL or points to VIR_UUID_STRING_BUFLEN writable bytes.
#[no_mangle]
pub unsafe extern "C" fn virStoragePoolGetUUIDString(pool: virStoragePoolPtr, buf: *mut c_char) -> c_int {
    entry("virStoragePoolGetUUIDString", || obj::get_uuid_string(pool, StoragePool, buf, "virStoragePoolGetUUIDString"))
}

/// The pool's state (VIR_STORAGE_POOL_RUNNING or VIR_STORAGE_POOL_INACTIVE) and size into
/// `info`. Returns 0 or -1.
///
/// # Safety
/// `info` is NULL or points to a writable virStoragePoolInfo.
#[no_mangle]
pub unsafe extern "C" fn virStoragePoolGetInfo(pool: virStoragePoolPtr, info: virStoragePoolInfoPtr) -> c_int {
    entry("virStoragePoolGetInfo", || {
        let handle = obj::object(pool, StoragePool, "virStoragePoolGetInfo")?;
        let out = info.as_mut().ok_or_else(|| VirError::invalid_arg("virStoragePoolGetInfo: info must not be NULL"))?;
        let objects = driver(&handle.conn);
        let active = objects.object_state(&handle.object)?.active;
        let size = objects.pool_sizes(&handle.object)?;
        *out = _virStoragePoolInfo {
            state: if active { VIR_STORAGE_POOL_RUNNING } else { VIR_STORAGE_POOL_INACTIVE },
            capacity: size.capacity,
            allocation: size.allocation,
            available: size.available,
        };
        Ok(0)
    })
}

/// Whether the pool starts with its host: 1 or 0 into `autostart`. Returns 0 or -1.
///
/// # Safety
/// `autostart` is NULL or points to a writable int.
#[no_mangle]
pub unsafe extern "C" fn virStoragePoolGetAutostart(pool: virStoragePoolPtr, autostart: *mut c_int) -> c_int {
    entry("virStoragePoolGetAutostart", || obj::get_autostart(pool, StoragePool, autostart, "virStoragePoolGetAutostart"))
}

/// Makes the pool start with its host (`autostart` non-zero) or not. No event. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virStoragePoolSetAutostart(pool: virStoragePoolPtr, autostart: c_int) -> c_int {
    entry("virStoragePoolSetAutostart", || obj::set_autostart(pool, StoragePool, autostart, "virStoragePoolSetAutostart"))
}

/// 1 if the storage pool is running, 0 if not, -1 on error.
#[no_mangle]
pub extern "C" fn virStoragePoolIsActive(pool: virStoragePoolPtr) -> c_int {
    entry("virStoragePoolIsActive", || obj::is_active(pool, StoragePool, "virStoragePoolIsActive"))
}

/// 1 if the storage pool has a persistent definition, 0 if it is transient, -1 on error.
#[no_mangle]
pub extern "C" fn virStoragePoolIsPersistent(pool: virStoragePoolPtr) -> c_int {
    entry("virStoragePoolIsPersistent", || obj::is_persistent(pool, StoragePool, "virStoragePoolIsPersistent"))
}

/// The storage pool's XML definition; free it with free(). NULL on error.
#[no_mangle]
pub extern "C" fn virStoragePoolGetXMLDesc(pool: virStoragePoolPtr, flags: c_uint) -> *mut c_char {
    entry("virStoragePoolGetXMLDesc", || obj::xml_desc(pool, StoragePool, flags, "virStoragePoolGetXMLDesc"))
}

/// Takes another reference on the handle. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virStoragePoolRef(pool: virStoragePoolPtr) -> c_int {
    entry("virStoragePoolRef", || obj::ref_object(pool, StoragePool, "virStoragePoolRef"))
}

/// Gives back a reference; the last one frees the handle. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virStoragePoolFree(pool: virStoragePoolPtr) -> c_int {
    entry("virStoragePoolFree", || obj::free_object(pool, StoragePool, "virStoragePoolFree"))
}

/// The storage pools of `conn` (filtered by VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE/INACTIVE/
/// PERSISTENT/TRANSIENT): returns how many, and with `pools` a NULL-terminated array to free()
/// after virStoragePoolFree on each. -1 on error.
///
/// # Safety
/// `pools` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virConnectListAllStoragePools(conn: virConnectPtr, pools: *mut *mut virStoragePoolPtr, flags: c_uint) -> c_int {
    entry("virConnectListAllStoragePools", || obj::list_all(conn, StoragePool, pools, flags, "virConnectListAllStoragePools"))
}
