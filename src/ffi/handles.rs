//! The handles C holds. Every `virConnectPtr`, `virDomainPtr` and `virConnectEventStreamPtr`
//! handed out is a token, not an address: a number drawn from one counter that never repeats,
//! recorded in a table. Every pointer coming back is looked up there before use, so NULL, freed
//! or foreign pointers give an error instead of a crash, and a freed handle can never name a
//! newer object.

mod objects;
pub(crate) use objects::*;

use super::stream::LastRead;
use super::types::{virConnectEventStreamPtr, virConnectPtr, virDomainPtr, virErrorFunc, virFreeCallback};
use std::cell::Cell;
use crate::abi::*;
use crate::conn::Connection;
use crate::error::{Result, VirError};
use crate::events::stream::EventStream;
use crate::events::{DomainName, DomainRef, Event};
use once_cell::sync::Lazy;
use parking_lot::Mutex;
use crate::fasthash::FastMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::Arc;
use uuid::Uuid;

/// Where tokens start: on 64-bit systems, above every user-space address, so that a token can
/// never equal a pointer the application owns (and dereferencing one faults at once).
#[cfg(target_pointer_width = "64")]
const TOKEN_BASE: usize = 1 << 63;
#[cfg(not(target_pointer_width = "64"))]
const TOKEN_BASE: usize = 0;
/// Tokens are spaced like aligned pointers.
const TOKEN_STRIDE: usize = 16;
static ISSUED_TOKENS: AtomicUsize = AtomicUsize::new(1);

/// The next handle token; one counter serves every kind of handle, so a connection's token
/// is never a domain's either.
fn next_token() -> Result<usize> {
    ISSUED_TOKENS
        .fetch_add(1, Ordering::Relaxed)
        .checked_mul(TOKEN_STRIDE)
        .filter(|offset| offset.checked_add(TOKEN_BASE).is_some())
        .map(|offset| TOKEN_BASE + offset)
        .ok_or_else(|| VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, "every handle number has been used"))
}

/// A registered close callback; its free callback runs once, on unregistration or when the
/// connection handle goes away.
pub(crate) struct CloseCallback {
    pub cb: usize,
    pub opaque: usize,
    pub freecb: virFreeCallback,
}

impl Drop for CloseCallback {
    fn drop(&mut self) {
        if let Some(free) = self.freecb {
            // SAFETY: the application's free callback, given back its own opaque pointer once.
            unsafe { free(self.opaque as *mut c_void) }
        }
    }
}

pub(crate) struct ConnHandle {
    /// What C holds for this connection.
    token: usize,
    pub conn: Arc<Connection>,
    /// virConnSetErrorFunc's handler for errors raised by calls on this connection.
    pub error_handler: Mutex<Option<ErrorHandler>>,
    pub close_callback: Mutex<Option<CloseCallback>>,
    /// References held by the application (open, virConnectRef).
    app_refs: Mutex<usize>,
    /// All references: the application's plus one per live domain handle.
    refs: Mutex<usize>,
    /// The handle lent to event callbacks for each domain, reused while nobody else holds it,
    /// so that delivering an event costs no allocation and no table update.
    event_domains: Mutex<FastMap<Uuid, Arc<DomainHandle>>>,
}

pub(crate) struct DomainHandle {
    /// What C holds for this domain.
    token: usize,
    pub conn: Arc<ConnHandle>,
    pub name: DomainName,
    pub uuid: Uuid,
    /// The ID when the handle was made, updated by operations through it (as libvirt does).
    pub id: AtomicI32,
    /// The references and the lent event, under one lock (taken twice per callback).
    held: Mutex<Held>,
}

/// A domain handle's references (C's, the connection cache's, a callback's) and, for a handle
/// given to an event callback, the event, whose snapshot VIR_DOMAIN_XML_EVENT_SNAPSHOT reads.
struct Held {
    refs: usize,
    snapshot: Option<Arc<Event>>,
}

impl DomainHandle {
    /// The name for C, valid while the handle lives.
    pub fn name_ptr(&self) -> *const std::ffi::c_char {
        c_name(&self.name)
    }

    /// The event this handle was given to a callback with, if it was.
    pub fn lent_event(&self) -> Option<Arc<Event>> {
        self.held.lock().snapshot.clone()
    }

