//! virConnect*: opening, reference counting, listing, close callbacks, versions.

use super::handles::{self, ConnHandle};
use super::types::*;
use super::{check_no_flags, entry, malloc_string, opt_str_arg};
use crate::abi::*;
use crate::conn::Connection;
use crate::error::{Result, VirError};
use std::ffi::{c_char, c_int, c_uint, c_ulong, c_void};
use std::ptr;
use std::sync::Arc;

static mut DEFAULT_AUTH: virConnectAuth = virConnectAuth { credtype: ptr::null_mut(), ncredtype: 0, cb: None, cbdata: ptr::null_mut() };

/// Default authentication for virConnectOpenAuth. The test hypervisor needs no credentials.
#[no_mangle]
pub static mut virConnectAuthPtrDefault: virConnectAuthPtr = &raw mut DEFAULT_AUTH;

/// Initializes the library. Optional (every call initializes what it needs); returns 0.
#[no_mangle]
pub extern "C" fn virInitialize() -> c_int {
    entry("virInitialize", || Ok(0))
}

/// Reports the library version (major * 1,000,000 + minor * 1,000 + release) in `libVer`, and
/// in `typeVer` the version of driver `type`'s API, which as in libvirt 9.0 is the library's
/// whatever `type` names (virConnectGetVersion gives a hypervisor's own version).
///
/// # Safety
/// `libVer` and `typeVer` are NULL or writable; `type` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virGetVersion(libVer: *mut c_ulong, r#type: *const c_char, typeVer: *mut c_ulong) -> c_int {
    entry("virGetVersion", || {
        if let Some(v) = libVer.as_mut() {
            *v = LIBVIR_VERSION_NUMBER;
        }
        // As in libvirt 9.0, the "driver version" is the library's whatever `type` names.
        opt_str_arg(r#type, "type", "virGetVersion")?;
        if let Some(v) = typeVer.as_mut() {
            *v = LIBVIR_VERSION_NUMBER;
        }
        Ok(0)
    })
}

unsafe fn open(name: *const c_char, read_only: bool, api: &'static str) -> virConnectPtr {
    entry(api, || {
        let uri = opt_str_arg(name, "name", api)?;
        Ok(handles::new_connection(Connection::open(uri, read_only)?)?)
    })
}

/// Opens a connection: `name` is `test:///default` (shared, holding the running domain `test`;
/// also what NULL opens) or `test:///empty` (private and empty). Release with virConnectClose.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virConnectOpen(name: *const c_char) -> virConnectPtr {
    open(name, false, "virConnectOpen")
}

/// As virConnectOpen, for a connection that may only observe (changes are refused).
///
/// # Safety
/// As for virConnectOpen.
#[no_mangle]
pub unsafe extern "C" fn virConnectOpenReadOnly(name: *const c_char) -> virConnectPtr {
    open(name, true, "virConnectOpenReadOnly")
}

/// As virConnectOpen; `auth` may be NULL or virConnectAuthPtrDefault (no credentials are asked),
/// `flags` may hold VIR_CONNECT_RO.
///
/// # Safety
/// As for virConnectOpen.
#[no_mangle]
pub unsafe extern "C" fn virConnectOpenAuth(name: *const c_char, auth: virConnectAuthPtr, flags: c_uint) -> virConnectPtr {
    let _ = auth;
    entry("virConnectOpenAuth", || {
        let known = (VIR_CONNECT_RO | VIR_CONNECT_NO_ALIASES) as c_uint;
        if flags & !known != 0 {
            return Err(VirError::invalid_arg(format!("virConnectOpenAuth: unsupported flags (0x{:x})", flags & !known)));
        }
        let uri = opt_str_arg(name, "name", "virConnectOpenAuth")?;
        let read_only = flags & VIR_CONNECT_RO as c_uint != 0;
        Ok(handles::new_connection(Connection::open(uri, read_only)?)?)
    })
}

