//! virtevent's generic event API (the seed's "Option 4"): one callback type for every kind of
//! event through the `virConnectEvent` tagged union, watches that start from a resource version,
//! event names, and the question of which events a connection's backend can emit.

use super::events::{c_str_or_null, call_application, domain_filter, typed_params, AppCallback, GraphicsC, StoredFn};
use super::handles;
use super::types::*;
use super::{entry, opt_str_arg, str_arg};
use crate::abi::*;
use crate::error::{Result, VirError};
use crate::events::registry::{Filter, NewRegistration, Start, Style};
use crate::events::{event_id_by_name, event_name_c, is_watch_event_id, Event, EventKind};
use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void};
use std::ptr;
use std::sync::Arc;

type GenericFn = unsafe extern "C" fn(virConnectPtr, virDomainPtr, *const virConnectEvent, *mut c_void);

/// virtevent extension flag of virConnectEventRegisterFlags: replay the events after
/// `sinceVersion` first (a watch, see virConnectEventRegisterSince).
pub const VIR_CONNECT_EVENT_REGISTER_SINCE: c_uint = 1 << 0;
/// virtevent extension flag of virConnectEventRegisterFlags: also deliver a "bookmark" event
/// (only `resourceVersion` set) whenever nothing else reached the callback for the bookmark
/// interval (virConnectSetEventBookmarkInterval), so its last-seen version keeps advancing.
pub const VIR_CONNECT_EVENT_REGISTER_BOOKMARKS: c_uint = 1 << 1;

/// What a virConnectEvent points to besides its `Event`: the C forms of typed parameters and
/// of a graphics event's addresses and subject. It must neither move nor change while the C
/// event is in use; it may be reused for the next event.
#[derive(Default)]
pub(crate) struct CEventParts {
    params: Vec<virTypedParameter>,
    graphics: Option<GraphicsC>,
}

