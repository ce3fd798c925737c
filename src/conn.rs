//! Connections: a URI picks a backend; many connections may share one backend.

use crate::abi::*;
use crate::driver::qemu::{self, QemuDriver};
use crate::driver::test::TestDriver;
use crate::driver::Driver;
use crate::error::{Result, VirError};
use crate::eventloop;
use once_cell::sync::Lazy;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

pub const DEFAULT_URI: &str = "test:///default";
pub const EMPTY_URI: &str = "test:///empty";

/// `test:///default` is shared by the connections open at the same time and, as in libvirt,
/// starts afresh once the last of them has gone.
static DEFAULT_TEST_DRIVER: Lazy<Mutex<Weak<TestDriver>>> = Lazy::new(|| Mutex::new(Weak::new()));

static NEXT_CONNECTION_ID: AtomicU64 = AtomicU64::new(1);

fn shared_default_driver() -> Arc<TestDriver> {
    let mut slot = DEFAULT_TEST_DRIVER.lock();
    if let Some(driver) = slot.upgrade() {
        return driver;
    }
    let driver = Arc::new(TestDriver::with_default_domain());
    *slot = Arc::downgrade(&driver);
    driver
}

pub struct Connection {
    /// Identifies this connection's callback registrations on the shared backend.
    pub id: u64,
    pub uri: String,
    pub read_only: bool,
    driver: Arc<dyn Driver>,
    closed: AtomicBool,
}

impl Connection {
    /// Opens `uri` (None or empty: `test:///default`).
    pub fn open(uri: Option<&str>, read_only: bool) -> Result<Arc<Connection>> {
        let uri = uri.filter(|u| !u.is_empty()).unwrap_or(DEFAULT_URI);
        let driver: Arc<dyn Driver> = match (uri.trim_end_matches('/'), qemu::paths_of_uri(uri)) {
            ("test:///default", _) => shared_default_driver(),
            ("test:///empty", _) => Arc::new(TestDriver::empty()),
            (_, Some(paths)) => QemuDriver::open(paths?)?,
            (other, None) => match other.strip_prefix("test://").filter(|path| path.starts_with('/') && path.len() > 1) {
                Some(config_path) => Arc::new(TestDriver::from_config_file(config_path)?),
                None => {
                    return Err(VirError::new(
                        VIR_ERR_NO_CONNECT,
                        VIR_FROM_NONE,
                        format!(
                            "{uri} (supported: {DEFAULT_URI}, {EMPTY_URI}, test:///ABSOLUTE/PATH.xml, qemu:///embed?root=DIR, qemu:///session)"
                        ),
                    ))
                }
            },
        };
        eventloop::dispatch_thread()
            .connection_opened()
            .map_err(|e| VirError::system(format!("cannot start the event dispatch thread: {e}")))?;
        Ok(Arc::new(Connection {
            id: NEXT_CONNECTION_ID.fetch_add(1, Ordering::Relaxed),
            uri: uri.to_string(),
            read_only,
            driver,
            closed: AtomicBool::new(false),
        }))
    }

    pub fn driver(&self) -> &dyn Driver {
        &*self.driver
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Refuses changes through a read-only connection.
    pub fn check_writable(&self, api: &str) -> Result<()> {
        if self.read_only {
            return Err(VirError::new(
                VIR_ERR_OPERATION_DENIED,
                VIR_FROM_NONE,
                format!("read only access prevents {api}"),
            ));
        }
        Ok(())
    }

    /// The application is done with the connection: every callback it registered is
    /// deregistered (their free callbacks run) and no event reaches it any more. In thread
    /// mode, closing the last connection stops the dispatch thread.
    pub fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            self.driver.events().deregister_connection(self.id);
            eventloop::dispatch_thread().connection_closed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_pick_backends() {
        let a = Connection::open(None, false).unwrap();
        let b = Connection::open(Some("test:///default"), true).unwrap();
        assert!(Arc::ptr_eq(a.driver.events(), b.driver.events()), "default is shared");
        let c = Connection::open(Some(EMPTY_URI), false).unwrap();
        let d = Connection::open(Some(EMPTY_URI), false).unwrap();
        assert!(!Arc::ptr_eq(c.driver.events(), d.driver.events()), "empty is private");
        assert_eq!(c.driver().num_of_domains(), 0);
        for uri in ["qemu:///system", "qemu:///embed", "qemu:///embed?root=relative", "qemu:///embed?root=/x&y=1", "xen:///"] {
            let err = Connection::open(Some(uri), false).err().unwrap();
            assert_eq!(err.code, VIR_ERR_NO_CONNECT, "{uri}");
        }
        assert_eq!(b.check_writable("virDomainSuspend").unwrap_err().code, VIR_ERR_OPERATION_DENIED);
    }
}
