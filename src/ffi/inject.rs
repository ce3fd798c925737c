//! virTestDomainInject, the test hypervisor's simulation API, and the libvirt calls that read
//! the runtime state its happenings leave: disk errors, block sizes, the guest's users.

use super::handles::{self, DomainHandle};
use super::types::*;
use super::typedparams::malloc_params;
use super::{entry, str_arg};
use crate::abi::*;
use crate::driver::test::inject::Injection;
use crate::error::{Result, VirError};
use crate::events::{TypedParam, TypedValue};
use std::ffi::{c_char, c_int, c_uint, CStr, CString};
use std::sync::Arc;

/// More parameters than any happening takes, refused before they are read.
const MAX_INJECT_PARAMS: c_int = 32;

fn writable(dom: virDomainPtr, api: &str) -> Result<Arc<DomainHandle>> {
    let handle = handles::domain(dom, api)?;
    handle.conn.conn.check_writable(api)?;
    Ok(handle)
}

/// Copies the application's typed parameters.
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters.
unsafe fn read_params(params: virTypedParameterPtr, nparams: c_int, api: &str) -> Result<Vec<TypedParam>> {
    if nparams < 0 || (params.is_null() && nparams > 0) {
        return Err(VirError::invalid_arg(format!("{api}: params/nparams are inconsistent")));
    }
    if nparams > MAX_INJECT_PARAMS {
        return Err(VirError::invalid_arg(format!("{api}: {nparams} parameters, more than {MAX_INJECT_PARAMS}")));
    }
    let mut out = Vec::with_capacity(nparams as usize);
    for i in 0..nparams as usize {
        let p = &*params.add(i);
        let field_bytes = std::slice::from_raw_parts(p.field.as_ptr() as *const u8, VIR_TYPED_PARAM_FIELD_LENGTH);
        let field = CStr::from_bytes_until_nul(field_bytes)
            .map_err(|_| VirError::invalid_arg(format!("{api}: parameter {i} has an unterminated field name")))?
            .to_owned();
        let value = match p.r#type {
            VIR_TYPED_PARAM_INT => TypedValue::Int(p.value.i),
            VIR_TYPED_PARAM_UINT => TypedValue::UInt(p.value.ui),
            VIR_TYPED_PARAM_LLONG => TypedValue::LLong(p.value.l),
            VIR_TYPED_PARAM_ULLONG => TypedValue::ULLong(p.value.ul),
            VIR_TYPED_PARAM_DOUBLE => TypedValue::Double(p.value.d),
            VIR_TYPED_PARAM_BOOLEAN => TypedValue::Boolean(p.value.b != 0),
            VIR_TYPED_PARAM_STRING if !p.value.s.is_null() => TypedValue::String(CStr::from_ptr(p.value.s).to_owned()),
            VIR_TYPED_PARAM_STRING => {
                return Err(VirError::invalid_arg(format!("{api}: string parameter '{}' is NULL", field.to_string_lossy())))
            }
            other => {
                return Err(VirError::invalid_arg(format!(
                    "{api}: parameter '{}' has unknown type {other}",
                    field.to_string_lossy()
                )))
            }
        };
        out.push(TypedParam { field, value });
    }
    Ok(out)
}

