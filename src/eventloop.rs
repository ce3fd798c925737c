//! Event loops: the interface the library uses to watch file descriptors and run timers
//! (libvirt's virEventRegisterImpl contract), and the built-in poll() loop behind
//! virEventRegisterDefaultImpl / virEventRunDefaultImpl.
//!
//! Semantics follow libvirt's: a timeout of -1 is disabled, 0 fires on every iteration, N > 0
//! every N ms counted from when it was added, last updated or last fired; a handle watching no
//! events stays registered but is not polled. Removal never frees a callback that is running:
//! the finalizer runs once the dispatch that might be using it is over.
//!
//! `DispatchThread` (virEventRegisterThreadImpl) runs the built-in loop on a thread the library
//! owns, for applications that have no loop of their own.

use crate::abi::{VIR_EVENT_HANDLE_ERROR, VIR_EVENT_HANDLE_HANGUP, VIR_EVENT_HANDLE_READABLE, VIR_EVENT_HANDLE_WRITABLE};
use crate::debuglog;
use crate::sys::{self, PollFd};
use once_cell::sync::Lazy;
use parking_lot::{Mutex, RwLock};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle, ThreadId};
use std::time::{Duration, Instant};

pub type HandleCallback = Box<dyn FnMut(i32, i32, i32) + Send>;
pub type TimeoutCallback = Box<dyn FnMut(i32) + Send>;
pub type Finalizer = Box<dyn FnOnce() + Send>;

/// What an event loop offers the library. Return values follow libvirt: a positive watch or
/// timer number, or -1; removal returns 0 or -1 for an unknown number.
pub trait EventLoopImpl: Send + Sync {
    fn add_handle(&self, fd: i32, events: i32, cb: HandleCallback, ff: Option<Finalizer>) -> i32;
    fn update_handle(&self, watch: i32, events: i32);
    fn remove_handle(&self, watch: i32) -> i32;
    fn add_timeout(&self, frequency_ms: i32, cb: TimeoutCallback, ff: Option<Finalizer>) -> i32;
    fn update_timeout(&self, timer: i32, frequency_ms: i32);
    fn remove_timeout(&self, timer: i32) -> i32;
}

static CURRENT: RwLock<Option<Arc<dyn EventLoopImpl>>> = RwLock::new(None);
static DEFAULT_LOOP: Lazy<Arc<DefaultLoop>> = Lazy::new(|| Arc::new(DefaultLoop::new()));
static DISPATCH_THREAD: Lazy<Arc<DispatchThread>> = Lazy::new(|| DispatchThread::new(DEFAULT_LOOP.clone()));

/// Makes `imp` the loop every later registration uses.
pub fn register_impl(imp: Arc<dyn EventLoopImpl>) {
    *CURRENT.write() = Some(imp);
}

pub fn current_impl() -> Option<Arc<dyn EventLoopImpl>> {
    CURRENT.read().clone()
}

/// The process-wide built-in loop (created on first use).
pub fn default_loop() -> &'static DefaultLoop {
    &DEFAULT_LOOP
}

pub fn register_default_impl() {
    let imp: Arc<dyn EventLoopImpl> = DEFAULT_LOOP.clone();
    register_impl(imp);
}

/// The dispatch thread that runs the built-in loop in thread mode.
pub fn dispatch_thread() -> &'static Arc<DispatchThread> {
    &DISPATCH_THREAD
}

/// Thread mode: the built-in loop becomes the registered one and the library runs it on its
/// own thread while connections are open.
pub fn register_thread_impl() -> io::Result<()> {
    register_default_impl();
    DISPATCH_THREAD.enable()
}

#[derive(Debug)]
pub enum LoopError {
    AlreadyRunning,
    Poll(io::Error),
}

impl std::fmt::Display for LoopError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoopError::AlreadyRunning => write!(f, "the event loop is already running (recursive or concurrent call)"),
            LoopError::Poll(e) => write!(f, "poll() failed: {e}"),
        }
    }
}

struct Handle {
    watch: i32,
    fd: i32,
    events: i32,
    callback: Arc<Mutex<HandleCallback>>,
    finalizer: Option<Finalizer>,
    deleted: bool,
}

