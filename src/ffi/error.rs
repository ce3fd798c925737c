//! libvirt's error API: a thread-local last error, optional error callbacks, and copies that
//! the application owns.

use super::handles::{self, ErrorHandler};
use super::types::*;
use crate::abi::*;
use crate::error::VirError;
use parking_lot::Mutex;
use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr;

/// The last error of a thread, with the C view pointing into the owned strings.
struct StoredError {
    raw: virError,
    _message: CString,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<Box<StoredError>>> = const { RefCell::new(None) };
}

/// virSetErrorFunc's handler; `None` means libvirt's default of printing to stderr.
static GLOBAL_HANDLER: Mutex<Option<ErrorHandler>> = Mutex::new(None);

fn empty_error() -> virError {
    virError {
        code: VIR_ERR_OK,
        domain: VIR_FROM_NONE,
        message: ptr::null_mut(),
        level: VIR_ERR_NONE,
        conn: ptr::null_mut(),
        dom: ptr::null_mut(),
        str1: ptr::null_mut(),
        str2: ptr::null_mut(),
        str3: ptr::null_mut(),
        int1: 0,
        int2: 0,
        net: ptr::null_mut(),
    }
}

pub(crate) fn reset_last_error() {
    LAST_ERROR.with(|e| {
        if let Ok(mut slot) = e.try_borrow_mut() {
            slot.take();
        }
    });
}

/// Records `err` as this thread's last error and tells the error handler.
pub(crate) fn report(err: VirError) {
    let message = CString::new(err.message.replace('\0', "")).unwrap_or_default();
    let mut stored = Box::new(StoredError { raw: empty_error(), _message: message });
    stored.raw.code = err.code;
    stored.raw.domain = err.domain;
    stored.raw.level = VIR_ERR_ERROR;
    stored.raw.message = stored._message.as_ptr() as *mut c_char;
    let raw: *mut virError = &mut stored.raw;
    LAST_ERROR.with(|e| *e.borrow_mut() = Some(stored));
    let handler = handles::current_error_handler().or(*GLOBAL_HANDLER.lock());
    match handler {
        Some(ErrorHandler { func: Some(func), user_data }) => {
            // SAFETY: the application's handler, given the error it may read during the call.
            unsafe { func(user_data as *mut c_void, raw) }
        }
        _ => print_default(&err),
    }
}

fn print_default(err: &VirError) {
    eprintln!("libvirt: error : {}", err.message);
}

fn with_last<R>(f: impl FnOnce(Option<&mut virError>) -> R) -> R {
    LAST_ERROR.with(|e| f(e.borrow_mut().as_mut().map(|s| &mut s.raw)))
}

fn dup(s: *const c_char) -> *mut c_char {
    if s.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `s` points into an error we own or one the application filled.
    let owned = unsafe { CStr::from_ptr(s) }.to_owned();
    owned.into_raw()
}

/// Deep copy into `to`, whose strings then belong to the application (virResetError frees them).
fn copy_into(from: &virError, to: &mut virError) {
    *to = virError {
        code: from.code,
        domain: from.domain,
        message: dup(from.message),
        level: from.level,
        conn: ptr::null_mut(),
        dom: ptr::null_mut(),
        str1: dup(from.str1),
        str2: dup(from.str2),
        str3: dup(from.str3),
        int1: from.int1,
        int2: from.int2,
        net: ptr::null_mut(),
    };
}

/// The calling thread's last error, or NULL if the last call succeeded. Owned by the library:
/// valid until the next call on this thread; copy it with virCopyLastError to keep it.
#[no_mangle]
pub extern "C" fn virGetLastError() -> virErrorPtr {
    super::entry_quiet(|| with_last(|e| e.map(|e| e as *mut virError).unwrap_or(ptr::null_mut())))
}

/// The calling thread's last error message, or "no error". Valid until the next call on this thread.
#[no_mangle]
pub extern "C" fn virGetLastErrorMessage() -> *const c_char {
    super::entry_quiet(|| {
        with_last(|e| match e {
            Some(e) if !e.message.is_null() => e.message as *const c_char,
            _ => c"no error".as_ptr(),
        })
    })
}

/// The calling thread's last error code (a virErrorNumber), VIR_ERR_OK if none.
#[no_mangle]
pub extern "C" fn virGetLastErrorCode() -> c_int {
    super::entry_quiet(|| with_last(|e| e.map(|e| e.code).unwrap_or(VIR_ERR_OK)))
}

/// The part of the library that raised the calling thread's last error (a virErrorDomain).
#[no_mangle]
pub extern "C" fn virGetLastErrorDomain() -> c_int {
    super::entry_quiet(|| with_last(|e| e.map(|e| e.domain).unwrap_or(VIR_FROM_NONE)))
}

