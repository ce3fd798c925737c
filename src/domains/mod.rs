//! The backend-neutral core every hypervisor backend builds on: the domain table, the
//! transaction that commits a change as the next revision and publishes its events, the state
//! transitions every hypervisor shares (start, stop, pause, define, undefine, existence), list
//! filtering and lookups. A backend adds only what its hypervisor does; what it needs to keep
//! per domain rides along in `DomainObj::ext`.

use crate::abi::*;
use crate::error::{Result, VirError};
use crate::events::bus::EventBus;
use crate::events::{now_us, DomainName, DomainRef, Event, EventKind};
use crate::fasthash::FastMap;
use crate::jobs::JobTable;
use crate::model::def::{DefError, DomainDef};
use crate::model::state::DomainState;
use parking_lot::{Condvar, Mutex, MutexGuard};
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

pub fn def_error(e: DefError) -> VirError {
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

/// Refuses flag bits outside `allowed`.
pub fn check_flags(flags: u32, allowed: i32) -> Result<()> {
    let unknown = flags & !(allowed as u32);
    if unknown != 0 {
        return Err(VirError::invalid_arg(format!("unsupported flags (0x{unknown:x})")));
    }
    Ok(())
}

/// One domain as the core keeps it; `ext` is what the backend keeps beside it.
pub struct DomainObj<X> {
    pub name: DomainName,
    /// The running definition while active, the configuration while inactive. Shared with
    /// the events that carry it as their snapshot; a change makes a new one.
    pub def: Arc<DomainDef>,
    /// A configuration defined while running, taking effect when the domain stops.
    pub pending_config: Option<Arc<DomainDef>>,
    pub persistent: bool,
    pub state: DomainState,
    pub id: i32,
    pub managed_save: bool,
    /// Whether the domain starts with its host.
    pub autostart: bool,
    pub started_at: Option<Instant>,
    pub block_thresholds: FastMap<String, u64>,
    /// Revision of the last committed change.
    pub revision: u64,
    pub jobs: JobTable,
    pub ext: X,
}

impl<X: Default> DomainObj<X> {
    pub fn new(def: DomainDef, persistent: bool) -> Self {
        DomainObj {
            name: def.domain_name().clone(),
            def: Arc::new(def),
            pending_config: None,
            persistent,
            state: DomainState::new(VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN),
            id: -1,
            managed_save: false,
            autostart: false,
            started_at: None,
            block_thresholds: FastMap::default(),
            revision: 0,
            jobs: JobTable::default(),
            ext: X::default(),
        }
    }
}

impl<X> DomainObj<X> {
    pub fn is_active(&self) -> bool {
        self.state.is_active()
    }

    pub fn domain_ref(&self) -> DomainRef {
        DomainRef { name: self.name.clone(), uuid: self.def.uuid(), id: self.id }
    }

    /// The configuration a redefine or an inactive dump sees.
    pub fn config(&self) -> &Arc<DomainDef> {
        self.pending_config.as_ref().unwrap_or(&self.def)
    }

    pub fn require_active(&self) -> Result<()> {
        if self.is_active() {
            Ok(())
        } else {
            Err(VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, format!("domain '{}' is not running", self.name)))
        }
    }
}

/// Every domain of one hypervisor and its revision counter.
pub struct Table<X> {
    /// Boxed: a record is a few hundred bytes, and a table of them inline would hold that much
    /// per empty slot too (twice over while it grows).
    pub domains: FastMap<Uuid, Box<DomainObj<X>>>,
    pub names: FastMap<String, Uuid>,
    pub next_id: i32,
    pub revision: u64,
    /// The backend's virErrorDomain, for the errors the core raises on its behalf.
    pub error_domain: i32,
    /// Networks, storage pools, node devices and secrets: under the same lock and revision
    /// counter as the domains, so that all changes have one commit order (see `crate::objects`).
    pub objects: crate::objects::Objects,
}

