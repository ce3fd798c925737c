//! Who wants which events. Indexed by event ID and domain so that finding the callbacks
//! for one event costs time proportional to the callbacks that match it. Registrations are
//! kept compact: applications register one callback per domain by the thousand.

use super::family::Family;
use super::Event;
use crate::error::{Result, VirError};
use crate::fasthash::FastMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use parking_lot::{Condvar, Mutex};
use std::sync::Arc;
use uuid::Uuid;

/// Which API registered a callback; an ID may be deregistered only through its own style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// virConnectDomainEventRegister: lifecycle only, identified by the callback pointer.
    Legacy,
    /// virConnectDomainEventRegisterAny.
    Any,
    /// virConnectEventRegister: the generic tagged-union callback.
    Generic,
    /// The RegisterAny call of another family than domains (virConnectNetworkEventRegisterAny…).
    ObjectAny(Family),
}

/// What the registry calls for an application. Held inside its registration, so that one
/// allocation carries both; one type per registry, so that registrations are reached through
/// thin pointers.
pub trait Callback: Send + Sync + 'static {
    /// `style` and `filter` are the registration's own (the filter says which event ID it asked for).
    fn call(&self, event: &Arc<Event>, style: Style, filter: Filter);
    /// Runs once, when the registration is gone and no call of it is in progress. A refused
    /// registration is dropped without it (libvirt leaves `opaque` to the caller then).
    fn release(&self);
    /// The connection it was registered on.
    fn conn_id(&self) -> u64;
    /// Identity of the application's function, for libvirt's duplicate rule.
    fn function(&self) -> usize;
}

/// What a registration asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Filter {
    /// A registry ID (a domain event ID, or another family's from `Family::registry_id`);
    /// None: every domain event.
    pub event_id: Option<i32>,
    /// None: every object. The domain, or for another family the object, by its UUID.
    pub domain: Option<Uuid>,
}

impl Filter {
    pub fn matches(&self, event: &Event) -> bool {
        let wanted = match self.event_id {
            Some(id) => event.kind.event_ids().contains(&id),
            None => event.kind.family() == Family::Domain,
        };
        wanted && self.domain.is_none_or(|uuid| uuid == event.uuid)
    }

    /// The ID under which a registration with this filter sees `event`: the one it asked for
    /// (io-error or io-error-reason, say), else the event's own; a watch's own events (bookmark,
    /// expired) always keep theirs.
    pub fn reported_id(&self, event: &Event) -> i32 {
        let own = event.kind.primary_id();
        if super::is_watch_event_id(own) {
            own
        } else {
            self.event_id.unwrap_or(own)
        }
    }
}

/// How a registration joins the event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// libvirt's way: events dispatched from now on.
    Now,
    /// A watch: every event after this backend revision first, then the live ones; it ends with
    /// an `expired` event if its backlog outgrows the history.
    Since(u64),
}

/// Stands for "every event" in a stored key (event IDs are never negative).
const EVERY_EVENT: i32 = -1;

/// What identifies a registration for libvirt's duplicate rule: the same connection, callback,
/// style, event and domain filter may be registered once. A registration stores only the
/// style and filter (flat: no `Option<i32>`); its callback knows the connection and function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub conn_id: u64,
    /// Identity of the application's callback.
    pub callback_key: usize,
    pub style: Style,
    event_id: i32,
    domain: Option<Uuid>,
}

impl Key {
    pub fn new(conn_id: u64, callback_key: usize, style: Style, filter: Filter) -> Self {
        Key { conn_id, callback_key, style, event_id: filter.event_id.unwrap_or(EVERY_EVENT), domain: filter.domain }
    }
}

/// The state of a watch or of a registration that asked for bookmarks (most have neither,
/// and carry no such state).
struct Tracking {
    start: Start,
    bookmarks: bool,
    /// Receives events from the live stream (a watch first catches up from the history).
    live: AtomicBool,
    /// Sequence number of the first event the live stream may give it.
    from_seq: AtomicU64,
    last_delivery_ms: AtomicU64,
}

/// Bits of a registration's state word. Only the thread flushing its bus calls a callback, so
/// "a call is running" is one bit; the thread is known from the bus.
/// Still in the registry: it may be called.
const ACTIVE: u8 = 1;
/// Its callback is running.
const CALLING: u8 = 2;
/// Retired from inside its own call: released when the call returns.
const RELEASE_AFTER_CALL: u8 = 4;
/// Its finalizer has run (or is running).
const RELEASED: u8 = 8;
/// A retirement on another thread waits for the running call to return.
const WAITED_ON: u8 = 16;

/// Held by a retirement waiting for a call to return, and taken by that call to wake it (rare:
/// only when a registration is removed on one thread while another is calling it).
static CALL_LOCK: Mutex<()> = Mutex::new(());
static CALL_RETURNED: Condvar = Condvar::new();

/// A registered callback with what it asked for.
///
/// Its finalizer (`Callback::release`) runs exactly once: when the registration is retired, as
/// soon as no call of it is in progress. A retirement on another thread than a running call
/// waits for that call to return, so that once a deregistration or a connection close has
/// returned, the callback is never called again and its finalizer has run. A registration
/// retired from inside its own call is released when that call returns.
///
/// Kept small (a unit test holds it to 72 bytes): applications register callbacks by the
/// hundred thousand.
///
/// cbindgen:ignore
pub struct Registration<C: Callback> {
    pub id: i32,
    /// `ACTIVE`, `CALLING`, … : one word, so that claiming a call and retiring are each one
    /// atomic step on it and cannot miss each other.
    state: AtomicU8,
    pub style: Style,
    /// The filter's event ID, or `EVERY_EVENT`.
    event_id: i32,
    domain: Option<Uuid>,
    tracking: Option<Box<Tracking>>,
    callback: C,
}

