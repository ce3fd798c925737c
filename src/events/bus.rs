//! Per-backend event bus. A backend publishes each change while it commits it, so the log
//! holds events in commit order; the log is also the bounded history that watches replay from.
//! Events are delivered later from the application's event loop, with no lock of ours held
//! while a callback runs.
//!
//! Every published event gets a sequence number. Registrations of libvirt's kind receive the
//! live stream from the point they registered. A watch (a registration since a revision) first
//! replays the history after its revision, then joins the live stream exactly where its replay
//! ended; if its undelivered backlog ever outgrows the history it receives one `expired`
//! event and is removed, so nothing is ever dropped silently.

use super::registry::{Callback, NewRegistration, Registration, Registry, Start, Style};
use crate::ffi::AppCallback;
use super::stream::{Feed, Position, Streams};
use super::{Event, EventKind};
use crate::abi::*;
use crate::error::{Result, VirError};
use crate::eventloop::{self, EventLoopImpl};
use crate::fasthash::FastMap;
use parking_lot::{Mutex, RwLock};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Instant;

/// Events kept for watches by default.
pub(crate) const DEFAULT_HISTORY_SIZE: usize = 4096;
/// A definition at least this long counts towards the history's byte budget.
const LARGE_DEFINITION_BYTES: usize = 16 << 10;
/// The most bytes of large definitions the history keeps alive (each counted once however many
/// events share it): past it, the oldest events go even if the history has room for more, so
/// that thousands of versions of multi-megabyte domains cannot pin gigabytes. Small
/// definitions are bounded by the event count alone (4,096 × 16 KiB at most).
const HISTORY_LARGE_DEFINITIONS_BUDGET: usize = 64 << 20;
/// How long a registration that asked for bookmarks may go without any event, by default.
pub(crate) const DEFAULT_BOOKMARK_INTERVAL_MS: u32 = 5000;

/// The loop timer through which queued events are flushed (libvirt's approach: a timeout
/// that is enabled at 0 ms while there is something to deliver).
struct FlushTimer {
    owner: Arc<dyn EventLoopImpl>,
    id: i32,
}

struct Log<C: Callback> {
    events: VecDeque<Arc<Event>>,
    /// Sequence number of `events[0]`.
    first_seq: u64,
    /// Sequence number of the next event the live stream delivers.
    dispatched: u64,
    capacity: usize,
    /// The newest revision whose event is no longer in the history.
    trimmed_revision: u64,
    /// The backend's current revision: that of its newest event.
    revision: u64,
    registrations: usize,
    /// Registrations of libvirt's kind: while one exists, undelivered events are kept (as
    /// libvirt queues them) even past the history size.
    plain: usize,
    watches: Vec<Arc<Registration<C>>>,
    /// Registrations that asked for bookmarks.
    bookmarked: Vec<Arc<Registration<C>>>,
    bookmark_interval_ms: u32,
    /// Event streams, fed as events are published (they need no loop).
    streams: Streams,
    /// The large definitions the history's events hold: by address, how many events hold each
    /// and its length; and the sum of those lengths.
    large_definitions: FastMap<usize, (usize, usize)>,
    large_definition_bytes: usize,
}

impl<C: Callback> Log<C> {
    fn next_seq(&self) -> u64 {
        self.first_seq + self.events.len() as u64
    }

    /// Events with sequence numbers in `from..to`, with their numbers.
    fn range(&self, from: u64, to: u64) -> Vec<(u64, Arc<Event>)> {
        let from = from.max(self.first_seq);
        (from..to).map(|seq| (seq, self.events[(seq - self.first_seq) as usize].clone())).collect()
    }

    fn push(&mut self, event: Arc<Event>) {
        if let Some(def) = event.def.as_ref().filter(|d| d.xml_len() >= LARGE_DEFINITION_BYTES) {
            let (holders, bytes) = self.large_definitions.entry(Arc::as_ptr(def) as usize).or_insert((0, def.xml_len()));
            if *holders == 0 {
                self.large_definition_bytes += *bytes;
            }
            *holders += 1;
        }
        self.events.push_back(event);
    }

