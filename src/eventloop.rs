// TEMPORARY STUB, replaced by helper
use std::sync::Arc;
pub type HandleCallback = Box<dyn FnMut(i32, i32, i32) + Send>;
pub type TimeoutCallback = Box<dyn FnMut(i32) + Send>;
pub type Finalizer = Box<dyn FnOnce() + Send>;
pub trait EventLoopImpl: Send + Sync {
    fn add_handle(&self, fd: i32, events: i32, cb: HandleCallback, ff: Option<Finalizer>) -> i32;
    fn update_handle(&self, watch: i32, events: i32);
    fn remove_handle(&self, watch: i32) -> i32;
    fn add_timeout(&self, frequency_ms: i32, cb: TimeoutCallback, ff: Option<Finalizer>) -> i32;
    fn update_timeout(&self, timer: i32, frequency_ms: i32);
    fn remove_timeout(&self, timer: i32) -> i32;
}
pub fn register_impl(_imp: Arc<dyn EventLoopImpl>) { todo!() }
pub fn current_impl() -> Option<Arc<dyn EventLoopImpl>> { todo!() }
pub struct DefaultLoop;
#[derive(Debug)] pub enum LoopError { AlreadyRunning }
impl std::fmt::Display for LoopError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "x") } }
impl DefaultLoop { pub fn run_once(&self) -> Result<(), LoopError> { todo!() } }
pub fn default_loop() -> &'static DefaultLoop { todo!() }
pub fn register_default_impl() { todo!() }
