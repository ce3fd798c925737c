//! The test hypervisor: a simulation of a hypervisor on the backend-neutral core
//! (`crate::domains`). Every domain lives in memory; nothing touches the host but the files
//! virDomainSave writes and virDomainRestore reads.

use super::{DomainInfo, Driver, MetadataKind};
use crate::abi::*;
use crate::domains::{check_flags, def_error, DomainObj, Store};
use crate::error::{Result, VirError};
use crate::events::bus::EventBus;
use crate::events::{DomainRef, EventKind};
use crate::fasthash::FastMap;
use crate::model::def::{DomainDef, DEFAULT_TEST_DOMAIN_XML};
use crate::model::xml::MAX_DOCUMENT_BYTES;
use parking_lot::Mutex;
use std::ffi::CString;
use std::io::Read;
use std::sync::Arc;

mod config;
mod host;
pub mod inject;
mod jobs;
mod objects;
mod start;

const SAVE_MAGIC: &str = "virtevent-save-image-v1";
/// A saved image is two short lines and the domain XML, so a larger file is not one (and is
/// not read further).
const SAVE_IMAGE_MAX_BYTES: u64 = MAX_DOCUMENT_BYTES as u64 + 64;

/// What the test hypervisor keeps per domain beside the core's record.
#[derive(Default)]
pub struct TestDomain {
    /// The disk model: each disk's backing chain, read from the XML on first use.
    chains: FastMap<String, Vec<jobs::Image>>,
    /// The running backup: each disk and where its copy goes.
    backup: Option<Vec<(String, String)>>,
    /// What the guest and its agent do in this run (see `inject`); boxed and made on first use,
    /// since most domains never see an injection.
    runtime: Option<Box<inject::GuestRuntime>>,
}

pub(crate) struct Inner {
    store: Store<TestDomain>,
    /// The simulated host: libvirt's default one, or the one a configuration file describes.
    host: host::Host,
    /// Whether the thread that moves jobs on runs.
    ticker_running: Mutex<bool>,
}

/// The in-memory test hypervisor behind `test:///default` and `test:///empty`.
pub struct TestDriver {
    inner: Arc<Inner>,
}

impl TestDriver {
    /// An empty hypervisor (`test:///empty`).
    pub fn empty() -> Self {
        Self::on_host(host::Host::default())
    }

    fn on_host(host: host::Host) -> Self {
        TestDriver { inner: Arc::new(Inner { store: Store::new(VIR_FROM_TEST), host, ticker_running: Mutex::new(false) }) }
    }

    /// The populated hypervisor of `test:///default`: the running persistent domain `test`, and
    /// libvirt's default network, storage pool and node devices.
    pub fn with_default_domain() -> Self {
        let driver = Self::empty();
        let def = DomainDef::parse(DEFAULT_TEST_DOMAIN_XML).expect("built-in domain XML is valid");
        driver
            .inner
            .store
            .commit(|txn| {
                let uuid = txn.insert(DomainObj::new(def, true));
                txn.start(&uuid, VIR_DOMAIN_RUNNING_UNKNOWN, VIR_DOMAIN_EVENT_STARTED_BOOTED, false);
                Ok(())
            })
            .expect("the built-in domain starts");
        driver.preload_default_objects().expect("the built-in objects are valid");
        driver
    }

    /// The revision of the last committed change, backend-wide.
    pub fn revision(&self) -> u64 {
        self.inner.store.revision()
    }
}

fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

/// What the test backend's own calls emit (lifecycle operations, jobs, metadata); the
/// happenings of `inject::HAPPENINGS` add theirs.
const EMITTED_BY_CALLS: &[i32] = &[
    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
    VIR_DOMAIN_EVENT_ID_REBOOT,
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
    VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
    VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
    VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
    VIR_DOMAIN_EVENT_ID_EXISTENCE,
    VIR_DOMAIN_EVENT_ID_JOB_STATE,
];