    fn trim(&mut self) {
        while self.events.len() > self.capacity
            || (self.large_definition_bytes > HISTORY_LARGE_DEFINITIONS_BUDGET && self.events.len() > 1)
        {
            if self.plain > 0 && self.first_seq >= self.dispatched {
                break;
            }
            let oldest = self.events.pop_front().expect("longer than capacity");
            // Read the (cold) definition of an event this old only if some large one is held:
            // with thousands of domains, that read is a cache miss per event.
            let any_large = !self.large_definitions.is_empty();
            if let Some(def) = oldest.def.as_ref().filter(|d| any_large && d.xml_len() >= LARGE_DEFINITION_BYTES) {
                let key = Arc::as_ptr(def) as usize;
                if let Some((holders, bytes)) = self.large_definitions.get_mut(&key) {
                    *holders -= 1;
                    if *holders == 0 {
                        self.large_definition_bytes -= *bytes;
                        self.large_definitions.remove(&key);
                    }
                }
            }
            self.trimmed_revision = oldest.revision;
            self.first_seq += 1;
        }
    }

    /// Drops every reference the log keeps to a registration leaving the bus (a watch the
    /// bus ended is already out of `watches`), so that its finalizer can run.
    fn forget(&mut self, reg: &Arc<Registration<C>>) {
        self.registrations -= 1;
        if reg.wants_bookmarks() {
            self.bookmarked.retain(|b| !Arc::ptr_eq(b, reg));
        }
        if reg.is_watch() {
            self.watches.retain(|w| !Arc::ptr_eq(w, reg));
        } else {
            self.plain -= 1;
        }
    }

    /// The sequence number of the first event after `revision`, for a replay from there: refused
    /// when the history no longer reaches back that far, or when `revision` is in the future.
    fn replay_start(&self, revision: u64) -> Result<u64> {
        if revision > self.revision {
            return Err(VirError::invalid_arg(format!(
                "resource version {revision} is newer than this hypervisor's current revision {}: it comes from another hypervisor instance",
                self.revision
            )));
        }
        if revision < self.trimmed_revision {
            return Err(VirError::new(
                VIR_ERR_RESOURCE_VERSION_EXPIRED,
                VIR_FROM_DOMAIN,
                format!(
                    "the event history starts after revision {}, so events since revision {revision} are gone; list again and watch from the list's version",
                    self.trimmed_revision
                ),
            ));
        }
        Ok(self.first_seq + self.events.partition_point(|e| e.revision <= revision) as u64)
    }

    /// Events numbered below this have left the history (or would have, for a reader that
    /// still has them).
    fn oldest_kept(&self) -> u64 {
        self.next_seq().saturating_sub(self.capacity as u64)
    }

    fn has_work(&self) -> bool {
        self.dispatched < self.next_seq() || self.watches.iter().any(|w| !w.is_live())
    }
}

/// What one round of a flush delivers.
struct Round<C: Callback> {
    expired: Vec<Arc<Registration<C>>>,
    catch_up: Vec<(Arc<Registration<C>>, Vec<(u64, Arc<Event>)>)>,
    live: Vec<(u64, Arc<Event>)>,
    revision: u64,
    /// Some registration wants bookmarks, so deliveries are timed.
    bookmarked: bool,
}

impl<C: Callback> Default for Round<C> {
    fn default() -> Self {
        Round { expired: Vec::new(), catch_up: Vec::new(), live: Vec::new(), revision: 0, bookmarked: false }
    }
}

impl<C: Callback> Round<C> {
    fn is_empty(&self) -> bool {
        self.expired.is_empty() && self.catch_up.is_empty() && self.live.is_empty()
    }
}

/// Marks the current thread as the bus's flusher while it lives.
struct FlusherMark<'a>(&'a AtomicUsize);

impl<'a> FlusherMark<'a> {
    fn new(flusher: &'a AtomicUsize) -> Self {
        flusher.store(this_thread(), Ordering::Release);
        FlusherMark(flusher)
    }
}

thread_local! {
    static THREAD_MARK: u8 = const { 0 };
}

