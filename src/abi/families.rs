//! libvirt 9.0.0's numbering of the event API of networks, storage pools, node devices and
//! secrets (libvirt-network.h, libvirt-storage.h, libvirt-nodedev.h, libvirt-secret.h).
#![allow(non_camel_case_types)]

use std::os::raw::c_int;

// virNetworkEventID
pub type virNetworkEventID = c_int;
pub const VIR_NETWORK_EVENT_ID_LIFECYCLE: virNetworkEventID = 0;
pub const VIR_NETWORK_EVENT_ID_LAST: virNetworkEventID = 1;

// virNetworkEventLifecycleType
pub type virNetworkEventLifecycleType = c_int;
pub const VIR_NETWORK_EVENT_DEFINED: virNetworkEventLifecycleType = 0;
pub const VIR_NETWORK_EVENT_UNDEFINED: virNetworkEventLifecycleType = 1;
pub const VIR_NETWORK_EVENT_STARTED: virNetworkEventLifecycleType = 2;
pub const VIR_NETWORK_EVENT_STOPPED: virNetworkEventLifecycleType = 3;
pub const VIR_NETWORK_EVENT_LAST: virNetworkEventLifecycleType = 4;

// virStoragePoolState
pub type virStoragePoolState = c_int;
pub const VIR_STORAGE_POOL_INACTIVE: virStoragePoolState = 0;
pub const VIR_STORAGE_POOL_BUILDING: virStoragePoolState = 1;
pub const VIR_STORAGE_POOL_RUNNING: virStoragePoolState = 2;
pub const VIR_STORAGE_POOL_DEGRADED: virStoragePoolState = 3;
pub const VIR_STORAGE_POOL_INACCESSIBLE: virStoragePoolState = 4;
pub const VIR_STORAGE_POOL_STATE_LAST: virStoragePoolState = 5;

// virStoragePoolEventID
pub type virStoragePoolEventID = c_int;
pub const VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE: virStoragePoolEventID = 0;
pub const VIR_STORAGE_POOL_EVENT_ID_REFRESH: virStoragePoolEventID = 1;
pub const VIR_STORAGE_POOL_EVENT_ID_LAST: virStoragePoolEventID = 2;

// virStoragePoolEventLifecycleType
pub type virStoragePoolEventLifecycleType = c_int;
pub const VIR_STORAGE_POOL_EVENT_DEFINED: virStoragePoolEventLifecycleType = 0;
pub const VIR_STORAGE_POOL_EVENT_UNDEFINED: virStoragePoolEventLifecycleType = 1;
pub const VIR_STORAGE_POOL_EVENT_STARTED: virStoragePoolEventLifecycleType = 2;
pub const VIR_STORAGE_POOL_EVENT_STOPPED: virStoragePoolEventLifecycleType = 3;
pub const VIR_STORAGE_POOL_EVENT_CREATED: virStoragePoolEventLifecycleType = 4;
pub const VIR_STORAGE_POOL_EVENT_DELETED: virStoragePoolEventLifecycleType = 5;
pub const VIR_STORAGE_POOL_EVENT_LAST: virStoragePoolEventLifecycleType = 6;

// virNodeDeviceEventID
pub type virNodeDeviceEventID = c_int;
pub const VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE: virNodeDeviceEventID = 0;
pub const VIR_NODE_DEVICE_EVENT_ID_UPDATE: virNodeDeviceEventID = 1;
pub const VIR_NODE_DEVICE_EVENT_ID_LAST: virNodeDeviceEventID = 2;

// virNodeDeviceEventLifecycleType
pub type virNodeDeviceEventLifecycleType = c_int;
pub const VIR_NODE_DEVICE_EVENT_CREATED: virNodeDeviceEventLifecycleType = 0;
pub const VIR_NODE_DEVICE_EVENT_DELETED: virNodeDeviceEventLifecycleType = 1;
pub const VIR_NODE_DEVICE_EVENT_DEFINED: virNodeDeviceEventLifecycleType = 2;
pub const VIR_NODE_DEVICE_EVENT_UNDEFINED: virNodeDeviceEventLifecycleType = 3;
pub const VIR_NODE_DEVICE_EVENT_LAST: virNodeDeviceEventLifecycleType = 4;

// virSecretEventID
pub type virSecretEventID = c_int;
pub const VIR_SECRET_EVENT_ID_LIFECYCLE: virSecretEventID = 0;
pub const VIR_SECRET_EVENT_ID_VALUE_CHANGED: virSecretEventID = 1;
pub const VIR_SECRET_EVENT_ID_LAST: virSecretEventID = 2;

// virSecretEventLifecycleType
pub type virSecretEventLifecycleType = c_int;
pub const VIR_SECRET_EVENT_DEFINED: virSecretEventLifecycleType = 0;
pub const VIR_SECRET_EVENT_UNDEFINED: virSecretEventLifecycleType = 1;
pub const VIR_SECRET_EVENT_LAST: virSecretEventLifecycleType = 2;

// virSecretUsageType
pub type virSecretUsageType = c_int;
pub const VIR_SECRET_USAGE_TYPE_NONE: virSecretUsageType = 0;
pub const VIR_SECRET_USAGE_TYPE_VOLUME: virSecretUsageType = 1;
pub const VIR_SECRET_USAGE_TYPE_CEPH: virSecretUsageType = 2;
pub const VIR_SECRET_USAGE_TYPE_ISCSI: virSecretUsageType = 3;
pub const VIR_SECRET_USAGE_TYPE_TLS: virSecretUsageType = 4;
pub const VIR_SECRET_USAGE_TYPE_VTPM: virSecretUsageType = 5;
pub const VIR_SECRET_USAGE_TYPE_LAST: virSecretUsageType = 6;

// virConnectListAllNetworksFlags
pub type virConnectListAllNetworksFlags = c_int;
pub const VIR_CONNECT_LIST_NETWORKS_INACTIVE: virConnectListAllNetworksFlags = 1;
pub const VIR_CONNECT_LIST_NETWORKS_ACTIVE: virConnectListAllNetworksFlags = 2;
pub const VIR_CONNECT_LIST_NETWORKS_PERSISTENT: virConnectListAllNetworksFlags = 4;
pub const VIR_CONNECT_LIST_NETWORKS_TRANSIENT: virConnectListAllNetworksFlags = 8;
pub const VIR_CONNECT_LIST_NETWORKS_AUTOSTART: virConnectListAllNetworksFlags = 16;
pub const VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART: virConnectListAllNetworksFlags = 32;

// virConnectListAllStoragePoolsFlags (the filters on state; the pool-type ones follow in libvirt)
pub type virConnectListAllStoragePoolsFlags = c_int;
pub const VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE: virConnectListAllStoragePoolsFlags = 1;
pub const VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE: virConnectListAllStoragePoolsFlags = 2;
pub const VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT: virConnectListAllStoragePoolsFlags = 4;
pub const VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT: virConnectListAllStoragePoolsFlags = 8;
pub const VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART: virConnectListAllStoragePoolsFlags = 16;
pub const VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART: virConnectListAllStoragePoolsFlags = 32;
