//! virDomain*: lookups, lifecycle operations, state and XML.

use super::handles::{self, DomainHandle};
use super::types::*;
use super::{check_no_flags, entry, malloc_string, opt_str_arg, str_arg};
use crate::abi::*;
use crate::driver::MetadataKind;
use crate::error::{Result, VirError};
use std::ffi::{c_char, c_int, c_uchar, c_uint, c_ulong};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use uuid::Uuid;

/// Resolves `dom` for a call that changes it (refused on read-only connections).
fn writable(dom: virDomainPtr, api: &str) -> Result<Arc<DomainHandle>> {
    let handle = handles::domain(dom, api)?;
    handle.conn.conn.check_writable(api)?;
    Ok(handle)
}

/// Runs a change on `dom` that may start or stop it, and keeps the handle's ID in step
/// (libvirt updates it too).
fn change(dom: virDomainPtr, api: &'static str, op: impl FnOnce(&Arc<DomainHandle>) -> Result<()>) -> c_int {
    entry(api, || {
        let handle = writable(dom, api)?;
        op(&handle)?;
        let id = handle.conn.conn.driver().lookup_by_uuid(&handle.uuid).map(|d| d.id).unwrap_or(-1);
        handle.id.store(id, Ordering::Relaxed);
        Ok(0)
    })
}

/// Runs a change on `dom` that leaves it running or stopped as it was.
fn adjust(dom: virDomainPtr, api: &'static str, op: impl FnOnce(&Arc<DomainHandle>) -> Result<()>) -> c_int {
    entry(api, || {
        op(&writable(dom, api)?)?;
        Ok(0)
    })
}

/// Looks up a domain by name; free the result with virDomainFree.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virDomainLookupByName(conn: virConnectPtr, name: *const c_char) -> virDomainPtr {
    entry("virDomainLookupByName", || {
        let conn = handles::connection(conn, "virDomainLookupByName")?;
        let name = str_arg(name, "name", "virDomainLookupByName")?;
        handles::new_domain(&conn, &conn.conn.driver().lookup_by_name(name)?)
    })
}

/// Looks up a domain by raw UUID (VIR_UUID_BUFLEN bytes); free the result with virDomainFree.
///
/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN readable bytes.
#[no_mangle]
pub unsafe extern "C" fn virDomainLookupByUUID(conn: virConnectPtr, uuid: *const c_uchar) -> virDomainPtr {
    entry("virDomainLookupByUUID", || {
        let conn = handles::connection(conn, "virDomainLookupByUUID")?;
        if uuid.is_null() {
            return Err(VirError::invalid_arg("virDomainLookupByUUID: uuid must not be NULL"));
        }
        let mut bytes = [0u8; VIR_UUID_BUFLEN];
        bytes.copy_from_slice(std::slice::from_raw_parts(uuid, VIR_UUID_BUFLEN));
        handles::new_domain(&conn, &conn.conn.driver().lookup_by_uuid(&Uuid::from_bytes(bytes))?)
    })
}

/// Looks up a domain by UUID string; free the result with virDomainFree.
///
/// # Safety
/// `uuidstr` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virDomainLookupByUUIDString(conn: virConnectPtr, uuidstr: *const c_char) -> virDomainPtr {
    entry("virDomainLookupByUUIDString", || {
        let conn = handles::connection(conn, "virDomainLookupByUUIDString")?;
        let text = str_arg(uuidstr, "uuidstr", "virDomainLookupByUUIDString")?;
        let uuid = Uuid::parse_str(text.trim())
            .map_err(|_| VirError::invalid_arg(format!("virDomainLookupByUUIDString: malformed UUID '{text}'")))?;
        handles::new_domain(&conn, &conn.conn.driver().lookup_by_uuid(&uuid)?)
    })
}

/// Looks up a running domain by ID; free the result with virDomainFree.
#[no_mangle]
pub extern "C" fn virDomainLookupByID(conn: virConnectPtr, id: c_int) -> virDomainPtr {
    entry("virDomainLookupByID", || {
        let conn = handles::connection(conn, "virDomainLookupByID")?;
        if id < 0 {
            return Err(VirError::invalid_arg(format!("virDomainLookupByID: id must be non-negative, got {id}")));
        }
        handles::new_domain(&conn, &conn.conn.driver().lookup_by_id(id)?)
    })
}