/// The running thread, told apart from every other live thread by the address of a
/// thread-local (cheaper than `thread::current().id()`, which clones the thread's handle). Only
/// compared with the mark of a thread that is still running: a finished thread's address may
/// come back.
fn this_thread() -> usize {
    THREAD_MARK.with(|mark| mark as *const u8 as usize)
}

impl Drop for FlusherMark<'_> {
    fn drop(&mut self) {
        self.0.store(0, Ordering::Release);
    }
}

/// The library's buses carry the application's C callbacks (`AppCallback`), one type for all,
/// so that the registry reaches its registrations through thin pointers.
pub struct EventBus<C: Callback = AppCallback> {
    registry: RwLock<Registry<C>>,
    /// Lock order: `log` before `registry`.
    log: Mutex<Log<C>>,
    /// The loop timer that runs `flush`, made by the first registration (set once, then read
    /// without a lock on every kick and flush).
    timer: OnceLock<FlushTimer>,
    /// Held while the timer is being made.
    making_timer: Mutex<()>,
    armed: AtomicBool,
    flushing: Mutex<()>,
    /// The thread running `flush`, the only one that calls callbacks (`this_thread()`'s mark;
    /// 0: nobody). Only the flusher itself ever finds its own mark there.
    flusher: AtomicUsize,
    bookmark_timer: Mutex<Option<FlushTimer>>,
    bookmark_due: AtomicBool,
    /// The clock bookmarks are measured on.
    epoch: Instant,
}

impl<C: Callback> EventBus<C> {
    pub fn new() -> Arc<Self> {
        Arc::new(EventBus {
            registry: RwLock::new(Registry::default()),
            log: Mutex::new(Log {
                events: VecDeque::new(),
                first_seq: 0,
                dispatched: 0,
                capacity: DEFAULT_HISTORY_SIZE,
                trimmed_revision: 0,
                revision: 0,
                registrations: 0,
                plain: 0,
                watches: Vec::new(),
                bookmarked: Vec::new(),
                bookmark_interval_ms: DEFAULT_BOOKMARK_INTERVAL_MS,
                streams: Streams::default(),
                large_definitions: FastMap::default(),
                large_definition_bytes: 0,
            }),
            timer: OnceLock::new(),
            making_timer: Mutex::new(()),
            armed: AtomicBool::new(false),
            flushing: Mutex::new(()),
            flusher: AtomicUsize::new(0),
            bookmark_timer: Mutex::new(None),
            bookmark_due: AtomicBool::new(false),
            epoch: Instant::now(),
        })
    }

    /// Registers a callback; the first registration hooks the bus into the current event loop.
    /// `open` says whether the registering connection is still open; it is asked under the lock
    /// that `deregister_connection` takes, so a registration racing a close is either refused or
    /// removed by that close, never left behind.
    pub fn register(self: &Arc<Self>, new: NewRegistration<C>, open: impl Fn() -> bool) -> Result<i32> {
        self.ensure_timer()?;
        if new.bookmarks {
            self.ensure_bookmark_timer()?;
        }
        let added = {
            let mut log = self.log.lock();
            if !open() {
                return Err(VirError::new(VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, "the connection is closed"));
            }
            let (live, from_seq) = match new.start {
                Start::Now => (true, log.dispatched),
                Start::Since(revision) => (false, log.replay_start(revision)?),
            };
            let added = self.registry.write().add(new, live, from_seq);
            if let Ok(reg) = &added {
                if reg.wants_bookmarks() {
                    reg.note_delivery(self.now_ms());
                    log.bookmarked.push(reg.clone());
                }
                log.registrations += 1;
                if reg.is_watch() {
                    log.watches.push(reg.clone());
                } else {
                    log.plain += 1;
                }
            }
            added
        };
        match added {
            Ok(reg) => {
                // A watch has a replay to deliver; a live registration only what is already
                // pending, for which the loop was kicked when it was published.
                if reg.is_watch() {
                    self.kick();
                }
                Ok(reg.id)
            }
            // The refused registration is dropped here, outside the lock; as in libvirt its free
            // callback does not run (the caller still owns opaque).
            Err((e, _refused)) => Err(e),
        }
    }

