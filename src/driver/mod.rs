//! The hypervisor boundary. The connection and FFI layers talk to a backend only through
//! `Driver`; a backend publishes its changes on its own `EventBus` as it commits them.
//! Backends build on the backend-neutral core in `crate::domains`; the test backend lives
//! here, a QMP backend would be another implementation.

pub mod test;

use crate::error::Result;
use crate::events::bus::EventBus;
use crate::events::DomainRef;
use std::sync::Arc;
use uuid::Uuid;

/// What `virDomainGetInfo` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainInfo {
    pub state: i32,
    pub max_mem_kib: u64,
    pub memory_kib: u64,
    pub nr_virt_cpu: u16,
    pub cpu_time_ns: u64,
}

/// Metadata kinds of `virDomainSetMetadata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataKind {
    Description,
    Title,
    Element,
}

/// A hypervisor backend. Domains are named by UUID (plus the name, for messages).
/// Operations that change a domain return once the change is committed and its events queued.
pub trait Driver: Send + Sync {
    fn events(&self) -> &Arc<EventBus>;
    /// The event IDs this backend can emit, in increasing order.
    fn supported_event_ids(&self) -> &'static [i32];

    fn list_all_domains(&self, flags: u32) -> Result<Vec<DomainRef>> {
        self.list_all_domains_versioned(flags).map(|(list, _)| list)
    }
    /// The domains matching `flags` and the backend revision at which that list is one
    /// consistent snapshot.
    fn list_all_domains_versioned(&self, flags: u32) -> Result<(Vec<DomainRef>, u64)>;
    /// The revision of the domain's last committed change.
    fn resource_version(&self, dom: &DomainRef) -> Result<u64>;
    fn num_of_domains(&self) -> usize;
    fn lookup_by_name(&self, name: &str) -> Result<DomainRef>;
    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef>;
    fn lookup_by_id(&self, id: i32) -> Result<DomainRef>;

    /// Defines or redefines a domain. XML carrying `resourceVersion` is a compare-and-swap:
    /// refused with VIR_ERR_RESOURCE_VERSION_CONFLICT, changing nothing, unless the domain is
    /// still at that version.
    fn define_xml(&self, xml: &str, flags: u32) -> Result<DomainRef>;
    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()>;
    /// Starts a defined domain; returns its new ID.
    fn create(&self, dom: &DomainRef, flags: u32) -> Result<i32>;
    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef>;
    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()>;
    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()>;
    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()>;
    fn reset(&self, dom: &DomainRef, flags: u32) -> Result<()>;
    fn suspend(&self, dom: &DomainRef) -> Result<()>;
    fn resume(&self, dom: &DomainRef) -> Result<()>;
    fn save(&self, dom: &DomainRef, path: &str) -> Result<()>;
    fn restore(&self, path: &str) -> Result<()>;
    fn managed_save(&self, dom: &DomainRef, flags: u32) -> Result<()>;

    fn state(&self, dom: &DomainRef) -> Result<(i32, i32)>;
    fn info(&self, dom: &DomainRef) -> Result<DomainInfo>;
    fn is_active(&self, dom: &DomainRef) -> Result<bool>;
    fn is_persistent(&self, dom: &DomainRef) -> Result<bool>;
    fn xml_desc(&self, dom: &DomainRef, flags: u32) -> Result<String>;
    fn set_block_threshold(&self, dom: &DomainRef, dev: &str, threshold: u64, flags: u32) -> Result<()>;
    fn set_metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataKind,
        metadata: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()>;
}