    /// The backend's name for this domain.
    pub fn domain_ref(&self) -> DomainRef {
        DomainRef {
            name: self.name.clone(),
            uuid: self.uuid,
            id: self.id.load(Ordering::Relaxed),
        }
    }
}

/// An application's error callback and its user data.
#[derive(Clone, Copy)]
pub(crate) struct ErrorHandler {
    pub func: virErrorFunc,
    pub user_data: usize,
}

thread_local! {
    /// The token of the connection the current call works on (0: none), so that its error
    /// reaches that connection's handler. A token, not a reference: every call sets it, and
    /// only a failing one needs the connection.
    static CURRENT_CONNECTION: Cell<usize> = const { Cell::new(0) };
}

/// Takes the current call's connection away (a call starting, or ending, gives it up) and
/// returns it, so that a nested call can put its caller's back.
pub(crate) fn take_current_connection() -> usize {
    CURRENT_CONNECTION.with(|c| c.replace(0))
}

/// Puts back what `take_current_connection` returned.
pub(crate) fn restore_current_connection(saved: usize) {
    CURRENT_CONNECTION.with(|c| c.set(saved));
}

fn set_current_connection(handle: &ConnHandle) {
    CURRENT_CONNECTION.with(|c| c.set(handle.token));
}

/// The error handler of the connection the current call works on, if it set one (and is still
/// there).
pub(crate) fn current_error_handler() -> Option<ErrorHandler> {
    let token = CURRENT_CONNECTION.with(Cell::get);
    let handle = CONNECTIONS.lock().get(&token).cloned()?;
    let handler = *handle.error_handler.lock();
    handler
}

static CONNECTIONS: Lazy<Mutex<FastMap<usize, Arc<ConnHandle>>>> = Lazy::new(Default::default);
static DOMAINS: Lazy<Mutex<FastMap<usize, Arc<DomainHandle>>>> = Lazy::new(Default::default);

/// Hands a new connection to C, with one application reference.
pub(crate) fn new_connection(conn: Arc<Connection>) -> Result<virConnectPtr> {
    let handle = Arc::new(ConnHandle {
        token: next_token()?,
        conn,
        error_handler: Mutex::new(None),
        close_callback: Mutex::new(None),
        app_refs: Mutex::new(1),
        refs: Mutex::new(1),
        event_domains: Mutex::new(FastMap::default()),
    });
    CONNECTIONS.lock().insert(handle.token, handle.clone());
    Ok(connection_ptr(&handle))
}

/// The open connection behind a pointer from C. A connection the application has closed
/// stays in the table while its domains hold it, but is refused here like a freed one.
pub(crate) fn connection(ptr: virConnectPtr, api: &str) -> Result<Arc<ConnHandle>> {
    let handle = any_connection(ptr, api)?;
    if handle.conn.is_closed() {
        return Err(VirError::new(VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, format!("{api}: the connection is closed")));
    }
    Ok(handle)
}

/// The connection behind a pointer from C, closed or not (for the calls that report on it).
pub(crate) fn any_connection(ptr: virConnectPtr, api: &str) -> Result<Arc<ConnHandle>> {
    if let Some(handle) = CONNECTIONS.lock().get(&(ptr as usize)).cloned() {
        set_current_connection(&handle);
        return Ok(handle);
    }
    // libvirt reports a bad connection in VIR_FROM_DOMAIN, like the calls' other arguments.
    Err(VirError::new(VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, api))
}

/// Whether `ptr` is a live connection (without making it the current call's).
pub(crate) fn is_connection(ptr: virConnectPtr) -> bool {
    CONNECTIONS.lock().contains_key(&(ptr as usize))
}

pub(crate) fn connection_ptr(handle: &ConnHandle) -> virConnectPtr {
    handle.token as virConnectPtr
}

/// virConnectRef; refused once the application's last reference is gone (the connection is
/// closed even if its domains still hold the handle).
pub(crate) fn ref_connection(handle: &Arc<ConnHandle>) -> Result<()> {
    let _table = CONNECTIONS.lock();
    let mut app_refs = handle.app_refs.lock();
    if *app_refs == 0 {
        return Err(VirError::new(VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, "virConnectRef: the connection is closed"));
    }
    *app_refs += 1;
    *handle.refs.lock() += 1;
    Ok(())
}

