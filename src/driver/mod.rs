//! The hypervisor boundary. The connection and FFI layers talk to a backend only through
//! `Driver`; a backend publishes its changes on its own `EventBus` as it commits them.
//! Backends build on the backend-neutral core in `crate::domains`; the test backend lives
//! here, a QMP backend would be another implementation.

pub mod objects;
pub mod qemu;
pub mod test;

use crate::domains::DomainTable;
use crate::error::Result;
use crate::events::bus::EventBus;
use crate::events::DomainRef;
use crate::jobs::{Job, JobOp};
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

/// What `virNodeGetInfo` reports of the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// At most 31 bytes (virNodeInfo holds it in 32).
    pub model: String,
    pub memory_kib: u64,
    pub cpus: u32,
    pub mhz: u32,
    pub nodes: u32,
    pub sockets: u32,
    pub cores: u32,
    pub threads: u32,
}

/// What `virDomainGetBlockInfo` reports of a disk, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockInfo {
    pub capacity: u64,
    pub allocation: u64,
    pub physical: u64,
}

/// A user logged on to the guest, as its agent reports (`virDomainGetGuestInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestUser {
    pub name: String,
    /// The user's domain (Windows guests).
    pub domain: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub login_time_ms: u64,
}

fn no_support(api: &str) -> crate::error::VirError {
    crate::error::VirError::new(
        crate::abi::VIR_ERR_NO_SUPPORT,
        crate::abi::VIR_FROM_NONE,
        format!("{api}: this hypervisor does not support it"),
    )
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
    /// Its domain table, which answers the queries that are the same for every backend (the
    /// default methods below).
    fn table(&self) -> &dyn DomainTable;
    /// Its networks, storage pools, node devices and secrets.
    fn objects(&self) -> &dyn objects::ObjectDriver;

    // The host, as the calls every libvirt program makes at startup see it.

    /// The hypervisor's version (major * 1,000,000 + minor * 1,000 + micro).
    fn hypervisor_version(&self) -> u64;
    fn node_info(&self) -> NodeInfo;
    fn capabilities_xml(&self) -> String;
    /// The host's security model and its domain of interpretation.
    fn security_model(&self) -> (&'static str, &'static str);
    /// The most vCPUs a guest of virtualization type `kind` (None: the default) may have.
    fn max_vcpus(&self, kind: Option<&str>) -> Result<i32>;
    /// The event IDs this backend can emit, in increasing order.
    fn supported_event_ids(&self) -> &'static [i32];

    fn list_all_domains(&self, flags: u32) -> Result<Vec<DomainRef>> {
        self.list_all_domains_versioned(flags).map(|(list, _)| list)
    }
    /// The domains matching `flags` and the backend revision at which that list is one
    /// consistent snapshot.
    fn list_all_domains_versioned(&self, flags: u32) -> Result<(Vec<DomainRef>, u64)> {
        Ok(self.table().list_versioned(flags))
    }
    /// The revision of the domain's last committed change.
    fn resource_version(&self, dom: &DomainRef) -> Result<u64> {
        Ok(self.table().facts(dom)?.revision)
    }
    fn num_of_domains(&self) -> usize {
        self.table().count()
    }
    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        self.table().find_by_name(name)
    }
    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        self.table().find_by_uuid(uuid)
    }
    fn lookup_by_id(&self, id: i32) -> Result<DomainRef> {
        self.table().find_by_id(id)
    }

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
    /// Saves the domain's state to `path` and stops it: a save job, the call blocking until
    /// it ends (VIR_DOMAIN_JOB_PERSIST keeps the finished job listed).
    fn save(&self, dom: &DomainRef, path: &str, flags: u32) -> Result<()>;
    fn restore(&self, path: &str) -> Result<()>;
    fn managed_save(&self, dom: &DomainRef, flags: u32) -> Result<()>;

    fn state(&self, dom: &DomainRef) -> Result<(i32, i32)> {
        self.table().facts(dom).map(|f| (f.state, f.reason))
    }
    fn info(&self, dom: &DomainRef) -> Result<DomainInfo>;
    fn is_active(&self, dom: &DomainRef) -> Result<bool> {
        Ok(self.table().facts(dom)?.active)
    }
    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        Ok(self.table().facts(dom)?.persistent)
    }
    /// Whether a managed save image waits for the domain's next start.
    fn has_managed_save(&self, dom: &DomainRef) -> Result<bool> {
        Ok(self.table().facts(dom)?.managed_save)
    }
    /// Whether the domain starts with its host.
    fn autostart(&self, dom: &DomainRef) -> Result<bool>;
    fn set_autostart(&self, dom: &DomainRef, autostart: bool) -> Result<()>;
    /// The guest's OS type, as its definition gives it.
    fn os_type(&self, dom: &DomainRef) -> Result<String> {
        Ok(self.table().facts(dom)?.os_type.to_string())
    }
    /// The security label the hypervisor's security model gives the domain and whether it is
    /// enforced (an empty label while it does not run).
    fn security_label(&self, dom: &DomainRef) -> Result<(String, bool)>;
    fn xml_desc(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.table().xml(dom, flags)
    }
    fn set_block_threshold(&self, dom: &DomainRef, dev: &str, threshold: u64, flags: u32) -> Result<()>;

    /// Makes a checked happening happen (virTestDomainInject): only a simulated hypervisor can.
    fn inject(&self, _dom: &DomainRef, _injection: &test::inject::Injection, _flags: u32) -> Result<()> {
        Err(no_support("virTestDomainInject"))
    }
    /// Each disk with an I/O error since the domain last ran without one: (target, a
    /// virDomainDiskErrorCode).
    fn disk_errors(&self, _dom: &DomainRef, _flags: u32) -> Result<Vec<(String, i32)>> {
        Err(no_support("virDomainGetDiskErrors"))
    }
    fn block_info(&self, _dom: &DomainRef, _disk: &str, _flags: u32) -> Result<BlockInfo> {
        Err(no_support("virDomainGetBlockInfo"))
    }
    /// The users logged on to the guest, from its agent.
    fn guest_users(&self, _dom: &DomainRef, _flags: u32) -> Result<Vec<GuestUser>> {
        Err(no_support("virDomainGetGuestInfo"))
    }
    fn set_metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataKind,
        metadata: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()>;

    // The job API (seed 004) and libvirt's calls that start jobs. Every call that starts a job
    // accepts VIR_DOMAIN_JOB_PERSIST; bandwidths are in bytes per second, 0 the default.

    fn job_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<Job>>;
    fn job_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String>;
    fn job_control(&self, dom: &DomainRef, name: &str, op: JobOp, flags: u32) -> Result<()>;
    /// Makes job `name` fail with `message` (the hypervisor-simulation API of the test backend).
    fn fail_job(&self, dom: &DomainRef, name: &str, message: &str, flags: u32) -> Result<()>;
    /// virDomainBlockRebase: a pull into the active image down to `base` (None: the whole
    /// chain), or with VIR_DOMAIN_BLOCK_REBASE_COPY a copy to `base`.
    fn block_rebase(&self, dom: &DomainRef, disk: &str, base: Option<&str>, bandwidth: u64, flags: u32) -> Result<()>;
    fn block_commit(&self, dom: &DomainRef, disk: &str, base: Option<&str>, top: Option<&str>, bandwidth: u64, flags: u32) -> Result<()>;
    /// virDomainBlockCopy to the disk described by `dest_xml`.
    fn block_copy(&self, dom: &DomainRef, disk: &str, dest_xml: &str, bandwidth: u64, flags: u32) -> Result<()>;
    fn backup_begin(&self, dom: &DomainRef, backup_xml: Option<&str>, flags: u32) -> Result<()>;
    fn backup_xml(&self, dom: &DomainRef, flags: u32) -> Result<String>;
    /// virDomainCoreDumpWithFormat: a dump job, the call blocking until it ends.
    fn core_dump(&self, dom: &DomainRef, path: &str, format: i32, flags: u32) -> Result<()>;
    /// virDomainMigrate to the hypervisor `dest`: a migration job, the call blocking until it
    /// ends; returns the domain on `dest`.
    fn migrate(&self, dom: &DomainRef, dest: &dyn Driver, flags: u64, bandwidth: u64) -> Result<DomainRef>;
    /// Destination side: whether a domain with this definition may come in.
    fn migrate_prepare(&self, xml: &str) -> Result<()>;
    /// Destination side: the domain arrives and runs (STARTED(MIGRATED)).
    fn migrate_finish(&self, xml: &str, flags: u64) -> Result<DomainRef>;
    /// The domain job libvirt's old API sees (with `completed`: the last one that ended).
    fn domain_job(&self, dom: &DomainRef, completed: bool, keep: bool) -> Result<Option<Job>>;
    fn abort_job(&self, dom: &DomainRef, flags: u32) -> Result<()>;
    /// The disk's pull, commit or copy job, for the old per-disk calls.
    fn block_job(&self, dom: &DomainRef, disk: &str) -> Result<Option<Job>>;
    fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()>;
    fn block_job_set_speed(&self, dom: &DomainRef, disk: &str, bandwidth: u64) -> Result<()>;
}