/// The C form of `event`, seen under ID `event_id`. It points into `event` and `parts`, so
/// both must outlive its use.
pub(crate) fn c_event(event: &Event, event_id: i32, parts: &mut CEventParts) -> virConnectEvent {
    // SAFETY: every member is integers and pointers, for which all-zero is a valid value.
    let mut data: virConnectEventData = unsafe { std::mem::zeroed() };
    let mut typed = |p: &[crate::events::TypedParam]| {
        parts.params.clear();
        parts.params.extend(typed_params(p));
        virConnectEventTypedParams { params: parts.params.as_mut_ptr(), nparams: parts.params.len() as c_int }
    };
    match &event.kind {
        EventKind::Lifecycle { event, detail } => data.lifecycle = virConnectEventLifecycle { event: *event, detail: *detail },
        // Other families' events never match a generic registration (see events::family).
        EventKind::Reboot | EventKind::ControlError | EventKind::Bookmark | EventKind::Expired | EventKind::Object(_) => {}
        EventKind::RtcChange { utc_offset } => data.rtcChange = virConnectEventRTCChange { utcOffset: *utc_offset },
        EventKind::Watchdog { action } => data.watchdog = virConnectEventWatchdog { action: *action },
        EventKind::IoError(e) => {
            data.ioError = virConnectEventIOError {
                srcPath: e.src_path.as_ptr(),
                devAlias: e.dev_alias.as_ptr(),
                action: e.action,
                reason: e.reason.as_ptr(),
            }
        }
        EventKind::Graphics(e) => {
            let graphics = parts.graphics.insert(GraphicsC::new(&e.local, &e.remote, &e.subject));
            data.graphics = virConnectEventGraphics {
                phase: e.phase,
                local: &graphics.local,
                remote: &graphics.remote,
                authScheme: e.auth_scheme.as_ptr(),
                subject: &graphics.subject,
            };
        }
        EventKind::BlockJob(e) => {
            let disk = if event_id == VIR_DOMAIN_EVENT_ID_BLOCK_JOB { &e.disk_path } else { &e.disk_target };
            data.blockJob = virConnectEventBlockJob { disk: disk.as_ptr(), r#type: e.job_type, status: e.status, path: e.disk_path.as_ptr() };
        }
        EventKind::DiskChange(e) => {
            data.diskChange = virConnectEventDiskChange {
                oldSrcPath: c_str_or_null(&e.old_src),
                newSrcPath: c_str_or_null(&e.new_src),
                devAlias: e.dev_alias.as_ptr(),
                reason: e.reason,
            }
        }
        EventKind::TrayChange { dev_alias, reason } => {
            data.trayChange = virConnectEventTrayChange { devAlias: dev_alias.as_ptr(), reason: *reason }
        }
        EventKind::PmWakeup { reason } => data.pmWakeup = virConnectEventPM { reason: *reason },
        EventKind::PmSuspend { reason } => data.pmSuspend = virConnectEventPM { reason: *reason },
        EventKind::PmSuspendDisk { reason } => data.pmSuspendDisk = virConnectEventPM { reason: *reason },
        EventKind::BalloonChange { actual_kib } => data.balloonChange = virConnectEventBalloonChange { actual: *actual_kib },
        EventKind::DeviceRemoved { dev_alias } => data.deviceRemoved = virConnectEventDevice { devAlias: dev_alias.as_ptr() },
        EventKind::DeviceAdded { dev_alias } => data.deviceAdded = virConnectEventDevice { devAlias: dev_alias.as_ptr() },
        EventKind::DeviceRemovalFailed { dev_alias } => {
            data.deviceRemovalFailed = virConnectEventDevice { devAlias: dev_alias.as_ptr() }
        }
        EventKind::Tunable { params } => data.tunable = typed(params),
        EventKind::JobCompleted { params } => data.jobCompleted = typed(params),
        EventKind::AgentLifecycle { state, reason } => {
            data.agentLifecycle = virConnectEventAgentLifecycle { state: *state, reason: *reason }
        }
        EventKind::MigrationIteration { iteration } => {
            data.migrationIteration = virConnectEventMigrationIteration { iteration: *iteration }
        }
        EventKind::MetadataChange { metadata_type, nsuri } => {
            data.metadataChange = virConnectEventMetadataChange { r#type: *metadata_type, nsuri: c_str_or_null(nsuri) }
        }
        EventKind::BlockThreshold(e) => {
            data.blockThreshold = virConnectEventBlockThreshold {
                dev: e.dev.as_ptr(),
                path: c_str_or_null(&e.path),
                threshold: e.threshold,
                excess: e.excess,
            }
        }
        EventKind::MemoryFailure { recipient, action, flags } => {
            data.memoryFailure = virConnectEventMemoryFailure { recipient: *recipient, action: *action, flags: *flags }
        }
        EventKind::MemoryDeviceSizeChange { alias, size } => {
            data.memoryDeviceSizeChange = virConnectEventMemoryDeviceSizeChange { alias: alias.as_ptr(), size: *size }
        }
        EventKind::Existence { kind } => data.existence = virConnectEventExistence { r#type: *kind },
        EventKind::GuestUser(e) => {
            data.guestUser = virConnectEventGuestUser { user: e.user.as_ptr(), domain: c_str_or_null(&e.domain), state: e.state }
        }
        EventKind::JobState(e) => {
            data.jobState = virConnectEventJobState {
                name: e.name.as_ptr(),
                kind: e.kind,
                oldState: e.old_state,
                newState: e.new_state,
                error: c_str_or_null(&e.error),
            }
        }
    }
    virConnectEvent {
        eventID: event_id,
        eventName: event_name_c(event_id).map_or(ptr::null(), |n| n.as_ptr()),
        domainName: handles::c_name(event.name()),
        domainUUID: *event.uuid.as_bytes(),
        domainID: event.id,
        resourceVersion: event.revision,
        state: event.state,
        reason: event.reason,
        timestamp: event.timestamp_us,
        data,
    }
}

/// Calls `cb` with the C form of `event`, seen under ID `event_id`.
///
/// # Safety
/// `cb` is the application's generic callback; `dom` is NULL or a live handle.
unsafe fn call_generic(cb: GenericFn, conn: virConnectPtr, dom: virDomainPtr, event: &Event, event_id: i32, opaque: *mut c_void) {
    let mut parts = CEventParts::default();
    let c_event = c_event(event, event_id, &mut parts);
    cb(conn, dom, &c_event, opaque);
}


/// Calls an application's generic callback (registered in `Style::Generic`).
pub(crate) fn call(callback: &AppCallback, event: &Arc<Event>, filter: Filter) {
    let about_a_domain = !is_watch_event_id(event.kind.primary_id());
    let event_id = filter.reported_id(event);
    // SAFETY: registered through register_generic, so the stored function has the generic type.
    let cb = unsafe { std::mem::transmute::<StoredFn, GenericFn>(callback.cb) };
    call_application(&callback.conn, event, about_a_domain, |conn, dom| {
        // SAFETY: `cb` has the generic callback type; `dom` is NULL or live during the call.
        unsafe { call_generic(cb, conn, dom, event, event_id, callback.opaque as *mut c_void) }
    });
}

/// The event ID a registration asks for by name (None: every event).
pub(crate) fn event_filter(eventname: Option<&str>, api: &str) -> Result<Option<i32>> {
    let Some(name) = eventname else { return Ok(None) };
    match event_id_by_name(name) {
        Some(id) if is_watch_event_id(id) => Err(VirError::invalid_arg(format!(
            "{api}: '{name}' events come only to the watch they concern and cannot be registered for"
        ))),
        Some(id) => Ok(Some(id)),
        None => Err(VirError::invalid_arg(format!("{api}: unknown event name '{name}'"))),
    }
}

/// The registration every generic variant comes down to.
///
/// # Safety
/// `eventname` is NULL or a NUL-terminated string.
unsafe fn register_generic(
    conn: virConnectPtr,
    dom: virDomainPtr,
    eventname: *const c_char,
    since: Option<u64>,
    bookmarks: bool,
    cb: virConnectEventCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
    api: &'static str,
) -> Result<c_int> {
    let conn = handles::connection(conn, api)?;
    let cb = cb.ok_or_else(|| VirError::invalid_arg(format!("{api}: cb must not be NULL")))?;
    let event_id = event_filter(opt_str_arg(eventname, "eventname", api)?, api)?;
    let domain = domain_filter(&conn, dom, api)?;
    let bus = conn.conn.driver().events();
    // SAFETY: only the pointer is stored; `call` gives it back its own (generic) type.
    let cb = unsafe { std::mem::transmute::<GenericFn, StoredFn>(cb) };
    bus.register(NewRegistration {
        style: Style::Generic,
        filter: Filter { event_id, domain },
        start: since.map_or(Start::Now, Start::Since),
        bookmarks,
        callback: AppCallback { conn: conn.clone(), cb, opaque: opaque as usize, freecb },
    }, || !conn.conn.is_closed())
}

/// virtevent extension: registers `cb` for every kind of event (`eventname` NULL) or for the
/// one named `eventname` ("lifecycle", "existence", …), of domain `dom` or (NULL) of all.
/// Returns a callback ID for virConnectEventUnregister, or -1 (unknown name: VIR_ERR_INVALID_ARG;
/// the same `cb`, name and domain already registered on `conn`).
///
/// Callbacks run from the event loop, in the order the changes were committed, together with
/// the other styles' callbacks in registration order. `*event` is valid only during the call.
/// `freecb`, if not NULL, runs exactly once with `opaque` after virConnectEventUnregister or
/// virConnectClose, never while `cb` runs and never under a library lock; a refused
/// registration does not run it. A callback may call any API, including unregistering itself.
///
/// # Safety
/// `eventname` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virConnectEventRegister(
    conn: virConnectPtr,
    dom: virDomainPtr,
    eventname: *const c_char,
    cb: virConnectEventCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    entry("virConnectEventRegister", || {
        register_generic(conn, dom, eventname, None, false, cb, opaque, freecb, "virConnectEventRegister")
    })
}

/// virtevent extension: like virConnectEventRegister, but first delivers, in order, every
/// event after revision `sinceVersion` that matches (from the backend's bounded history), then
/// the live ones: no gap, no duplicate. Use the version from virConnectListAllDomainsVersioned
/// or from the last event seen. Fails with VIR_ERR_RESOURCE_VERSION_EXPIRED (nothing
/// registered) when the history no longer reaches back that far, and with VIR_ERR_INVALID_ARG
/// when `sinceVersion` is newer than the backend. Should its undelivered backlog ever outgrow
/// the history (the loop not running, a callback too slow), it receives one "expired" event
/// and is unregistered (its `freecb` runs): relist and register again.
///
/// # Safety
/// `eventname` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virConnectEventRegisterSince(
    conn: virConnectPtr,
    dom: virDomainPtr,
    eventname: *const c_char,
    sinceVersion: c_ulonglong,
    cb: virConnectEventCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    entry("virConnectEventRegisterSince", || {
        register_generic(conn, dom, eventname, Some(sinceVersion), false, cb, opaque, freecb, "virConnectEventRegisterSince")
    })
}

/// virtevent extension: virConnectEventRegister with flags: VIR_CONNECT_EVENT_REGISTER_SINCE
/// (as virConnectEventRegisterSince, from `sinceVersion`; otherwise it is ignored) and
/// VIR_CONNECT_EVENT_REGISTER_BOOKMARKS (periodic "bookmark" events while nothing happens).
///
/// # Safety
/// `eventname` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virConnectEventRegisterFlags(
    conn: virConnectPtr,
    dom: virDomainPtr,
    eventname: *const c_char,
    sinceVersion: c_ulonglong,
    cb: virConnectEventCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
    flags: c_uint,
) -> c_int {
    entry("virConnectEventRegisterFlags", || {
        let known = VIR_CONNECT_EVENT_REGISTER_SINCE | VIR_CONNECT_EVENT_REGISTER_BOOKMARKS;
        if flags & !known != 0 {
            return Err(VirError::invalid_arg(format!("virConnectEventRegisterFlags: unsupported flags (0x{:x})", flags & !known)));
        }
        let since = (flags & VIR_CONNECT_EVENT_REGISTER_SINCE != 0).then_some(sinceVersion);
        let bookmarks = flags & VIR_CONNECT_EVENT_REGISTER_BOOKMARKS != 0;
        register_generic(conn, dom, eventname, since, bookmarks, cb, opaque, freecb, "virConnectEventRegisterFlags")
    })
}