/// Takes one more reference on `domain`, released by virDomainFree. Returns 0.
#[no_mangle]
pub extern "C" fn virDomainRef(domain: virDomainPtr) -> c_int {
    entry("virDomainRef", || {
        handles::ref_domain(&handles::domain(domain, "virDomainRef")?);
        Ok(0)
    })
}

/// Gives back one reference; the last one releases the handle (not the domain). Returns 0.
#[no_mangle]
pub extern "C" fn virDomainFree(domain: virDomainPtr) -> c_int {
    entry("virDomainFree", || {
        handles::free_domain(&handles::domain(domain, "virDomainFree")?);
        Ok(0)
    })
}

/// The connection of `dom`, borrowed (no reference is taken).
#[no_mangle]
pub extern "C" fn virDomainGetConnect(dom: virDomainPtr) -> virConnectPtr {
    entry("virDomainGetConnect", || Ok(handles::connection_ptr(&handles::domain(dom, "virDomainGetConnect")?.conn)))
}

/// The domain's name, owned by the handle (valid until its last virDomainFree).
#[no_mangle]
pub extern "C" fn virDomainGetName(domain: virDomainPtr) -> *const c_char {
    entry("virDomainGetName", || Ok(handles::domain(domain, "virDomainGetName")?.name_ptr()))
}

/// The domain's raw UUID into `uuid` (VIR_UUID_BUFLEN bytes).
///
/// # Safety
/// `uuid` is NULL or points to VIR_UUID_BUFLEN writable bytes.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetUUID(domain: virDomainPtr, uuid: *mut c_uchar) -> c_int {
    entry("virDomainGetUUID", || {
        let handle = handles::domain(domain, "virDomainGetUUID")?;
        if uuid.is_null() {
            return Err(VirError::invalid_arg("virDomainGetUUID: uuid must not be NULL"));
        }
        std::ptr::copy_nonoverlapping(handle.uuid.as_bytes().as_ptr(), uuid, VIR_UUID_BUFLEN);
        Ok(0)
    })
}

/// The domain's UUID as a string into `buf` (VIR_UUID_STRING_BUFLEN bytes).
///
/// # Safety
/// `buf` is NULL or points to VIR_UUID_STRING_BUFLEN writable bytes.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetUUIDString(domain: virDomainPtr, buf: *mut c_char) -> c_int {
    entry("virDomainGetUUIDString", || {
        let handle = handles::domain(domain, "virDomainGetUUIDString")?;
        if buf.is_null() {
            return Err(VirError::invalid_arg("virDomainGetUUIDString: buf must not be NULL"));
        }
        let text = handle.uuid.hyphenated().to_string();
        std::ptr::copy_nonoverlapping(text.as_ptr() as *const c_char, buf, text.len());
        *buf.add(text.len()) = 0;
        Ok(0)
    })
}

/// The domain's ID, or (unsigned)-1 when it is not running or `domain` is invalid.
#[no_mangle]
pub extern "C" fn virDomainGetID(domain: virDomainPtr) -> c_uint {
    entry("virDomainGetID", || Ok(handles::domain(domain, "virDomainGetID")?.id.load(Ordering::Relaxed)))
        as c_uint
}

/// The domain's state (virDomainState) and, if `reason` is not NULL, its reason.
///
/// # Safety
/// `state` is NULL or writable; `reason` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetState(domain: virDomainPtr, state: *mut c_int, reason: *mut c_int, flags: c_uint) -> c_int {
    entry("virDomainGetState", || {
        let handle = handles::domain(domain, "virDomainGetState")?;
        check_no_flags(flags, "virDomainGetState")?;
        let out = state.as_mut().ok_or_else(|| VirError::invalid_arg("virDomainGetState: state must not be NULL"))?;
        let (s, r) = handle.conn.conn.driver().state(&handle.domain_ref())?;
        *out = s;
        if let Some(reason) = reason.as_mut() {
            *reason = r;
        }
        Ok(0)
    })
}

