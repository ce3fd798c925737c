//! The host calls every libvirt program makes at startup, answered by the connection's backend:
//! hypervisor version, host name, capabilities XML, node information, the vCPU limit.
#![allow(non_camel_case_types)]

use super::handles;
use super::types::virConnectPtr;
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
