//! Handles of networks, storage pools, node devices and secrets: tokens from the same counter
//! as every other handle, in a table of their own. Each handle knows its family, so that a
//! network's pointer passed where a pool's is expected is refused like a freed one.

use super::{next_token, release_connection, set_current_connection, ConnHandle};
use crate::error::{Result, VirError};
use crate::events::family::Family;
use crate::fasthash::FastMap;
use crate::objects::ObjectRef;
use once_cell::sync::Lazy;
use parking_lot::Mutex;
use std::ffi::{c_char, CString};
use std::sync::Arc;

pub(crate) struct ObjectHandle {
    /// What C holds for this object.
    token: usize,
    pub conn: Arc<ConnHandle>,
    pub object: ObjectRef,
    /// The name (a secret's: its UUID) and a secret's usage ID, for C, valid while the handle lives.
    name: CString,
    usage_id: Option<CString>,
    refs: Mutex<usize>,
}

impl ObjectHandle {
    pub fn ptr<T>(&self) -> *mut T {
        self.token as *mut T
    }

    pub fn name_ptr(&self) -> *const c_char {
        self.name.as_ptr()
    }

    pub fn usage_id_ptr(&self) -> *const c_char {
        self.usage_id.as_ref().map_or(std::ptr::null(), |u| u.as_ptr())
    }
}

static OBJECTS: Lazy<Mutex<FastMap<usize, Arc<ObjectHandle>>>> = Lazy::new(Default::default);

/// Hands an object to C with `refs` references, which also hold its connection.
pub(crate) fn new_object(conn: &Arc<ConnHandle>, object: ObjectRef, refs: usize) -> Result<Arc<ObjectHandle>> {
    let handle = Arc::new(ObjectHandle {
        token: next_token()?,
        conn: conn.clone(),
        name: CString::new(object.name.as_str()).unwrap_or_default(),
        usage_id: object.usage.as_ref().map(|u| u.usage_id.clone()),
        object,
        refs: Mutex::new(refs),
    });
    *conn.refs.lock() += 1;
    OBJECTS.lock().insert(handle.token, handle.clone());
    Ok(handle)
}

/// The object of `family` behind a pointer from C.
pub(crate) fn object(ptr: usize, family: Family, api: &str) -> Result<Arc<ObjectHandle>> {
    match OBJECTS.lock().get(&ptr).filter(|h| h.object.family == family).cloned() {
        Some(handle) => {
            set_current_connection(&handle.conn);
            Ok(handle)
        }
        None => Err(VirError::new(family.invalid_handle(), family.error_domain(), api)),
    }
}

/// virNetworkRef and the others.
pub(crate) fn ref_object(handle: &Arc<ObjectHandle>) {
    let _table = OBJECTS.lock();
    *handle.refs.lock() += 1;
}

/// virNetworkFree and the others: the last reference removes the handle and gives back its
/// connection reference.
pub(crate) fn free_object(handle: &Arc<ObjectHandle>) {
    let last = {
        let mut table = OBJECTS.lock();
        let mut refs = handle.refs.lock();
        *refs -= 1;
        if *refs == 0 {
            table.remove(&handle.token);
        }
        *refs == 0
    };
    if last {
        release_connection(&handle.conn);
    }
}