/// State, memory, vCPUs and CPU time of the domain.
///
/// # Safety
/// `info` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetInfo(domain: virDomainPtr, info: virDomainInfoPtr) -> c_int {
    entry("virDomainGetInfo", || {
        let handle = handles::domain(domain, "virDomainGetInfo")?;
        let out = info.as_mut().ok_or_else(|| VirError::invalid_arg("virDomainGetInfo: info must not be NULL"))?;
        let i = handle.conn.conn.driver().info(&handle.domain_ref())?;
        *out = virDomainInfo {
            state: i.state as u8,
            maxMem: i.max_mem_kib as c_ulong,
            memory: i.memory_kib as c_ulong,
            nrVirtCpu: i.nr_virt_cpu,
            cpuTime: i.cpu_time_ns,
        };
        Ok(0)
    })
}

/// virtevent extension: the domain's resource version (the backend revision of its last
/// committed change) into `*version`. Returns 0 or -1.
///
/// # Safety
/// `version` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetResourceVersion(domain: virDomainPtr, version: *mut std::ffi::c_ulonglong) -> c_int {
    entry("virDomainGetResourceVersion", || {
        let handle = handles::domain(domain, "virDomainGetResourceVersion")?;
        let out = version.as_mut().ok_or_else(|| VirError::invalid_arg("virDomainGetResourceVersion: version must not be NULL"))?;
        *out = handle.conn.conn.driver().resource_version(&handle.domain_ref())?;
        Ok(0)
    })
}

/// 1 if running, 0 if not, -1 on error.
#[no_mangle]
pub extern "C" fn virDomainIsActive(dom: virDomainPtr) -> c_int {
    entry("virDomainIsActive", || {
        let handle = handles::domain(dom, "virDomainIsActive")?;
        Ok(handle.conn.conn.driver().is_active(&handle.domain_ref())? as c_int)
    })
}

/// 1 if the domain has a persistent configuration, 0 if transient, -1 on error.
#[no_mangle]
pub extern "C" fn virDomainIsPersistent(dom: virDomainPtr) -> c_int {
    entry("virDomainIsPersistent", || {
        let handle = handles::domain(dom, "virDomainIsPersistent")?;
        Ok(handle.conn.conn.driver().is_persistent(&handle.domain_ref())? as c_int)
    })
}

/// The guest's OS type as its definition gives it (`hvm`, `xen`, …); free it with free().
#[no_mangle]
pub extern "C" fn virDomainGetOSType(domain: virDomainPtr) -> *mut c_char {
    entry("virDomainGetOSType", || {
        let handle = handles::domain(domain, "virDomainGetOSType")?;
        Ok(malloc_string(&handle.conn.conn.driver().os_type(&handle.domain_ref())?))
    })
}

/// Whether the domain starts with its host: 1 or 0 into `autostart`. Returns 0 or -1.
///
/// # Safety
/// `autostart` is NULL or points to a writable int.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetAutostart(domain: virDomainPtr, autostart: *mut c_int) -> c_int {
    entry("virDomainGetAutostart", || {
        let handle = handles::domain(domain, "virDomainGetAutostart")?;
        let out = autostart.as_mut().ok_or_else(|| VirError::invalid_arg("virDomainGetAutostart: autostart must not be NULL"))?;
        *out = handle.conn.conn.driver().autostart(&handle.domain_ref())? as c_int;
        Ok(0)
    })
}

/// Makes the domain start with its host (`autostart` non-zero) or not. No event, as in
/// libvirt. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virDomainSetAutostart(domain: virDomainPtr, autostart: c_int) -> c_int {
    entry("virDomainSetAutostart", || {
        let handle = handles::domain(domain, "virDomainSetAutostart")?;
        handle.conn.conn.check_writable("virDomainSetAutostart")?;
        handle.conn.conn.driver().set_autostart(&handle.domain_ref(), autostart != 0)?;
        Ok(0)
    })
}