impl<C: Callback> Registration<C> {
    pub fn is_active(&self) -> bool {
        self.state.load(Ordering::Acquire) & ACTIVE != 0
    }

    /// The connection it was registered on.
    pub fn conn_id(&self) -> u64 {
        self.callback.conn_id()
    }

    /// What libvirt's duplicate rule compares.
    pub fn key(&self) -> Key {
        Key::new(self.callback.conn_id(), self.callback.function(), self.style, self.filter())
    }

    fn has_key(&self, key: &Key) -> bool {
        self.style == key.style
            && self.event_id == key.event_id
            && self.domain == key.domain
            && self.callback.function() == key.callback_key
            && self.callback.conn_id() == key.conn_id
    }

    /// Calls the callback unless the registration was removed meanwhile. Only the thread
    /// flushing the registration's bus calls this.
    pub fn deliver(&self, event: &Arc<Event>) {
        // Claimed in the same atomic step that checks it is still registered: a retirement
        // either sees the call running or prevents it.
        let claimed = self.state.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| (s & ACTIVE != 0).then_some(s | CALLING));
        if claimed.is_err() {
            return;
        }
        self.callback.call(event, self.style, self.filter());
        let before = self.state.fetch_and(!CALLING, Ordering::SeqCst);
        if before & WAITED_ON != 0 {
            // The waiter holds the lock from setting WAITED_ON until it sleeps: taking it here
            // means it is asleep (or has seen the call end), so the wake-up cannot be lost.
            drop(CALL_LOCK.lock());
            CALL_RETURNED.notify_all();
        }
        if before & RELEASE_AFTER_CALL != 0 {
            self.release();
        }
    }

    /// Runs the finalizer of a registration taken out of the registry (call it with no lock of
    /// the bus held): now, or once a call of it running on another thread has returned, or,
    /// from inside its own call, when that call returns. `on_flushing_thread`: the caller is
    /// the thread flushing the registration's bus, the only one that calls it, so a running
    /// call is its own.
    pub fn retire(&self, on_flushing_thread: bool) {
        if self.state.load(Ordering::SeqCst) & CALLING != 0 {
            if on_flushing_thread {
                self.state.fetch_or(RELEASE_AFTER_CALL, Ordering::SeqCst);
                return;
            }
            let mut waiting = CALL_LOCK.lock();
            while self.state.fetch_or(WAITED_ON, Ordering::SeqCst) & CALLING != 0 {
                CALL_RETURNED.wait(&mut waiting);
            }
        }
        self.release();
    }

    fn release(&self) {
        if self.state.fetch_or(RELEASED, Ordering::AcqRel) & RELEASED == 0 {
            self.callback.release();
        }
    }

    pub fn filter(&self) -> Filter {
        Filter { event_id: (self.event_id != EVERY_EVENT).then_some(self.event_id), domain: self.domain }
    }

    pub fn is_watch(&self) -> bool {
        self.tracking.as_ref().is_some_and(|t| matches!(t.start, Start::Since(_)))
    }

    /// Also receives a bookmark event when nothing else reached it for a while.
    pub fn wants_bookmarks(&self) -> bool {
        self.tracking.as_ref().is_some_and(|t| t.bookmarks)
    }

    /// Milliseconds (on the bus's clock) of the last event given to it, for bookmarks.
    pub fn last_delivery_ms(&self) -> u64 {
        self.tracking.as_ref().map_or(0, |t| t.last_delivery_ms.load(Ordering::Acquire))
    }

    /// Records a delivery, for a registration that asked for bookmarks (others keep no time).
    pub fn note_delivery(&self, now_ms: u64) {
        if let Some(t) = self.tracking.as_ref().filter(|t| t.bookmarks) {
            t.last_delivery_ms.store(now_ms, Ordering::Release);
        }
    }

    pub fn is_live(&self) -> bool {
        self.tracking.as_ref().is_none_or(|t| t.live.load(Ordering::Acquire))
    }

    pub fn from_seq(&self) -> u64 {
        self.tracking.as_ref().map_or(0, |t| t.from_seq.load(Ordering::Acquire))
    }

    /// Joins the live stream at sequence number `seq`.
    pub fn go_live(&self, seq: u64) {
        if let Some(t) = &self.tracking {
            t.from_seq.store(seq, Ordering::Release);
            t.live.store(true, Ordering::Release);
        }
    }
}

impl<C: Callback> Drop for Registration<C> {
    /// A registration dropped without being retired (its bus went away) is released here.
    fn drop(&mut self) {
        if *self.state.get_mut() & RELEASED == 0 {
            self.callback.release();
        }
    }
}

/// Above this many registrations a list keeps a map of their keys for the duplicate check;
/// below it, scanning the list is cheaper than the map's memory.
const SCAN_LIMIT: usize = 128;

/// A list of registrations that keeps a single one inline: most per-domain buckets hold one, and
/// a vector would be one more cold cache line to follow per event.
enum List<C: Callback> {
    One(Arc<Registration<C>>),
    Many(Vec<Arc<Registration<C>>>),
}