/// Takes one more reference on `conn`, released by virConnectClose. Returns 0.
#[no_mangle]
pub extern "C" fn virConnectRef(conn: virConnectPtr) -> c_int {
    entry("virConnectRef", || {
        let conn = handles::any_connection(conn, "virConnectRef")?;
        handles::ref_connection(&conn)?;
        Ok(0)
    })
}

/// Gives back one reference. When the application's last reference goes, every callback
/// registered through `conn` is deregistered and its free callback runs. Returns the number of
/// references left (domains obtained through `conn` hold one each until freed), or -1.
#[no_mangle]
pub extern "C" fn virConnectClose(conn: virConnectPtr) -> c_int {
    entry("virConnectClose", || {
        // virConnectClose belongs to libvirt's core, which reports in VIR_FROM_NONE.
        let conn = handles::any_connection(conn, "virConnectClose").map_err(|e| VirError { domain: VIR_FROM_NONE, ..e })?;
        Ok(handles::close_connection(&conn)?.min(c_int::MAX as usize) as c_int)
    })
}

/// The connection's URI; the caller frees it with free().
#[no_mangle]
pub extern "C" fn virConnectGetURI(conn: virConnectPtr) -> *mut c_char {
    entry("virConnectGetURI", || {
        let conn = handles::connection(conn, "virConnectGetURI")?;
        Ok(malloc_string(&conn.conn.uri))
    })
}

/// The hypervisor type, "TEST" (as libvirt's test driver says). Owned by the library.
#[no_mangle]
pub extern "C" fn virConnectGetType(conn: virConnectPtr) -> *const c_char {
    entry("virConnectGetType", || {
        handles::connection(conn, "virConnectGetType")?;
        Ok(c"TEST".as_ptr())
    })
}

/// 1 while the connection is open, 0 once closed, -1 for an invalid pointer.
#[no_mangle]
pub extern "C" fn virConnectIsAlive(conn: virConnectPtr) -> c_int {
    entry("virConnectIsAlive", || Ok(!handles::any_connection(conn, "virConnectIsAlive")?.conn.is_closed() as c_int))
}

/// 0: the test hypervisor is in-process, so there is no channel to encrypt.
#[no_mangle]
pub extern "C" fn virConnectIsEncrypted(conn: virConnectPtr) -> c_int {
    entry("virConnectIsEncrypted", || handles::connection(conn, "virConnectIsEncrypted").map(|_| 0))
}

/// 1: an in-process connection cannot be eavesdropped on.
#[no_mangle]
pub extern "C" fn virConnectIsSecure(conn: virConnectPtr) -> c_int {
    entry("virConnectIsSecure", || handles::connection(conn, "virConnectIsSecure").map(|_| 1))
}

/// The library version in `libVer` (major * 1,000,000 + minor * 1,000 + release).
///
/// # Safety
/// `libVer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virConnectGetLibVersion(conn: virConnectPtr, libVer: *mut c_ulong) -> c_int {
    entry("virConnectGetLibVersion", || {
        handles::connection(conn, "virConnectGetLibVersion")?;
        let out = libVer.as_mut().ok_or_else(|| VirError::invalid_arg("virConnectGetLibVersion: libVer must not be NULL"))?;
        *out = LIBVIR_VERSION_NUMBER;
        Ok(0)
    })
}

/// Number of running domains.
#[no_mangle]
pub extern "C" fn virConnectNumOfDomains(conn: virConnectPtr) -> c_int {
    entry("virConnectNumOfDomains", || {
        Ok(handles::connection(conn, "virConnectNumOfDomains")?.conn.driver().num_of_domains() as c_int)
    })
}

/// Number of defined domains that are not running.
#[no_mangle]
pub extern "C" fn virConnectNumOfDefinedDomains(conn: virConnectPtr) -> c_int {
    entry("virConnectNumOfDefinedDomains", || {
        let conn = handles::connection(conn, "virConnectNumOfDefinedDomains")?;
        Ok(conn.conn.driver().list_all_domains(VIR_CONNECT_LIST_DOMAINS_INACTIVE as u32)?.len() as c_int)
    })
}