/// 1 if a managed save image waits for the domain's next start, 0 if not, -1 on error.
#[no_mangle]
pub extern "C" fn virDomainHasManagedSaveImage(dom: virDomainPtr, flags: c_uint) -> c_int {
    entry("virDomainHasManagedSaveImage", || {
        let handle = handles::domain(dom, "virDomainHasManagedSaveImage")?;
        check_no_flags(flags, "virDomainHasManagedSaveImage")?;
        Ok(handle.conn.conn.driver().has_managed_save(&handle.domain_ref())? as c_int)
    })
}

/// The domain's XML; free() it. VIR_DOMAIN_XML_INACTIVE: the persistent configuration.
/// VIR_DOMAIN_XML_RESOURCE_VERSION (extension): with `resourceVersion='N'` on `<domain>`.
/// VIR_DOMAIN_XML_EVENT_SNAPSHOT (extension), on the `dom` an event callback received (or a
/// virDomainRef of it): the XML as of that event rather than now, also after the domain is gone.
#[no_mangle]
pub extern "C" fn virDomainGetXMLDesc(domain: virDomainPtr, flags: c_uint) -> *mut c_char {
    entry("virDomainGetXMLDesc", || {
        let handle = handles::domain(domain, "virDomainGetXMLDesc")?;
        if flags as i32 & VIR_DOMAIN_XML_EVENT_SNAPSHOT == 0 {
            return Ok(malloc_string(&handle.conn.conn.driver().xml_desc(&handle.domain_ref(), flags)?));
        }
        let allowed = (VIR_DOMAIN_XML_EVENT_SNAPSHOT | VIR_DOMAIN_XML_RESOURCE_VERSION | VIR_DOMAIN_XML_SECURE) as c_uint;
        if flags & !allowed != 0 {
            return Err(VirError::invalid_arg(format!(
                "virDomainGetXMLDesc: flags 0x{:x} cannot be combined with VIR_DOMAIN_XML_EVENT_SNAPSHOT",
                flags & !allowed
            )));
        }
        let snapshot = handle.lent_event();
        let event = snapshot.as_ref().ok_or_else(|| {
            VirError::invalid_arg("virDomainGetXMLDesc: VIR_DOMAIN_XML_EVENT_SNAPSHOT needs the domain handle given to an event callback")
        })?;
        let versioned = flags as i32 & VIR_DOMAIN_XML_RESOURCE_VERSION != 0;
        let xml = event.xml(versioned).ok_or_else(|| VirError::invalid_arg("virDomainGetXMLDesc: this event carries no domain"))?;
        Ok(malloc_string(&xml))
    })
}

/// Defines (or redefines) a persistent domain from XML; free the result with virDomainFree.
///
/// The XML is untrusted input, refused with VIR_ERR_XML_ERROR (the message names the limit)
/// beyond: 4 MiB (4194304 bytes, also for the document as stored and returned by
/// virDomainGetXMLDesc), 256 levels of nesting, 100000 elements, 256 attributes per element,
/// 1024 bytes per element or attribute name. Only the five predefined entities and character
/// references are understood; a DOCTYPE is ignored and other entities are refused.
///
/// # Safety
/// `xml` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virDomainDefineXMLFlags(conn: virConnectPtr, xml: *const c_char, flags: c_uint) -> virDomainPtr {
    entry("virDomainDefineXMLFlags", || {
        let conn = handles::connection(conn, "virDomainDefineXMLFlags")?;
        conn.conn.check_writable("virDomainDefineXMLFlags")?;
        let xml = str_arg(xml, "xml", "virDomainDefineXMLFlags")?;
        handles::new_domain(&conn, &conn.conn.driver().define_xml(xml, flags)?)
    })
}

/// virDomainDefineXMLFlags with no flags.
///
/// # Safety
/// As for virDomainDefineXMLFlags.
#[no_mangle]
pub unsafe extern "C" fn virDomainDefineXML(conn: virConnectPtr, xml: *const c_char) -> virDomainPtr {
    virDomainDefineXMLFlags(conn, xml, 0)
}