impl<C: Callback> List<C> {
    fn as_slice(&self) -> &[Arc<Registration<C>>] {
        match self {
            List::One(reg) => std::slice::from_ref(reg),
            List::Many(regs) => regs,
        }
    }

    fn push(&mut self, reg: Arc<Registration<C>>) {
        match self {
            List::Many(regs) if regs.is_empty() => *self = List::One(reg),
            List::Many(regs) => regs.push(reg),
            List::One(first) => *self = List::Many(vec![first.clone(), reg]),
        }
    }

    fn remove(&mut self, i: usize) {
        match self {
            List::One(_) => *self = List::Many(Vec::new()),
            List::Many(regs) => {
                regs.remove(i);
                if regs.len() == 1 {
                    *self = List::One(regs.pop().expect("one left"));
                }
            }
        }
    }
}

/// Registrations with one filter, in registration order. IDs only grow, so adding is a push;
/// removing the newest (the usual register/deregister pair) touches nothing else.
struct Ordered<C: Callback> {
    list: List<C>,
    /// Registration IDs by key, for a long list.
    keys: Option<Box<FastMap<Key, i32>>>,
}

impl<C: Callback> Default for Ordered<C> {
    fn default() -> Self {
        Ordered { list: List::Many(Vec::new()), keys: None }
    }
}

impl<C: Callback> Ordered<C> {
    fn regs(&self) -> &[Arc<Registration<C>>] {
        self.list.as_slice()
    }

    fn find(&self, key: &Key) -> Option<i32> {
        match &self.keys {
            Some(keys) => keys.get(key).copied(),
            None => self.regs().iter().find(|r| r.has_key(key)).map(|r| r.id),
        }
    }

    fn push(&mut self, reg: &Arc<Registration<C>>) {
        debug_assert!(self.regs().last().is_none_or(|last| last.id < reg.id));
        self.list.push(reg.clone());
        if let Some(keys) = &mut self.keys {
            keys.insert(reg.key(), reg.id);
        } else if self.regs().len() > SCAN_LIMIT {
            self.keys = Some(Box::new(self.regs().iter().map(|r| (r.key(), r.id)).collect()));
        }
    }

    fn remove(&mut self, reg: &Registration<C>) {
        if let Ok(i) = self.regs().binary_search_by_key(&reg.id, |r| r.id) {
            self.list.remove(i);
        }
        if let Some(keys) = &mut self.keys {
            keys.remove(&reg.key());
            if self.regs().len() < SCAN_LIMIT / 2 {
                self.keys = None;
            }
        }
    }
}

struct Index<C: Callback> {
    every_domain: Ordered<C>,
    by_domain: FastMap<Uuid, Ordered<C>>,
}

impl<C: Callback> Default for Index<C> {
    fn default() -> Self {
        Index { every_domain: Ordered::default(), by_domain: FastMap::default() }
    }
}

impl<C: Callback> Index<C> {
    fn bucket(&self, domain: Option<Uuid>) -> Option<&Ordered<C>> {
        match domain {
            None => Some(&self.every_domain),
            Some(uuid) => self.by_domain.get(&uuid),
        }
    }

    fn insert(&mut self, reg: &Arc<Registration<C>>) {
        match reg.domain {
            None => self.every_domain.push(reg),
            Some(uuid) => self.by_domain.entry(uuid).or_default().push(reg),
        };
    }

    fn remove(&mut self, reg: &Registration<C>) {
        match reg.domain {
            None => self.every_domain.remove(reg),
            Some(uuid) => {
                if let Some(list) = self.by_domain.get_mut(&uuid) {
                    list.remove(reg);
                    if list.regs().is_empty() {
                        self.by_domain.remove(&uuid);
                    }
                }
            }
        }
    }

    /// Appends the registrations for domain `uuid`; returns how many sorted runs it appended.
    fn collect(&self, uuid: &Uuid, out: &mut Vec<Arc<Registration<C>>>) -> usize {
        let mut runs = 0;
        if !self.every_domain.regs().is_empty() {
            out.extend(self.every_domain.regs().iter().cloned());
            runs += 1;
        }
        if !self.by_domain.is_empty() {
            if let Some(list) = self.by_domain.get(uuid) {
                out.extend(list.regs().iter().cloned());
                runs += 1;
            }
        }
        runs
    }
}

/// The callbacks registered on one backend, from all its connections.
pub struct Registry<C: Callback> {
    next_id: i32,
    /// Every registration, by ID (IDs grow, so this stays sorted).
    by_id: Vec<Arc<Registration<C>>>,
    by_event: FastMap<i32, Index<C>>,
    every_event: Index<C>,
}

impl<C: Callback> Default for Registry<C> {
    fn default() -> Self {
        Registry { next_id: 0, by_id: Vec::new(), by_event: FastMap::default(), every_event: Index::default() }
    }
}

/// Everything needed to register, before an ID is given.
pub struct NewRegistration<C: Callback> {
    pub style: Style,
    pub filter: Filter,
    pub start: Start,
    pub bookmarks: bool,
    pub callback: C,
}

impl<C: Callback> NewRegistration<C> {
    fn key(&self) -> Key {
        Key::new(self.callback.conn_id(), self.callback.function(), self.style, self.filter)
    }
}

impl<C: Callback> Registry<C> {
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    fn index(&self, key: &Key) -> Option<&Index<C>> {
        match key.event_id {
            EVERY_EVENT => Some(&self.every_event),
            id => self.by_event.get(&id),
        }
    }