/// IDs of up to `maxids` running domains into `ids`; returns how many were written.
///
/// # Safety
/// `ids` points to at least `maxids` writable ints.
#[no_mangle]
pub unsafe extern "C" fn virConnectListDomains(conn: virConnectPtr, ids: *mut c_int, maxids: c_int) -> c_int {
    entry("virConnectListDomains", || {
        let conn = handles::connection(conn, "virConnectListDomains")?;
        if maxids < 0 || (ids.is_null() && maxids > 0) {
            return Err(VirError::invalid_arg("virConnectListDomains: ids must hold maxids entries"));
        }
        let list = conn.conn.driver().list_all_domains(VIR_CONNECT_LIST_DOMAINS_ACTIVE as u32)?;
        let n = list.len().min(maxids as usize);
        for (i, d) in list.iter().take(n).enumerate() {
            *ids.add(i) = d.id;
        }
        Ok(n as c_int)
    })
}

/// Names of up to `maxnames` defined, inactive domains into `names` (each freed with free());
/// returns how many were written.
///
/// # Safety
/// `names` points to at least `maxnames` writable pointers.
#[no_mangle]
pub unsafe extern "C" fn virConnectListDefinedDomains(conn: virConnectPtr, names: *mut *mut c_char, maxnames: c_int) -> c_int {
    entry("virConnectListDefinedDomains", || {
        let conn = handles::connection(conn, "virConnectListDefinedDomains")?;
        if maxnames < 0 || (names.is_null() && maxnames > 0) {
            return Err(VirError::invalid_arg("virConnectListDefinedDomains: names must hold maxnames entries"));
        }
        let list = conn.conn.driver().list_all_domains(VIR_CONNECT_LIST_DOMAINS_INACTIVE as u32)?;
        let n = list.len().min(maxnames as usize);
        for (i, d) in list.iter().take(n).enumerate() {
            *names.add(i) = malloc_string(&d.name);
        }
        Ok(n as c_int)
    })
}

/// Lists domains matching `flags` (VIR_CONNECT_LIST_DOMAINS_*; 0 for all). With `domains`
/// non-NULL, stores a NULL-terminated array the caller frees with free(), after freeing each
/// domain with virDomainFree. Returns the number of domains.
///
/// # Safety
/// `domains` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virConnectListAllDomains(conn: virConnectPtr, domains: *mut *mut virDomainPtr, flags: c_uint) -> c_int {
    entry("virConnectListAllDomains", || {
        let conn = handles::connection(conn, "virConnectListAllDomains")?;
        check_list_flags(flags, "virConnectListAllDomains")?;
        let list = conn.conn.driver().list_all_domains(flags)?;
        if let Some(out) = domains.as_mut() {
            *out = domain_array(&conn, &list)?;
        }
        Ok(list.len() as c_int)
    })
}

/// virtevent extension: virConnectListAllDomains that also stores in `*version` the backend
/// revision at which the list is one consistent snapshot. Register with
/// virConnectEventRegisterSince(…, *version, …) to receive every change after it, with no gap
/// and no duplicate (the list/watch pattern). Returns the number of domains, or -1.
///
/// # Safety
/// `domains` is NULL or writable; `version` is writable.
#[no_mangle]
pub unsafe extern "C" fn virConnectListAllDomainsVersioned(
    conn: virConnectPtr,
    domains: *mut *mut virDomainPtr,
    version: *mut std::ffi::c_ulonglong,
    flags: c_uint,
) -> c_int {
    entry("virConnectListAllDomainsVersioned", || {
        let conn = handles::connection(conn, "virConnectListAllDomainsVersioned")?;
        let version = version
            .as_mut()
            .ok_or_else(|| VirError::invalid_arg("virConnectListAllDomainsVersioned: version must not be NULL"))?;
        check_list_flags(flags, "virConnectListAllDomainsVersioned")?;
        let (list, revision) = conn.conn.driver().list_all_domains_versioned(flags)?;
        if let Some(out) = domains.as_mut() {
            *out = domain_array(&conn, &list)?;
        }
        *version = revision;
        Ok(list.len() as c_int)
    })
}