impl<X> Table<X> {
    pub fn no_such_uuid(&self, dom: &DomainRef) -> VirError {
        VirError::new(
            VIR_ERR_NO_DOMAIN,
            self.error_domain,
            format!("no domain with matching uuid '{}' ({})", dom.uuid, dom.name),
        )
    }

    pub fn invalid_op(&self, detail: impl AsRef<str>) -> VirError {
        VirError::new(VIR_ERR_OPERATION_INVALID, self.error_domain, detail)
    }
}

/// A change in progress: the table plus the bus its events go to.
pub struct Txn<'a, X> {
    pub st: &'a mut Table<X>,
    pub bus: &'a EventBus,
}

impl<X> Txn<'_, X> {
    pub fn obj(&mut self, uuid: &Uuid) -> &mut DomainObj<X> {
        self.st.domains.get_mut(uuid).expect("domain checked by caller")
    }

    pub fn invalid_op(&self, detail: impl AsRef<str>) -> VirError {
        self.st.invalid_op(detail)
    }

    fn next_revision(&mut self, uuid: &Uuid) -> u64 {
        self.st.revision += 1;
        let revision = self.st.revision;
        self.obj(uuid).revision = revision;
        revision
    }

    /// Commits the domain's current state as the next revision and queues `kind` with it.
    pub fn emit(&mut self, uuid: &Uuid, kind: EventKind) {
        let revision = self.next_revision(uuid);
        let obj = &self.st.domains[uuid];
        self.bus.publish(Event {
            revision,
            timestamp_us: now_us(),
            // The table's key, not the definition's copy: the definition is cold with thousands
            // of domains.
            uuid: *uuid,
            id: obj.id,
            state: obj.state.state,
            reason: obj.state.reason,
            def: Some(obj.def.clone()),
            kind,
        });
    }

    pub fn lifecycle(&mut self, uuid: &Uuid, event: i32, detail: i32) {
        self.emit(uuid, EventKind::Lifecycle { event, detail });
    }

    pub fn set_state(&mut self, uuid: &Uuid, state: virDomainState, reason: i32) {
        self.obj(uuid).state = DomainState::new(state, reason);
    }

    /// Starts a stopped domain (STARTED with `detail`; with `paused`, then SUSPENDED(PAUSED));
    /// returns its new ID.
    pub fn start(&mut self, uuid: &Uuid, reason: i32, detail: i32, paused: bool) -> i32 {
        let id = self.start_as(uuid, DomainState::new(VIR_DOMAIN_RUNNING, reason), detail);
        if paused {
            self.pause(uuid, VIR_DOMAIN_PAUSED_USER, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        }
        id
    }

    /// Starts a stopped domain straight into the active `state` (STARTED with `detail`), as a
    /// hypervisor found already running is; returns its new ID.
    pub fn start_as(&mut self, uuid: &Uuid, state: DomainState, detail: i32) -> i32 {
        let id = self.st.next_id;
        self.st.next_id += 1;
        let obj = self.obj(uuid);
        obj.id = id;
        obj.started_at = Some(Instant::now());
        obj.state = state;
        self.lifecycle(uuid, VIR_DOMAIN_EVENT_STARTED, detail);
        id
    }

    pub fn pause(&mut self, uuid: &Uuid, reason: i32, detail: i32) {
        self.set_state(uuid, VIR_DOMAIN_PAUSED, reason);
        self.lifecycle(uuid, VIR_DOMAIN_EVENT_SUSPENDED, detail);
    }

    pub fn unpause(&mut self, uuid: &Uuid, reason: i32, detail: i32) {
        self.set_state(uuid, VIR_DOMAIN_RUNNING, reason);
        self.lifecycle(uuid, VIR_DOMAIN_EVENT_RESUMED, detail);
    }

    /// Stops a running domain; its unfinished jobs fail first (their events come before
    /// STOPPED); a transient domain then goes out of existence.
    pub fn stop(&mut self, uuid: &Uuid, reason: i32, detail: i32) {
        if self.st.domains[uuid].jobs.live().next().is_some() {
            let why = format!("domain '{}' stopped", self.st.domains[uuid].name);
            self.end_live_jobs(uuid, &why);
        }
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
    pub fn remove(&mut self, uuid: &Uuid) {
        self.forget_jobs(uuid);
        self.emit(uuid, EventKind::Existence { kind: VIR_DOMAIN_EVENT_EXISTENCE_REMOVED });
        if let Some(obj) = self.st.domains.remove(uuid) {
            self.st.names.remove(&*obj.name);
        }
    }

    /// A domain comes into existence: ADDED is the first event of its UUID.
    pub fn insert(&mut self, obj: DomainObj<X>) -> Uuid {
        let uuid = obj.def.uuid();
        self.st.names.insert(obj.name.to_string(), uuid);
        self.st.domains.insert(uuid, Box::new(obj));
        self.emit(&uuid, EventKind::Existence { kind: VIR_DOMAIN_EVENT_EXISTENCE_ADDED });
        uuid
    }

    /// Finds the domain a new definition refers to, refusing a name or UUID already used by
    /// another domain (errors of the domain list, VIR_FROM_DOMAIN as in libvirt, whatever the
    /// backend).
    pub fn existing_for(&self, def: &DomainDef) -> Result<Option<Uuid>> {
        let uuid = def.uuid();
        if let Some(obj) = self.st.domains.get(&uuid) {
            if &*obj.name != def.name() {
                return Err(VirError::new(
                    VIR_ERR_OPERATION_FAILED,
                    VIR_FROM_DOMAIN,
                    format!("domain '{}' is already defined with uuid {}", obj.name, uuid),
                ));
            }
            return Ok(Some(uuid));
        }
        if let Some(other) = self.st.names.get(def.name()) {
            return Err(VirError::new(
                VIR_ERR_OPERATION_FAILED,
                VIR_FROM_DOMAIN,
                format!("domain '{}' already exists with uuid {}", def.name(), other),
            ));
        }
        Ok(None)
    }

    /// Defines or redefines a persistent domain. A definition carrying `resourceVersion` is
    /// a compare-and-swap against the domain's current version.
    pub fn define(&mut self, def: DomainDef) -> Result<Uuid>
    where
        X: Default,
    {
        let existing = self.existing_for(&def)?;
        if let Some(expected) = def.resource_version() {
            let current = existing.map(|uuid| self.st.domains[&uuid].revision);
            if current != Some(expected) {
                let now = current.map_or_else(|| "no longer exists".to_string(), |c| format!("is at version {c}"));
                return Err(VirError::new(
                    VIR_ERR_RESOURCE_VERSION_CONFLICT,
                    self.st.error_domain,
                    format!("domain '{}' {now}, not at version {expected} the XML was read at: read it again and retry", def.name()),
                ));
            }
        }
        Ok(match existing {
            Some(uuid) => {
                let obj = self.obj(&uuid);
                let created = !obj.persistent;
                obj.persistent = true;
                if obj.is_active() {
                    obj.pending_config = Some(Arc::new(def));
                } else {
                    obj.def = Arc::new(def);
                }
                let detail = if created { VIR_DOMAIN_EVENT_DEFINED_ADDED } else { VIR_DOMAIN_EVENT_DEFINED_UPDATED };
                self.lifecycle(&uuid, VIR_DOMAIN_EVENT_DEFINED, detail);
                uuid
            }
            None => {
                let uuid = self.insert(DomainObj::new(def, true));
                self.lifecycle(&uuid, VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED);
                uuid
            }
        })
    }

    /// Removes a domain's persistent configuration: an inactive domain goes out of existence,
    /// a running one becomes transient.
    pub fn undefine(&mut self, uuid: &Uuid, discard_managed_save: bool) -> Result<()> {
        let obj = &self.st.domains[uuid];
        if !obj.persistent {
            return Err(self.invalid_op("cannot undefine transient domain"));
        }
        if obj.managed_save && !discard_managed_save {
            return Err(self.invalid_op("Refusing to undefine while domain managed save image exists"));
        }
        let obj = self.obj(uuid);
        obj.managed_save = false;
        obj.persistent = false;
        obj.pending_config = None;
        let active = obj.is_active();
        self.lifecycle(uuid, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
        if !active {
            self.remove(uuid);
        }
        Ok(())
    }

    /// The domain that a definition about to run (a transient start, a restore, an incoming
    /// migration) becomes: an inactive domain of the same name and UUID keeps its persistent
    /// configuration, otherwise a transient domain comes into existence.
    pub fn runnable_from(&mut self, def: DomainDef) -> Result<Uuid>
    where
        X: Default,
    {
        Ok(match self.existing_for(&def)? {
            Some(uuid) => {
                let obj = self.obj(&uuid);
                if obj.is_active() {
                    let msg = format!("domain '{}' is already active", obj.name);
                    return Err(self.invalid_op(msg));
                }
                obj.pending_config = Some(std::mem::replace(&mut obj.def, Arc::new(def)));
                uuid
            }
            None => self.insert(DomainObj::new(def, false)),
        })
    }
}

/// Whether `obj` passes virConnectListAllDomains' filter `flags`.
pub fn matches_list_flags<X>(obj: &DomainObj<X>, flags: u32) -> bool {
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

/// One hypervisor's domains behind one lock, with the bus their events go to. Every change
/// runs as a transaction whose events are published before the lock is released; `changed`
/// wakes the threads that wait for a change (a call blocked until its job ends).
pub struct Store<X> {
    table: Mutex<Table<X>>,
    changed: Condvar,
    pub bus: Arc<EventBus>,
}

impl<X> Store<X> {
    pub fn new(error_domain: i32) -> Self {
        Store {
            table: Mutex::new(Table {
                domains: FastMap::default(),
                names: FastMap::default(),
                next_id: 1,
                revision: 0,
                error_domain,
                objects: Default::default(),
            }),
            changed: Condvar::new(),
            bus: EventBus::new(),
        }
    }

    /// Runs `change` as one transaction, then wakes waiters and the event loop.
    pub fn commit<R>(&self, change: impl FnOnce(&mut Txn<X>) -> Result<R>) -> Result<R> {
        let result = {
            let mut st = self.table.lock();
            change(&mut Txn { st: &mut st, bus: &self.bus })
        };
        self.changed.notify_all();
        self.bus.kick();
        result
    }

    /// Like `commit`, for a change to one existing domain.
    pub fn commit_on<R>(&self, dom: &DomainRef, change: impl FnOnce(&mut Txn<X>, &Uuid) -> Result<R>) -> Result<R> {
        self.commit(|txn| {
            if !txn.st.domains.contains_key(&dom.uuid) {
                return Err(txn.st.no_such_uuid(dom));
            }
            change(txn, &dom.uuid)
        })
    }

    pub fn read<R>(&self, dom: &DomainRef, f: impl FnOnce(&DomainObj<X>) -> R) -> Result<R> {
        let st = self.table.lock();
        st.domains.get(&dom.uuid).map(|o| f(o)).ok_or_else(|| st.no_such_uuid(dom))
    }

    /// Waits until `done` returns Some, checking after every committed change.
    pub fn wait_until<R>(&self, mut done: impl FnMut(&Table<X>) -> Option<R>) -> R {
        let mut st = self.table.lock();
        loop {
            if let Some(r) = done(&st) {
                return r;
            }
            self.changed.wait(&mut st);
        }
    }

    /// Like `wait_until`, giving up (None) once `deadline` has passed.
    pub fn wait_until_deadline<R>(&self, deadline: Instant, mut done: impl FnMut(&Table<X>) -> Option<R>) -> Option<R> {
        let mut st = self.table.lock();
        loop {
            if let Some(r) = done(&st) {
                return Some(r);
            }
            if self.changed.wait_until(&mut st, deadline).timed_out() {
                return done(&st);
            }
        }
    }

    /// The table, for a read of several domains at once.
    pub fn lock(&self) -> MutexGuard<'_, Table<X>> {
        self.table.lock()
    }

    /// The revision of the last committed change, backend-wide.
    pub fn revision(&self) -> u64 {
        self.table.lock().revision
    }

    pub fn list_all_domains_versioned(&self, flags: u32) -> (Vec<DomainRef>, u64) {
        let st = self.table.lock();
        let mut list: Vec<&DomainObj<X>> = st.domains.values().map(|o| &**o).filter(|o| matches_list_flags(o, flags)).collect();
        list.sort_by(|a, b| (!a.is_active(), a.id, &a.name).cmp(&(!b.is_active(), b.id, &b.name)));
        (list.into_iter().map(DomainObj::domain_ref).collect(), st.revision)
    }

    pub fn num_of_domains(&self) -> usize {
        self.table.lock().domains.values().filter(|o| o.is_active()).count()
    }

    pub fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        let st = self.table.lock();
        st.names.get(name).map(|uuid| st.domains[uuid].domain_ref()).ok_or_else(|| {
            VirError::new(VIR_ERR_NO_DOMAIN, st.error_domain, format!("no domain with matching name '{name}'"))
        })
    }

    pub fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        let st = self.table.lock();
        st.domains.get(uuid).map(|o| o.domain_ref()).ok_or_else(|| {
            VirError::new(VIR_ERR_NO_DOMAIN, st.error_domain, format!("no domain with matching uuid '{uuid}'"))
        })
    }

    pub fn lookup_by_id(&self, id: i32) -> Result<DomainRef> {
        let st = self.table.lock();
        st.domains
            .values()
            .find(|o| o.id == id && o.is_active())
            .map(|o| o.domain_ref())
            .ok_or_else(|| VirError::new(VIR_ERR_NO_DOMAIN, st.error_domain, format!("no domain with matching id {id}")))
    }

    /// The domain's XML: the running definition, or with VIR_DOMAIN_XML_INACTIVE (or while
    /// stopped) the configuration; with VIR_DOMAIN_XML_RESOURCE_VERSION, its version.
    pub fn xml_desc(&self, dom: &DomainRef, flags: u32) -> Result<String> {
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
}

/// What a domain's record says, as the simple queries (state, persistence, …) report it.
pub struct DomainFacts {
    pub revision: u64,
    pub state: i32,
    pub reason: i32,
    pub active: bool,
    pub persistent: bool,
    pub managed_save: bool,
    pub os_type: &'static str,
}

/// What every backend answers from its domain table alone, the same way: `Driver`'s default
/// methods read it through `Driver::table`, so a backend writes only what its hypervisor does.
pub trait DomainTable: Send + Sync {
    fn list_versioned(&self, flags: u32) -> (Vec<DomainRef>, u64);
    fn count(&self) -> usize;
    fn find_by_name(&self, name: &str) -> Result<DomainRef>;
    fn find_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef>;
    fn find_by_id(&self, id: i32) -> Result<DomainRef>;
    fn facts(&self, dom: &DomainRef) -> Result<DomainFacts>;
    fn xml(&self, dom: &DomainRef, flags: u32) -> Result<String>;
}

impl<X: Send> DomainTable for Store<X> {
    fn list_versioned(&self, flags: u32) -> (Vec<DomainRef>, u64) {
        self.list_all_domains_versioned(flags)
    }
    fn count(&self) -> usize {
        self.num_of_domains()
    }
    fn find_by_name(&self, name: &str) -> Result<DomainRef> {
        self.lookup_by_name(name)
    }
    fn find_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        self.lookup_by_uuid(uuid)
    }
    fn find_by_id(&self, id: i32) -> Result<DomainRef> {
        self.lookup_by_id(id)
    }
    fn facts(&self, dom: &DomainRef) -> Result<DomainFacts> {
        self.read(dom, |o| DomainFacts {
            revision: o.revision,
            state: o.state.state,
            reason: o.state.reason,
            active: o.is_active(),
            persistent: o.persistent,
            managed_save: o.managed_save,
            os_type: o.def.os_type(),
        })
    }
    fn xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.xml_desc(dom, flags)
    }
}