    fn get(&self, id: i32) -> Option<&Arc<Registration<C>>> {
        self.position(id).map(|i| &self.by_id[i])
    }

    fn find(&self, key: &Key) -> Option<i32> {
        self.index(key)?.bucket(key.domain)?.find(key)
    }

    /// Adds a registration, refusing libvirt's duplicates (same connection, callback, event
    /// and domain filter). It is live from sequence number `from_seq` when `live`, else it
    /// waits to catch up. On refusal the registration is handed back so that its handler can
    /// be dropped by the caller outside any lock.
    #[allow(clippy::result_large_err)]
    pub fn add(
        &mut self,
        new: NewRegistration<C>,
        live: bool,
        from_seq: u64,
    ) -> std::result::Result<Arc<Registration<C>>, (VirError, NewRegistration<C>)> {
        if self.find(&new.key()).is_some() {
            return Err((VirError::invalid_arg("event callback already tracked"), new));
        }
        let id = self.next_id;
        self.next_id += 1;
        let tracking = (new.start != Start::Now || new.bookmarks).then(|| {
            Box::new(Tracking {
                start: new.start,
                bookmarks: new.bookmarks,
                live: AtomicBool::new(live),
                from_seq: AtomicU64::new(from_seq),
                last_delivery_ms: AtomicU64::new(0),
            })
        });
        let reg = Arc::new(Registration {
            id,
            state: AtomicU8::new(ACTIVE),
            style: new.style,
            event_id: new.filter.event_id.unwrap_or(EVERY_EVENT),
            domain: new.filter.domain,
            tracking,
            callback: new.callback,
        });
        match reg.event_id {
            EVERY_EVENT => self.every_event.insert(&reg),
            event_id => self.by_event.entry(event_id).or_default().insert(&reg),
        }
        self.by_id.push(reg.clone());
        Ok(reg)
    }

    /// Removes registration `id` of connection `conn_id` made in `style`. The returned
    /// registration must be retired outside the registry lock (that runs the finalizer).
    pub fn remove(&mut self, conn_id: u64, id: i32, style: Style) -> Result<Arc<Registration<C>>> {
        match self.get(id) {
            Some(reg) if reg.conn_id() == conn_id && reg.style == style => {}
            Some(reg) if reg.conn_id() == conn_id => {
                return Err(VirError::invalid_arg(format!(
                    "event callback {id} was registered with {}, deregister it with {}",
                    style_register_call(reg.style),
                    style_deregister_call(reg.style)
                )))
            }
            // libvirt's event core reports this in VIR_FROM_NONE, not with the call's arguments.
            _ => {
                return Err(VirError::new(
                    crate::abi::VIR_ERR_INVALID_ARG,
                    crate::abi::VIR_FROM_NONE,
                    format!("could not find event callback {id} for deletion"),
                ))
            }
        }
        let i = self.position(id).expect("found above");
        let reg = self.by_id.remove(i);
        self.unindex(&reg);
        Ok(reg)
    }

    /// Where registration `id` is in `by_id`. IDs are handed out in order and most stay until
    /// their connection closes, so counting back from the newest usually lands on it (at once
    /// for the newest: the usual register/deregister pair) without reading the others; else a
    /// binary search.
    fn position(&self, id: i32) -> Option<usize> {
        let last = self.by_id.last()?;
        let back = usize::try_from(last.id.checked_sub(id)?).ok()?;
        if let Some(i) = (self.by_id.len() - 1).checked_sub(back) {
            if self.by_id[i].id == id {
                return Some(i);
            }
        }
        self.by_id.binary_search_by_key(&id, |r| r.id).ok()
    }

    /// Removes registration `id` whoever made it (a watch the library ends itself).
    pub fn take(&mut self, id: i32) -> Option<Arc<Registration<C>>> {
        let i = self.position(id)?;
        let reg = self.by_id.remove(i);
        self.unindex(&reg);
        Some(reg)
    }

    /// The ID of the legacy registration of `callback_key` on `conn_id`, if any.
    pub fn find_legacy(&self, conn_id: u64, callback_key: usize) -> Option<i32> {
        let filter = Filter { event_id: Some(crate::abi::VIR_DOMAIN_EVENT_ID_LIFECYCLE), domain: None };
        self.find(&Key::new(conn_id, callback_key, Style::Legacy, filter))
    }

    /// Removes every registration of a connection (on close), in one pass over the list.
    pub fn remove_connection(&mut self, conn_id: u64) -> Vec<Arc<Registration<C>>> {
        let mut removed = Vec::new();
        self.by_id.retain(|r| {
            let theirs = r.conn_id() == conn_id;
            if theirs {
                removed.push(r.clone());
            }
            !theirs
        });
        for reg in &removed {
            self.unindex(reg);
        }
        removed
    }

    fn unindex(&mut self, reg: &Registration<C>) {
        reg.state.fetch_and(!ACTIVE, Ordering::SeqCst);
        match reg.event_id {
            EVERY_EVENT => self.every_event.remove(reg),
            event_id => {
                if let Some(index) = self.by_event.get_mut(&event_id) {
                    index.remove(reg);
                }
            }
        }
    }

    /// The live registrations that want `event`, number `seq` of the stream, in registration order.
    pub fn matching(&self, event: &Event, seq: u64, out: &mut Vec<Arc<Registration<C>>>) {
        out.clear();
        let uuid = &event.uuid;
        let mut runs = 0;
        for event_id in event.kind.event_ids() {
            if let Some(index) = self.by_event.get(event_id) {
                runs += index.collect(uuid, out);
            }
        }
        if event.kind.family() == Family::Domain {
            runs += self.every_event.collect(uuid, out);
        }
        out.retain(|r| r.is_live() && r.from_seq() <= seq);
        if runs > 1 {
            out.sort_unstable_by_key(|r| r.id);
        }
    }
}

