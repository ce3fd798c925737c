//! Domain event registration (legacy and RegisterAny styles) and the call of each event ID's
//! C callback type.

use super::handles::{self, ConnHandle};
use super::types::*;
use super::entry;
use crate::abi::*;
use crate::error::{Result, VirError};
use crate::events::registry::{Callback, Filter, NewRegistration, Style};
use crate::events::registry::Start;
use crate::events::{is_known_event_id, Event, EventKind, GraphicsAddress, TypedParam, TypedValue};
use std::ffi::{c_char, c_int, c_void, CString};
use std::ptr;
use std::sync::Arc;

/// Runs the application's free callback for `opaque` (the registry calls this exactly once).
pub(crate) fn release_opaque(freecb: virFreeCallback, opaque: usize) {
    if let Some(free) = freecb {
        // SAFETY: the application's own free callback, given back its own opaque pointer; a
        // panic cannot come out of C, and must not go into it.
        let _ = std::panic::catch_unwind(|| unsafe { free(opaque as *mut c_void) });
    }
}

pub(crate) fn c_str_or_null(s: &Option<std::ffi::CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

pub(crate) fn typed_params(params: &[TypedParam]) -> Vec<virTypedParameter> {
    params
        .iter()
        .map(|p| {
            let mut field = [0 as c_char; VIR_TYPED_PARAM_FIELD_LENGTH];
            for (dst, src) in field.iter_mut().zip(p.field.as_bytes().iter().take(VIR_TYPED_PARAM_FIELD_LENGTH - 1)) {
                *dst = *src as c_char;
            }
            let (kind, value) = match &p.value {
                TypedValue::Int(v) => (VIR_TYPED_PARAM_INT, _virTypedParameterValue { i: *v }),
                TypedValue::UInt(v) => (VIR_TYPED_PARAM_UINT, _virTypedParameterValue { ui: *v }),
                TypedValue::LLong(v) => (VIR_TYPED_PARAM_LLONG, _virTypedParameterValue { l: *v }),
                TypedValue::ULLong(v) => (VIR_TYPED_PARAM_ULLONG, _virTypedParameterValue { ul: *v }),
                TypedValue::Double(v) => (VIR_TYPED_PARAM_DOUBLE, _virTypedParameterValue { d: *v }),
                TypedValue::Boolean(v) => (VIR_TYPED_PARAM_BOOLEAN, _virTypedParameterValue { b: *v as c_char }),
                TypedValue::String(s) => (VIR_TYPED_PARAM_STRING, _virTypedParameterValue { s: s.as_ptr() as *mut c_char }),
            };
            virTypedParameter { field, r#type: kind, value }
        })
        .collect()
}

/// The C form of a graphics event's addresses and subject, alive for one callback.
pub(crate) struct GraphicsC {
    pub local: virDomainEventGraphicsAddress,
    pub remote: virDomainEventGraphicsAddress,
    /// Pointed to by `subject`.
    _identities: Vec<virDomainEventGraphicsSubjectIdentity>,
    pub subject: virDomainEventGraphicsSubject,
}

impl GraphicsC {
    pub fn new(local: &GraphicsAddress, remote: &GraphicsAddress, subject: &[(CString, CString)]) -> Self {
        let address = |a: &GraphicsAddress| virDomainEventGraphicsAddress {
            family: a.family,
            node: a.node.as_ptr() as *mut c_char,
            service: a.service.as_ptr() as *mut c_char,
        };
        let mut identities: Vec<virDomainEventGraphicsSubjectIdentity> = subject
            .iter()
            .map(|(t, n)| virDomainEventGraphicsSubjectIdentity { r#type: t.as_ptr() as *mut c_char, name: n.as_ptr() as *mut c_char })
            .collect();
        let subject = virDomainEventGraphicsSubject { nidentity: identities.len() as c_int, identities: identities.as_mut_ptr() };
        GraphicsC { local: address(local), remote: address(remote), _identities: identities, subject }
    }
}

/// Calls `cb`, registered for `event_id` with the C type that ID implies, with `event`.
///
/// # Safety
/// `cb` was registered for `event_id`, so it really has that ID's C type.
unsafe fn invoke(
    event_id: i32,
    cb: unsafe extern "C" fn(virConnectPtr, virDomainPtr, *mut c_void),
    conn: virConnectPtr,
    dom: virDomainPtr,
    event: &Event,
    opaque: *mut c_void,
) {
    use std::mem::transmute as cast;
    type Generic = unsafe extern "C" fn(virConnectPtr, virDomainPtr, *mut c_void);
    macro_rules! call {
        ($ty:ty, $($arg:expr),*) => {{
            let f: <$ty as IntoIterator>::Item = cast::<Generic, _>(cb);
            f(conn, dom, $($arg,)* opaque);
        }};
    }
    match (&event.kind, event_id) {
        (EventKind::Lifecycle { event, detail }, _) => {
            call!(virConnectDomainEventCallback, *event, *detail)
        }
        (EventKind::Reboot, _) | (EventKind::ControlError, _) => cb(conn, dom, opaque),
        (EventKind::RtcChange { utc_offset }, _) => call!(virConnectDomainEventRTCChangeCallback, *utc_offset),
        (EventKind::Watchdog { action }, _) => call!(virConnectDomainEventWatchdogCallback, *action),
        (EventKind::IoError(e), VIR_DOMAIN_EVENT_ID_IO_ERROR) => {
            call!(virConnectDomainEventIOErrorCallback, e.src_path.as_ptr(), e.dev_alias.as_ptr(), e.action)
        }
        (EventKind::IoError(e), _) => call!(
            virConnectDomainEventIOErrorReasonCallback,
            e.src_path.as_ptr(),
            e.dev_alias.as_ptr(),
            e.action,
            e.reason.as_ptr()
        ),
        (EventKind::Graphics(e), _) => {
            let g = GraphicsC::new(&e.local, &e.remote, &e.subject);
            call!(virConnectDomainEventGraphicsCallback, e.phase, &g.local, &g.remote, e.auth_scheme.as_ptr(), &g.subject)
        }
        (EventKind::BlockJob(e), VIR_DOMAIN_EVENT_ID_BLOCK_JOB) => {
            call!(virConnectDomainEventBlockJobCallback, e.disk_path.as_ptr(), e.job_type, e.status)
        }
        (EventKind::BlockJob(e), _) => {
            call!(virConnectDomainEventBlockJobCallback, e.disk_target.as_ptr(), e.job_type, e.status)
        }
        (EventKind::DiskChange(e), _) => call!(
            virConnectDomainEventDiskChangeCallback,
            c_str_or_null(&e.old_src),
            c_str_or_null(&e.new_src),
            e.dev_alias.as_ptr(),
            e.reason
        ),
        (EventKind::TrayChange { dev_alias, reason }, _) => {
            call!(virConnectDomainEventTrayChangeCallback, dev_alias.as_ptr(), *reason)
        }
        (EventKind::PmWakeup { reason }, _) => call!(virConnectDomainEventPMWakeupCallback, *reason),
        (EventKind::PmSuspend { reason }, _) => call!(virConnectDomainEventPMSuspendCallback, *reason),
        (EventKind::BalloonChange { actual_kib }, _) => call!(virConnectDomainEventBalloonChangeCallback, *actual_kib),
        (EventKind::PmSuspendDisk { reason }, _) => call!(virConnectDomainEventPMSuspendDiskCallback, *reason),
        (EventKind::DeviceRemoved { dev_alias }, _) => call!(virConnectDomainEventDeviceRemovedCallback, dev_alias.as_ptr()),
        (EventKind::Tunable { params }, _) => {
            let mut c = typed_params(params);
            call!(virConnectDomainEventTunableCallback, c.as_mut_ptr(), c.len() as c_int)
        }
        (EventKind::AgentLifecycle { state, reason }, _) => {
            call!(virConnectDomainEventAgentLifecycleCallback, *state, *reason)
        }
        (EventKind::DeviceAdded { dev_alias }, _) => call!(virConnectDomainEventDeviceAddedCallback, dev_alias.as_ptr()),
        (EventKind::MigrationIteration { iteration }, _) => {
            call!(virConnectDomainEventMigrationIterationCallback, *iteration)
        }
        (EventKind::JobCompleted { params }, _) => {
            let mut c = typed_params(params);
            call!(virConnectDomainEventJobCompletedCallback, c.as_mut_ptr(), c.len() as c_int)
        }
        (EventKind::DeviceRemovalFailed { dev_alias }, _) => {
            call!(virConnectDomainEventDeviceRemovalFailedCallback, dev_alias.as_ptr())
        }
        (EventKind::MetadataChange { metadata_type, nsuri }, _) => {
            call!(virConnectDomainEventMetadataChangeCallback, *metadata_type, c_str_or_null(nsuri))
        }
        (EventKind::BlockThreshold(e), _) => call!(
            virConnectDomainEventBlockThresholdCallback,
            e.dev.as_ptr(),
            c_str_or_null(&e.path),
            e.threshold,
            e.excess
        ),
        (EventKind::MemoryFailure { recipient, action, flags }, _) => {
            call!(virConnectDomainEventMemoryFailureCallback, *recipient, *action, *flags)
        }
        (EventKind::MemoryDeviceSizeChange { alias, size }, _) => {
            call!(virConnectDomainEventMemoryDeviceSizeChangeCallback, alias.as_ptr(), *size)
        }
        (EventKind::Existence { kind }, _) => call!(virConnectDomainEventExistenceCallback, *kind),
        (EventKind::JobState(e), _) => call!(virConnectDomainEventJobStateCallback, e.name.as_ptr(), e.kind, e.new_state),
        (EventKind::GuestUser(e), _) => {
            call!(virConnectDomainEventGuestUserCallback, e.user.as_ptr(), c_str_or_null(&e.domain), e.state)
        }
        // Delivered only to generic registrations; other families' events only to theirs.
        (EventKind::Bookmark | EventKind::Expired | EventKind::Object(_), _) => {}
    }
}

/// An application's function as stored, whatever its C type: it is called back with the type
/// its registration's style and event ID imply.
pub(crate) type StoredFn = unsafe extern "C" fn(virConnectPtr, virDomainPtr, *mut c_void);

/// An application's callback, of any registration style (libvirt's legacy and RegisterAny
/// types, the generic one, other families'). One type for all, so that the registry holds its
/// registrations behind thin pointers; the style says how to call it.
///
/// cbindgen:ignore
pub struct AppCallback {
    pub(crate) conn: Arc<ConnHandle>,
    pub(crate) cb: StoredFn,
    pub(crate) opaque: usize,
    pub(crate) freecb: virFreeCallback,
}

impl Callback for AppCallback {
    fn call(&self, event: &Arc<Event>, style: Style, filter: Filter) {
        match style {
            Style::Legacy | Style::Any => {
                let event_id = filter.event_id.unwrap_or_else(|| event.kind.primary_id());
                call_application(&self.conn, event, true, |conn, dom| {
                    // SAFETY: `cb` was registered for `event_id`; `dom` stays valid during the call.
                    unsafe { invoke(event_id, self.cb, conn, dom, event, self.opaque as *mut c_void) }
                });
            }
            Style::Generic => super::generic_events::call(self, event, filter),
            Style::ObjectAny(_) => super::object_events::call(self, event),
        }
    }

    fn release(&self) {
        release_opaque(self.freecb, self.opaque);
    }

    fn conn_id(&self) -> u64 {
        self.conn.conn.id
    }

    fn function(&self) -> usize {
        self.cb as usize
    }
}

/// Runs `call` (an application callback) with the connection and, when `lend` is set, the
/// event's domain lent for the call (else NULL). A panic stops at this boundary. After a
/// domain's last event, the handle kept for lending it goes too.
pub(crate) fn call_application(
    conn: &Arc<ConnHandle>,
    event: &Arc<Event>,
    lend: bool,
    call: impl FnOnce(virConnectPtr, virDomainPtr),
) {
    let dom = match lend.then(|| handles::lend_event_domain(conn, event)).transpose() {
        Ok(dom) => dom,
        Err(e) => {
            crate::debuglog::log(format_args!("event {} not delivered: {}", event.revision, e.message));
            return;
        }
    };
    let dom_ptr = dom.as_ref().map_or(ptr::null_mut(), |d| d.ptr());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(handles::connection_ptr(conn), dom_ptr)));
    drop(dom);
    if event.kind == (EventKind::Existence { kind: VIR_DOMAIN_EVENT_EXISTENCE_REMOVED }) {
        handles::forget_event_domain(conn, &event.uuid);
    }
    drop(outcome);
}

/// Resolves the optional domain filter of a registration on `conn`.
pub(crate) fn domain_filter(conn: &Arc<ConnHandle>, dom: virDomainPtr, api: &str) -> Result<Option<uuid::Uuid>> {
    if dom.is_null() {
        return Ok(None);
    }
    let handle = handles::domain(dom, api)?;
    if !Arc::ptr_eq(handle.conn.conn.driver().events(), conn.conn.driver().events()) {
        return Err(VirError::invalid_arg(format!("{api}: the domain belongs to another hypervisor")));
    }
    Ok(Some(handle.uuid))
}

fn register(
    conn: virConnectPtr,
    dom: virDomainPtr,
    event_id: i32,
    style: Style,
    cb: unsafe extern "C" fn(virConnectPtr, virDomainPtr, *mut c_void),
    opaque: *mut c_void,
    freecb: virFreeCallback,
    api: &'static str,
) -> Result<i32> {
    let conn = handles::connection(conn, api)?;
    let domain = domain_filter(&conn, dom, api)?;
    let bus = conn.conn.driver().events();
    bus.register(NewRegistration {
        style,
        filter: Filter { event_id: Some(event_id), domain },
        start: Start::Now,
        bookmarks: false,
        callback: AppCallback { conn: conn.clone(), cb, opaque: opaque as usize, freecb },
    }, || !conn.conn.is_closed())
}

/// Registers `cb` for lifecycle events of every domain (the original API; prefer
/// virConnectDomainEventRegisterAny). Callbacks run from the event loop. `freecb`, if not
/// NULL, runs once with `opaque` after the callback is deregistered or the connection closed,
/// never while `cb` runs. Returns 0, or -1 (e.g. `cb` already registered on `conn`).
#[no_mangle]
pub extern "C" fn virConnectDomainEventRegister(
    conn: virConnectPtr,
    cb: virConnectDomainEventCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    entry("virConnectDomainEventRegister", || {
        let cb = cb.ok_or_else(|| VirError::invalid_arg("virConnectDomainEventRegister: cb must not be NULL"))?;
        // SAFETY: only the pointer is stored; `invoke` calls it back with its own (lifecycle) type.
        let generic = unsafe { std::mem::transmute::<_, unsafe extern "C" fn(virConnectPtr, virDomainPtr, *mut c_void)>(cb) };
        register(conn, ptr::null_mut(), VIR_DOMAIN_EVENT_ID_LIFECYCLE, Style::Legacy, generic, opaque, freecb, "virConnectDomainEventRegister")
            .map(|_| 0)
    })
}

/// Deregisters a callback registered with virConnectDomainEventRegister. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virConnectDomainEventDeregister(conn: virConnectPtr, cb: virConnectDomainEventCallback) -> c_int {
    entry("virConnectDomainEventDeregister", || {
        let conn = handles::connection(conn, "virConnectDomainEventDeregister")?;
        let cb = cb.ok_or_else(|| VirError::invalid_arg("virConnectDomainEventDeregister: cb must not be NULL"))?;
        let bus = conn.conn.driver().events();
        let id = bus
            .find_legacy(conn.conn.id, cb as usize)
            .ok_or_else(|| VirError::invalid_arg("could not find event callback for deletion"))?;
        bus.deregister(conn.conn.id, id, Style::Legacy)?;
        Ok(0)
    })
}

/// Registers `cb` for event `eventID` (a virDomainEventID; `cb` must have that ID's callback
/// type, cast with VIR_DOMAIN_EVENT_CALLBACK), for domain `dom` only or, with NULL, for all.
/// Callbacks run from the event loop, in registration order, with a `dom` they do not own.
/// `freecb`, if not NULL, runs once with `opaque` after deregistration or connection close,
/// never while `cb` runs and never under a library lock. Returns the callback ID, or -1.
#[no_mangle]
pub extern "C" fn virConnectDomainEventRegisterAny(
    conn: virConnectPtr,
    dom: virDomainPtr,
    eventID: c_int,
    cb: virConnectDomainEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    entry("virConnectDomainEventRegisterAny", || {
        if !is_known_event_id(eventID) {
            return Err(VirError::invalid_arg(format!(
                "virConnectDomainEventRegisterAny: eventID must be below {VIR_DOMAIN_EVENT_ID_LAST} or a virtevent extension ID, but got {eventID}"
            )));
        }
        let cb = cb.ok_or_else(|| VirError::invalid_arg("virConnectDomainEventRegisterAny: cb must not be NULL"))?;
        register(conn, dom, eventID, Style::Any, cb, opaque, freecb, "virConnectDomainEventRegisterAny")
    })
}

/// Deregisters callback `callbackID` returned by virConnectDomainEventRegisterAny. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virConnectDomainEventDeregisterAny(conn: virConnectPtr, callbackID: c_int) -> c_int {
    entry("virConnectDomainEventDeregisterAny", || {
        let conn = handles::connection(conn, "virConnectDomainEventDeregisterAny")?;
        conn.conn.driver().events().deregister(conn.conn.id, callbackID, Style::Any)?;
        Ok(0)
    })
}