/// virConnectClose: gives back an application reference. The last one closes the connection
/// (its callbacks are deregistered); the handle itself lives on while domain handles use it.
/// Returns the references left.
pub(crate) fn close_connection(handle: &Arc<ConnHandle>) -> Result<usize> {
    let closing = {
        let _table = CONNECTIONS.lock();
        let mut app_refs = handle.app_refs.lock();
        if *app_refs == 0 {
            return Err(VirError::new(VIR_ERR_INVALID_CONN, VIR_FROM_NONE, "virConnectClose: the connection is already closed"));
        }
        *app_refs -= 1;
        *app_refs == 0
    };
    if closing {
        handle.conn.close();
        // Closed first, so that no callback caches a handle after this.
        let lent: Vec<Arc<DomainHandle>> = handle.event_domains.lock().drain().map(|(_, h)| h).collect();
        for h in &lent {
            free_domain(h);
        }
    }
    let mut table = CONNECTIONS.lock();
    let mut refs = handle.refs.lock();
    *refs -= 1;
    if *refs == 0 {
        table.remove(&handle.token);
    }
    Ok(*refs)
}

fn release_connection(handle: &Arc<ConnHandle>) {
    let mut table = CONNECTIONS.lock();
    let mut refs = handle.refs.lock();
    *refs -= 1;
    if *refs == 0 {
        table.remove(&handle.token);
    }
}

/// Hands a domain to C with one reference, which also holds its connection.
pub(crate) fn new_domain(conn: &Arc<ConnHandle>, dom: &DomainRef) -> Result<virDomainPtr> {
    Ok(domain_handle(conn, dom, None, 1)?.token as virDomainPtr)
}

fn domain_handle(conn: &Arc<ConnHandle>, dom: &DomainRef, snapshot: Option<Arc<Event>>, refs: usize) -> Result<Arc<DomainHandle>> {
    let handle = Arc::new(DomainHandle {
        token: next_token()?,
        conn: conn.clone(),
        name: dom.name.clone(),
        uuid: dom.uuid,
        id: AtomicI32::new(dom.id),
        held: Mutex::new(Held { refs, snapshot }),
    });
    *conn.refs.lock() += 1;
    DOMAINS.lock().insert(handle.token, handle.clone());
    Ok(handle)
}

/// The domain of an event, lent to a callback for one call; dropping it gives the call's
/// reference back (the handle stays valid after if the callback took one with virDomainRef).
pub(crate) struct LentDomain(Arc<DomainHandle>);

impl LentDomain {
    pub fn ptr(&self) -> virDomainPtr {
        self.0.token as virDomainPtr
    }
}

impl Drop for LentDomain {
    fn drop(&mut self) {
        {
            let mut held = self.0.held.lock();
            // Nobody kept it (only the cache and this call hold it): let the event go now,
            // while it is still in the CPU's cache, rather than when the domain's next event
            // comes.
            if held.refs == 2 {
                held.snapshot = None;
            }
            // The cache's reference remains: no need for the table (the common case, once per
            // callback).
            if held.refs > 1 {
                held.refs -= 1;
                return;
            }
        }
        free_domain(&self.0);
    }
}

/// Lends the domain of `event`, as it was at that event, to a callback on `conn`. The
/// connection's handle for that domain is reused when only its cache holds it and it still
/// carries the event's name (a UUID can be defined again under another name).
pub(crate) fn lend_event_domain(conn: &Arc<ConnHandle>, event: &Arc<Event>) -> Result<LentDomain> {
    let mut cache = conn.event_domains.lock();
    if let Some(cached) = cache.get(&event.uuid).filter(|cached| cached.name == *event.name()) {
        let mut held = cached.held.lock();
        if held.refs == 1 {
            held.refs += 1;
            cached.id.store(event.id, Ordering::Relaxed);
            held.snapshot = Some(event.clone());
            return Ok(LentDomain(cached.clone()));
        }
    }
    if conn.conn.is_closed() {
        return domain_handle(conn, &event.domain_ref(), Some(event.clone()), 1).map(LentDomain);
    }
    // One reference for the cache, one for the call.
    let handle = domain_handle(conn, &event.domain_ref(), Some(event.clone()), 2)?;
    let replaced = cache.insert(event.uuid, handle.clone());
    drop(cache);
    if let Some(old) = replaced {
        free_domain(&old);
    }
    Ok(LentDomain(handle))
}

