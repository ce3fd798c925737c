//! virEvent*: the default event loop, an application's own loop (virEventRegisterImpl), and
//! the handle/timeout calls that go to whichever is registered.

use super::entry;
use super::types::*;
use crate::abi::{VIR_ERR_OPERATION_INVALID, VIR_FROM_EVENT};
use crate::error::VirError;
use crate::eventloop::{self, EventLoopImpl, Finalizer, HandleCallback, TimeoutCallback};
use parking_lot::Mutex;
use std::ffi::{c_int, c_void};
use std::sync::{Arc, Once};
use std::time::Duration;

/// An application's event loop, reached through the six functions it registered.
struct ApplicationLoop {
    add_handle: unsafe extern "C" fn(c_int, c_int, virEventHandleCallback, *mut c_void, virFreeCallback) -> c_int,
    update_handle: unsafe extern "C" fn(c_int, c_int),
    remove_handle: unsafe extern "C" fn(c_int) -> c_int,
    add_timeout: unsafe extern "C" fn(c_int, virEventTimeoutCallback, *mut c_void, virFreeCallback) -> c_int,
    update_timeout: unsafe extern "C" fn(c_int, c_int),
    remove_timeout: unsafe extern "C" fn(c_int) -> c_int,
}

/// What the application's loop holds as `opaque` for one of our handles or timeouts.
struct Watch<F> {
    callback: Mutex<F>,
    finalizer: Option<Finalizer>,
}

unsafe extern "C" fn handle_trampoline(watch: c_int, fd: c_int, events: c_int, opaque: *mut c_void) {
    // SAFETY: `opaque` is the Watch boxed in add_handle, alive until free_watch.
    let watch_data = &*(opaque as *const Watch<HandleCallback>);
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (watch_data.callback.lock())(watch, fd, events)));
}

unsafe extern "C" fn timeout_trampoline(timer: c_int, opaque: *mut c_void) {
    // SAFETY: `opaque` is the Watch boxed in add_timeout, alive until free_watch.
    let watch_data = &*(opaque as *const Watch<TimeoutCallback>);
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (watch_data.callback.lock())(timer)));
}

unsafe extern "C" fn free_watch<F>(opaque: *mut c_void) {
    // SAFETY: called once by the application's loop with the Watch it was given.
    let watch_data = Box::from_raw(opaque as *mut Watch<F>);
    if let Some(finalizer) = watch_data.finalizer {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(finalizer));
    }
}

impl EventLoopImpl for ApplicationLoop {
    fn add_handle(&self, fd: i32, events: i32, cb: HandleCallback, ff: Option<Finalizer>) -> i32 {
        let opaque = Box::into_raw(Box::new(Watch { callback: Mutex::new(cb), finalizer: ff })) as *mut c_void;
        // SAFETY: the application's function; it owns `opaque` until it calls free_watch.
        let watch = unsafe { (self.add_handle)(fd, events, Some(handle_trampoline), opaque, Some(free_watch::<HandleCallback>)) };
        if watch < 0 {
            // SAFETY: refused, so the application never took `opaque`.
            drop(unsafe { Box::from_raw(opaque as *mut Watch<HandleCallback>) });
        }
        watch
    }
    fn update_handle(&self, watch: i32, events: i32) {
        // SAFETY: the application's function.
        unsafe { (self.update_handle)(watch, events) }
    }
    fn remove_handle(&self, watch: i32) -> i32 {
        // SAFETY: the application's function.
        unsafe { (self.remove_handle)(watch) }
    }
    fn add_timeout(&self, frequency_ms: i32, cb: TimeoutCallback, ff: Option<Finalizer>) -> i32 {
        let opaque = Box::into_raw(Box::new(Watch { callback: Mutex::new(cb), finalizer: ff })) as *mut c_void;
        // SAFETY: the application's function; it owns `opaque` until it calls free_watch.
        let timer =
            unsafe { (self.add_timeout)(frequency_ms, Some(timeout_trampoline), opaque, Some(free_watch::<TimeoutCallback>)) };
        if timer < 0 {
            // SAFETY: refused, so the application never took `opaque`.
            drop(unsafe { Box::from_raw(opaque as *mut Watch<TimeoutCallback>) });
        }
        timer
    }
    fn update_timeout(&self, timer: i32, frequency_ms: i32) {
        // SAFETY: the application's function.
        unsafe { (self.update_timeout)(timer, frequency_ms) }
    }
    fn remove_timeout(&self, timer: i32) -> i32 {
        // SAFETY: the application's function.
        unsafe { (self.remove_timeout)(timer) }
    }
}