struct Timeout {
    timer: i32,
    frequency: i32,
    expires_at: Instant,
    callback: Arc<Mutex<TimeoutCallback>>,
    finalizer: Option<Finalizer>,
    deleted: bool,
}

#[derive(Default)]
struct LoopState {
    handles: Vec<Handle>,
    timeouts: Vec<Timeout>,
    last_watch: i32,
    last_timer: i32,
    /// The thread inside run_once, if any.
    runner: Option<ThreadId>,
    /// True while the runner is (about to be) blocked in poll: changes must wake it.
    polling: bool,
    /// True while callbacks run: removals are then only marked, and swept afterwards.
    dispatching: bool,
    /// True while the runner spins before blocking: a change then only sets `nudged`.
    spinning: bool,
}

/// The built-in poll() loop.
pub struct DefaultLoop {
    state: Mutex<LoopState>,
    wake_reader: UnixStream,
    wake_writer: UnixStream,
    /// Set by another thread's change while the runner spins.
    nudged: AtomicBool,
    /// Whether spinning can help: with one CPU it only delays the thread that would wake us.
    may_spin: bool,
}

/// How long an idle runner watches for work before it sleeps in poll(): a wake-up through
/// poll() costs several microseconds of scheduler latency, a change seen while spinning
/// well under one. Only when no file descriptor of the application is watched, so that fd
/// readiness is never delayed by the spin.
const SPIN_BEFORE_SLEEP: Duration = Duration::from_micros(50);

impl Default for DefaultLoop {
    fn default() -> Self {
        Self::new()
    }
}

fn to_poll_events(events: i32) -> i16 {
    let mut bits = 0;
    if events & VIR_EVENT_HANDLE_READABLE != 0 {
        bits |= libc::POLLIN;
    }
    if events & VIR_EVENT_HANDLE_WRITABLE != 0 {
        bits |= libc::POLLOUT;
    }
    if events & VIR_EVENT_HANDLE_ERROR != 0 {
        bits |= libc::POLLERR;
    }
    if events & VIR_EVENT_HANDLE_HANGUP != 0 {
        bits |= libc::POLLHUP;
    }
    bits
}

fn from_poll_events(bits: i16) -> i32 {
    let mut events = 0;
    if bits & libc::POLLIN != 0 {
        events |= VIR_EVENT_HANDLE_READABLE;
    }
    if bits & libc::POLLOUT != 0 {
        events |= VIR_EVENT_HANDLE_WRITABLE;
    }
    if bits & (libc::POLLERR | libc::POLLNVAL) != 0 {
        events |= VIR_EVENT_HANDLE_ERROR;
    }
    if bits & libc::POLLHUP != 0 {
        events |= VIR_EVENT_HANDLE_HANGUP;
    }
    events
}

fn run_finalizers(finalizers: Vec<Finalizer>) {
    for finalizer in finalizers {
        debuglog::contain_panic("an event loop finalizer", finalizer);
    }
}

/// Gives the loop back if an iteration unwinds (a bug of ours, since callbacks are contained),
/// so that the next `run_once` is not refused as recursive forever. Removed entries stay marked
/// and are swept by the next iteration.
struct RunnerGuard<'a>(&'a DefaultLoop);

impl Drop for RunnerGuard<'_> {
    fn drop(&mut self) {
        let mut st = self.0.state.lock();
        st.runner = None;
        st.polling = false;
        st.spinning = false;
        st.dispatching = false;
    }
}

impl DefaultLoop {
    pub fn new() -> Self {
        let (wake_reader, wake_writer) = UnixStream::pair().expect("socketpair for the event loop's wake-up channel");
        wake_reader.set_nonblocking(true).expect("non-blocking wake-up reader");
        wake_writer.set_nonblocking(true).expect("non-blocking wake-up writer");
        DefaultLoop {
            state: Mutex::new(LoopState::default()),
            wake_reader,
            wake_writer,
            nudged: AtomicBool::new(false),
            may_spin: thread::available_parallelism().is_ok_and(|n| n.get() > 1),
        }
    }