/// virtevent extension: removes a registration made with virConnectEventRegister* (IDs of the
/// other styles are refused: deregister them with their own call). Its `freecb` runs once,
/// after any running invocation of its callback has returned. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virConnectEventUnregister(conn: virConnectPtr, callbackID: c_int) -> c_int {
    entry("virConnectEventUnregister", || {
        let conn = handles::connection(conn, "virConnectEventUnregister")?;
        conn.conn.driver().events().deregister(conn.conn.id, callbackID, Style::Generic)?;
        Ok(0)
    })
}

/// virtevent extension: the event ID named `eventname` (e.g. "io-error" gives
/// VIR_DOMAIN_EVENT_ID_IO_ERROR), or -1 with VIR_ERR_INVALID_ARG for an unknown name.
///
/// # Safety
/// `eventname` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virConnectDomainEventNameToID(eventname: *const c_char) -> c_int {
    entry("virConnectDomainEventNameToID", || {
        let name = str_arg(eventname, "eventname", "virConnectDomainEventNameToID")?;
        event_id_by_name(name)
            .ok_or_else(|| VirError::invalid_arg(format!("virConnectDomainEventNameToID: unknown event name '{name}'")))
    })
}

/// virtevent extension: the stable name of event ID `eventID` (a static string, not to be
/// freed), or NULL with VIR_ERR_INVALID_ARG for an unknown ID.
#[no_mangle]
pub extern "C" fn virConnectDomainEventIDToName(eventID: c_int) -> *const c_char {
    entry("virConnectDomainEventIDToName", || {
        event_name_c(eventID)
            .map(|n| n.as_ptr())
            .ok_or_else(|| VirError::invalid_arg(format!("virConnectDomainEventIDToName: unknown event ID {eventID}")))
    })
}