/// virtevent extension, test hypervisor: `what` happens to the running domain, in the guest or
/// on the host, as the domain's configuration makes it happen. The change is committed like any
/// other (next resource version, events in order, event history). `params` are typed parameters:
/// names and enumerated values are STRING, exactly as written below; sizes ULLONG; `offset` LLONG;
/// `open` BOOLEAN. `flags` must be 0.
///
/// - "io-error" {disk, reason}: an I/O error on disk `disk` (target, alias or source path)
///   with `reason` ("enospc", "eio", …). The disk's `<driver error_policy>` picks the action as
///   QEMU does: stop → IO_ERROR and IO_ERROR_REASON with action PAUSE, then the domain pauses
///   (SUSPENDED I/O Error, state paused/ioerror); report → REPORT; ignore → NONE; enospace and
///   no policy → PAUSE for "enospc", REPORT otherwise. Source path and alias (else the target)
///   come from the disk's XML. virDomainGetDiskErrors reports the error until virDomainResume.
/// - "watchdog": needs a `<watchdog>`; fires WATCHDOG with its action, which then happens:
///   reset → REBOOT; poweroff → STOPPED Destroyed; shutdown → SHUTDOWN (host request) then
///   STOPPED Shutdown; pause → SUSPENDED Watchdog; dump (WATCHDOG_DEBUG), inject-nmi, none: the
///   guest runs on.
/// - "graphics" {phase: connect|initialize|disconnect, family: ipv4|ipv6|unix, node, service,
///   auth, optional x509dname, saslUsername}: needs a VNC or SPICE `<graphics>`; fires GRAPHICS
///   with the client's address (`remote`), the local one from the device's `listen` (default
///   127.0.0.1) and port (default 5900), and the subject identities "x509dname"/"saslUsername".
/// - "agent" {state: connected|disconnected}: needs the guest agent's channel
///   (`<channel><target type='virtio' name='org.qemu.guest_agent.0'/></channel>`); fires
///   AGENT_LIFECYCLE (reason: channel). Refused when the agent is already in that state.
/// - "guest-user" {user, optional domain, state: logon|logoff}: needs the agent connected;
///   fires VIR_DOMAIN_EVENT_ID_GUEST_USER. The logged-on users are what
///   virDomainGetGuestInfo(VIR_DOMAIN_GUEST_INFO_USERS) returns. Refused for a user already
///   logged on (logon) or not logged on (logoff).
/// - "guest-write" {disk, bytes}: the guest writes `bytes`; the active image's allocation grows
///   (up to its capacity; see virDomainGetBlockInfo). Each threshold set with
///   virDomainSetBlockThreshold on the disk (or `disk[0]`) that the allocation now exceeds fires
///   BLOCK_THRESHOLD once, with threshold and excess, and is cleared.
/// - "guest-reboot": REBOOT. "guest-shutdown": SHUTDOWN (guest request), then STOPPED Shutdown.
/// - "guest-crash": CRASHED Panicked, then what `<on_crash>` says: destroy (default),
///   coredump-destroy → STOPPED Crashed; restart, rename-restart, coredump-restart → REBOOT,
///   running/crashed; preserve → stays crashed.
/// - "guest-pm-suspend" {target: mem|disk}: mem → PMSUSPEND then PMSUSPENDED Memory;
///   disk → PMSUSPEND_DISK, PMSUSPENDED Disk, then STOPPED Shutdown.
///   "guest-pm-wakeup" (PM-suspended domain): PMWAKEUP then STARTED Event wakeup.
/// - "tray" {disk, open}: needs a cdrom or floppy; TRAY_CHANGE (refused if already so).
/// - "media-change" {disk, source}: needs a cdrom or floppy; its medium becomes `source` ("":
///   ejected) in the live XML; DISK_CHANGE with old and new source (reason
///   VIR_DOMAIN_EVENT_DISK_CHANGE_MISSING_ON_START, or DROP_MISSING_ON_START when ejected).
/// - "balloon" {actual}: needs a memory balloon; the current memory becomes `actual` KiB (at
///   most the domain's memory); BALLOON_CHANGE.
/// - "rtc" {offset}: RTC_CHANGE with `offset` seconds. "memory-failure": MEMORY_FAILURE
///   (recipient guest, action inject, action required).
/// - "device-removed" {alias}: the device with that `<alias name>` leaves the live XML;
///   DEVICE_REMOVED.
///
/// Every happening needs a running domain, except graphics, agent, tray, media-change and
/// device-removed (any active state) and guest-pm-wakeup (PM-suspended). Errors, with nothing
/// changed and no event: VIR_ERR_NO_SUPPORT on a backend that is not a test hypervisor;
/// VIR_ERR_INVALID_ARG for an unknown `what`, an unknown, repeated, missing or ill-typed
/// parameter, or a value out of range; VIR_ERR_OPERATION_INVALID when the domain's state or
/// configuration makes it impossible (no such device, agent not connected, …), naming why.
///
/// # Safety
/// `what` is NULL or a C string; `params` is NULL or points to `nparams` parameters.
#[no_mangle]
pub unsafe extern "C" fn virTestDomainInject(
    dom: virDomainPtr,
    what: *const c_char,
    params: virTypedParameterPtr,
    nparams: c_int,
    flags: c_uint,
) -> c_int {
    entry("virTestDomainInject", || {
        let handle = writable(dom, "virTestDomainInject")?;
        let what = str_arg(what, "what", "virTestDomainInject")?;
        let params = read_params(params, nparams, "virTestDomainInject")?;
        let injection = Injection::parse(what, &params)?;
        handle.conn.conn.driver().inject(&handle.domain_ref(), &injection, flags)?;
        Ok(0)
    })
}