    /// Wakes a runner blocked in poll so it sees a change made from elsewhere.
    fn wake_if_polling(&self, state: &LoopState) {
        if state.polling && state.runner != Some(thread::current().id()) {
            if state.spinning {
                self.nudged.store(true, Ordering::Release);
            } else {
                // A full buffer already guarantees a wake-up, so a failed write is harmless.
                let _ = (&self.wake_writer).write(&[1]);
            }
        }
    }

    /// Spins until another thread changes something or `SPIN_BEFORE_SLEEP` passes; true if
    /// something changed (then there is no need to poll).
    fn spin(&self) -> bool {
        let deadline = Instant::now() + SPIN_BEFORE_SLEEP;
        loop {
            if self.nudged.swap(false, Ordering::AcqRel) {
                break;
            }
            if Instant::now() >= deadline {
                // Leave the spin under the lock, so that a change either saw us spinning (and
                // nudged) or sees us polling (and writes to the wake-up socket).
                let mut st = self.state.lock();
                st.spinning = false;
                return self.nudged.swap(false, Ordering::AcqRel);
            }
            std::hint::spin_loop();
        }
        self.state.lock().spinning = false;
        true
    }

    /// Wakes the loop unconditionally (used when stopping a thread that runs it).
    pub fn wake(&self) {
        let _ = (&self.wake_writer).write(&[1]);
    }

    fn drain_wakeups(&self) {
        let mut buf = [0u8; 64];
        while matches!((&self.wake_reader).read(&mut buf), Ok(n) if n > 0) {}
    }

    /// One iteration: wait for a ready handle or a due timeout (forever if nothing can fire),
    /// then run due timeouts and then ready handles, with no lock held during callbacks.
    pub fn run_once(&self) -> Result<(), LoopError> {
        let mut fds: Vec<PollFd>;
        let watches: Vec<i32>;
        let wait_ms;
        let spinning;
        let running;
        {
            let mut st = self.state.lock();
            if st.runner.is_some() {
                return Err(LoopError::AlreadyRunning);
            }
            st.runner = Some(thread::current().id());
            st.polling = true;
            running = RunnerGuard(self);
            let now = Instant::now();
            wait_ms = st
                .timeouts
                .iter()
                .filter(|t| !t.deleted && t.frequency >= 0)
                .map(|t| t.expires_at.saturating_duration_since(now))
                .min()
                .map_or(-1, |d| d.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32);
            let polled: Vec<&Handle> = st.handles.iter().filter(|h| !h.deleted && h.events != 0).collect();
            fds = Vec::with_capacity(polled.len() + 1);
            fds.push(PollFd { fd: self.wake_reader.as_raw_fd(), events: libc::POLLIN, revents: 0 });
            fds.extend(polled.iter().map(|h| PollFd { fd: h.fd, events: to_poll_events(h.events), revents: 0 }));
            watches = polled.iter().map(|h| h.watch).collect();
            spinning = self.may_spin && wait_ms != 0 && watches.is_empty();
            st.spinning = spinning;
        }
        let polled = if spinning && self.spin() { Ok(0) } else { sys::poll(&mut fds, wait_ms) };
        {
            let mut st = self.state.lock();
            st.polling = false;
            st.dispatching = true;
        }
        if fds[0].revents != 0 {
            self.drain_wakeups();
        }
        let result = match polled {
            Ok(_) => {
                self.dispatch_timeouts();
                self.dispatch_handles(&watches, &fds[1..]);
                Ok(())
            }
            Err(e) => Err(LoopError::Poll(e)),
        };
        std::mem::forget(running);
        let finalizers = {
            let mut st = self.state.lock();
            st.dispatching = false;
            st.runner = None;
            Self::sweep(&mut st)
        };
        run_finalizers(finalizers);
        result
    }

    fn dispatch_timeouts(&self) {
        let due: Vec<i32> = {
            let st = self.state.lock();
            let now = Instant::now();
            st.timeouts.iter().filter(|t| !t.deleted && t.frequency >= 0 && t.expires_at <= now).map(|t| t.timer).collect()
        };
        for timer in due {
            // Re-check: an earlier callback may have removed or disabled this one.
            let callback = {
                let mut st = self.state.lock();
                let Some(t) = st.timeouts.iter_mut().find(|t| t.timer == timer && !t.deleted && t.frequency >= 0) else {
                    continue;
                };
                t.expires_at = Instant::now() + Duration::from_millis(t.frequency as u64);
                t.callback.clone()
            };
            let mut callback = callback.lock();
            debuglog::contain_panic("an event loop timeout", || (*callback)(timer));
        }
    }