/// virtevent extension: 1 if this connection's backend can emit event `eventID`, 0 if it
/// never will (an application must poll for that information), -1 on error (unknown ID).
/// Registering for an event the backend never emits still succeeds.
#[no_mangle]
pub extern "C" fn virConnectDomainEventIsSupported(conn: virConnectPtr, eventID: c_int) -> c_int {
    entry("virConnectDomainEventIsSupported", || {
        let conn = handles::connection(conn, "virConnectDomainEventIsSupported")?;
        if event_name_c(eventID).is_none() {
            return Err(VirError::invalid_arg(format!("virConnectDomainEventIsSupported: unknown event ID {eventID}")));
        }
        Ok(conn.conn.driver().supported_event_ids().contains(&eventID) as c_int)
    })
}

/// virtevent extension: the event IDs this connection's backend can emit, in increasing order.
/// If `ids` is not NULL it receives a malloc'd array the caller releases with free(). `flags`
/// must be 0. Returns the number of IDs, or -1.
///
/// # Safety
/// `ids` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virConnectListDomainEventIDs(conn: virConnectPtr, ids: *mut *mut c_int, flags: c_uint) -> c_int {
    entry("virConnectListDomainEventIDs", || {
        let conn = handles::connection(conn, "virConnectListDomainEventIDs")?;
        super::check_no_flags(flags, "virConnectListDomainEventIDs")?;
        let supported = conn.conn.driver().supported_event_ids();
        if let Some(out) = ids.as_mut() {
            let array = libc::malloc(supported.len().max(1) * std::mem::size_of::<c_int>()) as *mut c_int;
            if array.is_null() {
                return Err(VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, "virConnectListDomainEventIDs"));
            }
            ptr::copy_nonoverlapping(supported.as_ptr(), array, supported.len());
            *out = array;
        }
        Ok(supported.len() as c_int)
    })
}

