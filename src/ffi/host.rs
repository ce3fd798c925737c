//! The host calls every libvirt program makes at startup, answered by the connection's backend:
//! hypervisor version, host name, capabilities XML, node information, the vCPU limit, the
//! security model (and a domain's label under it).
#![allow(non_camel_case_types)]

use super::handles;
use super::types::{virConnectPtr, virDomainPtr};
use crate::abi::*;
use super::{entry, malloc_string, opt_str_arg};
use crate::error::VirError;
use std::ffi::{c_char, c_int, c_uint, c_ulong};

/// The host's CPU model, memory and CPU topology (libvirt's layout).
#[repr(C)]
pub struct _virNodeInfo {
    /// The CPU model, NUL-terminated.
    pub model: [c_char; 32],
    /// Memory in KiB.
    pub memory: c_ulong,
    pub cpus: c_uint,
    pub mhz: c_uint,
    pub nodes: c_uint,
    pub sockets: c_uint,
    pub cores: c_uint,
    pub threads: c_uint,
}
pub type virNodeInfo = _virNodeInfo;
pub type virNodeInfoPtr = *mut virNodeInfo;

/// Length of `virSecurityLabel.label`, with its terminating NUL.
pub const VIR_SECURITY_LABEL_BUFLEN: usize = 4096 + 1;
/// Length of `virSecurityModel.model`, with its terminating NUL.
pub const VIR_SECURITY_MODEL_BUFLEN: usize = 256 + 1;
/// Length of `virSecurityModel.doi`, with its terminating NUL.
pub const VIR_SECURITY_DOI_BUFLEN: usize = 256 + 1;

/// A domain's security label (libvirt's layout).
#[repr(C)]
pub struct _virSecurityLabel {
    pub label: [c_char; VIR_SECURITY_LABEL_BUFLEN],
    /// 1 if the policy is enforced for the domain.
    pub enforcing: c_int,
}
pub type virSecurityLabel = _virSecurityLabel;
pub type virSecurityLabelPtr = *mut virSecurityLabel;

/// The host's security model (libvirt's layout).
#[repr(C)]
pub struct _virSecurityModel {
    pub model: [c_char; VIR_SECURITY_MODEL_BUFLEN],
    /// Its domain of interpretation.
    pub doi: [c_char; VIR_SECURITY_DOI_BUFLEN],
}
pub type virSecurityModel = _virSecurityModel;
pub type virSecurityModelPtr = *mut virSecurityModel;

/// Copies `text` into a fixed C buffer, NUL-terminated, refusing what does not fit.
fn copy_into(dst: &mut [c_char], text: &str, what: &str) -> Result<(), VirError> {
    if text.len() >= dst.len() || text.contains('\0') {
        return Err(VirError::new(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE, format!("{what} '{text}' does not fit its buffer")));
    }
    dst.fill(0);
    for (d, b) in dst.iter_mut().zip(text.bytes()) {
        *d = b as c_char;
    }
    Ok(())
}

/// The host's security model and domain of interpretation into `secmodel`. Returns 0 or -1.
///
/// # Safety
/// `secmodel` is NULL or points to a writable virSecurityModel.
#[no_mangle]
pub unsafe extern "C" fn virNodeGetSecurityModel(conn: virConnectPtr, secmodel: virSecurityModelPtr) -> c_int {
    entry("virNodeGetSecurityModel", || {
        let conn = handles::connection(conn, "virNodeGetSecurityModel")?;
        let out = secmodel.as_mut().ok_or_else(|| VirError::invalid_arg("virNodeGetSecurityModel: secmodel must not be NULL"))?;
        let (model, doi) = conn.conn.driver().security_model();
        copy_into(&mut out.model, model, "security model")?;
        copy_into(&mut out.doi, doi, "security DOI")?;
        Ok(0)
    })
}