    fn dispatch_handles(&self, watches: &[i32], fds: &[PollFd]) {
        for (&watch, pfd) in watches.iter().zip(fds) {
            if pfd.revents == 0 {
                continue;
            }
            let (callback, fd) = {
                let st = self.state.lock();
                let Some(h) = st.handles.iter().find(|h| h.watch == watch && !h.deleted) else { continue };
                (h.callback.clone(), h.fd)
            };
            let mut callback = callback.lock();
            debuglog::contain_panic("an event loop handle", || (*callback)(watch, fd, from_poll_events(pfd.revents)));
        }
    }

    /// Takes removed entries out of the lists; their finalizers are returned to run unlocked.
    fn sweep(st: &mut LoopState) -> Vec<Finalizer> {
        let mut finalizers = Vec::new();
        st.handles.retain_mut(|h| {
            if h.deleted {
                finalizers.extend(h.finalizer.take());
            }
            !h.deleted
        });
        st.timeouts.retain_mut(|t| {
            if t.deleted {
                finalizers.extend(t.finalizer.take());
            }
            !t.deleted
        });
        finalizers
    }

    /// Marks an entry removed; outside a dispatch it is swept (and finalized) at once.
    fn finish_removal(&self, mut st: parking_lot::MutexGuard<'_, LoopState>) {
        if st.dispatching {
            self.wake_if_polling(&st);
            return;
        }
        let finalizers = Self::sweep(&mut st);
        drop(st);
        run_finalizers(finalizers);
    }
}

impl EventLoopImpl for DefaultLoop {
    fn add_handle(&self, fd: i32, events: i32, cb: HandleCallback, ff: Option<Finalizer>) -> i32 {
        if fd < 0 {
            drop(cb);
            if let Some(ff) = ff {
                ff();
            }
            return -1;
        }
        let mut st = self.state.lock();
        st.last_watch += 1;
        let watch = st.last_watch;
        st.handles.push(Handle { watch, fd, events, callback: Arc::new(Mutex::new(cb)), finalizer: ff, deleted: false });
        self.wake_if_polling(&st);
        watch
    }

    fn update_handle(&self, watch: i32, events: i32) {
        let mut st = self.state.lock();
        if let Some(h) = st.handles.iter_mut().find(|h| h.watch == watch && !h.deleted) {
            h.events = events;
            self.wake_if_polling(&st);
        }
    }

    fn remove_handle(&self, watch: i32) -> i32 {
        let mut st = self.state.lock();
        let Some(h) = st.handles.iter_mut().find(|h| h.watch == watch && !h.deleted) else { return -1 };
        h.deleted = true;
        self.finish_removal(st);
        0
    }

    fn add_timeout(&self, frequency_ms: i32, cb: TimeoutCallback, ff: Option<Finalizer>) -> i32 {
        let mut st = self.state.lock();
        st.last_timer += 1;
        let timer = st.last_timer;
        st.timeouts.push(Timeout {
            timer,
            frequency: frequency_ms,
            expires_at: Instant::now() + Duration::from_millis(frequency_ms.max(0) as u64),
            callback: Arc::new(Mutex::new(cb)),
            finalizer: ff,
            deleted: false,
        });
        self.wake_if_polling(&st);
        timer
    }

    fn update_timeout(&self, timer: i32, frequency_ms: i32) {
        let mut st = self.state.lock();
        if let Some(t) = st.timeouts.iter_mut().find(|t| t.timer == timer && !t.deleted) {
            t.frequency = frequency_ms;
            t.expires_at = Instant::now() + Duration::from_millis(frequency_ms.max(0) as u64);
            self.wake_if_polling(&st);
        }
    }