/// Removes the persistent configuration; a running domain becomes transient.
#[no_mangle]
pub extern "C" fn virDomainUndefineFlags(domain: virDomainPtr, flags: c_uint) -> c_int {
    change(domain, "virDomainUndefineFlags", |h| h.conn.conn.driver().undefine(&h.domain_ref(), flags))
}

/// virDomainUndefineFlags with no flags.
#[no_mangle]
pub extern "C" fn virDomainUndefine(domain: virDomainPtr) -> c_int {
    change(domain, "virDomainUndefine", |h| h.conn.conn.driver().undefine(&h.domain_ref(), 0))
}

/// Starts a defined domain (VIR_DOMAIN_START_PAUSED: leave it paused).
#[no_mangle]
pub extern "C" fn virDomainCreateWithFlags(domain: virDomainPtr, flags: c_uint) -> c_int {
    change(domain, "virDomainCreateWithFlags", |h| h.conn.conn.driver().create(&h.domain_ref(), flags).map(|_| ()))
}

/// virDomainCreateWithFlags with no flags.
#[no_mangle]
pub extern "C" fn virDomainCreate(domain: virDomainPtr) -> c_int {
    change(domain, "virDomainCreate", |h| h.conn.conn.driver().create(&h.domain_ref(), 0).map(|_| ()))
}

/// Starts a transient domain from XML (VIR_DOMAIN_START_PAUSED: leave it paused); free the
/// result with virDomainFree. The XML is held to virDomainDefineXMLFlags's limits.
///
/// # Safety
/// `xmlDesc` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virDomainCreateXML(conn: virConnectPtr, xmlDesc: *const c_char, flags: c_uint) -> virDomainPtr {
    entry("virDomainCreateXML", || {
        let conn = handles::connection(conn, "virDomainCreateXML")?;
        conn.conn.check_writable("virDomainCreateXML")?;
        let xml = str_arg(xmlDesc, "xmlDesc", "virDomainCreateXML")?;
        handles::new_domain(&conn, &conn.conn.driver().create_xml(xml, flags)?)
    })
}

/// Stops the domain at once.
#[no_mangle]
pub extern "C" fn virDomainDestroy(domain: virDomainPtr) -> c_int {
    change(domain, "virDomainDestroy", |h| h.conn.conn.driver().destroy(&h.domain_ref(), 0))
}

/// virDomainDestroy with flags (VIR_DOMAIN_DESTROY_*).
#[no_mangle]
pub extern "C" fn virDomainDestroyFlags(domain: virDomainPtr, flags: c_uint) -> c_int {
    change(domain, "virDomainDestroyFlags", |h| h.conn.conn.driver().destroy(&h.domain_ref(), flags))
}

/// Shuts the guest down (it reports SHUTDOWN, then STOPPED).
#[no_mangle]
pub extern "C" fn virDomainShutdown(domain: virDomainPtr) -> c_int {
    change(domain, "virDomainShutdown", |h| h.conn.conn.driver().shutdown(&h.domain_ref(), 0))
}

/// virDomainShutdown with flags (VIR_DOMAIN_SHUTDOWN_*).
#[no_mangle]
pub extern "C" fn virDomainShutdownFlags(domain: virDomainPtr, flags: c_uint) -> c_int {
    change(domain, "virDomainShutdownFlags", |h| h.conn.conn.driver().shutdown(&h.domain_ref(), flags))
}

/// Reboots the guest (a REBOOT event).
#[no_mangle]
pub extern "C" fn virDomainReboot(domain: virDomainPtr, flags: c_uint) -> c_int {
    adjust(domain, "virDomainReboot", |h| h.conn.conn.driver().reboot(&h.domain_ref(), flags))
}

/// Resets the guest as a power cycle would (a REBOOT event).
#[no_mangle]
pub extern "C" fn virDomainReset(domain: virDomainPtr, flags: c_uint) -> c_int {
    adjust(domain, "virDomainReset", |h| h.conn.conn.driver().reset(&h.domain_ref(), flags))
}

/// Pauses a running domain.
#[no_mangle]
pub extern "C" fn virDomainSuspend(domain: virDomainPtr) -> c_int {
    adjust(domain, "virDomainSuspend", |h| h.conn.conn.driver().suspend(&h.domain_ref()))
}