    pub fn deregister(&self, conn_id: u64, id: i32, style: Style) -> Result<()> {
        let removed = {
            let mut log = self.log.lock();
            let removed = self.registry.write().remove(conn_id, id, style)?;
            log.forget(&removed);
            removed
        };
        removed.retire(self.on_flushing_thread());
        Ok(())
    }

    /// The ID of a connection's legacy registration of `callback_key`.
    pub fn find_legacy(&self, conn_id: u64, callback_key: usize) -> Option<i32> {
        self.registry.read().find_legacy(conn_id, callback_key)
    }

    /// Removes every registration of a closing connection. Their finalizers run before this
    /// returns, after waiting for a call of theirs running on another thread; from inside one of
    /// their own calls, that one's runs when the call returns.
    /// The connection's streams end.
    pub fn deregister_connection(&self, conn_id: u64) {
        let (removed, streams): (Vec<Arc<Registration<C>>>, Vec<Arc<Feed>>) = {
            let mut log = self.log.lock();
            let removed = self.registry.write().remove_connection(conn_id);
            for reg in &removed {
                log.forget(reg);
            }
            (removed, log.streams.remove_connection(conn_id))
        };
        let on_flushing_thread = self.on_flushing_thread();
        for reg in removed {
            reg.retire(on_flushing_thread);
        }
        for feed in streams {
            feed.end_with_connection();
        }
    }

    /// Adds a stream's feed, first filling it from the history when it starts at a revision, so
    /// that the replay and the live events meet with no gap and no duplicate. `open` is asked
    /// under the lock `deregister_connection` takes.
    pub(super) fn open_stream(&self, feed: &Arc<Feed>, start: Start, open: impl Fn() -> bool) -> Result<()> {
        let mut log = self.log.lock();
        if !open() {
            return Err(VirError::new(VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, "the connection is closed"));
        }
        if let Start::Since(revision) = start {
            let (from, oldest_kept) = (log.replay_start(revision)?, log.oldest_kept());
            for seq in from..log.next_seq() {
                let event = &log.events[(seq - log.first_seq) as usize];
                if feed.filter.matches(event) {
                    feed.push(seq, event, oldest_kept);
                }
            }
        }
        log.streams.insert(feed.clone());
        Ok(())
    }

    pub(super) fn close_stream(&self, feed: &Arc<Feed>) {
        self.log.lock().streams.remove(feed);
    }

    pub(super) fn stream_position(&self) -> Position {
        let log = self.log.lock();
        Position {
            oldest_kept: log.oldest_kept(),
            revision: log.revision,
            bookmark_interval: std::time::Duration::from_millis(log.bookmark_interval_ms.into()),
        }
    }

    #[cfg(test)]
    pub(super) fn log_streams_empty(&self) -> bool {
        self.log.lock().streams.is_empty()
    }

    /// Records an event. Called by a backend while it holds its own lock, so that the log
    /// order is the commit order; call `kick` once that lock is released.
    pub fn publish(&self, event: Event) {
        let mut log = self.log.lock();
        log.revision = log.revision.max(event.revision);
        log.push(Arc::new(event));
        if !log.streams.is_empty() {
            let (seq, oldest_kept) = (log.next_seq() - 1, log.oldest_kept());
            let log = &*log;
            log.streams.feed(seq, log.events.back().expect("just pushed"), oldest_kept);
        }
        if log.registrations == 0 {
            log.dispatched = log.next_seq();
        }
        log.trim();
    }

    /// The events still in the history, oldest first.
    #[cfg(test)]
    pub(crate) fn history(&self) -> Vec<Arc<Event>> {
        self.log.lock().events.iter().cloned().collect()
    }

    pub fn set_history_size(&self, size: usize) -> Result<()> {
        if size == 0 {
            return Err(VirError::invalid_arg("the event history must hold at least one event"));
        }
        let mut log = self.log.lock();
        log.capacity = size;
        log.trim();
        Ok(())
    }