    fn remove_timeout(&self, timer: i32) -> i32 {
        let mut st = self.state.lock();
        let Some(t) = st.timeouts.iter_mut().find(|t| t.timer == timer && !t.deleted) else { return -1 };
        t.deleted = true;
        self.finish_removal(st);
        0
    }
}

/// A thread owned by the library that runs a `DefaultLoop`, so that callbacks fire with no
/// application loop (virEventRegisterThreadImpl). It runs while thread mode is on and at
/// least one connection is open, so that closing the last connection leaves no thread behind.
///
/// Stopping joins the thread, except from the thread itself (a callback closing the last
/// connection): it cannot wait for itself, so it finishes once that callback returns and the
/// join happens at the next start, stop or process exit.
pub struct DispatchThread {
    event_loop: Arc<DefaultLoop>,
    state: Mutex<DispatchState>,
}

#[derive(Default)]
struct DispatchState {
    enabled: bool,
    open_connections: usize,
    worker: Option<Worker>,
    /// Workers that stopped themselves and have left their loop, still to be joined.
    finished: Vec<JoinHandle<()>>,
}

struct Worker {
    handle: JoinHandle<()>,
    id: ThreadId,
    /// Asked from its own thread to stop after the current iteration.
    stop: bool,
}

/// The name the dispatch thread carries (visible in /proc and debuggers; documented).
const DISPATCH_THREAD_NAME: &str = "virtevent-loop";

impl DispatchThread {
    pub fn new(event_loop: Arc<DefaultLoop>) -> Arc<Self> {
        Arc::new(DispatchThread { event_loop, state: Mutex::new(DispatchState::default()) })
    }

    /// Turns thread mode on (idempotent); the thread starts now if a connection is open.
    pub fn enable(self: &Arc<Self>) -> io::Result<()> {
        self.state.lock().enabled = true;
        self.reconcile()
    }

    pub fn is_enabled(&self) -> bool {
        self.state.lock().enabled
    }

    /// The dispatch thread's ID, while one runs and has not been asked to stop.
    #[cfg(test)]
    fn thread_id(&self) -> Option<ThreadId> {
        self.state.lock().worker.as_ref().filter(|w| !w.stop).map(|w| w.id)
    }

    /// A connection opened: in thread mode the thread starts if it is not running.
    pub fn connection_opened(self: &Arc<Self>) -> io::Result<()> {
        self.state.lock().open_connections += 1;
        let started = self.reconcile();
        if started.is_err() {
            self.state.lock().open_connections -= 1;
        }
        started
    }

    /// A connection closed: after the last one the thread stops. This waits for a callback
    /// running on the thread to return, unless called from that callback.
    pub fn connection_closed(self: &Arc<Self>) {
        {
            let mut st = self.state.lock();
            st.open_connections = st.open_connections.saturating_sub(1);
        }
        // Stopping cannot fail; only starting a thread can.
        let _ = self.reconcile();
    }

    /// Process exit: thread mode ends and the thread is asked to stop. Waits at most `grace`
    /// for it (a callback that never returns must not hang the exit), then joins it if it is
    /// done. From the thread itself (exit() inside a callback) there is nothing to wait for.
    pub fn shutdown(&self, grace: Duration) {
        let (worker, finished) = {
            let mut st = self.state.lock();
            st.enabled = false;
            let finished = std::mem::take(&mut st.finished);
            match st.worker.as_mut() {
                Some(w) if w.id == thread::current().id() => {
                    w.stop = true;
                    (None, finished)
                }
                _ => (st.worker.take(), finished),
            }
        };
        for handle in finished {
            let _ = handle.join();
        }
        let Some(worker) = worker else { return };
        self.event_loop.wake();
        let deadline = Instant::now() + grace;
        while !worker.handle.is_finished() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        if worker.handle.is_finished() {
            let _ = worker.handle.join();
        }
        // Otherwise the handle is dropped, which detaches the thread; the exit ends it.
    }

