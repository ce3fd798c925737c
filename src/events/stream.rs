//! Event streams: the generic registration's events, pulled in batches by the application
//! instead of called back, with a descriptor that is readable exactly while something is
//! waiting to be read. Made for languages that cannot (or should not) take C callbacks on
//! threads of ours, and for programs with no event loop at all.
//!
//! Design. Callbacks are fed by `EventBus::flush`, which only an event loop runs; a stream must
//! work without one. So a stream is fed where the bus records the event: `EventBus::publish`
//! hands each event, under the log lock that fixes the commit order, to the feed of every
//! stream whose filter matches (found through `Streams`, an index keyed by the filter, so the
//! cost grows with the matching streams, not with all of them). The feed is a queue of shared
//! events (`Arc<Event>`, no copy) plus an eventfd that is raised when the queue becomes
//! non-empty and lowered, under the same queue lock, when a read empties it — which is what
//! makes "readable exactly while pending" hold, and why the queue is a locked deque rather
//! than a channel: emptiness and readiness must change together. The other guarantees follow
//! from feeding at publish time:
//!
//! - Selection is the generic registration's `Filter`, and an event is reported under the ID
//!   that registration would see (`Filter::reported_id`).
//! - Ordering and no duplicate: one push per event and stream, in log order.
//! - `since`: on open, under the same log lock, the matching events after the revision are
//!   copied from the history into the queue before the feed joins the index, so replay and
//!   live events meet with no gap and no duplicate. Too old or too new a revision is refused
//!   exactly as for a watch (`EventBus::replay_start`).
//! - Expiry: a stream whose oldest unread event is older than the history (the watch rule:
//!   more than `capacity` events published since) is emptied and gets one `expired` event at
//!   the revision current when it reads it, then nothing, so its memory is bounded by the
//!   history size.
//! - Bookmarks: with no loop to run a timer, a stream that asked for them owns a timerfd armed
//!   for the bookmark interval after its last delivery; the descriptor given to the
//!   application is then an epoll set of the eventfd and the timerfd. A bookmark is produced
//!   only when the queue is empty, so it never claims a revision whose events are unread.
//! - The connection's close ends its streams (`EventBus::deregister_connection`): the
//!   descriptor stays readable and reads fail.

use super::bus::EventBus;
use super::registry::{Filter, Start};
use super::{Event, EventKind};
use crate::abi::*;
use crate::error::{Result, VirError};
use crate::fasthash::FastMap;
use crate::sys::{self, Epoll, EventFd, TimerFd};
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Fell behind the history.
    Expired,
    /// Its connection was closed.
    ConnectionClosed,
    /// The application closed it.
    Closed,
}

struct Queue {
    /// Unread events with their sequence numbers in the bus's log.
    events: VecDeque<(u64, Arc<Event>)>,
    end: Option<End>,
    /// The `expired` event has been read.
    expiry_read: bool,
    /// Whether `pending` is raised.
    raised: bool,
    last_delivery: Instant,
}

/// The part of a stream the bus feeds.
pub struct Feed {
    pub conn_id: u64,
    pub filter: Filter,
    queue: Mutex<Queue>,
    /// Readable while something is pending.
    pending: EventFd,
    /// For a stream with bookmarks: fires when one is due.
    bookmark_timer: Option<TimerFd>,
}

impl Feed {
    fn raise(&self, q: &mut Queue) {
        if !q.raised {
            q.raised = true;
            self.pending.raise();
        }
    }

    fn lower(&self, q: &mut Queue) {
        if q.raised {
            q.raised = false;
            self.pending.lower();
        }
    }

    /// Queues event number `seq` of the log; events before `oldest_kept` have left the history.
    /// Runs under the bus's log lock.
    pub(super) fn push(&self, seq: u64, event: &Arc<Event>, oldest_kept: u64) {
        let mut q = self.queue.lock();
        if q.end.is_some() {
            return;
        }
        if q.events.front().is_some_and(|&(oldest_unread, _)| oldest_unread < oldest_kept) {
            self.end_locked(&mut q, End::Expired);
            return;
        }
        q.events.push_back((seq, event.clone()));
        self.raise(&mut q);
    }