/// Makes the library use the application's own event loop (e.g. GLib's). All six functions
/// are required; with any of them NULL the call is ignored. Register before any callback.
#[no_mangle]
pub extern "C" fn virEventRegisterImpl(
    addHandle: virEventAddHandleFunc,
    updateHandle: virEventUpdateHandleFunc,
    removeHandle: virEventRemoveHandleFunc,
    addTimeout: virEventAddTimeoutFunc,
    updateTimeout: virEventUpdateTimeoutFunc,
    removeTimeout: virEventRemoveTimeoutFunc,
) {
    entry("virEventRegisterImpl", || {
        let (
            Some(add_handle),
            Some(update_handle),
            Some(remove_handle),
            Some(add_timeout),
            Some(update_timeout),
            Some(remove_timeout),
        ) = (addHandle, updateHandle, removeHandle, addTimeout, updateTimeout, removeTimeout)
        else {
            return Err(VirError::invalid_arg("virEventRegisterImpl: every function must be given"));
        };
        eventloop::register_impl(Arc::new(ApplicationLoop {
            add_handle,
            update_handle,
            remove_handle,
            add_timeout,
            update_timeout,
            remove_timeout,
        }));
        Ok(())
    })
}

/// Makes the library use its built-in poll() loop, run by calling virEventRunDefaultImpl.
/// Returns 0.
#[no_mangle]
pub extern "C" fn virEventRegisterDefaultImpl() -> c_int {
    entry("virEventRegisterDefaultImpl", || {
        eventloop::register_default_impl();
        Ok(0)
    })
}

/// How long process exit waits for a callback still running on the dispatch thread.
const EXIT_GRACE: Duration = Duration::from_secs(1);

extern "C" fn stop_dispatch_thread_at_exit() {
    let _ = std::panic::catch_unwind(|| eventloop::dispatch_thread().shutdown(EXIT_GRACE));
}

/// Makes the library run its built-in loop on a dispatch thread of its own, so that event
/// callbacks fire with no application loop at all (for callers such as Python or Go through
/// dlopen). Call it instead of virEventRegisterDefaultImpl, before opening connections.
///
/// The thread runs while at least one connection is open: it starts with the first (or at
/// once, if connections are already open) and is stopped and joined when the last one is
/// closed, and at process exit. Event callbacks (and the application's own handles and
/// timeouts) run on that one thread, one at a time, in event order; a free callback runs on
/// the thread that deregisters, or on the dispatch thread as soon as a callback it was
/// waiting for returns. Closing the last connection waits for a callback in progress to
/// return, unless it is called from that callback (then the thread stops right after it).
/// Process exit waits at most one second for a running callback. The thread is named
/// "virtevent-loop" and blocks asynchronous signals, which stay with the application's threads.
/// virEventRunDefaultImpl is refused from then on: the thread runs the loop.
///
/// Idempotent; may be called from any thread. Returns 0, or -1 if the thread cannot start.
///
/// virtevent extension
#[no_mangle]
pub extern "C" fn virEventRegisterThreadImpl() -> c_int {
    entry("virEventRegisterThreadImpl", || {
        static AT_EXIT: Once = Once::new();
        // SAFETY: registers a function of this library that takes no arguments; atexit
        // handlers registered from a shared object also run when it is unloaded.
        AT_EXIT.call_once(|| unsafe {
            libc::atexit(stop_dispatch_thread_at_exit);
        });
        eventloop::register_thread_impl()
            .map(|_| 0)
            .map_err(|e| VirError::system(format!("virEventRegisterThreadImpl: cannot start the dispatch thread: {e}")))
    })
}

/// Runs one iteration of the built-in loop: waits until a handle is ready or a timeout is due
/// (indefinitely if neither can happen), then dispatches them — queued domain events included.
/// Returns 0, or -1 (e.g. called from inside one of its own callbacks, or after
/// virEventRegisterThreadImpl, whose thread runs the loop).
#[no_mangle]
pub extern "C" fn virEventRunDefaultImpl() -> c_int {
    entry("virEventRunDefaultImpl", || {
        if eventloop::dispatch_thread().is_enabled() {
            return Err(VirError::new(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_EVENT,
                "virEventRunDefaultImpl: the library's dispatch thread runs the event loop (virEventRegisterThreadImpl)",
            ));
        }
        eventloop::default_loop()
            .run_once()
            .map(|_| 0)
            .map_err(|e| VirError::internal(format!("virEventRunDefaultImpl: {e}")))
    })
}