/// The domain's security label into `seclabel` (empty while the domain does not run).
/// Returns 0 or -1.
///
/// # Safety
/// `seclabel` is NULL or points to a writable virSecurityLabel.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetSecurityLabel(domain: virDomainPtr, seclabel: virSecurityLabelPtr) -> c_int {
    entry("virDomainGetSecurityLabel", || {
        let handle = handles::domain(domain, "virDomainGetSecurityLabel")?;
        let out = seclabel.as_mut().ok_or_else(|| VirError::invalid_arg("virDomainGetSecurityLabel: seclabel must not be NULL"))?;
        let (label, enforcing) = handle.conn.conn.driver().security_label(&handle.domain_ref())?;
        copy_into(&mut out.label, &label, "security label")?;
        out.enforcing = enforcing as c_int;
        Ok(0)
    })
}

/// Stores the hypervisor's version (major * 1,000,000 + minor * 1,000 + micro) in `*hvVer`.
/// Returns 0 or -1.
///
/// # Safety
/// `hvVer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virConnectGetVersion(conn: virConnectPtr, hvVer: *mut c_ulong) -> c_int {
    entry("virConnectGetVersion", || {
        let conn = handles::connection(conn, "virConnectGetVersion")?;
        let out = hvVer.as_mut().ok_or_else(|| VirError::invalid_arg("virConnectGetVersion: hvVer must not be NULL"))?;
        *out = conn.conn.driver().hypervisor_version() as c_ulong;
        Ok(0)
    })
}

/// The host's name; free it with free(). NULL on error.
#[no_mangle]
pub extern "C" fn virConnectGetHostname(conn: virConnectPtr) -> *mut c_char {
    entry("virConnectGetHostname", || {
        handles::connection(conn, "virConnectGetHostname")?;
        let name = crate::sys::hostname().map_err(|e| VirError::system(format!("cannot get the host name: {e}")))?;
        Ok(malloc_string(&name))
    })
}

/// The hypervisor's capabilities XML (host CPU and NUMA topology, the guests it runs); free it
/// with free(). NULL on error.
#[no_mangle]
pub extern "C" fn virConnectGetCapabilities(conn: virConnectPtr) -> *mut c_char {
    entry("virConnectGetCapabilities", || {
        let conn = handles::connection(conn, "virConnectGetCapabilities")?;
        Ok(malloc_string(&conn.conn.driver().capabilities_xml()))
    })
}

/// Fills `info` with the host's CPU model, memory and CPU topology. Returns 0 or -1.
///
/// # Safety
/// `info` is NULL or points to a writable virNodeInfo.
#[no_mangle]
pub unsafe extern "C" fn virNodeGetInfo(conn: virConnectPtr, info: virNodeInfoPtr) -> c_int {
    entry("virNodeGetInfo", || {
        let conn = handles::connection(conn, "virNodeGetInfo")?;
        let out = info.as_mut().ok_or_else(|| VirError::invalid_arg("virNodeGetInfo: info must not be NULL"))?;
        let node = conn.conn.driver().node_info();
        let mut model = [0 as c_char; 32];
        for (dst, src) in model.iter_mut().zip(node.model.bytes().take(31)) {
            *dst = src as c_char;
        }
        *out = _virNodeInfo {
            model,
            memory: node.memory_kib as c_ulong,
            cpus: node.cpus,
            mhz: node.mhz,
            nodes: node.nodes,
            sockets: node.sockets,
            cores: node.cores,
            threads: node.threads,
        };
        Ok(0)
    })
}

/// The most vCPUs a guest of virtualization type `type` (NULL: the default) may have, or -1.
///
/// # Safety
/// `type` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virConnectGetMaxVcpus(conn: virConnectPtr, r#type: *const c_char) -> c_int {
    entry("virConnectGetMaxVcpus", || {
        let conn = handles::connection(conn, "virConnectGetMaxVcpus")?;
        let kind = opt_str_arg(r#type, "type", "virConnectGetMaxVcpus")?;
        conn.conn.driver().max_vcpus(kind)
    })
}
