//! virtevent's event streams: the generic registration's events, read in batches by the
//! application (see `events::stream` for how they are fed without an event loop). This file
//! turns the events of each read into `virConnectEvent`s that stay valid until the next read.

use super::events::domain_filter;
use super::generic_events::{c_event, event_filter, CEventParts, VIR_CONNECT_EVENT_REGISTER_BOOKMARKS, VIR_CONNECT_EVENT_REGISTER_SINCE};
use super::handles;
use super::types::*;
use super::{entry, opt_str_arg};
use crate::abi::*;
use crate::error::VirError;
use crate::events::registry::{Filter, Start};
use crate::events::stream::EventStream;
use crate::events::Event;
use std::ffi::{c_char, c_int, c_uint, c_ulonglong};
use std::sync::Arc;
use std::time::Duration;

/// One event handed out by a read, in the form C sees. Boxed, so that what `c` points into
/// (`event`, `parts`) never moves while C holds the pointer.
struct Slot {
    event: Option<Arc<Event>>,
    parts: CEventParts,
    c: virConnectEvent,
}

// SAFETY: the pointers in `c` point only into `event` (shared, immutable) and `parts` (owned by
// the slot), so the slot may move to another thread with what it points into.
unsafe impl Send for Slot {}

/// What the last read handed out, kept until the next read or the close.
#[derive(Default)]
pub(crate) struct LastRead {
    /// Reused from read to read; the first `n` hold the last read's events.
    slots: Vec<Box<Slot>>,
    /// The events of the read in progress, before they are converted.
    taken: Vec<Arc<Event>>,
}

impl LastRead {
    /// Converts the events just taken into the first slots, releasing the previous read's.
    fn convert(&mut self, filter: &Filter) -> &[Box<Slot>] {
        let n = self.taken.len();
        for slot in &mut self.slots {
            slot.event = None;
        }
        while self.slots.len() < n {
            // SAFETY: integers and pointers, for which all-zero is a valid value.
            let c = unsafe { std::mem::zeroed() };
            self.slots.push(Box::new(Slot { event: None, parts: CEventParts::default(), c }));
        }
        for (slot, event) in self.slots.iter_mut().zip(self.taken.drain(..)) {
            let event = slot.event.insert(event);
            slot.c = c_event(event, filter.reported_id(event), &mut slot.parts);
        }
        &self.slots[..n]
    }
}

/// virtevent extension: opens a stream of the events of domain `dom` (NULL: of every domain)
/// named `eventname` (NULL: of every kind) on `conn`: the selection, ordering and guarantees
/// of virConnectEventRegisterFlags, but read in batches with virConnectEventStreamRead instead
/// of called back. It needs no event loop (no virEventRegister*Impl) and no thread.
///
/// `flags`: VIR_CONNECT_EVENT_REGISTER_SINCE first delivers, in order, every matching event
/// after revision `sinceVersion` (otherwise ignored), then the live ones, with no gap and no
/// duplicate; it fails with VIR_ERR_RESOURCE_VERSION_EXPIRED when the history no longer
/// reaches back that far (relist), and with VIR_ERR_INVALID_ARG for a version newer than the
/// backend. VIR_CONNECT_EVENT_REGISTER_BOOKMARKS adds a "bookmark" event (only
/// `resourceVersion` set: everything up to it has been read) whenever nothing was read for the
/// bookmark interval (virConnectSetEventBookmarkInterval, read at each delivery).
///
/// A stream that falls further behind than the event history (virConnectSetEventHistorySize)
/// gets one "expired" event, after which reads return 0 at once: close it, relist, and open
/// another. Closing `conn` ends its streams: reads then fail with VIR_ERR_INVALID_CONN, but each
/// stream must still be closed.
///
/// Returns the stream, to be closed with virConnectEventStreamClose, or NULL.
///
/// # Safety
/// `eventname` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn virConnectEventStreamOpen(
    conn: virConnectPtr,
    dom: virDomainPtr,
    eventname: *const c_char,
    sinceVersion: c_ulonglong,
    flags: c_uint,
) -> virConnectEventStreamPtr {
    entry("virConnectEventStreamOpen", || {
        let api = "virConnectEventStreamOpen";
        let conn = handles::connection(conn, api)?;
        let known = VIR_CONNECT_EVENT_REGISTER_SINCE | VIR_CONNECT_EVENT_REGISTER_BOOKMARKS;
        if flags & !known != 0 {
            return Err(VirError::invalid_arg(format!("{api}: unsupported flags (0x{:x})", flags & !known)));
        }
        let event_id = event_filter(opt_str_arg(eventname, "eventname", api)?, api)?;
        let domain = domain_filter(&conn, dom, api)?;
        let start = if flags & VIR_CONNECT_EVENT_REGISTER_SINCE != 0 { Start::Since(sinceVersion) } else { Start::Now };
        let bookmarks = flags & VIR_CONNECT_EVENT_REGISTER_BOOKMARKS != 0;
        let bus = conn.conn.driver().events().clone();
        let stream = EventStream::open(&bus, conn.conn.id, Filter { event_id, domain }, start, bookmarks, || !conn.conn.is_closed())?;
        handles::new_stream(&conn, stream)
    })
}

