//! libvirt 9.0's functions that virtevent does not implement. Each is exported all the same
//! (build.rs generates them from src/abi/libvirt-9.0.0.symbols), so that a program linked
//! against libvirt runs on virtevent's libvirt.so.0, and fails cleanly as a libvirt driver
//! does for a call it does not support: the failure value of its return type and a
//! VIR_ERR_NO_SUPPORT error naming the function. The stubs take no parameters: under the C
//! calling convention the caller owns its arguments, so ignoring them is safe.

#![allow(missing_docs)]

use super::{entry, Failure};
use crate::abi::{VIR_ERR_NO_SUPPORT, VIR_FROM_NONE};
use crate::error::VirError;

fn unsupported<T: Failure>(api: &'static str) -> T {
    entry(api, || {
        Err(VirError::new(VIR_ERR_NO_SUPPORT, VIR_FROM_NONE, api))
    })
}

include!(concat!(env!("OUT_DIR"), "/unsupported.rs"));
