//! The test hypervisor: every domain lives in memory and every operation is a state change
//! committed under one lock, with its events published before the lock is released.

use super::{DomainInfo, Driver, MetadataKind};
use crate::abi::*;
use crate::error::{Result, VirError};
use crate::events::bus::EventBus;
use crate::events::{now_us, DomainName, DomainRef, Event, EventKind};
use crate::model::def::{DefError, DomainDef, DEFAULT_TEST_DOMAIN_XML};
use crate::model::state::DomainState;
use crate::model::xml::MAX_DOCUMENT_BYTES;
use parking_lot::Mutex;
use crate::fasthash::FastMap;
use std::ffi::CString;
use std::io::Read;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

const SAVE_MAGIC: &str = "virtevent-save-image-v1";
/// A saved image is two short lines and the domain XML, so a larger file is not one (and is
/// not read further).
const SAVE_IMAGE_MAX_BYTES: u64 = MAX_DOCUMENT_BYTES as u64 + 64;

fn no_such_uuid(dom: &DomainRef) -> VirError {
    VirError::new(
        VIR_ERR_NO_DOMAIN,
        VIR_FROM_TEST,
        format!("no domain with matching uuid '{}' ({})", dom.uuid, dom.name),
    )
}

fn invalid_op(detail: impl AsRef<str>) -> VirError {
    VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, detail)
}

fn def_error(e: DefError) -> VirError {
    match e {
        DefError::Syntax(s) => VirError::new(VIR_ERR_XML_DETAIL, VIR_FROM_DOMAIN, format!("(domain_definition):{s}")),
        DefError::Limit(m) => VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_XML, m),
        DefError::WrongRoot(m) => VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_XML, m),
        DefError::MissingName => VirError::new(VIR_ERR_NO_NAME, VIR_FROM_DOMAIN, ""),
        DefError::Invalid(m) => VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, m),
        DefError::InvalidArgument(m) => VirError::new(VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, m),
        DefError::Internal(m) => VirError::new(VIR_ERR_INTERNAL_ERROR, VIR_FROM_DOMAIN, m),
    }
}

struct DomainObj {
    name: DomainName,
    /// The running definition while active, the configuration while inactive. Shared with
    /// the events that carry it as their snapshot; a change makes a new one.
    def: Arc<DomainDef>,
    /// A configuration defined while running, taking effect when the domain stops.
    pending_config: Option<Arc<DomainDef>>,
    persistent: bool,
    state: DomainState,
    id: i32,
    managed_save: bool,
    started_at: Option<Instant>,
    block_thresholds: FastMap<String, u64>,
    /// Revision of the last committed change.
    revision: u64,
}

impl DomainObj {
    fn new(def: DomainDef, persistent: bool) -> Self {
        DomainObj {
            name: def.domain_name().clone(),
            def: Arc::new(def),
            pending_config: None,
            persistent,
            state: DomainState::new(VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN),
            id: -1,
            managed_save: false,
            started_at: None,
            block_thresholds: FastMap::default(),
            revision: 0,
        }
    }

    fn is_active(&self) -> bool {
        self.state.is_active()
    }

    fn domain_ref(&self) -> DomainRef {
        DomainRef { name: self.name.clone(), uuid: self.def.uuid(), id: self.id }
    }

    /// The configuration a redefine or an inactive dump sees.
    fn config(&self) -> &Arc<DomainDef> {
        self.pending_config.as_ref().unwrap_or(&self.def)
    }

    fn require_active(&self) -> Result<()> {
        if self.is_active() {
            Ok(())
        } else {
            Err(invalid_op("domain is not running"))
        }
    }
}

struct State {
    domains: FastMap<Uuid, DomainObj>,
    names: FastMap<String, Uuid>,
    next_id: i32,
    revision: u64,
}

/// A change in progress: the committed state plus the bus its events go to.
struct Txn<'a> {
    st: &'a mut State,
    bus: &'a EventBus,
}