    /// Brings the thread in line with what is wanted: running iff thread mode is on and a
    /// connection is open. Joins without holding the state lock, so that a callback still
    /// running on the thread being joined may call back into this (e.g. open a connection).
    fn reconcile(self: &Arc<Self>) -> io::Result<()> {
        let me = thread::current().id();
        let mut outcome = Ok(());
        let (to_join, finished) = {
            let mut st = self.state.lock();
            let finished = std::mem::take(&mut st.finished);
            let wanted = st.enabled && st.open_connections > 0;
            let mut to_join = None;
            match st.worker.as_mut() {
                // Also cancels a stop the thread asked for itself and has not yet acted on.
                Some(w) if wanted => w.stop = false,
                Some(w) if w.id == me => w.stop = true,
                Some(_) => to_join = st.worker.take(),
                None if wanted => match self.spawn() {
                    Ok(worker) => st.worker = Some(worker),
                    Err(e) => outcome = Err(e),
                },
                None => {}
            }
            (to_join, finished)
        };
        for handle in finished {
            let _ = handle.join();
        }
        if let Some(worker) = to_join {
            self.event_loop.wake();
            let _ = worker.handle.join();
        }
        outcome
    }

    /// Starts a worker; called with the state lock held, which the worker takes before its
    /// first iteration, so it always finds itself registered.
    fn spawn(self: &Arc<Self>) -> io::Result<Worker> {
        let this = self.clone();
        let handle = thread::Builder::new().name(DISPATCH_THREAD_NAME.into()).spawn(move || this.run())?;
        Ok(Worker { id: handle.thread().id(), handle, stop: false })
    }

    /// The worker's body: loop iterations until it is no longer the wanted worker.
    fn run(self: Arc<Self>) {
        debuglog::install_panic_hook();
        sys::block_async_signals();
        let me = thread::current().id();
        loop {
            {
                let mut st = self.state.lock();
                match &st.worker {
                    Some(w) if w.id == me && !w.stop => {}
                    Some(w) if w.id == me => {
                        let worker = st.worker.take().expect("matched just above");
                        st.finished.push(worker.handle);
                        return;
                    }
                    // Taken out by whoever is joining it, or replaced.
                    _ => return,
                }
            }
            let iteration = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.event_loop.run_once()));
            if !matches!(iteration, Ok(Ok(()))) {
                // Another thread is still inside the loop (a worker being stopped, finishing
                // its callback), poll failed, or the iteration panicked (the panic hook logged
                // it): try again shortly instead of spinning.
                thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI32, Ordering};

    fn counter() -> Arc<AtomicI32> {
        Arc::new(AtomicI32::new(0))
    }