/// Drops the connection's cached handle for a domain that no longer exists.
pub(crate) fn forget_event_domain(conn: &Arc<ConnHandle>, uuid: &Uuid) {
    let cached = conn.event_domains.lock().remove(uuid);
    if let Some(handle) = cached {
        free_domain(&handle);
    }
}

/// The domain behind a pointer from C.
pub(crate) fn domain(ptr: virDomainPtr, api: &str) -> Result<Arc<DomainHandle>> {
    if let Some(handle) = DOMAINS.lock().get(&(ptr as usize)).cloned() {
        set_current_connection(&handle.conn);
        return Ok(handle);
    }
    Err(VirError::new(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, api))
}

/// virDomainRef.
pub(crate) fn ref_domain(handle: &Arc<DomainHandle>) {
    let _table = DOMAINS.lock();
    handle.held.lock().refs += 1;
}

/// virDomainFree: the last reference removes the handle and gives back its connection reference.
pub(crate) fn free_domain(handle: &Arc<DomainHandle>) {
    {
        // Not the last reference: the handle stays in the table, which need not be locked.
        let mut held = handle.held.lock();
        if held.refs > 1 {
            held.refs -= 1;
            return;
        }
    }
    // Perhaps the last: the table is locked first, so that no lookup finds the handle between
    // its count reaching 0 and its removal (another reference may have come meanwhile).
    let last = {
        let mut table = DOMAINS.lock();
        let mut held = handle.held.lock();
        held.refs -= 1;
        if held.refs == 0 {
            table.remove(&handle.token);
        }
        held.refs == 0
    };
    if last {
        release_connection(&handle.conn);
    }
}

/// A domain name as a C string, valid while `name` (or a clone of it) lives.
pub(crate) fn c_name(name: &DomainName) -> *const std::ffi::c_char {
    // SAFETY: DomainName stores its bytes with exactly one NUL, at the end.
    unsafe { std::ffi::CStr::from_bytes_with_nul_unchecked(name.as_bytes_with_nul()) }.as_ptr()
}

/// An event stream given to C (virConnectEventStreamOpen).
pub(crate) struct StreamHandle {
    /// What C holds for this stream.
    token: usize,
    /// Whose error handler hears the stream's errors. Not a reference the connection counts:
    /// closing the connection ends the stream instead.
    pub conn: Arc<ConnHandle>,
    pub stream: EventStream,
    /// The events the last read handed out, kept until the next read or the close; locked by
    /// the one reader.
    pub last_read: Mutex<LastRead>,
}

static STREAMS: Lazy<Mutex<FastMap<usize, Arc<StreamHandle>>>> = Lazy::new(Default::default);

/// Hands a new stream to C.
pub(crate) fn new_stream(conn: &Arc<ConnHandle>, stream: EventStream) -> Result<virConnectEventStreamPtr> {
    let handle = Arc::new(StreamHandle { token: next_token()?, conn: conn.clone(), stream, last_read: Mutex::default() });
    STREAMS.lock().insert(handle.token, handle.clone());
    Ok(handle.token as virConnectEventStreamPtr)
}

fn stream_error(api: &str) -> VirError {
    VirError::new(VIR_ERR_INVALID_STREAM, VIR_FROM_STREAMS, api)
}

/// The stream behind a pointer from C.
pub(crate) fn stream(ptr: virConnectEventStreamPtr, api: &str) -> Result<Arc<StreamHandle>> {
    let handle = STREAMS.lock().get(&(ptr as usize)).cloned().ok_or_else(|| stream_error(api))?;
    set_current_connection(&handle.conn);
    Ok(handle)
}

/// Takes the stream behind a pointer from C out of the table (virConnectEventStreamClose).
pub(crate) fn remove_stream(ptr: virConnectEventStreamPtr, api: &str) -> Result<Arc<StreamHandle>> {
    let handle = STREAMS.lock().remove(&(ptr as usize)).ok_or_else(|| stream_error(api))?;
    set_current_connection(&handle.conn);
    Ok(handle)
}