impl Txn<'_> {
    fn obj(&mut self, uuid: &Uuid) -> &mut DomainObj {
        self.st.domains.get_mut(uuid).expect("domain checked by caller")
    }

    fn next_revision(&mut self, uuid: &Uuid) -> u64 {
        self.st.revision += 1;
        let revision = self.st.revision;
        self.obj(uuid).revision = revision;
        revision
    }

    /// Commits the domain's current state as the next revision and queues `kind` with it.
    fn emit(&mut self, uuid: &Uuid, kind: EventKind) {
        let revision = self.next_revision(uuid);
        let obj = &self.st.domains[uuid];
        self.bus.publish(Event {
            revision,
            timestamp_us: now_us(),
            uuid: obj.def.uuid(),
            id: obj.id,
            state: obj.state.state,
            reason: obj.state.reason,
            def: Some(obj.def.clone()),
            kind,
        });
    }

    fn lifecycle(&mut self, uuid: &Uuid, event: i32, detail: i32) {
        self.emit(uuid, EventKind::Lifecycle { event, detail });
    }

    fn set_state(&mut self, uuid: &Uuid, state: virDomainState, reason: i32) {
        self.obj(uuid).state = DomainState::new(state, reason);
    }

    fn start(&mut self, uuid: &Uuid, reason: i32, detail: i32, paused: bool) -> i32 {
        let id = self.st.next_id;
        self.st.next_id += 1;
        let obj = self.obj(uuid);
        obj.id = id;
        obj.started_at = Some(Instant::now());
        obj.state = DomainState::new(VIR_DOMAIN_RUNNING, reason);
        self.lifecycle(uuid, VIR_DOMAIN_EVENT_STARTED, detail);
        if paused {
            self.set_state(uuid, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
            self.lifecycle(uuid, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        }
        id
    }

    /// Stops a running domain; a transient one then goes out of existence.
    fn stop(&mut self, uuid: &Uuid, reason: i32, detail: i32) {
        let obj = self.obj(uuid);
        obj.id = -1;
        obj.started_at = None;
        obj.block_thresholds.clear();
        obj.state = DomainState::new(VIR_DOMAIN_SHUTOFF, reason);
        if let Some(config) = obj.pending_config.take() {
            obj.def = config;
        }
        self.lifecycle(uuid, VIR_DOMAIN_EVENT_STOPPED, detail);
        if !self.st.domains[uuid].persistent {
            self.remove(uuid);
        }
    }

    /// The domain goes out of existence: REMOVED is the last event of its UUID.
    fn remove(&mut self, uuid: &Uuid) {
        self.emit(uuid, EventKind::Existence { kind: VIR_DOMAIN_EVENT_EXISTENCE_REMOVED });
        if let Some(obj) = self.st.domains.remove(uuid) {
            self.st.names.remove(&*obj.name);
        }
    }

    /// A domain comes into existence: ADDED is the first event of its UUID.
    fn insert(&mut self, obj: DomainObj) -> Uuid {
        let uuid = obj.def.uuid();
        self.st.names.insert(obj.name.to_string(), uuid);
        self.st.domains.insert(uuid, obj);
        self.emit(&uuid, EventKind::Existence { kind: VIR_DOMAIN_EVENT_EXISTENCE_ADDED });
        uuid
    }

    /// Finds the domain a new definition refers to, refusing a name or UUID already used by
    /// another domain.
    fn existing_for(&self, def: &DomainDef) -> Result<Option<Uuid>> {
        let uuid = def.uuid();
        if let Some(obj) = self.st.domains.get(&uuid) {
            if &*obj.name != def.name() {
                return Err(VirError::new(
                    VIR_ERR_OPERATION_FAILED,
                    VIR_FROM_TEST,
                    format!("domain '{}' is already defined with uuid {}", obj.name, uuid),
                ));
            }
            return Ok(Some(uuid));
        }
        if let Some(other) = self.st.names.get(def.name()) {
            return Err(VirError::new(
                VIR_ERR_OPERATION_FAILED,
                VIR_FROM_TEST,
                format!("domain '{}' already exists with uuid {}", def.name(), other),
            ));
        }
        Ok(None)
    }
}

/// The in-memory test hypervisor behind `test:///default` and `test:///empty`.
pub struct TestDriver {
    state: Mutex<State>,
    bus: Arc<EventBus>,
}

impl TestDriver {
    /// An empty hypervisor (`test:///empty`).
    pub fn empty() -> Self {
        TestDriver {
            state: Mutex::new(State { domains: FastMap::default(), names: FastMap::default(), next_id: 1, revision: 0 }),
            bus: EventBus::new(),
        }
    }

    /// The populated hypervisor of `test:///default`: the running persistent domain `test`.
    pub fn with_default_domain() -> Self {
        let driver = Self::empty();
        {
            let mut st = driver.state.lock();
            let def = DomainDef::parse(DEFAULT_TEST_DOMAIN_XML).expect("built-in domain XML is valid");
            let mut txn = Txn { st: &mut st, bus: &driver.bus };
            let uuid = txn.insert(DomainObj::new(def, true));
            txn.start(&uuid, VIR_DOMAIN_RUNNING_UNKNOWN, VIR_DOMAIN_EVENT_STARTED_BOOTED, false);
        }
        driver
    }

    /// Runs `change` as one transaction and wakes the event loop once it is committed.
    fn commit<R>(&self, change: impl FnOnce(&mut Txn) -> Result<R>) -> Result<R> {
        let result = {
            let mut st = self.state.lock();
            change(&mut Txn { st: &mut st, bus: &self.bus })
        };
        self.bus.kick();
        result
    }

    /// Like `commit`, for a change to one existing domain.
    fn commit_on<R>(&self, dom: &DomainRef, change: impl FnOnce(&mut Txn, &Uuid) -> Result<R>) -> Result<R> {
        self.commit(|txn| {
            if !txn.st.domains.contains_key(&dom.uuid) {
                return Err(no_such_uuid(dom));
            }
            change(txn, &dom.uuid)
        })
    }

    fn read<R>(&self, dom: &DomainRef, f: impl FnOnce(&DomainObj) -> R) -> Result<R> {
        let st = self.state.lock();
        st.domains.get(&dom.uuid).map(f).ok_or_else(|| no_such_uuid(dom))
    }

    /// The revision of the last committed change, backend-wide.
    pub fn revision(&self) -> u64 {
        self.state.lock().revision
    }
}

fn matches_list_flags(obj: &DomainObj, flags: u32) -> bool {
    let flags = flags as i32;
    let group = |a: i32, b: i32, is_a: bool| -> bool {
        let (want_a, want_b) = (flags & a != 0, flags & b != 0);
        !(want_a || want_b) || (want_a && is_a) || (want_b && !is_a)
    };
    let state = obj.state.state;
    let by_state = {
        let wanted = flags
            & (VIR_CONNECT_LIST_DOMAINS_RUNNING
                | VIR_CONNECT_LIST_DOMAINS_PAUSED
                | VIR_CONNECT_LIST_DOMAINS_SHUTOFF
                | VIR_CONNECT_LIST_DOMAINS_OTHER);
        wanted == 0
            || match state {
                VIR_DOMAIN_RUNNING => wanted & VIR_CONNECT_LIST_DOMAINS_RUNNING != 0,
                VIR_DOMAIN_PAUSED => wanted & VIR_CONNECT_LIST_DOMAINS_PAUSED != 0,
                VIR_DOMAIN_SHUTOFF => wanted & VIR_CONNECT_LIST_DOMAINS_SHUTOFF != 0,
                _ => wanted & VIR_CONNECT_LIST_DOMAINS_OTHER != 0,
            }
    };
    group(VIR_CONNECT_LIST_DOMAINS_ACTIVE, VIR_CONNECT_LIST_DOMAINS_INACTIVE, obj.is_active())
        && group(VIR_CONNECT_LIST_DOMAINS_PERSISTENT, VIR_CONNECT_LIST_DOMAINS_TRANSIENT, obj.persistent)
        && by_state
        && group(VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE, VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE, obj.managed_save)
        && group(VIR_CONNECT_LIST_DOMAINS_AUTOSTART, VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART, false)
        && group(VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT, VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT, false)
        && group(VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT, VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT, false)
}

fn check_flags(flags: u32, allowed: i32) -> Result<()> {
    let unknown = flags & !(allowed as u32);
    if unknown != 0 {
        return Err(VirError::invalid_arg(format!("unsupported flags (0x{unknown:x})")));
    }
    Ok(())
}

fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

/// What the test backend emits today; grows as it learns to play more of a hypervisor.
const SUPPORTED_EVENT_IDS: &[i32] = &[
    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
    VIR_DOMAIN_EVENT_ID_REBOOT,
    VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
    VIR_DOMAIN_EVENT_ID_EXISTENCE,
];

impl Driver for TestDriver {
    fn events(&self) -> &Arc<EventBus> {
        &self.bus
    }

    fn supported_event_ids(&self) -> &'static [i32] {
        SUPPORTED_EVENT_IDS
    }

    fn list_all_domains_versioned(&self, flags: u32) -> Result<(Vec<DomainRef>, u64)> {
        let st = self.state.lock();
        let mut list: Vec<&DomainObj> = st.domains.values().filter(|o| matches_list_flags(o, flags)).collect();
        list.sort_by(|a, b| (!a.is_active(), a.id, &a.name).cmp(&(!b.is_active(), b.id, &b.name)));
        Ok((list.into_iter().map(DomainObj::domain_ref).collect(), st.revision))
    }

    fn resource_version(&self, dom: &DomainRef) -> Result<u64> {
        self.read(dom, |o| o.revision)
    }

    fn num_of_domains(&self) -> usize {
        self.state.lock().domains.values().filter(|o| o.is_active()).count()
    }

    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        let st = self.state.lock();
        st.names.get(name).map(|uuid| st.domains[uuid].domain_ref()).ok_or_else(|| {
            VirError::new(VIR_ERR_NO_DOMAIN, VIR_FROM_TEST, format!("no domain with matching name '{name}'"))
        })
    }

    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        let st = self.state.lock();
        st.domains.get(uuid).map(DomainObj::domain_ref).ok_or_else(|| {
            VirError::new(VIR_ERR_NO_DOMAIN, VIR_FROM_TEST, format!("no domain with matching uuid '{uuid}'"))
        })
    }

    fn lookup_by_id(&self, id: i32) -> Result<DomainRef> {
        let st = self.state.lock();
        st.domains
            .values()
            .find(|o| o.id == id && o.is_active())
            .map(DomainObj::domain_ref)
            .ok_or_else(|| VirError::new(VIR_ERR_NO_DOMAIN, VIR_FROM_TEST, format!("no domain with matching id {id}")))
    }

    fn define_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(flags, VIR_DOMAIN_DEFINE_VALIDATE)?;
        let def = DomainDef::parse(xml).map_err(def_error)?;
        self.commit(|txn| {
            let existing = txn.existing_for(&def)?;
            if let Some(expected) = def.resource_version() {
                let current = existing.map(|uuid| txn.st.domains[&uuid].revision);
                if current != Some(expected) {
                    let now = current.map_or_else(|| "no longer exists".to_string(), |c| format!("is at version {c}"));
                    return Err(VirError::new(
                        VIR_ERR_RESOURCE_VERSION_CONFLICT,
                        VIR_FROM_TEST,
                        format!("domain '{}' {now}, not at version {expected} the XML was read at: read it again and retry", def.name()),
                    ));
                }
            }
            let uuid = match existing {
                Some(uuid) => {
                    let obj = txn.obj(&uuid);
                    let created = !obj.persistent;
                    obj.persistent = true;
                    if obj.is_active() {
                        obj.pending_config = Some(Arc::new(def));
                    } else {
                        obj.def = Arc::new(def);
                    }
                    let detail = if created { VIR_DOMAIN_EVENT_DEFINED_ADDED } else { VIR_DOMAIN_EVENT_DEFINED_UPDATED };
                    txn.lifecycle(&uuid, VIR_DOMAIN_EVENT_DEFINED, detail);
                    uuid
                }
                None => {
                    let uuid = txn.insert(DomainObj::new(def, true));
                    txn.lifecycle(&uuid, VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED);
                    uuid
                }
            };
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
        self.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            if !obj.persistent {
                return Err(invalid_op("cannot undefine transient domain"));
            }
            if obj.managed_save {
                if flags as i32 & VIR_DOMAIN_UNDEFINE_MANAGED_SAVE == 0 {
                    return Err(invalid_op("Refusing to undefine while domain managed save image exists"));
                }
                obj.managed_save = false;
            }
            obj.persistent = false;
            obj.pending_config = None;
            let active = obj.is_active();
            txn.lifecycle(uuid, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
            if !active {
                txn.remove(uuid);
            }
            Ok(())
        })
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
        self.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            if obj.is_active() {
                return Err(invalid_op(format!("domain '{}' is already running", obj.name)));
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
        self.commit(|txn| {
            let uuid = match txn.existing_for(&def)? {
                Some(uuid) => {
                    let obj = txn.obj(&uuid);
                    if obj.is_active() {
                        return Err(invalid_op(format!("domain '{}' is already active", obj.name)));
                    }
                    // The persistent configuration stays; the given XML is what runs.
                    obj.pending_config = Some(std::mem::replace(&mut obj.def, Arc::new(def)));
                    uuid
                }
                None => txn.insert(DomainObj::new(def, false)),
            };
            txn.start(&uuid, VIR_DOMAIN_RUNNING_BOOTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, paused);
            Ok(txn.st.domains[&uuid].domain_ref())
        })
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_DESTROY_GRACEFUL | VIR_DOMAIN_DESTROY_REMOVE_LOGS)?;
        self.commit_on(dom, |txn, uuid| {
            txn.obj(uuid).require_active()?;
            txn.stop(uuid, VIR_DOMAIN_SHUTOFF_DESTROYED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
            Ok(())
        })
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0x3f)?;
        self.commit_on(dom, |txn, uuid| {
            txn.obj(uuid).require_active()?;
            txn.set_state(uuid, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER);
            txn.lifecycle(uuid, VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED);
            txn.stop(uuid, VIR_DOMAIN_SHUTOFF_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
            Ok(())
        })
    }

    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0x3f)?;
        self.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            obj.require_active()?;
            // The guest boots afresh (libvirt's test driver reports running/booted after it).
            if obj.state.state == VIR_DOMAIN_RUNNING {
                obj.state = DomainState::new(VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
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
        self.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            if obj.state.state != VIR_DOMAIN_RUNNING {
                return Err(invalid_op(format!("domain '{}' not running", obj.name)));
            }
            txn.set_state(uuid, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
            txn.lifecycle(uuid, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
            Ok(())
        })
    }

    fn resume(&self, dom: &DomainRef) -> Result<()> {
        self.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            if obj.state.state != VIR_DOMAIN_PAUSED {
                return Err(invalid_op(format!("domain '{}' not paused", obj.name)));
            }
            txn.set_state(uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
            txn.lifecycle(uuid, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
            Ok(())
        })
    }

    fn save(&self, dom: &DomainRef, path: &str) -> Result<()> {
        self.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            obj.require_active()?;
            let image = format!("{SAVE_MAGIC}\n{}\n{}", obj.state.state, obj.def.to_xml(None, None));
            std::fs::write(path, image)
                .map_err(|e| VirError::system(format!("failed to write saved image '{path}': {e}")))?;
            txn.stop(uuid, VIR_DOMAIN_SHUTOFF_SAVED, VIR_DOMAIN_EVENT_STOPPED_SAVED);
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
        self.commit(|txn| {
            let uuid = match txn.existing_for(&def)? {
                Some(uuid) => {
                    let obj = txn.obj(&uuid);
                    if obj.is_active() {
                        return Err(invalid_op(format!("domain '{}' is already active", obj.name)));
                    }
                    obj.pending_config = Some(std::mem::replace(&mut obj.def, Arc::new(def)));
                    uuid
                }
                None => txn.insert(DomainObj::new(def, false)),
            };
            txn.start(&uuid, VIR_DOMAIN_RUNNING_RESTORED, VIR_DOMAIN_EVENT_STARTED_RESTORED, false);
            if saved_state == VIR_DOMAIN_PAUSED {
                txn.set_state(&uuid, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
                txn.lifecycle(&uuid, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_RESTORED);
            }
            Ok(())
        })
    }

    fn managed_save(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_SAVE_BYPASS_CACHE | VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED)?;
        self.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            obj.require_active()?;
            if !obj.persistent {
                return Err(invalid_op("cannot do managed save for transient domain"));
            }
            obj.managed_save = true;
            txn.stop(uuid, VIR_DOMAIN_SHUTOFF_SAVED, VIR_DOMAIN_EVENT_STOPPED_SAVED);
            Ok(())
        })
    }

    fn state(&self, dom: &DomainRef) -> Result<(i32, i32)> {
        self.read(dom, |o| (o.state.state, o.state.reason))
    }

    fn info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.read(dom, |o| DomainInfo {
            state: o.state.state,
            max_mem_kib: o.def.memory_kib(),
            memory_kib: o.def.current_memory_kib(),
            nr_virt_cpu: o.def.vcpus().min(u16::MAX as u32) as u16,
            cpu_time_ns: o.started_at.map(|t| t.elapsed().as_nanos() as u64).unwrap_or(0),
        })
    }

    fn is_active(&self, dom: &DomainRef) -> Result<bool> {
        self.read(dom, DomainObj::is_active)
    }

    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        self.read(dom, |o| o.persistent)
    }

    fn xml_desc(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        check_flags(
            flags,
            VIR_DOMAIN_XML_SECURE
                | VIR_DOMAIN_XML_INACTIVE
                | VIR_DOMAIN_XML_UPDATE_CPU
                | VIR_DOMAIN_XML_MIGRATABLE
                | VIR_DOMAIN_XML_RESOURCE_VERSION,
        )?;
        let inactive = flags as i32 & VIR_DOMAIN_XML_INACTIVE != 0;
        let versioned = flags as i32 & VIR_DOMAIN_XML_RESOURCE_VERSION != 0;
        self.read(dom, |o| {
            let version = versioned.then_some(o.revision);
            if inactive || !o.is_active() {
                o.config().to_xml(None, version)
            } else {
                o.def.to_xml(Some(o.id), version)
            }
        })
    }

    fn set_block_threshold(&self, dom: &DomainRef, dev: &str, threshold: u64, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        self.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            obj.require_active()?;
            let target = obj
                .def
                .find_disk(dev.split('[').next().unwrap_or(dev))
                .map(|d| d.target_dev.clone())
                .ok_or_else(|| VirError::invalid_arg(format!("disk '{dev}' not found in domain")))?;
            // A runtime setting outside the XML and the state: no new revision, so a cache
            // kept from events still matches the domain's resource version.
            obj.block_thresholds.insert(target, threshold);
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
        self.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            let (live, config) = match (flags as i32 & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG), obj.is_active()) {
                (0, active) => (active, !active),
                (f, active) => (f & VIR_DOMAIN_AFFECT_LIVE != 0, f & VIR_DOMAIN_AFFECT_CONFIG != 0 || !active),
            };
            if live && !obj.is_active() {
                return Err(invalid_op("domain is not running"));
            }
            if config && !obj.persistent {
                return Err(invalid_op("cannot change persistent config of a transient domain"));
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
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<domain type='test'><name>vm1</name><memory>1024</memory><os><type>hvm</type></os>\
        <devices><disk type='file' device='disk'><source file='/d.img'/><target dev='vda'/></disk></devices></domain>";

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
        d.save(&dom, path).unwrap();
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
        d.bus
            .history()
            .iter()
            .filter(|e| e.revision > from)
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
        d.save(&t, path).unwrap();
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
}