/// virtevent extension: a descriptor that is readable exactly while virConnectEventStreamRead
/// would return at once (events, a due bookmark, the expiry, or the error of a stream whose
/// connection was closed), for poll(), epoll, or another language's event loop. It belongs
/// to the stream: do not read from it or close it; it is valid until virConnectEventStreamClose.
/// Returns the descriptor or -1.
#[no_mangle]
pub extern "C" fn virConnectEventStreamFD(stream: virConnectEventStreamPtr) -> c_int {
    entry("virConnectEventStreamFD", || Ok(handles::stream(stream, "virConnectEventStreamFD")?.stream.fd()))
}

/// virtevent extension: reads up to `maxevents` (at least 1) events into `events`, oldest
/// first, waiting up to `timeout_ms` for the first (0: do not wait, -1: without limit).
/// Returns how many were read (0: the time ran out, or the stream expired earlier), or -1.
///
/// `events[i]` and everything it points to belong to the stream and stay valid until the next
/// virConnectEventStreamRead or virConnectEventStreamClose of this stream. Each event is what
/// the generic callback would receive; the stream's own events are "bookmark" and, last,
/// "expired".
///
/// Threads: one reader per stream (a read while another thread reads the same stream fails
/// with VIR_ERR_OPERATION_INVALID); the other calls may come from any thread.
/// virConnectEventStreamClose from another thread wakes a blocked read, which then fails with
/// VIR_ERR_INVALID_STREAM. After the stream's connection is closed, reads fail with
/// VIR_ERR_INVALID_CONN.
///
/// # Safety
/// `events` is NULL or has room for `maxevents` pointers.
#[no_mangle]
pub unsafe extern "C" fn virConnectEventStreamRead(
    stream: virConnectEventStreamPtr,
    events: *mut *const virConnectEvent,
    maxevents: c_int,
    timeout_ms: c_int,
) -> c_int {
    entry("virConnectEventStreamRead", || {
        let api = "virConnectEventStreamRead";
        let handle = handles::stream(stream, api)?;
        if events.is_null() {
            return Err(VirError::invalid_arg(format!("{api}: events must not be NULL")));
        }
        if maxevents < 1 {
            return Err(VirError::invalid_arg(format!("{api}: maxevents must be at least 1, not {maxevents}")));
        }
        let timeout = match timeout_ms {
            -1 => None,
            ms if ms >= 0 => Some(Duration::from_millis(ms as u64)),
            ms => return Err(VirError::invalid_arg(format!("{api}: timeout_ms must be -1, 0 or positive, not {ms}"))),
        };
        let Some(mut last) = handle.last_read.try_lock() else {
            return Err(VirError::new(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_STREAMS,
                format!("{api}: another thread is reading this stream (one reader per stream)"),
            ));
        };
        handle.stream.read(maxevents as usize, timeout, &mut last.taken)?;
        let slots = last.convert(&handle.stream.filter());
        for (i, slot) in slots.iter().enumerate() {
            *events.add(i) = &slot.c;
        }
        Ok(slots.len() as c_int)
    })
}

/// virtevent extension: closes a stream: its descriptor and the events of its last read are
/// released (once a read blocked in another thread has returned, with an error). Returns 0,
/// or -1 for a stream that is not open.
#[no_mangle]
pub extern "C" fn virConnectEventStreamClose(stream: virConnectEventStreamPtr) -> c_int {
    entry("virConnectEventStreamClose", || {
        let handle = handles::remove_stream(stream, "virConnectEventStreamClose")?;
        handle.stream.close();
        Ok(0)
    })
}
