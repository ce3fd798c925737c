//! Per-backend event bus: changes are published while the backend commits them (so the
//! queue holds them in commit order) and delivered later from the application's event loop,
//! with no lock of ours held while a callback runs.

use super::registry::{NewRegistration, Registration, Registry, Style};
use super::Event;
use crate::error::{Result, VirError};
use crate::eventloop::{self, EventLoopImpl};
use parking_lot::{Mutex, RwLock};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

/// The loop timer through which queued events are flushed (libvirt's approach: a timeout
/// that is enabled at 0 ms while the queue is non-empty).
struct FlushTimer {
    owner: Arc<dyn EventLoopImpl>,
    id: i32,
}

#[derive(Default)]
pub struct EventBus {
    registry: RwLock<Registry>,
    registrations: AtomicUsize,
    queue: Mutex<VecDeque<Arc<Event>>>,
    timer: Mutex<Option<FlushTimer>>,
    armed: AtomicBool,
    flushing: Mutex<()>,
}

impl EventBus {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Registers a callback; the first registration hooks the bus into the current event loop.
    pub fn register(self: &Arc<Self>, new: NewRegistration) -> Result<i32> {
        if let Err(e) = self.ensure_timer() {
            drop(new);
            return Err(e);
        }
        let added = self.registry.write().add(new);
        match added {
            Ok(id) => {
                self.registrations.fetch_add(1, Ordering::AcqRel);
                Ok(id)
            }
            // The refused registration is dropped here, outside the lock; as in libvirt its free
            // callback does not run (the caller still owns opaque).
            Err((e, _refused)) => Err(e),
        }
    }

    pub fn deregister(&self, conn_id: u64, id: i32, style: Style) -> Result<()> {
        let removed = self.registry.write().remove(conn_id, id, style)?;
        self.registrations.fetch_sub(1, Ordering::AcqRel);
        drop(removed);
        Ok(())
    }

    /// The ID of a connection's legacy registration of `callback_key`.
    pub fn find_legacy(&self, conn_id: u64, callback_key: usize) -> Option<i32> {
        self.registry.read().find_legacy(conn_id, callback_key)
    }

    /// Removes every registration of a closing connection; their finalizers run before this returns
    /// unless a callback of theirs is running on another thread (then right after it returns).
    pub fn deregister_connection(&self, conn_id: u64) {
        let removed: Vec<Arc<Registration>> = self.registry.write().remove_connection(conn_id);
        self.registrations.fetch_sub(removed.len(), Ordering::AcqRel);
        drop(removed);
    }

    /// Queues an event. Called by a backend while it holds its own lock, so that the queue
    /// order is the commit order; call `kick` once that lock is released.
    pub fn publish(&self, event: Event) {
        if self.registrations.load(Ordering::Acquire) == 0 {
            return;
        }
        self.queue.lock().push_back(Arc::new(event));
    }

    /// Asks the event loop to flush the queue soon. Never call with a backend lock held:
    /// it calls into the application's loop implementation.
    pub fn kick(&self) {
        if self.queue.lock().is_empty() || self.armed.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(timer) = &*self.timer.lock() {
            timer.owner.update_timeout(timer.id, 0);
        }
    }

    /// Delivers every queued event to its callbacks, in queue order. Runs from the event loop;
    /// a nested or concurrent call returns at once (the running one drains everything).
    pub fn flush(&self) {
        let Some(_running) = self.flushing.try_lock() else { return };
        // Disarm before clearing the flag: a kick that sees the flag still set was
        // preceded by its publish, so the drain below picks that event up.
        if let Some(timer) = &*self.timer.lock() {
            timer.owner.update_timeout(timer.id, -1);
        }
        self.armed.store(false, Ordering::Release);
        let mut targets = Vec::new();
        loop {
            let batch = std::mem::take(&mut *self.queue.lock());
            if batch.is_empty() {
                break;
            }
            for event in batch {
                self.registry.read().matching(&event, &mut targets);
                for reg in targets.drain(..) {
                    reg.deliver(&event);
                }
            }
        }
    }

    fn ensure_timer(self: &Arc<Self>) -> Result<()> {
        let mut timer = self.timer.lock();
        if timer.is_some() {
            return Ok(());
        }
        let owner = eventloop::current_impl()
            .ok_or_else(|| VirError::internal("could not initialize domain event timer: no event loop implementation is registered (call virEventRegisterDefaultImpl first)"))?;
        let bus: Weak<EventBus> = Arc::downgrade(self);
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
        *timer = Some(FlushTimer { owner, id });
        Ok(())
    }
}

impl Drop for EventBus {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.get_mut().take() {
            timer.owner.remove_timeout(timer.id);
        }
    }
}