/// A loop implementation's answer (libvirt's convention: -1 refuses, without saying why) as a
/// result with an error message.
fn refused_by_loop(answer: c_int, why: impl FnOnce() -> String) -> Result<c_int, VirError> {
    if answer < 0 {
        Err(VirError::invalid_arg(why()))
    } else {
        Ok(answer)
    }
}

fn current(api: &str) -> Result<Arc<dyn EventLoopImpl>, VirError> {
    eventloop::current_impl().ok_or_else(|| VirError::internal(format!("{api}: no event loop implementation is registered")))
}

/// Watches file descriptor `fd` for `events` (VIR_EVENT_HANDLE_*) in the registered loop.
/// `ff`, if not NULL, runs once with `opaque` after removal. Returns the watch number or -1.
#[no_mangle]
pub extern "C" fn virEventAddHandle(
    fd: c_int,
    events: c_int,
    cb: virEventHandleCallback,
    opaque: *mut c_void,
    ff: virFreeCallback,
) -> c_int {
    entry("virEventAddHandle", || {
        let cb = cb.ok_or_else(|| VirError::invalid_arg("virEventAddHandle: cb must not be NULL"))?;
        if fd < 0 {
            return Err(VirError::invalid_arg(format!("virEventAddHandle: fd must be a file descriptor, not {fd}")));
        }
        let opaque = opaque as usize;
        // SAFETY (both closures): the application's callbacks with the opaque pointer it gave.
        let callback: HandleCallback = Box::new(move |watch, fd, events| unsafe { cb(watch, fd, events, opaque as *mut c_void) });
        let finalizer: Option<Finalizer> = ff.map(|ff| Box::new(move || unsafe { ff(opaque as *mut c_void) }) as Finalizer);
        refused_by_loop(current("virEventAddHandle")?.add_handle(fd, events, callback, finalizer), || {
            format!("virEventAddHandle: the event loop refused to watch fd {fd}")
        })
    })
}

/// Changes the events watched for `watch`; 0 stops watching without removing it.
#[no_mangle]
pub extern "C" fn virEventUpdateHandle(watch: c_int, events: c_int) {
    entry("virEventUpdateHandle", || {
        current("virEventUpdateHandle")?.update_handle(watch, events);
        Ok(())
    })
}

/// Removes `watch`. Returns 0, or -1 if unknown.
#[no_mangle]
pub extern "C" fn virEventRemoveHandle(watch: c_int) -> c_int {
    entry("virEventRemoveHandle", || {
        refused_by_loop(current("virEventRemoveHandle")?.remove_handle(watch), || {
            format!("virEventRemoveHandle: no handle watch {watch} is registered")
        })
    })
}

/// Adds a timer firing every `frequency` ms (0: on every loop iteration; -1: disabled).
/// `ff`, if not NULL, runs once with `opaque` after removal. Returns the timer number or -1.
#[no_mangle]
pub extern "C" fn virEventAddTimeout(frequency: c_int, cb: virEventTimeoutCallback, opaque: *mut c_void, ff: virFreeCallback) -> c_int {
    entry("virEventAddTimeout", || {
        let cb = cb.ok_or_else(|| VirError::invalid_arg("virEventAddTimeout: cb must not be NULL"))?;
        let opaque = opaque as usize;
        // SAFETY (both closures): the application's callbacks with the opaque pointer it gave.
        let callback: TimeoutCallback = Box::new(move |timer| unsafe { cb(timer, opaque as *mut c_void) });
        let finalizer: Option<Finalizer> = ff.map(|ff| Box::new(move || unsafe { ff(opaque as *mut c_void) }) as Finalizer);
        refused_by_loop(current("virEventAddTimeout")?.add_timeout(frequency, callback, finalizer), || {
            "virEventAddTimeout: the event loop refused to add the timer".to_string()
        })
    })
}

/// Changes a timer's frequency (see virEventAddTimeout).
#[no_mangle]
pub extern "C" fn virEventUpdateTimeout(timer: c_int, frequency: c_int) {
    entry("virEventUpdateTimeout", || {
        current("virEventUpdateTimeout")?.update_timeout(timer, frequency);
        Ok(())
    })
}

/// Removes a timer. Returns 0, or -1 if unknown.
#[no_mangle]
pub extern "C" fn virEventRemoveTimeout(timer: c_int) -> c_int {
    entry("virEventRemoveTimeout", || {
        refused_by_loop(current("virEventRemoveTimeout")?.remove_timeout(timer), || {
            format!("virEventRemoveTimeout: no timer {timer} is registered")
        })
    })
}