/// Forgets the calling thread's last error.
#[no_mangle]
pub extern "C" fn virResetLastError() {
    super::entry_quiet(reset_last_error)
}

/// Copies the calling thread's last error into `to` (release its strings with virResetError).
/// Returns the error code, 0 if there is none, -1 if `to` is NULL.
///
/// # Safety
/// `to` is NULL or points to a writable virError.
#[no_mangle]
pub unsafe extern "C" fn virCopyLastError(to: virErrorPtr) -> c_int {
    super::entry_quiet(|| {
        let Some(to) = to.as_mut() else { return -1 };
        with_last(|e| match e {
            Some(e) => {
                copy_into(e, to);
                to.code
            }
            None => {
                *to = empty_error();
                0
            }
        })
    })
}

/// A copy of the calling thread's last error (an empty one if none), to be freed with virFreeError.
#[no_mangle]
pub extern "C" fn virSaveLastError() -> virErrorPtr {
    super::entry_quiet(|| {
        let mut copy = Box::new(empty_error());
        with_last(|e| {
            if let Some(e) = e {
                copy_into(e, &mut copy);
            }
        });
        Box::into_raw(copy)
    })
}

/// Frees the strings of an error filled by virCopyLastError and clears it. NULL is ignored.
///
/// # Safety
/// `err` is NULL or an error filled by this library.
#[no_mangle]
pub unsafe extern "C" fn virResetError(err: virErrorPtr) {
    super::entry_quiet(|| {
        let Some(err) = err.as_mut() else { return };
        for s in [err.message, err.str1, err.str2, err.str3] {
            if !s.is_null() {
                drop(CString::from_raw(s));
            }
        }
        *err = empty_error();
    })
}

/// Frees an error returned by virSaveLastError. NULL is ignored.
///
/// # Safety
/// `err` is NULL or was returned by virSaveLastError and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn virFreeError(err: virErrorPtr) {
    super::entry_quiet(|| {
        if !err.is_null() {
            virResetError(err);
            drop(Box::from_raw(err));
        }
    })
}

/// Sets the function called with every error raised in this process (any thread). A NULL
/// `handler` restores the default, which prints the error to stderr.
#[no_mangle]
pub extern "C" fn virSetErrorFunc(userData: *mut c_void, handler: virErrorFunc) {
    super::entry_quiet(|| {
        *GLOBAL_HANDLER.lock() = handler.map(|_| ErrorHandler { func: handler, user_data: userData as usize });
    })
}

/// Sets the function called, instead of virSetErrorFunc's, with errors raised by calls on
/// `conn` (or on its domains). A NULL `handler` removes it.
#[no_mangle]
pub extern "C" fn virConnSetErrorFunc(conn: virConnectPtr, userData: *mut c_void, handler: virErrorFunc) {
    super::entry("virConnSetErrorFunc", || {
        let conn = handles::connection(conn, "virConnSetErrorFunc")?;
        *conn.error_handler.lock() = handler.map(|_| ErrorHandler { func: handler, user_data: userData as usize });
        Ok(())
    })
}

/// The calling thread's last error, if `conn` is a valid connection; NULL otherwise.
#[no_mangle]
pub extern "C" fn virConnGetLastError(conn: virConnectPtr) -> virErrorPtr {
    super::entry_quiet(|| {
        if !handles::is_connection(conn) {
            return ptr::null_mut();
        }
        with_last(|e| e.map(|e| e as *mut virError).unwrap_or(ptr::null_mut()))
    })
}

/// Copies the calling thread's last error into `to`, as virCopyLastError.
///
/// # Safety
/// As for virCopyLastError.
#[no_mangle]
pub unsafe extern "C" fn virConnCopyLastError(conn: virConnectPtr, to: virErrorPtr) -> c_int {
    if !super::entry_quiet(|| handles::is_connection(conn)) {
        return -1;
    }
    virCopyLastError(to)
}

/// Forgets the calling thread's last error.
#[no_mangle]
pub extern "C" fn virConnResetLastError(conn: virConnectPtr) {
    let _ = conn;
    virResetLastError()
}

/// Prints an error to stderr the way the default handler does.
///
/// # Safety
/// `err` is NULL or points to a valid virError.
#[no_mangle]
pub unsafe extern "C" fn virDefaultErrorFunc(err: virErrorPtr) {
    super::entry_quiet(|| {
        let Some(err) = err.as_ref() else { return };
        let message = if err.message.is_null() {
            "unknown error".into()
        } else {
            CStr::from_ptr(err.message).to_string_lossy()
        };
        eprintln!("libvirt: error : {message}");
    })
}