    fn end_locked(&self, q: &mut Queue, end: End) {
        match (q.end, end) {
            (Some(End::Closed), _) => return,
            (Some(_), End::Expired) => return,
            _ => q.end = Some(end),
        }
        q.events = VecDeque::new();
        if let Some(timer) = &self.bookmark_timer {
            timer.disarm();
        }
        self.raise(q);
    }

    pub(super) fn end_with_connection(&self) {
        self.end_locked(&mut self.queue.lock(), End::ConnectionClosed);
    }
}

/// The open streams of a bus, by filter.
#[derive(Default)]
pub(super) struct Streams {
    by_filter: FastMap<Filter, Vec<Arc<Feed>>>,
}

impl Streams {
    pub fn is_empty(&self) -> bool {
        self.by_filter.is_empty()
    }

    pub fn insert(&mut self, feed: Arc<Feed>) {
        self.by_filter.entry(feed.filter).or_default().push(feed);
    }

    pub fn remove(&mut self, feed: &Arc<Feed>) {
        if let Some(list) = self.by_filter.get_mut(&feed.filter) {
            list.retain(|f| !Arc::ptr_eq(f, feed));
            if list.is_empty() {
                self.by_filter.remove(&feed.filter);
            }
        }
    }

    pub fn remove_connection(&mut self, conn_id: u64) -> Vec<Arc<Feed>> {
        let mut removed = Vec::new();
        self.by_filter.retain(|_, list| {
            list.retain(|f| {
                let theirs = f.conn_id == conn_id;
                if theirs {
                    removed.push(f.clone());
                }
                !theirs
            });
            !list.is_empty()
        });
        removed
    }

    /// Hands event `seq` to every stream whose filter matches it.
    pub fn feed(&self, seq: u64, event: &Arc<Event>, oldest_kept: u64) {
        let event_ids = event.kind.event_ids().iter().map(|&id| Some(id)).chain([None]);
        for event_id in event_ids {
            for domain in [Some(event.uuid), None] {
                if let Some(list) = self.by_filter.get(&Filter { event_id, domain }) {
                    for feed in list {
                        feed.push(seq, event, oldest_kept);
                    }
                }
            }
        }
    }
}

/// Where the bus stands, as a read needs it.
pub(super) struct Position {
    /// Events numbered below this have left the history.
    pub oldest_kept: u64,
    pub revision: u64,
    pub bookmark_interval: Duration,
}

/// An open stream.
pub struct EventStream {
    bus: Arc<EventBus>,
    feed: Arc<Feed>,
    /// With bookmarks, the descriptor given out is this set of `pending` and the timer.
    either: Option<Epoll>,
}

impl EventStream {
    /// Opens a stream of the events matching `filter` on `bus` for connection `conn_id`, from
    /// now or since a revision, with or without bookmarks. `open` says whether the connection
    /// is still open; it is asked under the lock its close takes (as for registrations).
    pub fn open(bus: &Arc<EventBus>, conn_id: u64, filter: Filter, start: Start, bookmarks: bool, open: impl Fn() -> bool) -> Result<Self> {
        let os_error = |e: std::io::Error| VirError::system(format!("cannot create the event stream's descriptor: {e}"));
        let pending = EventFd::new().map_err(os_error)?;
        let bookmark_timer = bookmarks.then(TimerFd::new).transpose().map_err(os_error)?;
        let either = match &bookmark_timer {
            Some(timer) => Some(Epoll::new(&[pending.fd(), timer.fd()]).map_err(os_error)?),
            None => None,
        };
        let feed = Arc::new(Feed {
            conn_id,
            filter,
            queue: Mutex::new(Queue {
                events: VecDeque::new(),
                end: None,
                expiry_read: false,
                raised: false,
                last_delivery: Instant::now(),
            }),
            pending,
            bookmark_timer,
        });
        bus.open_stream(&feed, start, open)?;
        let stream = EventStream { bus: bus.clone(), feed, either };
        stream.arm_bookmark(&stream.bus.stream_position().bookmark_interval);
        Ok(stream)
    }