fn style_register_call(style: Style) -> &'static str {
    match style {
        Style::Legacy => "virConnectDomainEventRegister",
        Style::Any => "virConnectDomainEventRegisterAny",
        Style::Generic => "virConnectEventRegister",
        Style::ObjectAny(family) => family.register_call(),
    }
}

fn style_deregister_call(style: Style) -> &'static str {
    match style {
        Style::Legacy => "virConnectDomainEventDeregister",
        Style::Any => "virConnectDomainEventDeregisterAny",
        Style::Generic => "virConnectEventUnregister",
        Style::ObjectAny(family) => family.deregister_call(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl<C: Callback> Registry<C> {
        fn add_now(&mut self, new: NewRegistration<C>) -> std::result::Result<i32, (VirError, NewRegistration<C>)> {
            self.add(new, true, 0).map(|r| r.id)
        }
    }
    use crate::abi::*;
    use crate::events::EventKind;
    use std::sync::atomic::AtomicUsize;

    fn event(uuid: Uuid, kind: EventKind) -> Event {
        Event {
            revision: 1,
            timestamp_us: 0,
            uuid,
            id: 1,
            state: VIR_DOMAIN_RUNNING,
            reason: 0,
            def: None,
            kind,
        }
    }

    /// Counts its releases.
    struct Counted {
        frees: Arc<AtomicUsize>,
        conn_id: u64,
        function: usize,
    }

    impl Callback for Counted {
        fn call(&self, _: &Arc<Event>, _: Style, _: Filter) {}
        fn release(&self) {
            self.frees.fetch_add(1, Ordering::SeqCst);
        }
        fn conn_id(&self) -> u64 {
            self.conn_id
        }
        fn function(&self) -> usize {
            self.function
        }
    }

    fn new_reg(conn_id: u64, function: usize, style: Style, filter: Filter, frees: &Arc<AtomicUsize>) -> NewRegistration<Counted> {
        NewRegistration { style, filter, start: Start::Now, bookmarks: false, callback: Counted { frees: frees.clone(), conn_id, function } }
    }

    #[test]
    fn a_registration_stays_small() {
        /// As big as the library's callback: a connection, the function, opaque and freecb.
        struct FourWords([usize; 4]);
        impl Callback for FourWords {
            fn call(&self, _: &Arc<Event>, _: Style, _: Filter) {}
            fn release(&self) {}
            fn conn_id(&self) -> u64 {
                self.0[0] as u64
            }
            fn function(&self) -> usize {
                self.0[1]
            }
        }
        // 72 bytes and the Arc's two counts make an 88-byte request, a 96-byte malloc chunk.
        assert!(std::mem::size_of::<Registration<FourWords>>() <= 72, "{}", std::mem::size_of::<Registration<FourWords>>());
        assert_eq!(std::mem::size_of::<Arc<Registration<FourWords>>>(), 8, "thin pointers in the indexes");
    }

    fn lifecycle(domain: Option<Uuid>) -> Filter {
        Filter { event_id: Some(VIR_DOMAIN_EVENT_ID_LIFECYCLE), domain }
    }

    #[test]
    fn matching_uses_event_and_domain_index_in_registration_order() {
        let frees = Arc::new(AtomicUsize::new(0));
        let mut reg = Registry::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let r0 = reg.add_now(new_reg(1, 10, Style::Any, lifecycle(Some(a)), &frees)).ok().unwrap();
        let r1 = reg.add_now(new_reg(1, 11, Style::Any, lifecycle(None), &frees)).ok().unwrap();
        let _r2 = reg.add_now(new_reg(1, 12, Style::Any, lifecycle(Some(b)), &frees)).ok().unwrap();
        let r3 = reg.add_now(new_reg(1, 13, Style::Generic, Filter { event_id: None, domain: None }, &frees))
            .ok()
            .unwrap();
        let _r4 = reg.add_now(new_reg(1, 14, Style::Any, Filter { event_id: Some(VIR_DOMAIN_EVENT_ID_REBOOT), domain: None }, &frees))
            .ok()
            .unwrap();
        let mut out = Vec::new();
        reg.matching(&event(a, EventKind::Lifecycle { event: 0, detail: 0 }), 0, &mut out);
        assert_eq!(out.iter().map(|r| r.id).collect::<Vec<_>>(), vec![r0, r1, r3]);
    }

    #[test]
    fn registrations_are_found_by_id_with_holes_anywhere() {
        let frees = Arc::new(AtomicUsize::new(0));
        let mut reg = Registry::default();
        let ids: Vec<i32> = (0..40).map(|f| reg.add_now(new_reg(1, 100 + f, Style::Any, lifecycle(None), &frees)).ok().unwrap()).collect();
        // Holes at the start, in the middle and at the end.
        for gone in [ids[0], ids[17], ids[18], ids[39]] {
            reg.remove(1, gone, Style::Any).ok().unwrap().retire(false);
        }
        for (i, id) in ids.iter().enumerate() {
            let present = ![0, 17, 18, 39].contains(&i);
            assert_eq!(reg.get(*id).map(|r| r.id), present.then_some(*id), "id {id}");
        }
        assert!(reg.get(ids[38] + 1).is_none() && reg.get(-5).is_none());
        assert_eq!(reg.take(ids[20]).map(|r| r.id), Some(ids[20]));
        assert!(reg.get(ids[20]).is_none());
    }

    #[test]
    fn a_domain_bucket_goes_from_one_to_many_and_back_in_order() {
        let frees = Arc::new(AtomicUsize::new(0));
        let mut reg = Registry::default();
        let a = Uuid::new_v4();
        let ids: Vec<i32> = (0..4).map(|f| reg.add_now(new_reg(1, 20 + f, Style::Any, lifecycle(Some(a)), &frees)).ok().unwrap()).collect();
        assert!(reg.add_now(new_reg(1, 21, Style::Any, lifecycle(Some(a)), &frees)).is_err(), "a duplicate found in a long bucket");
        let mut out = Vec::new();
        let seen = |reg: &Registry<Counted>, out: &mut Vec<Arc<Registration<Counted>>>| {
            reg.matching(&event(a, EventKind::Lifecycle { event: 0, detail: 0 }), 0, out);
            out.iter().map(|r| r.id).collect::<Vec<_>>()
        };
        assert_eq!(seen(&reg, &mut out), ids);
        for (removed, left) in [(ids[1], vec![ids[0], ids[2], ids[3]]), (ids[3], vec![ids[0], ids[2]]), (ids[0], vec![ids[2]])] {
            reg.remove(1, removed, Style::Any).ok().unwrap().retire(false);
            assert_eq!(seen(&reg, &mut out), left);
        }
        assert!(reg.add_now(new_reg(1, 22, Style::Any, lifecycle(Some(a)), &frees)).is_err(), "a duplicate found when one is left");
        let again = reg.add_now(new_reg(1, 20, Style::Any, lifecycle(Some(a)), &frees)).ok().unwrap();
        assert_eq!(seen(&reg, &mut out), vec![ids[2], again]);
        reg.remove(1, ids[2], Style::Any).ok().unwrap().retire(false);
        reg.remove(1, again, Style::Any).ok().unwrap().retire(false);
        assert!(seen(&reg, &mut out).is_empty());
        assert!(reg.by_event[&VIR_DOMAIN_EVENT_ID_LIFECYCLE].by_domain.is_empty(), "an emptied bucket goes");
        assert_eq!(frees.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn families_never_see_each_others_events() {
        use crate::events::family::{ObjectChange, ObjectEvent};
        let frees = Arc::new(AtomicUsize::new(0));
        let mut reg = Registry::default();
        let object = Uuid::new_v4();
        let network_lifecycle = Family::Network.registry_id(VIR_NETWORK_EVENT_ID_LIFECYCLE);
        let domain = reg.add_now(new_reg(1, 10, Style::Any, lifecycle(None), &frees)).ok().unwrap();
        let generic = reg.add_now(new_reg(1, 11, Style::Generic, Filter { event_id: None, domain: None }, &frees)).ok().unwrap();
        let network = reg
            .add_now(new_reg(1, 10, Style::ObjectAny(Family::Network), Filter { event_id: Some(network_lifecycle), domain: None }, &frees))
            .ok()
            .unwrap();
        let pool = reg
            .add_now(new_reg(1, 12, Style::ObjectAny(Family::StoragePool), Filter { event_id: Some(Family::StoragePool.registry_id(0)), domain: None }, &frees))
            .ok()
            .unwrap();
        let one_network = reg
            .add_now(new_reg(1, 13, Style::ObjectAny(Family::Network), Filter { event_id: Some(network_lifecycle), domain: Some(object) }, &frees))
            .ok()
            .unwrap();
        let started = ObjectEvent {
            family: Family::Network,
            name: std::ffi::CString::new("n").unwrap(),
            usage: None,
            change: ObjectChange::Lifecycle { event: VIR_NETWORK_EVENT_STARTED, detail: 0 },
        };
        let mut out = Vec::new();
        reg.matching(&event(object, EventKind::Object(Box::new(started.clone()))), 0, &mut out);
        assert_eq!(out.iter().map(|r| r.id).collect::<Vec<_>>(), vec![network, one_network]);
        reg.matching(&event(Uuid::new_v4(), EventKind::Object(Box::new(started))), 0, &mut out);
        assert_eq!(out.iter().map(|r| r.id).collect::<Vec<_>>(), vec![network], "the object filter applies");
        reg.matching(&event(object, EventKind::Lifecycle { event: 0, detail: 0 }), 0, &mut out);
        assert_eq!(out.iter().map(|r| r.id).collect::<Vec<_>>(), vec![domain, generic], "a domain event reaches no other family");
        assert!(!Filter { event_id: None, domain: None }.matches(&event(object, EventKind::Object(Box::new(ObjectEvent {
            family: Family::StoragePool,
            name: std::ffi::CString::new("p").unwrap(),
            usage: None,
            change: ObjectChange::PoolRefreshed,
        })))), "every event means every domain event");
        let err = reg.remove(1, network, Style::Any).err().unwrap();
        assert!(err.message.contains("virConnectNetworkEventDeregisterAny"), "{}", err.message);
        assert!(reg.remove(1, pool, Style::ObjectAny(Family::Network)).is_err(), "only through its own family's call");
        assert!(reg.remove(1, pool, Style::ObjectAny(Family::StoragePool)).is_ok());
    }

    #[test]
    fn duplicates_refused_and_finalizer_runs_once_when_retired() {
        let frees = Arc::new(AtomicUsize::new(0));
        let mut reg = Registry::default();
        let id = reg.add_now(new_reg(1, 10, Style::Any, lifecycle(None), &frees)).ok().unwrap();
        let (err, refused) = reg.add_now(new_reg(1, 10, Style::Any, lifecycle(None), &frees)).err().unwrap();
        assert_eq!(err.code, VIR_ERR_INVALID_ARG);
        drop(refused);
        assert_eq!(frees.load(Ordering::SeqCst), 0, "as in libvirt, a refused registration leaves opaque to the caller");
        // Same callback on another connection or domain is not a duplicate.
        assert!(reg.add_now(new_reg(2, 10, Style::Any, lifecycle(None), &frees)).is_ok());
        assert!(reg.add_now(new_reg(1, 10, Style::Any, lifecycle(Some(Uuid::new_v4())), &frees)).is_ok());

        let mut out = Vec::new();
        reg.matching(&event(Uuid::new_v4(), EventKind::Lifecycle { event: 0, detail: 0 }), 0, &mut out);
        let held = out.iter().find(|r| r.id == id).unwrap().clone();
        drop(out);
        let removed = reg.remove(1, id, Style::Any).ok().unwrap();
        assert!(!removed.is_active());
        removed.retire(false);
        assert_eq!(frees.load(Ordering::SeqCst), 1, "released at once: no call of it is running");
        held.deliver(&Arc::new(event(Uuid::new_v4(), EventKind::Reboot)));
        drop((removed, held));
        assert_eq!(frees.load(Ordering::SeqCst), 1, "exactly once");
        assert!(reg.remove(1, id, Style::Any).is_err(), "double deregistration");
    }

    /// Records whether its finalizer ran while a call was in progress.
    struct Slow {
        in_call: Arc<AtomicUsize>,
        frees: Arc<AtomicUsize>,
        freed_during_call: Arc<AtomicUsize>,
    }

    impl Callback for Slow {
        fn conn_id(&self) -> u64 {
            1
        }
        fn function(&self) -> usize {
            10
        }
        fn call(&self, _: &Arc<Event>, _: Style, _: Filter) {
            self.in_call.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(50));
            self.in_call.fetch_sub(1, Ordering::SeqCst);
        }
        fn release(&self) {
            if self.in_call.load(Ordering::SeqCst) > 0 {
                self.freed_during_call.fetch_add(1, Ordering::SeqCst);
            }
            self.frees.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn retiring_waits_for_a_call_running_on_another_thread() {
        let (in_call, frees, freed_during_call) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut reg = Registry::default();
        let new = NewRegistration {
            style: Style::Any,
            filter: lifecycle(None),
            start: Start::Now,
            bookmarks: false,
            callback: Slow { in_call: in_call.clone(), frees: frees.clone(), freed_during_call: freed_during_call.clone() },
        };
        let id = reg.add_now(new).ok().unwrap();
        let mut out = Vec::new();
        reg.matching(&event(Uuid::new_v4(), EventKind::Lifecycle { event: 0, detail: 0 }), 0, &mut out);
        let dispatching = out.pop().unwrap();
        let dispatcher = std::thread::spawn(move || dispatching.deliver(&Arc::new(event(Uuid::new_v4(), EventKind::Reboot))));
        while in_call.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        reg.remove(1, id, Style::Any).ok().unwrap().retire(false);
        assert_eq!(frees.load(Ordering::SeqCst), 1, "released before retire returned");
        assert_eq!(freed_during_call.load(Ordering::SeqCst), 0, "never while its callback ran");
        dispatcher.join().unwrap();
        assert_eq!(frees.load(Ordering::SeqCst), 1);
    }

    /// Counts the calls running and the finalizers, noting any finalizer run during a call.
    #[derive(Clone, Default)]
    struct Watched {
        in_call: Arc<AtomicUsize>,
        calls: Arc<AtomicUsize>,
        frees: Arc<AtomicUsize>,
        freed_during_call: Arc<AtomicUsize>,
    }

    impl Callback for Watched {
        fn conn_id(&self) -> u64 {
            1
        }
        fn function(&self) -> usize {
            11
        }
        fn call(&self, _: &Arc<Event>, _: Style, _: Filter) {
            self.in_call.fetch_add(1, Ordering::SeqCst);
            self.calls.fetch_add(1, Ordering::SeqCst);
            for _ in 0..(self.calls.load(Ordering::Relaxed) % 64) {
                std::hint::spin_loop();
            }
            self.in_call.fetch_sub(1, Ordering::SeqCst);
        }
        fn release(&self) {
            if self.in_call.load(Ordering::SeqCst) > 0 {
                self.freed_during_call.fetch_add(1, Ordering::SeqCst);
            }
            self.frees.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn retiring_during_a_stream_of_calls_on_another_thread_never_frees_during_one() {
        for round in 0..200 {
            let watched = Watched::default();
            let mut reg = Registry::default();
            let new = NewRegistration { style: Style::Any, filter: lifecycle(None), start: Start::Now, bookmarks: false, callback: watched.clone() };
            let id = reg.add_now(new).ok().unwrap();
            let mut out = Vec::new();
            reg.matching(&event(Uuid::new_v4(), EventKind::Lifecycle { event: 0, detail: 0 }), 0, &mut out);
            let dispatching = out.pop().unwrap();
            let dispatcher = std::thread::spawn(move || {
                let event = Arc::new(event(Uuid::new_v4(), EventKind::Reboot));
                while dispatching.is_active() {
                    dispatching.deliver(&event);
                }
                dispatching.deliver(&event);
            });
            while watched.calls.load(Ordering::SeqCst) < round % 7 {
                std::hint::spin_loop();
            }
            reg.remove(1, id, Style::Any).ok().unwrap().retire(false);
            assert_eq!(watched.frees.load(Ordering::SeqCst), 1, "released before retire returned");
            let calls = watched.calls.load(Ordering::SeqCst);
            dispatcher.join().unwrap();
            assert_eq!(watched.calls.load(Ordering::SeqCst), calls, "never called once retired");
            assert_eq!(watched.freed_during_call.load(Ordering::SeqCst), 0);
            assert_eq!(watched.frees.load(Ordering::SeqCst), 1);
        }
    }

    /// Retires its own registration from inside its call, as a callback deregistering itself does.
    struct RetiresItself {
        me: Arc<std::sync::OnceLock<std::sync::Weak<Registration<RetiresItself>>>>,
        watched: Watched,
    }

    impl Callback for RetiresItself {
        fn conn_id(&self) -> u64 {
            1
        }
        fn function(&self) -> usize {
            12
        }
        fn call(&self, event: &Arc<Event>, style: Style, filter: Filter) {
            self.watched.in_call.fetch_add(1, Ordering::SeqCst);
            let me = self.me.get().and_then(|me| me.upgrade()).expect("registered");
            me.retire(true);
            self.watched.in_call.fetch_sub(1, Ordering::SeqCst);
            self.watched.call(event, style, filter);
        }
        fn release(&self) {
            self.watched.release();
        }
    }

    #[test]
    fn retired_from_inside_its_own_call_it_is_released_when_the_call_returns() {
        let watched = Watched::default();
        let me = Arc::new(std::sync::OnceLock::new());
        let mut reg = Registry::default();
        let new = NewRegistration {
            style: Style::Any,
            filter: lifecycle(None),
            start: Start::Now,
            bookmarks: false,
            callback: RetiresItself { me: me.clone(), watched: watched.clone() },
        };
        let added = reg.add(new, true, 0).ok().unwrap();
        me.set(Arc::downgrade(&added)).ok().unwrap();
        reg.take(added.id).unwrap();
        // Taken out of the registry while a flush already holds it: no call starts now.
        added.deliver(&Arc::new(event(Uuid::new_v4(), EventKind::Reboot)));
        assert_eq!(watched.calls.load(Ordering::SeqCst), 0);
        let mut reg = Registry::default();
        let new = NewRegistration {
            style: Style::Any,
            filter: lifecycle(None),
            start: Start::Now,
            bookmarks: false,
            callback: RetiresItself { me: Arc::new(std::sync::OnceLock::new()), watched: watched.clone() },
        };
        let added = reg.add(new, true, 0).ok().unwrap();
        added.callback.me.set(Arc::downgrade(&added)).ok().unwrap();
        reg.take(added.id).unwrap();
        added.retire(false);
        assert_eq!(watched.frees.load(Ordering::SeqCst), 1, "not running: released at once");

        let mut reg = Registry::default();
        let watched = Watched::default();
        let new = NewRegistration {
            style: Style::Any,
            filter: lifecycle(None),
            start: Start::Now,
            bookmarks: false,
            callback: RetiresItself { me: Arc::new(std::sync::OnceLock::new()), watched: watched.clone() },
        };
        let added = reg.add(new, true, 0).ok().unwrap();
        added.callback.me.set(Arc::downgrade(&added)).ok().unwrap();
        added.deliver(&Arc::new(event(Uuid::new_v4(), EventKind::Reboot)));
        assert_eq!(watched.calls.load(Ordering::SeqCst), 1);
        assert_eq!(watched.freed_during_call.load(Ordering::SeqCst), 0, "not while its call ran");
        assert_eq!(watched.frees.load(Ordering::SeqCst), 1, "but as it returned");
    }

    #[test]
    fn wrong_style_and_wrong_connection_refused() {
        let frees = Arc::new(AtomicUsize::new(0));
        let mut reg = Registry::default();
        let id = reg.add_now(new_reg(1, 10, Style::Generic, lifecycle(None), &frees)).ok().unwrap();
        let err = reg.remove(1, id, Style::Any).err().unwrap();
        assert!(err.message.contains("virConnectEventUnregister"), "{}", err.message);
        assert!(reg.remove(2, id, Style::Generic).is_err());
        assert!(reg.remove(1, id, Style::Generic).is_ok());
    }

    #[test]
    fn remove_connection_takes_only_its_registrations() {
        let frees = Arc::new(AtomicUsize::new(0));
        let mut reg = Registry::default();
        reg.add_now(new_reg(1, 10, Style::Any, lifecycle(None), &frees)).ok().unwrap();
        reg.add_now(new_reg(2, 10, Style::Any, lifecycle(None), &frees)).ok().unwrap();
        reg.add_now(new_reg(1, 11, Style::Legacy, lifecycle(None), &frees)).ok().unwrap();
        assert_eq!(reg.find_legacy(1, 11), Some(2));
        let removed = reg.remove_connection(1);
        assert_eq!(removed.len(), 2);
        drop(removed);
        assert_eq!(frees.load(Ordering::SeqCst), 2);
        assert_eq!(reg.len(), 1);
        assert_eq!(reg.find_legacy(1, 11), None);
    }
}
