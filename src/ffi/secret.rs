//! libvirt's secret calls: lookups, define/undefine (the secret LIFECYCLE events), values
//! (VIR_SECRET_EVENT_ID_VALUE_CHANGED), UUIDs and usage, references, list.

use super::entry;
use super::family_types::virSecretPtr;
use super::objects::{self as obj, driver};
use super::types::virConnectPtr;
use super::str_arg;
use crate::abi::*;
use crate::error::VirError;
use crate::events::family::Family::Secret;
use std::ffi::{c_char, c_int, c_uchar, c_uint};

/// Looks up a secret by raw UUID (VIR_UUID_BUFLEN bytes); free the result with virSecretFree.
///
/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN bytes.
#[no_mangle]
pub unsafe extern "C" fn virSecretLookupByUUID(conn: virConnectPtr, uuid: *const c_uchar) -> virSecretPtr {
    entry("virSecretLookupByUUID", || obj::lookup_by_uuid(conn, Secret, uuid, "virSecretLookupByUUID").map(|h| h.ptr()))
}

/// Looks up a secret by UUID string.
///
/// # Safety
/// `uuidstr` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virSecretLookupByUUIDString(conn: virConnectPtr, uuidstr: *const c_char) -> virSecretPtr {
    entry("virSecretLookupByUUIDString", || obj::lookup_by_uuid_string(conn, Secret, uuidstr, "virSecretLookupByUUIDString").map(|h| h.ptr()))
}

/// Looks up the secret used for `usageID` of `usageType` (a virSecretUsageType).
///
/// # Safety
/// `usageID` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virSecretLookupByUsage(conn: virConnectPtr, usageType: c_int, usageID: *const c_char) -> virSecretPtr {
    entry("virSecretLookupByUsage", || {
        let conn = obj::connection(conn, "virSecretLookupByUsage")?;
        let usage_id = str_arg(usageID, "usageID", "virSecretLookupByUsage")?;
        let found = driver(&conn).lookup_secret_by_usage(usageType, usage_id)?;
        obj::hand_out(&conn, found).map(|h| h.ptr())
    })
}

/// Defines (or redefines) a secret (VIR_SECRET_EVENT_DEFINED); its value is set apart.
///
/// # Safety
/// `xml` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virSecretDefineXML(conn: virConnectPtr, xml: *const c_char, flags: c_uint) -> virSecretPtr {
    entry("virSecretDefineXML", || obj::from_xml(conn, xml, "virSecretDefineXML", |d, x| d.define_object(Secret, x, flags)).map(|h| h.ptr()))
}

/// Sets the secret's value (VIR_SECRET_EVENT_ID_VALUE_CHANGED). Returns 0 or -1.
///
/// # Safety
/// `value` is NULL or points to `value_size` bytes.
#[no_mangle]
pub unsafe extern "C" fn virSecretSetValue(secret: virSecretPtr, value: *const c_uchar, value_size: usize, flags: c_uint) -> c_int {
    entry("virSecretSetValue", || {
        let h = obj::object_to_change(secret, Secret, "virSecretSetValue")?;
        if value.is_null() {
            return Err(VirError::invalid_arg("virSecretSetValue: value must not be NULL"));
        }
        // Bounded by the backend before anything is copied beyond this view.
        let bytes = std::slice::from_raw_parts(value, value_size);
        driver(&h.conn).set_secret_value(&h.object, bytes, flags).map(|_| 0)
    })
}

/// The secret's value, malloc'd (free it with free()), its length in `*value_size`. NULL on
/// error (a private secret's value is never returned).
///
/// # Safety
/// `value_size` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virSecretGetValue(secret: virSecretPtr, value_size: *mut usize, flags: c_uint) -> *mut c_uchar {
    entry("virSecretGetValue", || {
        let h = obj::object(secret, Secret, "virSecretGetValue")?;
        let size = value_size.as_mut().ok_or_else(|| VirError::invalid_arg("virSecretGetValue: value_size must not be NULL"))?;
        let value = driver(&h.conn).secret_value(&h.object, flags)?;
        let out = libc::malloc(value.len().max(1)) as *mut c_uchar;
        if out.is_null() {
            return Err(VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, ""));
        }
        std::ptr::copy_nonoverlapping(value.as_ptr(), out, value.len());
        *size = value.len();
        Ok(out)
    })
}