    /// The descriptor that is readable exactly while a read would return something at once
    /// (events, a due bookmark, the expiry, or the error of an ended stream).
    pub fn fd(&self) -> RawFd {
        self.either.as_ref().map_or(self.feed.pending.fd(), Epoll::fd)
    }

    /// What the stream selects.
    pub fn filter(&self) -> Filter {
        self.feed.filter
    }

    fn arm_bookmark(&self, interval: &Duration) {
        if let Some(timer) = &self.feed.bookmark_timer {
            timer.arm(*interval);
        }
    }

    /// Appends up to `max` events to `out`, waiting up to `timeout` (None: without limit) for
    /// the first. Nothing appended means the time ran out, or the stream expired earlier.
    pub fn read(&self, max: usize, timeout: Option<Duration>, out: &mut Vec<Arc<Event>>) -> Result<()> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let position = self.bus.stream_position();
            if self.take(max, &position, out)? {
                return Ok(());
            }
            let wait_ms = match deadline {
                None => -1,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(());
                    }
                    // Rounded up, so that a wait never ends just before its deadline.
                    left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
                }
            };
            sys::wait_readable(self.fd(), wait_ms).map_err(|e| VirError::system(format!("waiting for events failed: {e}")))?;
        }
    }

    /// One look at the queue: true when the read is over (something taken, or the stream
    /// expired earlier and has nothing more to give).
    fn take(&self, max: usize, position: &Position, out: &mut Vec<Arc<Event>>) -> Result<bool> {
        let feed = &self.feed;
        let mut q = feed.queue.lock();
        if q.events.front().is_some_and(|&(oldest_unread, _)| oldest_unread < position.oldest_kept) {
            feed.end_locked(&mut q, End::Expired);
        }
        match q.end {
            // Only virConnectEventStreamRead reads, hence its name in the messages.
            Some(End::Closed) => {
                return Err(VirError::new(
                    VIR_ERR_INVALID_STREAM,
                    VIR_FROM_STREAMS,
                    "virConnectEventStreamRead: the stream was closed (by another thread) while it was being read",
                ))
            }
            Some(End::ConnectionClosed) => {
                return Err(VirError::new(
                    VIR_ERR_INVALID_CONN,
                    VIR_FROM_STREAMS,
                    "virConnectEventStreamRead: the stream's connection was closed, which ended the stream",
                ))
            }
            Some(End::Expired) => {
                // At the revision of the read, as a watch's expiry is at that of its delivery.
                if !q.expiry_read {
                    q.expiry_read = true;
                    out.push(Arc::new(Event::about_the_watch(position.revision, EventKind::Expired)));
                }
                feed.lower(&mut q);
                return Ok(true);
            }
            None => {}
        }
        let now = Instant::now();
        if !q.events.is_empty() {
            let n = max.min(q.events.len());
            out.extend(q.events.drain(..n).map(|(_, event)| event));
            if q.events.is_empty() {
                feed.lower(&mut q);
            }
        } else if feed.bookmark_timer.is_some() && now >= q.last_delivery + position.bookmark_interval {
            out.push(Arc::new(Event::about_the_watch(position.revision, EventKind::Bookmark)));
        } else {
            // Idle. A bookmark timer that fired early (the interval grew since it was armed)
            // is set again, so that the descriptor is not readable for nothing.
            if let Some(timer) = &feed.bookmark_timer {
                timer.arm(q.last_delivery + position.bookmark_interval - now);
            }
            return Ok(false);
        }
        if feed.bookmark_timer.is_some() {
            q.last_delivery = now;
            self.arm_bookmark(&position.bookmark_interval);
        }
        Ok(true)
    }

    /// Ends the stream: it leaves the bus at once and a read in progress returns an error.
    pub fn close(&self) {
        self.bus.close_stream(&self.feed);
        self.feed.end_locked(&mut self.feed.queue.lock(), End::Closed);
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.bus.close_stream(&self.feed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::registry::{Filter, Start};
    use uuid::Uuid;

    fn lifecycle(revision: u64, uuid: Uuid) -> Event {
        Event {
            revision,
            timestamp_us: 0,
            uuid,
            id: 1,
            state: VIR_DOMAIN_RUNNING,
            reason: 0,
            def: None,
            kind: EventKind::Lifecycle { event: VIR_DOMAIN_EVENT_RESUMED, detail: 0 },
        }
    }

    fn every_event() -> Filter {
        Filter { event_id: None, domain: None }
    }

    fn open(bus: &Arc<EventBus>, filter: Filter, start: Start, bookmarks: bool) -> EventStream {
        EventStream::open(bus, 1, filter, start, bookmarks, || true).unwrap()
    }

    fn read_now(stream: &EventStream, max: usize) -> Vec<u64> {
        let mut out = Vec::new();
        stream.read(max, Some(Duration::ZERO), &mut out).unwrap();
        out.iter()
            .map(|e| match e.kind {
                EventKind::Expired => 0,
                EventKind::Bookmark => u64::MAX,
                _ => e.revision,
            })
            .collect()
    }

    fn readable(stream: &EventStream) -> bool {
        sys::wait_readable(stream.fd(), 0).unwrap()
    }

    fn publish(bus: &EventBus, uuid: Uuid, revisions: std::ops::RangeInclusive<u64>) {
        for r in revisions {
            bus.publish(lifecycle(r, uuid));
        }
    }

    #[test]
    fn works_without_any_event_loop_and_batches() {
        let bus = EventBus::new();
        let stream = open(&bus, every_event(), Start::Now, false);
        assert!(!readable(&stream));
        publish(&bus, Uuid::from_u128(1), 1..=5);
        assert!(readable(&stream));
        assert_eq!(read_now(&stream, 2), vec![1, 2]);
        assert!(readable(&stream), "three are still pending");
        assert_eq!(read_now(&stream, 10), vec![3, 4, 5]);
        assert!(!readable(&stream));
        assert!(read_now(&stream, 10).is_empty());
    }

    #[test]
    fn since_replays_then_goes_live_and_filters_pick_domains() {
        let bus = EventBus::new();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        publish(&bus, a, 1..=3);
        publish(&bus, b, 4..=4);
        let of_a = open(&bus, Filter { event_id: None, domain: Some(a) }, Start::Since(1), false);
        let of_lifecycle = open(&bus, Filter { event_id: Some(VIR_DOMAIN_EVENT_ID_LIFECYCLE), domain: None }, Start::Since(2), false);
        let of_reboot = open(&bus, Filter { event_id: Some(VIR_DOMAIN_EVENT_ID_REBOOT), domain: None }, Start::Since(0), false);
        publish(&bus, a, 5..=5);
        publish(&bus, b, 6..=6);
        assert_eq!(read_now(&of_a, 100), vec![2, 3, 5]);
        assert_eq!(read_now(&of_lifecycle, 100), vec![3, 4, 5, 6]);
        assert!(read_now(&of_reboot, 100).is_empty());
        assert!(!readable(&of_reboot));
    }

    #[test]
    fn since_is_refused_as_for_watches() {
        let bus = EventBus::new();
        bus.set_history_size(3).unwrap();
        publish(&bus, Uuid::from_u128(1), 1..=10);
        let err = EventStream::open(&bus, 1, every_event(), Start::Since(2), false, || true).err().unwrap();
        assert_eq!(err.code, VIR_ERR_RESOURCE_VERSION_EXPIRED);
        let err = EventStream::open(&bus, 1, every_event(), Start::Since(11), false, || true).err().unwrap();
        assert_eq!(err.code, VIR_ERR_INVALID_ARG);
        let err = EventStream::open(&bus, 1, every_event(), Start::Now, false, || false).err().unwrap();
        assert_eq!(err.code, VIR_ERR_INVALID_CONN);
        assert!(bus.log_streams_empty());
    }

    #[test]
    fn a_reader_behind_the_history_gets_one_expiry_then_nothing() {
        let bus = EventBus::new();
        bus.set_history_size(4).unwrap();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let lagging = open(&bus, every_event(), Start::Now, false);
        let of_b = open(&bus, Filter { event_id: None, domain: Some(b) }, Start::Now, false);
        publish(&bus, a, 1..=3);
        assert_eq!(read_now(&lagging, 1), vec![1]);
        publish(&bus, a, 4..=20);
        assert!(readable(&lagging));
        assert_eq!(read_now(&lagging, 100), vec![0], "only the expiry");
        assert!(!readable(&lagging), "then nothing is pending");
        publish(&bus, a, 21..=21);
        assert!(read_now(&lagging, 100).is_empty());
        assert!(!readable(&lagging));
        // A filtered stream with nothing unread is not behind, however much else happens.
        publish(&bus, b, 22..=22);
        assert_eq!(read_now(&of_b, 100), vec![22]);
    }

    #[test]
    fn expiry_is_noticed_by_a_read_even_when_nothing_more_matches() {
        let bus = EventBus::new();
        bus.set_history_size(4).unwrap();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let of_a = open(&bus, Filter { event_id: None, domain: Some(a) }, Start::Now, false);
        publish(&bus, a, 1..=1);
        publish(&bus, b, 2..=10);
        assert_eq!(read_now(&of_a, 100), vec![0]);
    }

    #[test]
    fn closing_the_connection_ends_the_stream_with_an_error() {
        let bus = EventBus::new();
        let stream = open(&bus, every_event(), Start::Now, false);
        publish(&bus, Uuid::from_u128(1), 1..=2);
        bus.deregister_connection(1);
        assert!(readable(&stream));
        let err = stream.read(10, Some(Duration::ZERO), &mut Vec::new()).unwrap_err();
        assert_eq!(err.code, VIR_ERR_INVALID_CONN);
        assert!(readable(&stream), "it stays readable, so that a poller notices");
        assert!(bus.log_streams_empty());
    }

    #[test]
    fn close_wakes_a_blocked_reader() {
        let bus = EventBus::new();
        let stream = Arc::new(open(&bus, every_event(), Start::Now, false));
        let reader = {
            let stream = stream.clone();
            std::thread::spawn(move || stream.read(10, None, &mut Vec::new()))
        };
        std::thread::sleep(Duration::from_millis(20));
        stream.close();
        let err = reader.join().unwrap().unwrap_err();
        assert_eq!(err.code, VIR_ERR_INVALID_STREAM);
        assert!(bus.log_streams_empty());
    }

    #[test]
    fn a_blocked_read_returns_when_an_event_comes_or_the_time_is_up() {
        let bus = EventBus::new();
        let stream = open(&bus, every_event(), Start::Now, false);
        let started = Instant::now();
        let mut out = Vec::new();
        stream.read(10, Some(Duration::from_millis(30)), &mut out).unwrap();
        assert!(out.is_empty() && started.elapsed() >= Duration::from_millis(30));
        let publisher = {
            let bus = bus.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                publish(&bus, Uuid::from_u128(1), 1..=1);
            })
        };
        stream.read(10, None, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        publisher.join().unwrap();
    }

    #[test]
    fn bookmarks_come_when_idle_and_only_with_nothing_unread() {
        let bus = EventBus::new();
        bus.set_bookmark_interval_ms(20).unwrap();
        let stream = open(&bus, every_event(), Start::Now, true);
        assert!(!readable(&stream));
        publish(&bus, Uuid::from_u128(1), 1..=2);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(read_now(&stream, 100), vec![1, 2], "events, not a bookmark, while some are unread");
        assert!(!readable(&stream), "delivering set the timer again");
        assert!(sys::wait_readable(stream.fd(), 1000).unwrap(), "the descriptor wakes a poller when one is due");
        let mut out = Vec::new();
        stream.read(10, Some(Duration::ZERO), &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].kind.clone(), out[0].revision), (EventKind::Bookmark, 2));
        assert!(!readable(&stream));
    }
}