    /// How long a registration that asked for bookmarks may go without any event.
    pub fn bookmark_interval_ms(&self) -> u32 {
        self.log.lock().bookmark_interval_ms
    }

    pub fn set_bookmark_interval_ms(&self, interval_ms: u32) -> Result<()> {
        if interval_ms == 0 || interval_ms > i32::MAX as u32 {
            return Err(VirError::invalid_arg(format!("bookmark interval {interval_ms} ms is out of range (1 to {} ms)", i32::MAX)));
        }
        self.log.lock().bookmark_interval_ms = interval_ms;
        if let Some(timer) = &*self.bookmark_timer.lock() {
            timer.owner.update_timeout(timer.id, interval_ms as i32);
        }
        Ok(())
    }

    /// Whether the current thread is this bus's flusher (then a running call is its own).
    fn on_flushing_thread(&self) -> bool {
        self.flusher.load(Ordering::Acquire) == this_thread()
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Asks the event loop to flush soon. Never call with a backend lock held: it calls into
    /// the application's loop implementation.
    pub fn kick(&self) {
        // Already armed: the flush to come disarms before it reads the log, so it will see
        // what was published before this kick (no need to take the log's lock to know).
        if self.armed.load(Ordering::Acquire) {
            return;
        }
        if !self.log.lock().has_work() || self.armed.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(timer) = self.timer.get() {
            timer.owner.update_timeout(timer.id, 0);
        }
    }

    /// Delivers everything pending, in order. Runs from the event loop; a nested or concurrent
    /// call returns at once (the running one delivers everything).
    pub fn flush(&self) {
        let Some(_running) = self.flushing.try_lock() else { return };
        let _flusher = FlusherMark::new(&self.flusher);
        // Disarm before clearing the flag: a kick that sees the flag still set was preceded
        // by its publish, so the rounds below pick that event up.
        if let Some(timer) = self.timer.get() {
            timer.owner.update_timeout(timer.id, -1);
        }
        self.armed.store(false, Ordering::Release);
        let mut targets = Vec::new();
        loop {
            let round = self.next_round();
            if round.is_empty() {
                break;
            }
            let now = if round.bookmarked { self.now_ms() } else { 0 };
            for reg in round.expired {
                reg.deliver(&Arc::new(Event::about_the_watch(round.revision, EventKind::Expired)));
                self.end_watch(&reg);
            }
            for (reg, events) in round.catch_up {
                for (_, event) in events {
                    if reg.filter().matches(&event) {
                        reg.note_delivery(now);
                        reg.deliver(&event);
                    }
                }
            }
            for (seq, event) in round.live {
                self.registry.read().matching(&event, seq, &mut targets);
                for reg in targets.drain(..) {
                    reg.note_delivery(now);
                    reg.deliver(&event);
                }
            }
        }
        if self.bookmark_due.swap(false, Ordering::AcqRel) {
            self.send_bookmarks();
        }
    }

    /// Tells each idle registration that asked for bookmarks how far the backend has got. Only
    /// when everything is delivered: a bookmark must never claim a revision whose events the
    /// registration has not received yet.
    fn send_bookmarks(&self) {
        let now = self.now_ms();
        let (revision, idle) = {
            let log = self.log.lock();
            if log.has_work() {
                return;
            }
            let interval = u64::from(log.bookmark_interval_ms);
            let idle: Vec<Arc<Registration<C>>> = log
                .bookmarked
                .iter()
                .filter(|r| r.is_live() && now.saturating_sub(r.last_delivery_ms()) >= interval)
                .cloned()
                .collect();
            (log.revision, idle)
        };
        if idle.is_empty() {
            return;
        }
        let bookmark = Arc::new(Event::about_the_watch(revision, EventKind::Bookmark));
        for reg in idle {
            reg.note_delivery(now);
            reg.deliver(&bookmark);
        }
    }

    fn next_round(&self) -> Round<C> {
        let mut log = self.log.lock();
        let next = log.next_seq();
        let capacity = log.capacity as u64;
        let mut round = Round { revision: log.revision, bookmarked: !log.bookmarked.is_empty(), ..Round::default() };
        let dispatched = log.dispatched;
        for watch in &log.watches {
            let cursor = if watch.is_live() { dispatched } else { watch.from_seq() };
            if cursor < log.first_seq || next - cursor > capacity {
                round.expired.push(watch.clone());
            } else if !watch.is_live() {
                round.catch_up.push((watch.clone(), log.range(cursor, next)));
                // It joins the live stream where its replay ends: no gap, no duplicate.
                watch.go_live(next);
            }
        }
        // An expired watch leaves the stream now; its registration goes once it has been told.
        log.watches.retain(|w| !round.expired.iter().any(|e| Arc::ptr_eq(e, w)));
        round.live = log.range(dispatched, next);
        log.dispatched = next;
        log.trim();
        round
    }

    /// Removes a watch the bus ended (unless its callback already deregistered it).
    fn end_watch(&self, reg: &Arc<Registration<C>>) {
        let removed = {
            let mut log = self.log.lock();
            // Registration IDs are never reused, so the ID still names this watch if present.
            let taken = self.registry.write().take(reg.id);
            if let Some(taken) = &taken {
                log.forget(taken);
            }
            taken
        };
        if let Some(reg) = removed {
            reg.retire(self.on_flushing_thread());
        }
    }

    fn ensure_bookmark_timer(self: &Arc<Self>) -> Result<()> {
        let mut timer = self.bookmark_timer.lock();
        if timer.is_some() {
            return Ok(());
        }
        let owner = eventloop::current_impl().ok_or_else(|| VirError::internal("could not initialize the bookmark timer: no event loop implementation is registered"))?;
        let bus: Weak<Self> = Arc::downgrade(self);
        let interval = self.bookmark_interval_ms() as i32;
        let id = owner.add_timeout(
            interval,
            Box::new(move |_| {
                if let Some(bus) = bus.upgrade() {
                    bus.bookmark_due.store(true, Ordering::Release);
                    bus.flush();
                }
            }),
            None,
        );
        if id < 0 {
            return Err(VirError::internal("could not initialize the bookmark timer"));
        }
        *timer = Some(FlushTimer { owner, id });
        Ok(())
    }

    fn ensure_timer(self: &Arc<Self>) -> Result<()> {
        if self.timer.get().is_some() {
            return Ok(());
        }
        let _making = self.making_timer.lock();
        if self.timer.get().is_some() {
            return Ok(());
        }
        let owner = eventloop::current_impl()
            .ok_or_else(|| VirError::internal("could not initialize domain event timer: no event loop implementation is registered (call virEventRegisterDefaultImpl first)"))?;
        let bus: Weak<Self> = Arc::downgrade(self);
        let id = owner.add_timeout(
            -1,
            Box::new(move |_| {
                if let Some(bus) = bus.upgrade() {
                    bus.flush();
                }
            }),
            None,
        );
        if id < 0 {
            return Err(VirError::internal("could not initialize domain event timer"));
        }
        let _ = self.timer.set(FlushTimer { owner, id });
        Ok(())
    }
}

impl<C: Callback> Drop for EventBus<C> {
    fn drop(&mut self) {
        for timer in [self.timer.take(), self.bookmark_timer.get_mut().take()].into_iter().flatten() {
            timer.owner.remove_timeout(timer.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::registry::Filter;
    use std::sync::atomic::AtomicUsize;
    use uuid::Uuid;

    fn event(revision: u64) -> Event {
        Event {
            revision,
            timestamp_us: 0,
            uuid: Uuid::from_u128(7),
            id: 1,
            state: VIR_DOMAIN_RUNNING,
            reason: 0,
            def: None,
            kind: EventKind::Lifecycle { event: VIR_DOMAIN_EVENT_RESUMED, detail: 0 },
        }
    }

    /// What one registration saw: revisions, with 0 preceding an expiry's revision and
    /// u64::MAX preceding a bookmark's.
    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<u64>>>, Arc<AtomicUsize>);

    impl Callback for Seen {
        fn conn_id(&self) -> u64 {
            1
        }
        fn function(&self) -> usize {
            Arc::as_ptr(&self.0) as usize
        }
        fn call(&self, e: &Arc<Event>, _: Style, _: Filter) {
            let mut seen = self.0.lock();
            match e.kind {
                EventKind::Expired => seen.extend([0, e.revision]),
                EventKind::Bookmark => seen.extend([u64::MAX, e.revision]),
                _ => seen.push(e.revision),
            }
        }
        fn release(&self) {
            self.1.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl Seen {
        fn registration(&self, start: Start, bookmarks: bool) -> NewRegistration<Seen> {
            NewRegistration {
                style: Style::Generic,
                filter: Filter { event_id: None, domain: None },
                start,
                bookmarks,
                callback: self.clone(),
            }
        }
        fn take(&self) -> Vec<u64> {
            std::mem::take(&mut *self.0.lock())
        }
        fn frees(&self) -> usize {
            self.1.load(Ordering::SeqCst)
        }
    }

    fn bus() -> Arc<EventBus<Seen>> {
        eventloop::register_default_impl();
        EventBus::new()
    }

    fn publish(bus: &EventBus<Seen>, revisions: std::ops::RangeInclusive<u64>) {
        for r in revisions {
            bus.publish(event(r));
        }
    }

    #[test]
    fn watch_replays_history_then_joins_live_stream_without_gap_or_duplicate() {
        let bus = bus();
        let (plain, watch) = (Seen::default(), Seen::default());
        publish(&bus, 1..=10);
        bus.register(plain.registration(Start::Now, false), || true).unwrap();
        bus.register(watch.registration(Start::Since(4), false), || true).unwrap();
        publish(&bus, 11..=12);
        bus.flush();
        publish(&bus, 13..=13);
        bus.flush();
        assert_eq!(watch.take(), (5..=13).collect::<Vec<_>>());
        assert_eq!(plain.take(), vec![11, 12, 13], "libvirt's kind sees what came after it registered");
    }

    #[test]
    fn watch_registered_mid_stream_sees_the_undelivered_part_once() {
        let bus = bus();
        let (plain, watch) = (Seen::default(), Seen::default());
        bus.register(plain.registration(Start::Now, false), || true).unwrap();
        publish(&bus, 1..=5);
        bus.register(watch.registration(Start::Since(2), false), || true).unwrap();
        publish(&bus, 6..=6);
        bus.flush();
        assert_eq!(plain.take(), (1..=6).collect::<Vec<_>>());
        assert_eq!(watch.take(), (3..=6).collect::<Vec<_>>());
    }

    #[test]
    fn large_definitions_are_bounded_by_bytes_counted_once() {
        let bus = bus();
        let big = |tag: u64| {
            let xml = format!(
                "<domain type='test'><name>big</name><description>{tag}{}</description><memory>1024</memory><os><type>hvm</type></os></domain>",
                "x".repeat(1 << 20)
            );
            Arc::new(crate::model::def::DomainDef::parse(&xml).unwrap())
        };
        // One 1 MiB definition shared by every event: counted once, so the history keeps them all.
        let shared = big(0);
        for r in 1..=200 {
            bus.publish(Event { def: Some(shared.clone()), ..event(r) });
        }
        assert_eq!(bus.history().len(), 200);
        // A new 1 MiB definition per event: the history keeps about 64 MiB of them.
        for r in 201..=400 {
            bus.publish(Event { def: Some(big(r)), ..event(r) });
        }
        let kept = bus.history();
        assert!((60..=65).contains(&kept.len()), "{} events kept", kept.len());
        assert_eq!(kept.last().unwrap().revision, 400);
        assert!(Arc::strong_count(&shared) == 1, "the shared definition left with its last event");
        let err = bus.register(Seen::default().registration(Start::Since(300), false), || true).unwrap_err();
        assert_eq!(err.code, VIR_ERR_RESOURCE_VERSION_EXPIRED);
    }

    #[test]
    fn trimmed_history_refuses_old_versions_and_future_ones() {
        let bus = bus();
        bus.set_history_size(5).unwrap();
        publish(&bus, 1..=10);
        let watch = Seen::default();
        let err = bus.register(watch.registration(Start::Since(2), false), || true).unwrap_err();
        assert_eq!(err.code, VIR_ERR_RESOURCE_VERSION_EXPIRED);
        assert!(err.message.contains("revision 5"), "{}", err.message);
        let err = bus.register(watch.registration(Start::Since(11), false), || true).unwrap_err();
        assert_eq!(err.code, VIR_ERR_INVALID_ARG);
        assert!(err.message.contains("11") && err.message.contains("10"), "{}", err.message);
        assert_eq!(watch.frees(), 0, "a refused registration does not free its data");
        bus.register(watch.registration(Start::Since(5), false), || true).unwrap();
        bus.flush();
        assert_eq!(watch.take(), (6..=10).collect::<Vec<_>>());
    }

    #[test]
    fn overrun_watch_gets_one_expired_event_then_nothing() {
        let bus = bus();
        bus.set_history_size(5).unwrap();
        let watch = Seen::default();
        bus.register(watch.registration(Start::Since(0), false), || true).unwrap();
        publish(&bus, 1..=3);
        bus.flush();
        assert_eq!(watch.take(), vec![1, 2, 3]);
        publish(&bus, 4..=20);
        bus.flush();
        assert_eq!(watch.take(), vec![0, 20], "only the expiry, at the current revision");
        assert_eq!(watch.frees(), 1, "and it is gone");
        publish(&bus, 21..=21);
        bus.flush();
        assert!(watch.take().is_empty());
        assert!(bus.log.lock().events.len() <= 5, "memory stays bounded");
    }

    #[test]
    fn overrun_watch_with_bookmarks_is_released_once_it_expires() {
        let bus = bus();
        bus.set_history_size(2).unwrap();
        let watch = Seen::default();
        bus.register(watch.registration(Start::Since(0), true), || true).unwrap();
        publish(&bus, 1..=10);
        bus.flush();
        assert_eq!(watch.take(), vec![0, 10]);
        assert_eq!(watch.frees(), 1, "the bookmark list no longer holds it");
        assert!(bus.log.lock().bookmarked.is_empty());
        assert_eq!(bus.log.lock().registrations, 0);
    }

    #[test]
    fn undelivered_events_of_libvirt_style_registrations_are_never_trimmed() {
        let bus = bus();
        bus.set_history_size(3).unwrap();
        let plain = Seen::default();
        bus.register(plain.registration(Start::Now, false), || true).unwrap();
        publish(&bus, 1..=10);
        bus.flush();
        assert_eq!(plain.take(), (1..=10).collect::<Vec<_>>());
        assert_eq!(bus.log.lock().events.len(), 3, "trimmed once delivered");
    }

    #[test]
    fn history_is_kept_while_nobody_listens_but_not_replayed_to_libvirt_style() {
        let bus = bus();
        publish(&bus, 1..=4);
        let (plain, watch) = (Seen::default(), Seen::default());
        bus.register(plain.registration(Start::Now, false), || true).unwrap();
        bus.register(watch.registration(Start::Since(0), false), || true).unwrap();
        bus.flush();
        assert!(plain.take().is_empty());
        assert_eq!(watch.take(), vec![1, 2, 3, 4]);
    }

    #[test]
    fn idle_registration_gets_bookmarks_only_when_everything_is_delivered() {
        let bus = bus();
        bus.set_bookmark_interval_ms(1).unwrap();
        let watch = Seen::default();
        bus.register(watch.registration(Start::Since(0), true), || true).unwrap();
        publish(&bus, 1..=3);
        std::thread::sleep(std::time::Duration::from_millis(3));
        bus.bookmark_due.store(true, Ordering::Release);
        bus.flush();
        assert_eq!(watch.take(), vec![1, 2, 3], "events count as activity");
        std::thread::sleep(std::time::Duration::from_millis(3));
        bus.bookmark_due.store(true, Ordering::Release);
        bus.flush();
        assert_eq!(watch.take(), vec![u64::MAX, 3], "then a bookmark at the current revision");
    }
}