/// Every event the test backend can emit, in increasing order.
static SUPPORTED_EVENT_IDS: once_cell::sync::Lazy<Vec<i32>> = once_cell::sync::Lazy::new(|| {
    let mut ids: Vec<i32> = EMITTED_BY_CALLS.iter().copied().chain(inject::injectable_event_ids()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
});

impl Driver for TestDriver {
    fn table(&self) -> &dyn crate::domains::DomainTable {
        &self.inner.store
    }

    fn events(&self) -> &Arc<EventBus> {
        &self.inner.store.bus
    }

    fn objects(&self) -> &dyn crate::driver::objects::ObjectDriver {
        self
    }

    fn security_model(&self) -> (&'static str, &'static str) {
        (host::SECURITY_MODEL, "")
    }

    fn hypervisor_version(&self) -> u64 {
        host::HYPERVISOR_VERSION
    }

    fn node_info(&self) -> crate::driver::NodeInfo {
        self.inner.host.node.clone()
    }

    fn capabilities_xml(&self) -> String {
        self.inner.host.capabilities_xml()
    }

    fn max_vcpus(&self, _kind: Option<&str>) -> Result<i32> {
        // libvirt's test driver gives the same limit whatever the type asked about.
        Ok(host::MAX_VCPUS)
    }

    fn supported_event_ids(&self) -> &'static [i32] {
        &SUPPORTED_EVENT_IDS
    }

    fn inject(&self, dom: &DomainRef, injection: &inject::Injection, flags: u32) -> Result<()> {
        self.inject_impl(dom, injection, flags)
    }

    fn disk_errors(&self, dom: &DomainRef, flags: u32) -> Result<Vec<(String, i32)>> {
        check_flags(flags, 0)?;
        self.inner.store.read(dom, |o| {
            o.require_active()?;
            Ok(inject::current_runtime(o).map(|r| r.disk_errors.clone()).unwrap_or_default())
        })?
    }

    fn block_info(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<crate::driver::BlockInfo> {
        check_flags(flags, 0)?;
        self.inner.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            let target = obj
                .def
                .find_disk(disk)
                .map(|d| d.target_dev.clone())
                .ok_or_else(|| VirError::invalid_arg(format!("invalid path {disk} not assigned to domain")))?;
            let image = &jobs::chain(obj, &target)?[0];
            Ok(crate::driver::BlockInfo { capacity: image.capacity, allocation: image.allocation, physical: image.allocation })
        })
    }

    fn guest_users(&self, dom: &DomainRef, flags: u32) -> Result<Vec<crate::driver::GuestUser>> {
        check_flags(flags, 0)?;
        self.inner.store.read(dom, |o| {
            o.require_active()?;
            match inject::current_runtime(o) {
                Some(r) if r.agent_connected => Ok(r.users.clone()),
                _ => Err(VirError::new(
                    VIR_ERR_AGENT_UNRESPONSIVE,
                    VIR_FROM_TEST,
                    "Guest agent is not responding: QEMU guest agent is not connected",
                )),
            }
        })?
    }

    fn define_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(flags, VIR_DOMAIN_DEFINE_VALIDATE)?;
        let def = DomainDef::parse(xml).map_err(def_error)?;
        self.inner.store.commit(|txn| {
            let uuid = txn.define(def)?;
            Ok(txn.st.domains[&uuid].domain_ref())
        })
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(
            flags,
            VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                | VIR_DOMAIN_UNDEFINE_NVRAM
                | VIR_DOMAIN_UNDEFINE_KEEP_NVRAM
                | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA
                | VIR_DOMAIN_UNDEFINE_TPM
                | VIR_DOMAIN_UNDEFINE_KEEP_TPM,
        )?;
        let discard_managed_save = flags as i32 & VIR_DOMAIN_UNDEFINE_MANAGED_SAVE != 0;
        self.inner.store.commit_on(dom, |txn, uuid| txn.undefine(uuid, discard_managed_save))
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<i32> {
        check_flags(
            flags,
            VIR_DOMAIN_START_PAUSED
                | VIR_DOMAIN_START_AUTODESTROY
                | VIR_DOMAIN_START_BYPASS_CACHE
                | VIR_DOMAIN_START_FORCE_BOOT
                | VIR_DOMAIN_START_VALIDATE
                | VIR_DOMAIN_START_RESET_NVRAM,
        )?;
        let paused = flags as i32 & VIR_DOMAIN_START_PAUSED != 0;
        let force_boot = flags as i32 & VIR_DOMAIN_START_FORCE_BOOT != 0;
        self.inner.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            if obj.is_active() {
                let msg = format!("domain '{}' is already running", obj.name);
                return Err(txn.invalid_op(msg));
            }
            let restore = std::mem::take(&mut obj.managed_save) && !force_boot;
            Ok(if restore {
                txn.start(uuid, VIR_DOMAIN_RUNNING_RESTORED, VIR_DOMAIN_EVENT_STARTED_RESTORED, paused)
            } else {
                txn.start(uuid, VIR_DOMAIN_RUNNING_BOOTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, paused)
            })
        })
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(
            flags,
            VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY | VIR_DOMAIN_START_VALIDATE | VIR_DOMAIN_START_RESET_NVRAM,
        )?;
        let def = DomainDef::parse(xml).map_err(def_error)?;
        let paused = flags as i32 & VIR_DOMAIN_START_PAUSED != 0;
        self.inner.store.commit(|txn| {
            let uuid = txn.runnable_from(def)?;
            txn.start(&uuid, VIR_DOMAIN_RUNNING_BOOTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, paused);
            Ok(txn.st.domains[&uuid].domain_ref())
        })
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_DESTROY_GRACEFUL | VIR_DOMAIN_DESTROY_REMOVE_LOGS)?;
        self.inner.store.commit_on(dom, |txn, uuid| {
            txn.obj(uuid).require_active()?;
            txn.stop(uuid, VIR_DOMAIN_SHUTOFF_DESTROYED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
            Ok(())
        })
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0x3f)?;
        self.inner.store.commit_on(dom, |txn, uuid| {
            txn.obj(uuid).require_active()?;
            txn.set_state(uuid, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER);
            txn.lifecycle(uuid, VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED);
            txn.stop(uuid, VIR_DOMAIN_SHUTOFF_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
            Ok(())
        })
    }

    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0x3f)?;
        self.inner.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            obj.require_active()?;
            // The guest boots afresh (libvirt's test driver reports running/booted after it).
            if obj.state.state == VIR_DOMAIN_RUNNING {
                txn.set_state(uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
            }
            txn.emit(uuid, EventKind::Reboot);
            Ok(())
        })
    }

    fn reset(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        self.reboot(dom, 0)
    }

    fn suspend(&self, dom: &DomainRef) -> Result<()> {
        self.inner.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            if obj.state.state != VIR_DOMAIN_RUNNING {
                let msg = format!("domain '{}' not running", obj.name);
                return Err(txn.invalid_op(msg));
            }
            txn.pause(uuid, VIR_DOMAIN_PAUSED_USER, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
            Ok(())
        })
    }

    fn resume(&self, dom: &DomainRef) -> Result<()> {
        self.inner.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            if obj.state.state != VIR_DOMAIN_PAUSED {
                let msg = format!("domain '{}' not paused", obj.name);
                return Err(txn.invalid_op(msg));
            }
            // The guest retries what failed: the errors are behind it.
            inject::runtime(txn.obj(uuid)).disk_errors.clear();
            txn.unpause(uuid, VIR_DOMAIN_RUNNING_UNPAUSED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
            Ok(())
        })
    }

    fn restore(&self, path: &str) -> Result<()> {
        let bad_image = || VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_TEST, format!("'{path}' is not a saved domain image"));
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(SAVE_IMAGE_MAX_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| VirError::system(format!("failed to read saved image '{path}': {e}")))?;
        if bytes.len() as u64 > SAVE_IMAGE_MAX_BYTES {
            return Err(bad_image());
        }
        let image = String::from_utf8(bytes).map_err(|_| bad_image())?;
        let mut parts = image.splitn(3, '\n');
        if parts.next() != Some(SAVE_MAGIC) {
            return Err(bad_image());
        }
        let saved_state: i32 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad_image)?;
        let def = DomainDef::parse(parts.next().ok_or_else(bad_image)?).map_err(def_error)?;
        self.inner.store.commit(|txn| {
            let uuid = txn.runnable_from(def)?;
            txn.start(&uuid, VIR_DOMAIN_RUNNING_RESTORED, VIR_DOMAIN_EVENT_STARTED_RESTORED, false);
            if saved_state == VIR_DOMAIN_PAUSED {
                txn.pause(&uuid, VIR_DOMAIN_PAUSED_USER, VIR_DOMAIN_EVENT_SUSPENDED_RESTORED);
            }
            Ok(())
        })
    }

    fn info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.inner.store.read(dom, |o| DomainInfo {
            state: o.state.state,
            max_mem_kib: o.def.memory_kib(),
            memory_kib: o.def.current_memory_kib(),
            nr_virt_cpu: o.def.vcpus().min(u16::MAX as u32) as u16,
            cpu_time_ns: o.started_at.map(|t| t.elapsed().as_nanos() as u64).unwrap_or(0),
        })
    }

    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        self.inner.store.read(dom, |o| o.autostart)
    }

    fn set_autostart(&self, dom: &DomainRef, autostart: bool) -> Result<()> {
        // No event, as in libvirt: autostart is the host's business, not the domain's state.
        self.inner.store.commit_on(dom, |txn, uuid| {
            txn.obj(uuid).autostart = autostart;
            Ok(())
        })
    }

    fn security_label(&self, dom: &DomainRef) -> Result<(String, bool)> {
        let active = self.inner.store.read(dom, |o| o.is_active())?;
        Ok(if active { (host::SECURITY_LABEL.to_string(), true) } else { (String::new(), false) })
    }

    fn set_block_threshold(&self, dom: &DomainRef, dev: &str, threshold: u64, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        self.inner.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            obj.require_active()?;
            let (disk, index) = match dev.split_once('[') {
                Some((disk, rest)) => (disk, Some(rest)),
                None => (dev, None),
            };
            let target = obj
                .def
                .find_disk(disk)
                .map(|d| d.target_dev.clone())
                .ok_or_else(|| VirError::invalid_arg(format!("disk '{dev}' not found in domain")))?;
            // `vda[N]`: image N of the disk's backing chain (0: the active one).
            let key = match index {
                None => target,
                Some(_) => {
                    let at = jobs::position(jobs::chain(obj, &target)?, &target, &format!("{target}[{}", index.unwrap_or_default()))?;
                    format!("{target}[{at}]")
                }
            };
            // A runtime setting outside the XML and the state: no new revision, so a cache
            // kept from events still matches the domain's resource version.
            obj.block_thresholds.insert(key, threshold);
            Ok(())
        })
    }

    fn set_metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataKind,
        metadata: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)?;
        let (metadata_type, nsuri) = match kind {
            MetadataKind::Title => (VIR_DOMAIN_METADATA_TITLE, None),
            MetadataKind::Description => (VIR_DOMAIN_METADATA_DESCRIPTION, None),
            MetadataKind::Element => {
                let uri = uri.ok_or_else(|| VirError::invalid_arg("metadata element requires a namespace URI"))?;
                if metadata.is_some() && key.is_none() {
                    return Err(VirError::invalid_arg("metadata element requires a namespace key"));
                }
                (VIR_DOMAIN_METADATA_ELEMENT, Some(uri))
            }
        };
        let apply = |def: &mut DomainDef| -> Result<()> {
            match kind {
                MetadataKind::Title => def.set_title(metadata.filter(|m| !m.is_empty())),
                MetadataKind::Description => def.set_description(metadata.filter(|m| !m.is_empty())),
                MetadataKind::Element => {
                    def.set_metadata_element(nsuri.unwrap_or_default(), key.unwrap_or_default(), metadata)
                }
            }
            .map_err(def_error)
        };
        self.inner.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            let (live, config) = match (flags as i32 & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG), obj.is_active()) {
                (0, active) => (active, !active),
                (f, active) => (f & VIR_DOMAIN_AFFECT_LIVE != 0, f & VIR_DOMAIN_AFFECT_CONFIG != 0 || !active),
            };
            if live && !obj.is_active() {
                return Err(txn.invalid_op("domain is not running"));
            }
            if config && !obj.persistent {
                return Err(txn.invalid_op("cannot change persistent config of a transient domain"));
            }
            // Edit copies and swap them in only once every edit succeeded.
            let new_live = if live && obj.is_active() {
                let mut d = DomainDef::clone(&obj.def);
                apply(&mut d)?;
                Some(Arc::new(d))
            } else {
                None
            };
            let new_config = if config {
                let mut d = DomainDef::clone(obj.config());
                apply(&mut d)?;
                Some(Arc::new(d))
            } else {
                None
            };
            if let Some(d) = new_live {
                obj.def = d;
            }
            if let Some(d) = new_config {
                if obj.is_active() {
                    obj.pending_config = Some(d);
                } else {
                    obj.def = d;
                }
            }
            txn.emit(uuid, EventKind::MetadataChange { metadata_type, nsuri: nsuri.map(c_string) });
            Ok(())
        })
    }

    fn save(&self, dom: &DomainRef, path: &str, flags: u32) -> Result<()> {
        self.save_impl(dom, Some(path), flags)
    }

    fn managed_save(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.save_impl(dom, None, flags)
    }

    fn job_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<crate::jobs::Job>> {
        self.inner.store.job_list(dom, flags)
    }

    fn job_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        self.inner.store.job_xml(dom, name, flags)
    }

    fn job_control(&self, dom: &DomainRef, name: &str, op: crate::jobs::JobOp, flags: u32) -> Result<()> {
        self.job_control_impl(dom, name, op, flags)
    }

    fn fail_job(&self, dom: &DomainRef, name: &str, message: &str, flags: u32) -> Result<()> {
        self.fail_job_impl(dom, name, message, flags)
    }

    fn block_rebase(&self, dom: &DomainRef, disk: &str, base: Option<&str>, bandwidth: u64, flags: u32) -> Result<()> {
        self.block_rebase_impl(dom, disk, base, bandwidth, flags)
    }

    fn block_commit(&self, dom: &DomainRef, disk: &str, base: Option<&str>, top: Option<&str>, bandwidth: u64, flags: u32) -> Result<()> {
        self.block_commit_impl(dom, disk, base, top, bandwidth, flags)
    }

    fn block_copy(&self, dom: &DomainRef, disk: &str, dest_xml: &str, bandwidth: u64, flags: u32) -> Result<()> {
        self.block_copy_impl(dom, disk, dest_xml, bandwidth, flags)
    }

    fn backup_begin(&self, dom: &DomainRef, backup_xml: Option<&str>, flags: u32) -> Result<()> {
        self.backup_begin_impl(dom, backup_xml, flags)
    }

    fn backup_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.backup_xml_impl(dom, flags)
    }

    fn core_dump(&self, dom: &DomainRef, path: &str, format: i32, flags: u32) -> Result<()> {
        self.core_dump_impl(dom, path, format, flags)
    }

    fn migrate(&self, dom: &DomainRef, dest: &dyn Driver, flags: u64, bandwidth: u64) -> Result<DomainRef> {
        self.migrate_impl(dom, dest, flags, bandwidth)
    }

    fn migrate_prepare(&self, xml: &str) -> Result<()> {
        self.migrate_prepare_impl(xml)
    }

    fn migrate_finish(&self, xml: &str, flags: u64) -> Result<DomainRef> {
        self.migrate_finish_impl(xml, flags)
    }

    fn domain_job(&self, dom: &DomainRef, completed: bool, keep: bool) -> Result<Option<crate::jobs::Job>> {
        self.inner.store.domain_job(dom, completed, keep)
    }

    fn abort_job(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.abort_job_impl(dom, flags)
    }

    fn block_job(&self, dom: &DomainRef, disk: &str) -> Result<Option<crate::jobs::Job>> {
        self.block_job_impl(dom, disk)
    }

    fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        self.block_job_abort_impl(dom, disk, flags)
    }

    fn block_job_set_speed(&self, dom: &DomainRef, disk: &str, bandwidth: u64) -> Result<()> {
        self.block_job_set_speed_impl(dom, disk, bandwidth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    const XML: &str = "<domain type='test'><name>vm1</name><memory>1024</memory><os><type>hvm</type></os>\
        <devices><disk type='file' device='disk'><source file='/d.img'/><target dev='vda'/></disk></devices></domain>";

    /// Every defined domain costs its record: BENCHMARKS.md's ≤ 2 KB per domain depends on it.
    #[test]
    fn domain_records_stay_small() {
        assert!(std::mem::size_of::<DomainObj<TestDomain>>() <= 256, "{}", std::mem::size_of::<DomainObj<TestDomain>>());
    }

    #[test]
    fn default_hypervisor_holds_running_test_domain() {
        let d = TestDriver::with_default_domain();
        let test = d.lookup_by_name("test").unwrap();
        assert_eq!(test.id, 1);
        assert_eq!(d.state(&test).unwrap().0, VIR_DOMAIN_RUNNING);
        assert!(d.is_persistent(&test).unwrap());
        assert_eq!(d.num_of_domains(), 1);
        assert!(d.xml_desc(&test, 0).unwrap().starts_with("<domain type='test' id='1'>"));
    }

    #[test]
    fn lifecycle_and_wrong_state_errors() {
        let d = TestDriver::empty();
        let dom = d.define_xml(XML, 0).unwrap();
        assert_eq!(dom.id, -1);
        let err = d.suspend(&dom).unwrap_err();
        assert_eq!(err.code, VIR_ERR_OPERATION_INVALID);
        assert_eq!(d.destroy(&dom, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        let id = d.create(&dom, VIR_DOMAIN_START_PAUSED as u32).unwrap();
        assert!(id > 0);
        assert_eq!(d.state(&dom).unwrap(), (VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER));
        assert_eq!(d.create(&dom, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        d.resume(&dom).unwrap();
        assert_eq!(d.resume(&dom).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        d.shutdown(&dom, 0).unwrap();
        assert_eq!(d.state(&dom).unwrap(), (VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN));
        d.undefine(&dom, 0).unwrap();
        assert_eq!(d.state(&dom).unwrap_err().code, VIR_ERR_NO_DOMAIN);
    }

    #[test]
    fn transient_domain_disappears_when_stopped() {
        let d = TestDriver::empty();
        let dom = d.create_xml(XML, 0).unwrap();
        assert!(!d.is_persistent(&dom).unwrap());
        assert_eq!(d.undefine(&dom, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        d.destroy(&dom, 0).unwrap();
        assert_eq!(d.lookup_by_name("vm1").unwrap_err().code, VIR_ERR_NO_DOMAIN);
    }

    #[test]
    fn redefining_running_domain_defers_config_until_stop() {
        let d = TestDriver::empty();
        let dom = d.define_xml(XML, 0).unwrap();
        d.create(&dom, 0).unwrap();
        let bigger = XML.replace("<memory>1024</memory>", "<memory>2048</memory>").replace(
            "<name>vm1</name>",
            &format!("<name>vm1</name><uuid>{}</uuid>", dom.uuid),
        );
        d.define_xml(&bigger, 0).unwrap();
        assert_eq!(d.info(&dom).unwrap().max_mem_kib, 1024);
        assert!(d.xml_desc(&dom, VIR_DOMAIN_XML_INACTIVE as u32).unwrap().contains(">2048<"));
        d.destroy(&dom, 0).unwrap();
        assert_eq!(d.info(&dom).unwrap().max_mem_kib, 2048);
    }

    #[test]
    fn name_and_uuid_conflicts_refused() {
        let d = TestDriver::with_default_domain();
        let err = d.define_xml(&XML.replace("vm1", "test"), 0).unwrap_err();
        assert_eq!(err.code, VIR_ERR_OPERATION_FAILED);
        let dup_uuid = XML.replace("<name>vm1</name>", "<name>other</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>");
        assert_eq!(d.define_xml(&dup_uuid, 0).unwrap_err().code, VIR_ERR_OPERATION_FAILED);
        assert_eq!(d.define_xml("<domain", 0).unwrap_err().code, VIR_ERR_XML_DETAIL);
    }

    #[test]
    fn save_and_restore_through_a_file() {
        let d = TestDriver::empty();
        let dom = d.create_xml(XML, 0).unwrap();
        d.suspend(&dom).unwrap();
        let path = std::env::temp_dir().join(format!("virtevent-save-{}", Uuid::new_v4()));
        let path = path.to_str().unwrap();
        d.save(&dom, path, 0).unwrap();
        assert!(d.lookup_by_name("vm1").is_err(), "transient domain gone after save");
        d.restore(path).unwrap();
        assert_eq!(d.state(&dom).unwrap(), (VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER));
        std::fs::write(path, "junk").unwrap();
        assert_eq!(d.restore(path).unwrap_err().code, VIR_ERR_OPERATION_FAILED);
        std::fs::remove_file(path).unwrap();
        assert_eq!(d.restore(path).unwrap_err().code, VIR_ERR_SYSTEM_ERROR);
    }

    #[test]
    fn managed_save_restores_on_next_start_and_blocks_undefine() {
        let d = TestDriver::empty();
        let dom = d.define_xml(XML, 0).unwrap();
        d.create(&dom, 0).unwrap();
        d.managed_save(&dom, 0).unwrap();
        assert_eq!(d.list_all_domains(VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE as u32).unwrap().len(), 1);
        assert_eq!(d.undefine(&dom, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        d.create(&dom, 0).unwrap();
        assert_eq!(d.state(&dom).unwrap(), (VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED));
    }

    #[test]
    fn list_flags_filter() {
        let d = TestDriver::with_default_domain();
        d.define_xml(XML, 0).unwrap();
        let names = |flags: i32| -> Vec<String> {
            d.list_all_domains(flags as u32).unwrap().iter().map(|r| r.name.to_string()).collect()
        };
        assert_eq!(names(0), vec!["test", "vm1"]);
        assert_eq!(names(VIR_CONNECT_LIST_DOMAINS_ACTIVE), vec!["test"]);
        assert_eq!(names(VIR_CONNECT_LIST_DOMAINS_INACTIVE), vec!["vm1"]);
        assert_eq!(names(VIR_CONNECT_LIST_DOMAINS_SHUTOFF), vec!["vm1"]);
        assert_eq!(names(VIR_CONNECT_LIST_DOMAINS_TRANSIENT), Vec::<String>::new());
    }

    /// The events published since `from` revision, as short names.
    fn story(d: &TestDriver, from: u64) -> Vec<String> {
        d.inner
            .store
            .bus
            .history()
            .iter()
            .filter(|e| e.revision > from && !matches!(e.kind, EventKind::JobState(_) | EventKind::JobCompleted { .. }))
            .map(|e| match e.kind {
                EventKind::Existence { kind } => {
                    format!("{}:{}", e.name(), if kind == VIR_DOMAIN_EVENT_EXISTENCE_ADDED { "ADDED" } else { "REMOVED" })
                }
                EventKind::Lifecycle { event, .. } => format!(
                    "{}:{}",
                    e.name(),
                    ["DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED", "STOPPED", "SHUTDOWN", "PMSUSPENDED", "CRASHED"]
                        [event as usize]
                ),
                _ => format!("{}:other", e.name()),
            })
            .collect()
    }

    #[test]
    fn existence_brackets_every_domain_life() {
        let d = TestDriver::empty();
        let dom = d.define_xml(XML, 0).unwrap();
        d.create(&dom, VIR_DOMAIN_START_PAUSED as u32).unwrap();
        d.undefine(&dom, 0).unwrap();
        let mark = d.revision();
        d.destroy(&dom, 0).unwrap();
        assert_eq!(story(&d, 0)[..5], ["vm1:ADDED", "vm1:DEFINED", "vm1:STARTED", "vm1:SUSPENDED", "vm1:UNDEFINED"]);
        assert_eq!(story(&d, mark), ["vm1:STOPPED", "vm1:REMOVED"], "a running domain losing its config goes when it stops");

        let mark = d.revision();
        let t = d.create_xml(XML, 0).unwrap();
        d.define_xml(&XML.replace("<name>vm1</name>", &format!("<name>vm1</name><uuid>{}</uuid>", t.uuid)), 0).unwrap();
        d.undefine(&t, 0).unwrap();
        let path = std::env::temp_dir().join(format!("virtevent-existence-{}", Uuid::new_v4()));
        let path = path.to_str().unwrap();
        d.save(&t, path, 0).unwrap();
        d.restore(path).unwrap();
        std::fs::remove_file(path).unwrap();
        assert_eq!(
            story(&d, mark),
            [
                "vm1:ADDED", "vm1:STARTED", "vm1:DEFINED", "vm1:UNDEFINED", "vm1:STOPPED", "vm1:REMOVED", "vm1:ADDED", "vm1:STARTED"
            ],
            "a transient domain becoming persistent is no new existence; saving it ends it"
        );

        let mark = d.revision();
        let p = d.define_xml(&XML.replace("vm1", "vm2"), 0).unwrap();
        d.undefine(&p, 0).unwrap();
        assert_eq!(story(&d, mark), ["vm2:ADDED", "vm2:DEFINED", "vm2:UNDEFINED", "vm2:REMOVED"]);
    }

    #[test]
    fn versioned_define_is_a_compare_and_swap() {
        let d = TestDriver::empty();
        let dom = d.define_xml(XML, 0).unwrap();
        let read = d.xml_desc(&dom, VIR_DOMAIN_XML_RESOURCE_VERSION as u32).unwrap();
        let version = d.resource_version(&dom).unwrap();
        assert!(read.contains(&format!("resourceVersion='{version}'")), "{read}");
        let bigger = read.replace(">1024<", ">2048<");
        d.define_xml(&bigger, 0).unwrap();
        assert!(d.resource_version(&dom).unwrap() > version);
        let before = d.revision();
        let err = d.define_xml(&read.replace(">1024<", ">4096<"), 0).unwrap_err();
        assert_eq!(err.code, VIR_ERR_RESOURCE_VERSION_CONFLICT);
        assert!(err.message.contains(&version.to_string()), "{}", err.message);
        assert_eq!(d.revision(), before, "a refused swap changes nothing");
        assert_eq!(d.info(&dom).unwrap().max_mem_kib, 2048);
        d.define_xml(&XML.replace(">1024<", ">512<").replace("<name>vm1</name>", &format!("<name>vm1</name><uuid>{}</uuid>", dom.uuid)), 0)
            .unwrap();
        assert_eq!(d.info(&dom).unwrap().max_mem_kib, 512, "without a version it is unconditional");
        d.undefine(&dom, 0).unwrap();
        assert_eq!(d.define_xml(&bigger, 0).unwrap_err().code, VIR_ERR_RESOURCE_VERSION_CONFLICT, "gone meanwhile");
    }

    #[test]
    fn every_change_takes_the_next_revision() {
        let d = TestDriver::empty();
        let before = d.revision();
        let dom = d.define_xml(XML, 0).unwrap();
        d.create(&dom, VIR_DOMAIN_START_PAUSED as u32).unwrap();
        assert_eq!(d.revision(), before + 4, "existence, define, start, pause");
        assert!(d.suspend(&dom).is_err());
        assert_eq!(d.revision(), before + 4, "a refused operation changes nothing");
    }

    const CHAIN_XML: &str = "<domain type='test'><name>vm1</name><memory>1024</memory><os><type>hvm</type></os><devices>\
        <disk type='file' device='disk'><source file='/top.qcow2'/>\
          <backingStore type='file'><format type='qcow2'/><source file='/mid.qcow2'/>\
            <backingStore type='file'><format type='raw'/><source file='/base.img'/></backingStore>\
          </backingStore><target dev='vda'/></disk></devices></domain>";

    fn job_story(d: &TestDriver, from: u64) -> Vec<String> {
        d.inner
            .store
            .bus
            .history()
            .iter()
            .filter(|e| e.revision > from)
            .filter_map(|e| match &e.kind {
                EventKind::JobState(j) => Some(format!("{}>{}", j.old_state, j.new_state)),
                EventKind::BlockJob(b) => Some(format!("block-job:{}", b.status)),
                EventKind::JobCompleted { .. } => Some("job-completed".into()),
                EventKind::MigrationIteration { iteration } => Some(format!("iteration:{iteration}")),
                EventKind::Lifecycle { event, detail } => Some(format!("lifecycle:{event}:{detail}")),
                EventKind::Existence { kind } => Some(format!("existence:{kind}")),
                _ => None,
            })
            .collect()
    }

    fn wait_for(d: &TestDriver, dom: &DomainRef, name: &str, state: crate::jobs::JobState) {
        for _ in 0..2000 {
            if d.job_list(dom, 0).unwrap().iter().any(|j| j.name == name && j.state == state) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        panic!("job {name} never reached {}", state.name());
    }

    #[test]
    fn a_pull_runs_on_the_backend_clock_and_flattens_the_chain() {
        let d = TestDriver::empty();
        let dom = d.create_xml(CHAIN_XML, 0).unwrap();
        let mark = d.revision();
        d.block_rebase(&dom, "vda", None, 0, VIR_DOMAIN_JOB_PERSIST as u32).unwrap();
        let job = d.block_job(&dom, "vda").unwrap().expect("a pull on vda");
        assert_eq!(job.end, jobs::DISK_CAPACITY / 4 + jobs::DISK_CAPACITY / 8, "the backing layers");
        wait_for(&d, &dom, "block-pull-vda", crate::jobs::JobState::Completed);
        assert_eq!(job_story(&d, mark), ["0>6", "6>1", "1>9", "9>4", "block-job:0"]);
        let listed = d.job_list(&dom, VIR_DOMAIN_JOB_LIST_FINISHED as u32).unwrap();
        assert_eq!((listed.len(), listed[0].current), (1, job.end));
        d.inner.store.read(&dom, |o| assert_eq!(o.ext.chains["vda"].len(), 1)).unwrap();
        assert!(d.block_job(&dom, "vda").unwrap().is_none());
    }

    #[test]
    fn an_active_commit_waits_ready_and_pivots_on_finalize() {
        let d = TestDriver::empty();
        let dom = d.create_xml(CHAIN_XML, 0).unwrap();
        assert_eq!(d.block_commit(&dom, "vda", None, None, 0, 0).unwrap_err().code, VIR_ERR_INVALID_ARG);
        d.block_commit(&dom, "vda", Some("vda[1]"), None, 0, VIR_DOMAIN_BLOCK_COMMIT_ACTIVE as u32).unwrap();
        assert_eq!(d.block_rebase(&dom, "vda", None, 0, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID, "one block job per disk");
        wait_for(&d, &dom, "block-commit-active-vda", crate::jobs::JobState::Ready);
        d.block_job_abort(&dom, "vda", VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT as u32).unwrap();
        d.inner
            .store
            .read(&dom, |o| {
                let paths: Vec<&str> = o.ext.chains["vda"].iter().map(|i| i.path.as_str()).collect();
                assert_eq!(paths, ["/mid.qcow2", "/base.img"]);
            })
            .unwrap();
    }

    #[test]
    fn a_blocked_save_is_aborted_from_another_thread() {
        let d = Arc::new(TestDriver::empty());
        let dom = d.create_xml(XML, 0).unwrap();
        d.inner.store.commit_on(&dom, |txn, uuid| {
            // Slow enough to catch: a huge guest.
            txn.obj(uuid).def = Arc::new(DomainDef::parse(&XML.replace(">1024<", ">1073741824<")).unwrap());
            Ok(())
        }).unwrap();
        let saver = {
            let (d, dom) = (d.clone(), dom.clone());
            std::thread::spawn(move || d.save(&dom, "/nonexistent/never-written", 0))
        };
        wait_for(&d, &dom, "save", crate::jobs::JobState::Running);
        assert_eq!(d.domain_job(&dom, false, false).unwrap().unwrap().kind, crate::jobs::JobKind::Save);
        assert_eq!(d.core_dump(&dom, "/tmp/x", 0, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID, "interlocked");
        d.abort_job(&dom, 0).unwrap();
        assert_eq!(saver.join().unwrap().unwrap_err().code, VIR_ERR_OPERATION_ABORTED);
        assert!(d.is_active(&dom).unwrap(), "an aborted save leaves the domain running");
        assert_eq!(d.domain_job(&dom, true, false).unwrap().unwrap().state, crate::jobs::JobState::Aborted);
        assert!(d.domain_job(&dom, true, false).unwrap().is_none(), "completed stats are read once");
    }

    #[test]
    fn migration_moves_the_domain_between_two_hypervisors() {
        let (src, dst) = (TestDriver::empty(), TestDriver::empty());
        let dom = src.create_xml(XML, 0).unwrap();
        let (smark, dmark) = (src.revision(), dst.revision());
        let arrived = src.migrate(&dom, &dst, 0, 0).unwrap();
        assert_eq!(dst.state(&arrived).unwrap(), (VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED));
        assert!(src.lookup_by_name("vm1").is_err(), "a transient domain leaves its source");
        assert_eq!(
            job_story(&src, smark),
            ["0>6", "6>1", "iteration:1", "iteration:2", "iteration:3", "1>9", "9>4", "job-completed", "4>0", "lifecycle:5:3", "existence:1"]
        );
        assert_eq!(job_story(&dst, dmark), ["existence:0", "lifecycle:2:1"]);
        assert_eq!(dst.migrate(&arrived, &dst, 0, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
    }

    #[test]
    fn a_named_job_fails_and_destroy_ends_the_others() {
        let d = TestDriver::empty();
        let dom = d.create_xml(CHAIN_XML, 0).unwrap();
        d.block_rebase(&dom, "vda", None, 1, 0).unwrap();
        d.backup_begin(&dom, None, VIR_DOMAIN_JOB_PERSIST as u32).unwrap();
        assert!(d.backup_xml(&dom, 0).unwrap().contains("<target file='/top.qcow2.backup'/>"));
        assert_eq!(d.job_list(&dom, 0).unwrap().len(), 2, "two jobs on one disk");
        d.fail_job(&dom, "block-pull-vda", "injected", 0).unwrap();
        let mark = d.revision();
        d.destroy(&dom, 0).unwrap();
        assert_eq!(
            job_story(&d, mark),
            ["1>3", "lifecycle:5:1", "3>0", "existence:1"],
            "the backup fails before STOPPED; kept by PERSIST, it leaves the list with its domain"
        );
    }
}