/// virtevent extension: how many events the backend of `conn` keeps for watches (default
/// 4096). Shrinking it drops the oldest at once. Memory stays bounded whatever the event rate;
/// a watch whose backlog outgrows it receives "expired". Returns 0 or -1 (`size` 0).
#[no_mangle]
pub extern "C" fn virConnectSetEventHistorySize(conn: virConnectPtr, size: c_uint) -> c_int {
    entry("virConnectSetEventHistorySize", || {
        let conn = handles::connection(conn, "virConnectSetEventHistorySize")?;
        conn.conn.driver().events().set_history_size(size as usize)?;
        Ok(0)
    })
}

/// virtevent extension: how long, in milliseconds, a registration made with
/// VIR_CONNECT_EVENT_REGISTER_BOOKMARKS may go without any event before it receives a
/// "bookmark" (default 5000), for every registration on the backend of `conn`. Returns 0 or -1.
#[no_mangle]
pub extern "C" fn virConnectSetEventBookmarkInterval(conn: virConnectPtr, milliseconds: c_uint) -> c_int {
    entry("virConnectSetEventBookmarkInterval", || {
        let conn = handles::connection(conn, "virConnectSetEventBookmarkInterval")?;
        conn.conn.driver().events().set_bookmark_interval_ms(milliseconds)?;
        Ok(0)
    })
}