    #[test]
    fn zero_timeout_fires_every_iteration_and_disabled_never() {
        let lp = DefaultLoop::new();
        let (zero, disabled) = (counter(), counter());
        let z = zero.clone();
        lp.add_timeout(0, Box::new(move |_| { z.fetch_add(1, Ordering::SeqCst); }), None);
        let d = disabled.clone();
        lp.add_timeout(-1, Box::new(move |_| { d.fetch_add(1, Ordering::SeqCst); }), None);
        for _ in 0..3 {
            lp.run_once().unwrap();
        }
        assert_eq!(zero.load(Ordering::SeqCst), 3);
        assert_eq!(disabled.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn periodic_timeout_waits_its_period() {
        let lp = DefaultLoop::new();
        let fired = counter();
        let f = fired.clone();
        lp.add_timeout(30, Box::new(move |_| { f.fetch_add(1, Ordering::SeqCst); }), None);
        let start = Instant::now();
        lp.run_once().unwrap();
        assert!(start.elapsed() >= Duration::from_millis(29), "{:?}", start.elapsed());
        assert_eq!(fired.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn readable_handle_reports_fd_and_events() {
        let lp = DefaultLoop::new();
        let (a, mut b) = UnixStream::pair().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let fd = a.as_raw_fd();
        let watch = lp.add_handle(fd, VIR_EVENT_HANDLE_READABLE, Box::new(move |w, fd, ev| s.lock().push((w, fd, ev))), None);
        b.write_all(b"x").unwrap();
        lp.run_once().unwrap();
        assert_eq!(*seen.lock(), vec![(watch, fd, VIR_EVENT_HANDLE_READABLE)]);
        lp.update_handle(watch, 0);
        lp.add_timeout(0, Box::new(|_| {}), None);
        lp.run_once().unwrap();
        assert_eq!(seen.lock().len(), 1, "a handle watching nothing is not dispatched");
    }

    #[test]
    fn removal_inside_callback_defers_finalizer_until_callback_returns() {
        let lp = Arc::new(DefaultLoop::new());
        let finalized = counter();
        let fin = finalized.clone();
        let checked = counter();
        let (lp2, fin2, chk) = (lp.clone(), finalized.clone(), checked.clone());
        lp.add_timeout(
            0,
            Box::new(move |timer| {
                assert_eq!(lp2.remove_timeout(timer), 0);
                assert_eq!(lp2.remove_timeout(timer), -1, "double removal is refused");
                // Still running: the finalizer must not have run yet.
                chk.store(fin2.load(Ordering::SeqCst) + 1, Ordering::SeqCst);
            }),
            Some(Box::new(move || { fin.fetch_add(1, Ordering::SeqCst); })),
        );
        lp.run_once().unwrap();
        assert_eq!(checked.load(Ordering::SeqCst), 1);
        assert_eq!(finalized.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn removal_outside_dispatch_finalizes_at_once() {
        let lp = DefaultLoop::new();
        let finalized = counter();
        let fin = finalized.clone();
        let t = lp.add_timeout(-1, Box::new(|_| {}), Some(Box::new(move || { fin.fetch_add(1, Ordering::SeqCst); })));
        assert_eq!(lp.remove_timeout(t), 0);
        assert_eq!(finalized.load(Ordering::SeqCst), 1);
        assert_eq!(lp.remove_timeout(t), -1);
        assert_eq!(lp.remove_handle(12345), -1);
    }

    #[test]
    fn nested_run_is_refused() {
        let lp = Arc::new(DefaultLoop::new());
        let lp2 = lp.clone();
        let nested = Arc::new(Mutex::new(None));
        let n = nested.clone();
        lp.add_timeout(0, Box::new(move |_| *n.lock() = Some(lp2.run_once().is_err())), None);
        lp.run_once().unwrap();
        assert_eq!(*nested.lock(), Some(true));
    }

    #[test]
    fn change_from_another_thread_wakes_a_blocked_loop() {
        let lp = Arc::new(DefaultLoop::new());
        let fired = counter();
        let f = fired.clone();
        let timer = lp.add_timeout(-1, Box::new(move |_| { f.fetch_add(1, Ordering::SeqCst); }), None);
        let lp2 = lp.clone();
        let waker = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            lp2.update_timeout(timer, 0);
        });
        lp.run_once().unwrap(); // woken by the update
        lp.run_once().unwrap(); // the enabled timer fires
        waker.join().unwrap();
        assert!(fired.load(Ordering::SeqCst) >= 1);
    }

    /// Polls `cond` for up to five seconds.
    fn eventually(cond: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if cond() {
                return true;
            }
            thread::sleep(Duration::from_millis(1));
        }
        cond()
    }

    /// A dispatch thread over a private loop, in thread mode.
    fn thread_mode() -> (Arc<DefaultLoop>, Arc<DispatchThread>) {
        let lp = Arc::new(DefaultLoop::new());
        let dispatch = DispatchThread::new(lp.clone());
        dispatch.enable().unwrap();
        (lp, dispatch)
    }

    #[test]
    fn dispatch_thread_runs_only_in_thread_mode_while_a_connection_is_open() {
        let lp = Arc::new(DefaultLoop::new());
        let dispatch = DispatchThread::new(lp);
        dispatch.connection_opened().unwrap();
        assert_eq!(dispatch.thread_id(), None, "not in thread mode");
        dispatch.enable().unwrap();
        let first = dispatch.thread_id().expect("started by enable, a connection being open");
        dispatch.enable().unwrap();
        dispatch.connection_opened().unwrap();
        assert_eq!(dispatch.thread_id(), Some(first), "idempotent: still the one thread");
        dispatch.connection_closed();
        assert_eq!(dispatch.thread_id(), Some(first));
        dispatch.connection_closed();
        assert_eq!(dispatch.thread_id(), None);
        assert_eq!(Arc::strong_count(&dispatch), 1, "the thread was joined");
    }

    #[test]
    fn callbacks_run_in_order_on_the_dispatch_thread() {
        let (lp, dispatch) = thread_mode();
        dispatch.connection_opened().unwrap();
        let worker = dispatch.thread_id().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        for n in 0..20 {
            let seen = seen.clone();
            let lp2 = lp.clone();
            // Added from this thread while the worker is blocked in poll: each must wake it.
            lp.add_timeout(
                0,
                Box::new(move |timer| {
                    seen.lock().push((n, thread::current().id()));
                    lp2.remove_timeout(timer);
                }),
                None,
            );
        }
        assert!(eventually(|| seen.lock().len() == 20));
        let seen = seen.lock().clone();
        assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), (0..20).collect::<Vec<_>>());
        assert!(seen.iter().all(|s| s.1 == worker && s.1 != thread::current().id()));
        dispatch.connection_closed();
        assert_eq!(Arc::strong_count(&dispatch), 1);
    }

    #[test]
    fn closing_the_last_connection_from_a_callback_stops_after_it_returns() {
        let (lp, dispatch) = thread_mode();
        dispatch.connection_opened().unwrap();
        let returned = Arc::new(AtomicI32::new(0));
        let (d2, r2, lp2) = (dispatch.clone(), returned.clone(), lp.clone());
        lp.add_timeout(
            0,
            Box::new(move |timer| {
                d2.connection_closed(); // must not wait for itself
                lp2.remove_timeout(timer);
                r2.store(1, Ordering::SeqCst);
            }),
            None,
        );
        assert!(eventually(|| returned.load(Ordering::SeqCst) == 1));
        assert!(eventually(|| dispatch.thread_id().is_none()));
        // The next start joins the thread that stopped itself and starts a fresh one.
        dispatch.connection_opened().unwrap();
        assert!(dispatch.thread_id().is_some());
        dispatch.connection_closed();
        assert_eq!(Arc::strong_count(&dispatch), 1, "both threads were joined");
    }

    #[test]
    fn reopening_from_the_same_callback_keeps_the_thread() {
        let (lp, dispatch) = thread_mode();
        dispatch.connection_opened().unwrap();
        let worker = dispatch.thread_id().unwrap();
        let fired = counter();
        let (d2, f2, lp2) = (dispatch.clone(), fired.clone(), lp.clone());
        lp.add_timeout(
            0,
            Box::new(move |timer| {
                d2.connection_closed();
                d2.connection_opened().unwrap();
                lp2.remove_timeout(timer);
                f2.fetch_add(1, Ordering::SeqCst);
            }),
            None,
        );
        assert!(eventually(|| fired.load(Ordering::SeqCst) == 1));
        let after = counter();
        let a2 = after.clone();
        lp.add_timeout(0, Box::new(move |_| { a2.fetch_add(1, Ordering::SeqCst); }), None);
        assert!(eventually(|| after.load(Ordering::SeqCst) > 0), "the loop still runs");
        assert_eq!(dispatch.thread_id(), Some(worker));
        dispatch.connection_closed();
        assert_eq!(Arc::strong_count(&dispatch), 1);
    }

    #[test]
    fn shutdown_gives_up_on_a_callback_that_does_not_return() {
        let (lp, dispatch) = thread_mode();
        dispatch.connection_opened().unwrap();
        let release = Arc::new(AtomicI32::new(0));
        let entered = counter();
        let (r2, e2) = (release.clone(), entered.clone());
        lp.add_timeout(
            0,
            Box::new(move |_| {
                e2.store(1, Ordering::SeqCst);
                while r2.load(Ordering::SeqCst) == 0 {
                    thread::sleep(Duration::from_millis(1));
                }
            }),
            None,
        );
        assert!(eventually(|| entered.load(Ordering::SeqCst) == 1));
        let start = Instant::now();
        dispatch.shutdown(Duration::from_millis(100));
        assert!(start.elapsed() < Duration::from_secs(2));
        assert!(!dispatch.is_enabled());
        assert_eq!(dispatch.thread_id(), None);
        release.store(1, Ordering::SeqCst); // let the detached thread finish
        assert!(eventually(|| Arc::strong_count(&dispatch) == 1));
    }
}