/// Refuses bits that are not VIR_CONNECT_LIST_DOMAINS_* filters, as libvirt does.
fn check_list_flags(flags: c_uint, api: &str) -> Result<()> {
    let known = (VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT << 1) as c_uint - 1;
    check_no_flags(flags & !known, api)
}

/// A malloc'd, NULL-terminated array of new domain handles.
pub(crate) fn domain_array(conn: &Arc<ConnHandle>, list: &[crate::events::DomainRef]) -> Result<*mut virDomainPtr> {
    // SAFETY: a fresh allocation of list.len() + 1 pointers, all written before it is returned.
    unsafe {
        let array = libc::calloc(list.len() + 1, std::mem::size_of::<virDomainPtr>()) as *mut virDomainPtr;
        if array.is_null() {
            return Err(VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, ""));
        }
        for (i, d) in list.iter().enumerate() {
            *array.add(i) = handles::new_domain(conn, d)?;
        }
        Ok(array)
    }
}

/// Registers `cb`, called if the connection closes for a reason other than virConnectClose
/// (an in-process test connection never does). One per connection.
#[no_mangle]
pub extern "C" fn virConnectRegisterCloseCallback(
    conn: virConnectPtr,
    cb: virConnectCloseFunc,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    entry("virConnectRegisterCloseCallback", || {
        let conn = handles::connection(conn, "virConnectRegisterCloseCallback")?;
        let cb = cb.ok_or_else(|| VirError::invalid_arg("virConnectRegisterCloseCallback: cb must not be NULL"))?;
        let mut slot = conn.close_callback.lock();
        if slot.is_some() {
            return Err(VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_NONE, "a close callback is already registered"));
        }
        *slot = Some(handles::CloseCallback { cb: cb as usize, opaque: opaque as usize, freecb });
        Ok(0)
    })
}

/// Unregisters the close callback `cb`; its free callback runs.
#[no_mangle]
pub extern "C" fn virConnectUnregisterCloseCallback(conn: virConnectPtr, cb: virConnectCloseFunc) -> c_int {
    entry("virConnectUnregisterCloseCallback", || {
        let conn = handles::connection(conn, "virConnectUnregisterCloseCallback")?;
        let cb = cb.ok_or_else(|| VirError::invalid_arg("virConnectUnregisterCloseCallback: cb must not be NULL"))?;
        let removed = {
            let mut slot = conn.close_callback.lock();
            match &*slot {
                Some(registered) if registered.cb == cb as usize => slot.take(),
                Some(_) => return Err(VirError::invalid_arg("a different close callback was requested")),
                None => return Err(VirError::invalid_arg("no close callback is registered")),
            }
        };
        drop(removed);
        Ok(0)
    })
}

/// Keepalive does not apply to an in-process connection: fails with VIR_ERR_NO_SUPPORT, as
/// libvirt 9.0 does for its in-process drivers (so that programs which stop when keepalive is
/// unavailable, like libvirt's event-test, behave as they do there).
#[no_mangle]
pub extern "C" fn virConnectSetKeepAlive(conn: virConnectPtr, interval: c_int, count: c_uint) -> c_int {
    let _ = (interval, count);
    entry("virConnectSetKeepAlive", || {
        handles::connection(conn, "virConnectSetKeepAlive")?;
        Err(VirError::new(VIR_ERR_NO_SUPPORT, VIR_FROM_DOMAIN, "virConnectSetKeepAlive"))
    })
}
