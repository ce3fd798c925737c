//! C types of the other object families (networks, storage pools, node devices, secrets):
//! opaque handles and the callback typedefs of their event registrations, as libvirt 9.0
//! declares them.
#![allow(non_camel_case_types)]

use super::types::{virConnectPtr, virNetworkPtr};
use std::os::raw::{c_int, c_ulonglong, c_void};

/// A storage pool. Reference-counted like a domain: free what a call returns with
/// `virStoragePoolFree`; a callback's `pool` argument is borrowed for the call.
pub struct _virStoragePool {
    _opaque: [u8; 0],
}
pub type virStoragePool = _virStoragePool;
pub type virStoragePoolPtr = *mut virStoragePool;

/// A host device. Free what a call returns with `virNodeDeviceFree`.
pub struct _virNodeDevice {
    _opaque: [u8; 0],
}
pub type virNodeDevice = _virNodeDevice;
pub type virNodeDevicePtr = *mut virNodeDevice;

/// A secret. Free what a call returns with `virSecretFree`.
pub struct _virSecret {
    _opaque: [u8; 0],
}
pub type virSecret = _virSecret;
pub type virSecretPtr = *mut virSecret;

/// The type virConnectNetworkEventRegisterAny takes; cast a specific callback to it with
/// VIR_NETWORK_EVENT_CALLBACK.
pub type virConnectNetworkEventGenericCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, net: virNetworkPtr, opaque: *mut c_void)>;
/// VIR_NETWORK_EVENT_ID_LIFECYCLE: `event` is a virNetworkEventLifecycleType.
pub type virConnectNetworkEventLifecycleCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, net: virNetworkPtr, event: c_int, detail: c_int, opaque: *mut c_void),
>;

/// The type virConnectStoragePoolEventRegisterAny takes (and VIR_STORAGE_POOL_EVENT_ID_REFRESH's).
pub type virConnectStoragePoolEventGenericCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, pool: virStoragePoolPtr, opaque: *mut c_void)>;
/// VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE: `event` is a virStoragePoolEventLifecycleType.
pub type virConnectStoragePoolEventLifecycleCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, pool: virStoragePoolPtr, event: c_int, detail: c_int, opaque: *mut c_void),
>;

/// The type virConnectNodeDeviceEventRegisterAny takes (and VIR_NODE_DEVICE_EVENT_ID_UPDATE's).
pub type virConnectNodeDeviceEventGenericCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dev: virNodeDevicePtr, opaque: *mut c_void)>;
/// VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE: `event` is a virNodeDeviceEventLifecycleType.
pub type virConnectNodeDeviceEventLifecycleCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, dev: virNodeDevicePtr, event: c_int, detail: c_int, opaque: *mut c_void),
>;

/// The type virConnectSecretEventRegisterAny takes (and VIR_SECRET_EVENT_ID_VALUE_CHANGED's).
pub type virConnectSecretEventGenericCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, secret: virSecretPtr, opaque: *mut c_void)>;
/// VIR_SECRET_EVENT_ID_LIFECYCLE: `event` is a virSecretEventLifecycleType.
pub type virConnectSecretEventLifecycleCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, secret: virSecretPtr, event: c_int, detail: c_int, opaque: *mut c_void),
>;

/// A storage pool's state and size (libvirt's layout).
#[repr(C)]
pub struct _virStoragePoolInfo {
    /// A virStoragePoolState.
    pub state: c_int,
    /// Logical size, in bytes.
    pub capacity: c_ulonglong,
    /// Bytes in use.
    pub allocation: c_ulonglong,
    /// Bytes free.
    pub available: c_ulonglong,
}
pub type virStoragePoolInfo = _virStoragePoolInfo;
pub type virStoragePoolInfoPtr = *mut virStoragePoolInfo;
