//! The C ABI. Every exported function is written out in full here (so cbindgen sees it) and
//! runs its body through `entry`, which resets the last error, catches panics, and turns an
//! `Err` into the C failure value plus a last error. This module is the only home of
//! `extern "C"`, raw pointers and `unsafe`.

#![allow(non_snake_case)]

pub mod connect;
pub mod domain;
pub mod error;
pub mod eventloop;
pub mod events;
pub use events::AppCallback;
pub mod family_types;
pub mod generic_events;
pub mod handles;
pub mod host;
pub mod inject;
pub mod jobs;
pub mod network;
pub mod node_device;
pub mod object_events;
pub mod objects;
pub mod secret;
pub mod storage_pool;
pub mod typedparams;
pub mod stream;
pub mod types;
pub mod unsupported;

use crate::error::{Result, VirError};
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The value a C function returns on failure, picked from its return type.
pub(crate) trait Failure {
    fn failure() -> Self;
}

impl Failure for i32 {
    fn failure() -> Self {
        -1
    }
}

impl<T> Failure for *mut T {
    fn failure() -> Self {
        std::ptr::null_mut()
    }
}

impl<T> Failure for *const T {
    fn failure() -> Self {
        std::ptr::null()
    }
}

/// Functions returning `unsigned long` or `unsigned long long` (on LP64 both are u64) use 0.
impl Failure for u64 {
    fn failure() -> Self {
        0
    }
}

impl Failure for () {
    fn failure() -> Self {}
}

impl Failure for bool {
    fn failure() -> Self {
        false
    }
}

/// Runs the body of exported function `api` inside the panic boundary.
pub(crate) fn entry<T: Failure>(api: &'static str, body: impl FnOnce() -> Result<T>) -> T {
    crate::debuglog::install_panic_hook();
    error::reset_last_error();
    // The connection is remembered only for the length of the call: a reference kept past it
    // would keep a closed connection's hypervisor (and its loop timer) alive.
    let caller = handles::take_current_connection();
    let result = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => {
            error::report(e);
            T::failure()
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            error::report(VirError::internal(format!("{api} failed unexpectedly inside virtevent: {what}")));
            T::failure()
        }
    };
    handles::restore_current_connection(caller);
    result
}

/// The panic boundary alone, for the error API itself (which must not reset the last error).
pub(crate) fn entry_quiet<T: Failure>(body: impl FnOnce() -> T) -> T {
    crate::debuglog::install_panic_hook();
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| T::failure())
}

/// Borrows a C string argument that must not be NULL and must be UTF-8.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the call.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, what: &str, api: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(VirError::invalid_arg(format!("{api}: {what} must not be NULL")));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map_err(|_| VirError::invalid_arg(format!("{api}: {what} is not valid UTF-8")))
}

/// Like `str_arg`, for an argument that may be NULL.
///
/// # Safety
/// As for `str_arg`.
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char, what: &str, api: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        str_arg(ptr, what, api).map(Some)
    }
}

/// Refuses flag bits the call does not know.
pub(crate) fn check_no_flags(flags: u32, api: &str) -> Result<()> {
    if flags != 0 {
        return Err(VirError::invalid_arg(format!("{api}: unsupported flags (0x{flags:x})")));
    }
    Ok(())
}

/// A string returned to C, to be released with `free()` as libvirt's are.
pub(crate) fn malloc_string(s: &str) -> *mut c_char {
    let c = CString::new(s.replace('\0', "")).unwrap_or_default();
    let bytes = c.as_bytes_with_nul();
    // SAFETY: malloc'd buffer of the exact size, filled before it is returned.
    unsafe {
        let p = libc::malloc(bytes.len()) as *mut c_char;
        if p.is_null() {
            return p;
        }
        std::ptr::copy_nonoverlapping(bytes.as_ptr() as *const c_char, p, bytes.len());
        p
    }
}