/// The disks of a running domain that met an I/O error since it last ran without one
/// (virTestDomainInject "io-error"; a resume clears them). With `errors` NULL and `maxerrors`
/// 0, returns how many there are; otherwise fills up to `maxerrors` entries, each `disk` a
/// string the caller frees, and returns how many it filled. `flags` must be 0. -1 on error.
///
/// # Safety
/// `errors` is NULL or points to `maxerrors` writable entries.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetDiskErrors(
    dom: virDomainPtr,
    errors: virDomainDiskErrorPtr,
    maxerrors: c_uint,
    flags: c_uint,
) -> c_int {
    entry("virDomainGetDiskErrors", || {
        let handle = handles::domain(dom, "virDomainGetDiskErrors")?;
        if errors.is_null() && maxerrors > 0 {
            return Err(VirError::invalid_arg("virDomainGetDiskErrors: errors must not be NULL when maxerrors is not 0"));
        }
        let list = handle.conn.conn.driver().disk_errors(&handle.domain_ref(), flags)?;
        if errors.is_null() {
            return Ok(list.len() as c_int);
        }
        let n = list.len().min(maxerrors as usize);
        for (i, (disk, code)) in list.iter().take(n).enumerate() {
            let slot = &mut *errors.add(i);
            slot.disk = super::malloc_string(disk);
            slot.error = *code;
        }
        Ok(n as c_int)
    })
}

/// Sizes in bytes of `disk` (target, alias or source path) into `*info`: capacity, allocation
/// (grown by virTestDomainInject "guest-write") and physical. `flags` must be 0. 0 or -1.
///
/// # Safety
/// `disk` is NULL or a C string; `info` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetBlockInfo(dom: virDomainPtr, disk: *const c_char, info: virDomainBlockInfoPtr, flags: c_uint) -> c_int {
    entry("virDomainGetBlockInfo", || {
        let handle = handles::domain(dom, "virDomainGetBlockInfo")?;
        let disk = str_arg(disk, "disk", "virDomainGetBlockInfo")?;
        let out = info.as_mut().ok_or_else(|| VirError::invalid_arg("virDomainGetBlockInfo: info must not be NULL"))?;
        let sizes = handle.conn.conn.driver().block_info(&handle.domain_ref(), disk, flags)?;
        *out = virDomainBlockInfo { capacity: sizes.capacity, allocation: sizes.allocation, physical: sizes.physical };
        Ok(0)
    })
}

/// What the guest agent reports. The test hypervisor's agent reports users only: `types` must
/// be 0 or VIR_DOMAIN_GUEST_INFO_USERS, giving "user.count" (UINT) and, for each user N,
/// "user.N.name", "user.N.domain" (STRING, when the user has one) and "user.N.login-time"
/// (ULLONG, ms since the epoch). `*params` is a new array for virTypedParamsFree. `flags`
/// must be 0. Without a connected agent: VIR_ERR_AGENT_UNRESPONSIVE; on a read-only connection:
/// VIR_ERR_OPERATION_DENIED. 0 or -1.
///
/// # Safety
/// `params` and `nparams` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetGuestInfo(
    dom: virDomainPtr,
    types: c_uint,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    flags: c_uint,
) -> c_int {
    entry("virDomainGetGuestInfo", || {
        // It talks to the guest agent: refused on a read-only connection, as in libvirt.
        let handle = writable(dom, "virDomainGetGuestInfo")?;
        if params.is_null() || nparams.is_null() {
            return Err(VirError::invalid_arg("virDomainGetGuestInfo: params and nparams must not be NULL"));
        }
        if types & !(VIR_DOMAIN_GUEST_INFO_USERS as c_uint) != 0 {
            return Err(VirError::new(
                VIR_ERR_ARGUMENT_UNSUPPORTED,
                VIR_FROM_NONE,
                format!("virDomainGetGuestInfo: the test guest agent reports users only (types 0x{types:x})"),
            ));
        }
        let users = handle.conn.conn.driver().guest_users(&handle.domain_ref(), flags)?;
        let field = |s: String| CString::new(s).unwrap_or_default();
        let text = |s: &str| TypedValue::String(CString::new(s.replace('\0', "")).unwrap_or_default());
        let mut list = vec![TypedParam { field: field("user.count".into()), value: TypedValue::UInt(users.len() as u32) }];
        for (i, u) in users.iter().enumerate() {
            list.push(TypedParam { field: field(format!("user.{i}.name")), value: text(&u.name) });
            if let Some(d) = &u.domain {
                list.push(TypedParam { field: field(format!("user.{i}.domain")), value: text(d) });
            }
            list.push(TypedParam { field: field(format!("user.{i}.login-time")), value: TypedValue::ULLong(u.login_time_ms) });
        }
        let (array, n) = malloc_params(&list)?;
        *params = array;
        *nparams = n;
        Ok(0)
    })
}