/// Resumes a paused domain.
#[no_mangle]
pub extern "C" fn virDomainResume(domain: virDomainPtr) -> c_int {
    adjust(domain, "virDomainResume", |h| h.conn.conn.driver().resume(&h.domain_ref()))
}

/// Saves a running domain's state to file `to` and stops it.
///
/// # Safety
/// `to` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virDomainSave(domain: virDomainPtr, to: *const c_char) -> c_int {
    change(domain, "virDomainSave", |h| {
        let path = str_arg(to, "to", "virDomainSave")?;
        h.conn.conn.driver().save(&h.domain_ref(), path, 0)
    })
}

/// Starts a domain again from a file written by virDomainSave.
///
/// # Safety
/// `from` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virDomainRestore(conn: virConnectPtr, from: *const c_char) -> c_int {
    entry("virDomainRestore", || {
        let conn = handles::connection(conn, "virDomainRestore")?;
        conn.conn.check_writable("virDomainRestore")?;
        let path = str_arg(from, "from", "virDomainRestore")?;
        conn.conn.driver().restore(path)?;
        Ok(0)
    })
}

/// Saves a persistent running domain's state where the next virDomainCreate restores it from.
#[no_mangle]
pub extern "C" fn virDomainManagedSave(dom: virDomainPtr, flags: c_uint) -> c_int {
    change(dom, "virDomainManagedSave", |h| h.conn.conn.driver().managed_save(&h.domain_ref(), flags))
}

/// Sets the write threshold of disk `dev` (target such as "vda", or its alias), or with
/// "vda[N]" of image N of its backing chain (0: the active image); BLOCK_THRESHOLD fires once,
/// with the name given here, when the image's allocation passes it (the guest writing, see
/// virTestDomainInject "guest-write"; a block pull into the active image; a commit into its
/// base), and the threshold is cleared. A job that merges images forgets the thresholds of
/// the positions it shifts.
///
/// # Safety
/// `dev` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virDomainSetBlockThreshold(
    domain: virDomainPtr,
    dev: *const c_char,
    threshold: std::ffi::c_ulonglong,
    flags: c_uint,
) -> c_int {
    adjust(domain, "virDomainSetBlockThreshold", |h| {
        let dev = str_arg(dev, "dev", "virDomainSetBlockThreshold")?;
        h.conn.conn.driver().set_block_threshold(&h.domain_ref(), dev, threshold, flags)
    })
}

/// Sets (or, with NULL `metadata`, removes) the title, description or a namespaced metadata
/// element (`key` prefix, `uri` namespace). Fires METADATA_CHANGE.
///
/// Refused with VIR_ERR_INVALID_ARG, changing nothing: a `key` that is not an XML NCName, a
/// `uri` that is not an absolute URI, a `metadata` element that is not exactly one
/// well-formed element, or text with characters XML does not allow; and anything that would
/// take the domain XML beyond virDomainDefineXMLFlags's limits. Text is escaped, never
/// interpreted as markup.
///
/// # Safety
/// String arguments are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn virDomainSetMetadata(
    domain: virDomainPtr,
    r#type: c_int,
    metadata: *const c_char,
    key: *const c_char,
    uri: *const c_char,
    flags: c_uint,
) -> c_int {
    adjust(domain, "virDomainSetMetadata", |h| {
        let kind = match r#type {
            VIR_DOMAIN_METADATA_DESCRIPTION => MetadataKind::Description,
            VIR_DOMAIN_METADATA_TITLE => MetadataKind::Title,
            VIR_DOMAIN_METADATA_ELEMENT => MetadataKind::Element,
            other => return Err(VirError::invalid_arg(format!("virDomainSetMetadata: unknown metadata type {other}"))),
        };
        let metadata = opt_str_arg(metadata, "metadata", "virDomainSetMetadata")?;
        let key = opt_str_arg(key, "key", "virDomainSetMetadata")?;
        let uri = opt_str_arg(uri, "uri", "virDomainSetMetadata")?;
        h.conn.conn.driver().set_metadata(&h.domain_ref(), kind, metadata, key, uri, flags)
    })
}