/// Removes the secret (VIR_SECRET_EVENT_UNDEFINED). Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virSecretUndefine(secret: virSecretPtr) -> c_int {
    entry("virSecretUndefine", || {
        let h = obj::object_to_change(secret, Secret, "virSecretUndefine")?;
        driver(&h.conn).undefine_object(&h.object).map(|_| 0)
    })
}

/// The secret's raw UUID into `uuid` (VIR_UUID_BUFLEN bytes). Returns 0 or -1.
///
/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN writable bytes.
#[no_mangle]
pub unsafe extern "C" fn virSecretGetUUID(secret: virSecretPtr, uuid: *mut c_uchar) -> c_int {
    entry("virSecretGetUUID", || obj::get_uuid(secret, Secret, uuid, "virSecretGetUUID"))
}

/// The secret's UUID as a string into `buf` (VIR_UUID_STRING_BUFLEN bytes). Returns 0 or -1.
///
/// # Safety
/// `buf` is NULL or points to VIR_UUID_STRING_BUFLEN writable bytes.
#[no_mangle]
pub unsafe extern "C" fn virSecretGetUUIDString(secret: virSecretPtr, buf: *mut c_char) -> c_int {
    entry("virSecretGetUUIDString", || obj::get_uuid_string(secret, Secret, buf, "virSecretGetUUIDString"))
}

/// The secret's virSecretUsageType, or -1.
#[no_mangle]
pub extern "C" fn virSecretGetUsageType(secret: virSecretPtr) -> c_int {
    entry("virSecretGetUsageType", || {
        let h = obj::object(secret, Secret, "virSecretGetUsageType")?;
        Ok(h.object.usage.as_ref().map_or(VIR_SECRET_USAGE_TYPE_NONE, |u| u.usage_type))
    })
}

/// What the secret is used for (a volume path, a Ceph or TLS name, an iSCSI target), valid
/// while the handle lives; NULL on error.
#[no_mangle]
pub extern "C" fn virSecretGetUsageID(secret: virSecretPtr) -> *const c_char {
    entry("virSecretGetUsageID", || obj::object(secret, Secret, "virSecretGetUsageID").map(|h| h.usage_id_ptr()))
}

/// The secret's XML definition (never its value); free it with free(). NULL on error.
#[no_mangle]
pub extern "C" fn virSecretGetXMLDesc(secret: virSecretPtr, flags: c_uint) -> *mut c_char {
    entry("virSecretGetXMLDesc", || {
        super::check_no_flags(flags, "virSecretGetXMLDesc")?;
        obj::xml_desc(secret, Secret, flags, "virSecretGetXMLDesc")
    })
}

/// Takes another reference on the handle. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virSecretRef(secret: virSecretPtr) -> c_int {
    entry("virSecretRef", || obj::ref_object(secret, Secret, "virSecretRef"))
}

/// Gives back a reference; the last one frees the handle. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virSecretFree(secret: virSecretPtr) -> c_int {
    entry("virSecretFree", || obj::free_object(secret, Secret, "virSecretFree"))
}

/// The secrets of `conn` (flags must be 0): returns how many, and with `secrets` a
/// NULL-terminated array to free() after virSecretFree on each. -1 on error.
///
/// # Safety
/// `secrets` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virConnectListAllSecrets(conn: virConnectPtr, secrets: *mut *mut virSecretPtr, flags: c_uint) -> c_int {
    entry("virConnectListAllSecrets", || obj::list_all(conn, Secret, secrets, flags, "virConnectListAllSecrets"))
}
