//! The QEMU backend: real QEMU processes managed in-process over QMP, everything kept under
//! one root (`qemu:///embed?root=DIR`, libvirt's embedded driver) or the user's directories
//! (`qemu:///session`). QMP events are committed through the backend-neutral core
//! (`crate::domains`) exactly as the test backend commits its changes, mapped as libvirt's
//! QEMU driver maps them. QEMU processes daemonize: they outlive the application, which finds
//! them again through their pid files and monitor sockets when it opens the same root.

mod backup;
mod config;
mod dump;
mod jobs;
mod process;
mod save;
pub mod qmp;

use super::objects::{ObjectDriver, ObjectState, PoolSizes};
use super::{DomainInfo, Driver, MetadataKind, NodeInfo};
use crate::abi::*;
use crate::domains::{check_flags, def_error, DomainObj, Store, Txn};
use crate::error::{Result, VirError};
use crate::events::bus::EventBus;
use crate::events::family::Family;
use crate::events::{BlockThresholdEvent, DomainRef, EventKind, GraphicsAddress, GraphicsEvent, IoErrorEvent};
use crate::jobs::{Job, JobKind, JobOp};
use crate::model::def::DomainDef;
use crate::model::xml::MAX_DOCUMENT_BYTES;
use crate::objects::ObjectRef;
use once_cell::sync::Lazy;
use parking_lot::Mutex;
use process::Paths;
use qmp::{Incoming, Monitor, QmpEvent};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long virDomainDestroy waits after SIGTERM before SIGKILL (libvirt's 10 s), and after it.
const TERM_GRACE: Duration = Duration::from_secs(10);
const KILL_GRACE: Duration = Duration::from_secs(5);
/// How long a reconnect waits for a running QEMU's monitor.
const RECONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What this backend emits, in increasing order: lifecycle (STOP, RESUME, SHUTDOWN, process
/// exit), REBOOT (RESET), RTC_CHANGE, IO_ERROR(_REASON) (BLOCK_IO_ERROR), GRAPHICS (VNC_*),
/// BLOCK_THRESHOLD (BLOCK_WRITE_THRESHOLD), existence, and for its jobs JOB_STATE with the old
/// BLOCK_JOB events (pulls, commits) and JOB_COMPLETED (saves, dumps).
const SUPPORTED_EVENT_IDS: &[i32] = &[
    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
    VIR_DOMAIN_EVENT_ID_REBOOT,
    VIR_DOMAIN_EVENT_ID_RTC_CHANGE,
    VIR_DOMAIN_EVENT_ID_IO_ERROR,
    VIR_DOMAIN_EVENT_ID_GRAPHICS,
    VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON,
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
    VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
    VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD,
    VIR_DOMAIN_EVENT_ID_EXISTENCE,
    VIR_DOMAIN_EVENT_ID_JOB_STATE,
];

/// Each QEMU process the backend starts or finds gets its own number, so that what its
/// monitor reports is never applied to a later process of the same domain.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

/// One backend per root and process: the lock keeps other processes out, and the
/// connections of this one share the backend.
static OPEN_ROOTS: Lazy<Mutex<HashMap<PathBuf, Weak<QemuDriver>>>> = Lazy::new(Default::default);

/// What the backend keeps per domain beside the core's record.
#[derive(Default)]
pub struct QemuDomain {
    monitor: Option<Arc<Monitor>>,
    pid: Option<i32>,
    generation: u64,
    /// virDomainDestroy is under way: the process exit it causes is STOPPED(DESTROYED).
    destroying: bool,
    /// QEMU reported SHUTDOWN: its exit is STOPPED(SHUTDOWN), not a crash.
    got_shutdown: bool,
    /// virDomainReboot asked the guest to power off: its next SHUTDOWN is a reboot (libvirt's
    /// fake reboot), and `rebooting` while QEMU is reset and let run again.
    fake_reboot: bool,
    rebooting: bool,
    /// virDomainSave has written the state: QEMU's exit is STOPPED(SAVED).
    saved: bool,
    /// virDomainCoreDump with VIR_DUMP_CRASH has dumped the memory: QEMU's exit is
    /// STOPPED(CRASHED).
    crash_dumped: bool,
    /// Why the next STOP / RESUME happens, when this side asked for it.
    pause_reason: Option<i32>,
    running_reason: Option<i32>,
    /// What each running pull, commit or copy does to its disk's chain once completed, by job
    /// name.
    chain_edits: HashMap<String, jobs::ChainEdit>,
    /// The running backup's disks and their QEMU jobs.
    backup: Option<backup::Backup>,
}

struct Inner {
    store: Store<QemuDomain>,
    paths: Paths,
    kvm: bool,
    /// Names of domains whose QEMU is being started (their runtime files are taken).
    launching: Mutex<HashSet<String>>,
    version: OnceLock<u64>,
    _lock: File,
}

/// The backend behind `qemu:///embed?root=DIR` and `qemu:///session`.
pub struct QemuDriver {
    inner: Arc<Inner>,
}

fn no_support(call: &str) -> VirError {
    VirError::new(VIR_ERR_NO_SUPPORT, VIR_FROM_QEMU, format!("{call} is not supported by the QEMU backend yet"))
}

fn monitor_error(name: &str, e: qmp::QmpError) -> VirError {
    VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("domain '{name}': {e}"))
}

/// Decodes %XX escapes of a URI component.
fn percent_decoded(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The directories a `qemu:` URI names; None for a URI of another backend.
pub fn paths_of_uri(uri: &str) -> Option<Result<Paths>> {
    let rest = uri.strip_prefix("qemu://")?;
    let bad = |why: &str| VirError::new(VIR_ERR_NO_CONNECT, VIR_FROM_QEMU, format!("{uri}: {why}"));
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    Some(match path.trim_end_matches('/') {
        "/embed" => {
            let root = query.split('&').find_map(|kv| kv.strip_prefix("root="));
            let others = query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("root=")).count();
            match root.map(percent_decoded) {
                _ if others > 0 => Err(bad("the only parameter of qemu:///embed is root")),
                None => Err(bad("qemu:///embed needs a root directory (qemu:///embed?root=/some/dir)")),
                Some(None) => Err(bad("the root is not a valid percent-encoded UTF-8 path")),
                Some(Some(root)) if !root.starts_with('/') || root.contains('\0') => Err(bad("the root must be an absolute path")),
                Some(Some(root)) => Ok(Paths::embedded(Path::new(&root))),
            }
        }
        "/session" if query.is_empty() => {
            let home = std::env::var_os("HOME").map(PathBuf::from);
            let config = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(".config")));
            let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(".cache")));
            match (config, runtime) {
                (Some(c), Some(r)) if c.is_absolute() && r.is_absolute() => Ok(Paths::session(&c, &r)),
                _ => Err(bad("neither XDG_CONFIG_HOME/XDG_RUNTIME_DIR nor HOME names a directory")),
            }
        }
        _ => Err(bad("supported QEMU URIs: qemu:///embed?root=DIR, qemu:///session")),
    })
}

/// Whether this process may use KVM.
fn kvm_usable() -> bool {
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/kvm").is_ok()
}

impl QemuDriver {
    /// The backend of `paths` in this process: the one already open, or a new one that takes
    /// the root's lock and finds the domains left there.
    pub fn open(paths: Paths) -> Result<Arc<QemuDriver>> {
        let mut roots = OPEN_ROOTS.lock();
        if let Some(driver) = roots.get(&paths.run).and_then(Weak::upgrade) {
            return Ok(driver);
        }
        paths.create()?;
        let lock = paths.lock()?;
        let inner = Arc::new(Inner {
            store: Store::new(VIR_FROM_QEMU),
            paths: paths.clone(),
            kvm: kvm_usable(),
            launching: Mutex::new(HashSet::new()),
            version: OnceLock::new(),
            _lock: lock,
        });
        inner.load()?;
        let driver = Arc::new(QemuDriver { inner });
        roots.retain(|_, d| d.strong_count() > 0);
        roots.insert(paths.run, Arc::downgrade(&driver));
        Ok(driver)
    }
}

impl Inner {
    /// Finds what a previous process left under the root: persistent definitions, then QEMU
    /// processes still running (reconnected) or gone meanwhile (reported STOPPED(FAILED)).
    fn load(self: &Arc<Self>) -> Result<()> {
        let read_def = |path: &Path| -> Option<DomainDef> {
            let parsed = process::read_bounded(path, MAX_DOCUMENT_BYTES as u64)
                .map_err(|e| e.to_string())
                .and_then(|text| DomainDef::parse(&text).map_err(|e| def_error(e).message));
            parsed.map_err(|e| crate::debuglog::log(format_args!("QEMU backend: skipping '{}': {e}", path.display()))).ok()
        };
        for name in process::names_in(&self.paths.config, "xml") {
            if let Some(def) = read_def(&self.paths.config_xml(&name)).filter(|d| d.name() == name) {
                let managed_save = self.paths.managed_save(&name).exists();
                let _ = self.store.commit(|txn| {
                    let uuid = txn.define(def)?;
                    // Not an event of its own: a flag of the definition just read.
                    txn.obj(&uuid).managed_save = managed_save;
                    Ok(())
                });
            }
        }
        for name in process::names_in(&self.paths.run, "pid") {
            let def = read_def(&self.paths.live_xml(&name)).or_else(|| read_def(&self.paths.config_xml(&name)));
            let pidfile = self.paths.pidfile(&name);
            let pid = process::read_pidfile(&pidfile);
            let Some(def) = def.filter(|d| d.name() == name) else {
                // Not ours to judge without a definition: leave the process alone.
                continue;
            };
            let alive = pid.filter(|&p| process::is_our_qemu(p, &pidfile));
            let reconnected = alive.and_then(|pid| {
                let generation = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
                let monitor =
                    Monitor::connect(&self.paths.monitor(&name), Instant::now() + RECONNECT_TIMEOUT, self.handler(def.uuid(), generation)).ok()?;
                let status = monitor.execute("query-status", None).ok()?;
                let running = status.get("running").and_then(Value::as_bool)?;
                // Jobs of the previous process are not adopted: the concluded ones are
                // forgotten now, the others when they conclude (see jobs::FollowUp::Forget).
                let listed = monitor.execute("query-jobs", None).unwrap_or_default();
                for job in listed.as_array().into_iter().flatten() {
                    if job["status"] == "concluded" {
                        let _ = monitor.execute("job-dismiss", Some(serde_json::json!({ "id": job["id"] })));
                    }
                }
                Some((pid, generation, monitor, running))
            });
            let uuid = def.uuid();
            let _ = self.store.commit(|txn| {
                let uuid = txn.runnable_from(def)?;
                match reconnected {
                    Some((pid, generation, monitor, running)) => {
                        let ext = &mut txn.obj(&uuid).ext;
                        *ext = QemuDomain { monitor: Some(Arc::new(monitor)), pid: Some(pid), generation, ..Default::default() };
                        txn.start(&uuid, VIR_DOMAIN_RUNNING_BOOTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, !running);
                    }
                    None => {
                        txn.start(&uuid, VIR_DOMAIN_RUNNING_BOOTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, false);
                        txn.stop(&uuid, VIR_DOMAIN_SHUTOFF_FAILED, VIR_DOMAIN_EVENT_STOPPED_FAILED);
                    }
                }
                Ok(())
            });
            if !self.store.lock().domains.get(&uuid).is_some_and(|o| o.is_active()) {
                self.paths.remove_runtime(&name);
            }
        }
        Ok(())
    }

    /// What a domain's monitor reader calls: events and the end of the connection.
    fn handler(self: &Arc<Self>, uuid: Uuid, generation: u64) -> qmp::Handler {
        let weak = Arc::downgrade(self);
        Box::new(move |incoming| {
            if let Some(inner) = weak.upgrade() {
                inner.on_monitor(uuid, generation, incoming);
            }
        })
    }

    fn on_monitor(self: &Arc<Self>, uuid: Uuid, generation: u64, incoming: Incoming) {
        let current = |txn: &Txn<QemuDomain>| {
            txn.st.domains.get(&uuid).is_some_and(|o| o.ext.generation == generation && o.is_active())
        };
        match incoming {
            Incoming::Event(event) => {
                let follow_up = self.store.commit(|txn| Ok(if current(txn) { apply_event(txn, &uuid, &event) } else { None }));
                if let Ok(Some(follow_up)) = follow_up {
                    self.follow_up(uuid, follow_up);
                }
            }
            Incoming::Closed => {
                let ended = self.store.commit(|txn| {
                    if !current(txn) {
                        return Ok(None);
                    }
                    let obj = txn.obj(&uuid);
                    let monitor = obj.ext.monitor.take();
                    let (reason, detail) = if obj.ext.saved {
                        (VIR_DOMAIN_SHUTOFF_SAVED, VIR_DOMAIN_EVENT_STOPPED_SAVED)
                    } else if obj.ext.crash_dumped {
                        (VIR_DOMAIN_SHUTOFF_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED)
                    } else if obj.ext.destroying {
                        (VIR_DOMAIN_SHUTOFF_DESTROYED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED)
                    } else if obj.ext.got_shutdown {
                        (VIR_DOMAIN_SHUTOFF_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN)
                    } else {
                        (VIR_DOMAIN_SHUTOFF_CRASHED, VIR_DOMAIN_EVENT_STOPPED_FAILED)
                    };
                    // Gone before STOPPED is seen: whoever reacts to it finds no stale files.
                    self.paths.remove_runtime(&obj.name);
                    obj.ext = QemuDomain::default();
                    txn.stop(&uuid, reason, detail);
                    Ok(Some(monitor))
                });
                // Dropped here, on its own reader thread, outside the table's lock.
                drop(ended);
            }
        }
    }

    /// Starts QEMU for `def` (with `incoming`, loads the saved state from that migration URI)
    /// and lets it run unless `paused`; nothing is committed yet.
    fn boot(self: &Arc<Self>, def: &DomainDef, plan: &config::Launch, paused: bool, incoming: Option<&str>) -> Result<(process::Started, u64)> {
        let generation = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
        let started = process::launch(&self.paths, def, plan, self.handler(def.uuid(), generation))?;
        if let Some(uri) = incoming {
            if let Err(e) = save::load_state(&started.monitor, uri) {
                self.discard(def.name(), started);
                return Err(save::in_domain(e, def.name()));
            }
        }
        if !paused {
            if let Err(e) = started.monitor.execute("cont", None) {
                self.discard(def.name(), started);
                return Err(monitor_error(def.name(), e));
            }
        }
        Ok((started, generation))
    }

    /// Ends a QEMU that will not become a running domain.
    fn discard(&self, name: &str, started: process::Started) {
        started.monitor.close();
        process::terminate(started.pid, Duration::from_secs(1), true);
        self.paths.remove_runtime(name);
    }

    /// Commits a booted QEMU as the domain's running process: STARTED (then SUSPENDED when
    /// paused). Refused, and the process ended, if it exited meanwhile.
    fn commit_start(&self, txn: &mut Txn<QemuDomain>, uuid: &Uuid, booted: (process::Started, u64), paused: bool, restored: bool) -> Result<i32> {
        let (started, generation) = booted;
        let obj = txn.obj(uuid);
        let name = obj.name.to_string();
        if started.monitor.is_closed() {
            self.discard(&name, started);
            return Err(VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("QEMU of domain '{name}' exited while starting")));
        }
        if let Some(marked) = config::annotated(&obj.def) {
            // The running XML names each image's index; the configuration stays as written.
            let config = std::mem::replace(&mut obj.def, Arc::new(marked));
            obj.pending_config.get_or_insert(config);
        }
        if let Err(e) = process::write_atomically(&self.paths.live_xml(&name), &obj.def.to_xml(None, None)) {
            self.discard(&name, started);
            return Err(e);
        }
        obj.ext = QemuDomain { monitor: Some(Arc::new(started.monitor)), pid: Some(started.pid), generation, ..Default::default() };
        if !restored {
            return Ok(txn.start(uuid, VIR_DOMAIN_RUNNING_BOOTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, paused));
        }
        let id = txn.start(uuid, VIR_DOMAIN_RUNNING_RESTORED, VIR_DOMAIN_EVENT_STARTED_RESTORED, false);
        if paused {
            txn.pause(uuid, VIR_DOMAIN_PAUSED_USER, VIR_DOMAIN_EVENT_SUSPENDED_RESTORED);
        }
        Ok(id)
    }

    /// Runs `command` on the domain's monitor once `prepare` (under the table's lock) allowed
    /// it. The events the command causes are committed by the reader before its reply returns.
    fn command(&self, dom: &DomainRef, command: &str, prepare: impl FnOnce(&mut DomainObj<QemuDomain>) -> Result<()>) -> Result<()> {
        let monitor = self.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            obj.require_active()?;
            prepare(obj)?;
            obj.ext.monitor.clone().ok_or_else(|| txn.invalid_op(format!("domain '{}' is not running", dom.name)))
        })?;
        monitor.execute(command, None).map(drop).map_err(|e| monitor_error(&dom.name, e))
    }

    /// Runs a definition that is not running: a transient domain comes into existence, an
    /// inactive one of the same name and UUID runs it (virDomainCreateXML, virDomainRestore).
    fn run_new(self: &Arc<Self>, def: DomainDef, plan: config::Launch, paused: bool, incoming: Option<&str>) -> Result<DomainRef> {
        self.store.commit(|txn| {
            if let Some(uuid) = txn.existing_for(&def)? {
                if txn.st.domains[&uuid].is_active() {
                    return Err(txn.invalid_op(format!("domain '{}' is already active", def.name())));
                }
            }
            self.reserve(def.name())
        })?;
        let booted = self.boot(&def, &plan, paused, incoming);
        let name = def.name().to_string();
        self.store.commit(|txn| {
            self.release(&name);
            let booted = booted?;
            let uuid = match txn.runnable_from(def) {
                Ok(uuid) => uuid,
                Err(e) => {
                    self.discard(&name, booted.0);
                    return Err(e);
                }
            };
            let started = self.commit_start(txn, &uuid, booted, paused, incoming.is_some());
            if let Err(e) = started {
                if !txn.st.domains[&uuid].persistent {
                    txn.remove(&uuid);
                }
                return Err(e);
            }
            Ok(txn.st.domains[&uuid].domain_ref())
        })
    }

    fn reserve(&self, name: &str) -> Result<()> {
        if self.launching.lock().insert(name.to_string()) {
            Ok(())
        } else {
            Err(self.store.lock().invalid_op(format!("domain '{name}' is already being started")))
        }
    }

    fn release(&self, name: &str) {
        self.launching.lock().remove(name);
    }
}

/// Commits what a QMP event means for the domain, as libvirt's QEMU driver maps it; returns
/// what is left to do on another thread.
fn apply_event(txn: &mut Txn<QemuDomain>, uuid: &Uuid, event: &QmpEvent) -> Option<jobs::FollowUp> {
    let obj = txn.obj(uuid);
    let state = obj.state.state;
    match event.name.as_str() {
        "STOP" if state == VIR_DOMAIN_RUNNING && !obj.ext.rebooting => {
            let dumping = obj.jobs.live().any(|j| j.kind == JobKind::Dump);
            let reason = match obj.ext.pause_reason.take() {
                Some(reason) => reason,
                // dump-guest-memory stops a running guest itself (even for VIR_DUMP_LIVE) and
                // lets it run again once the dump is written.
                None if dumping => {
                    obj.ext.running_reason = Some(VIR_DOMAIN_RUNNING_UNPAUSED);
                    VIR_DOMAIN_PAUSED_DUMP
                }
                None => VIR_DOMAIN_PAUSED_UNKNOWN,
            };
            txn.pause(uuid, reason, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        }
        "RESUME" if state == VIR_DOMAIN_PAUSED => {
            let reason = obj.ext.running_reason.take().unwrap_or(VIR_DOMAIN_RUNNING_UNKNOWN);
            txn.unpause(uuid, reason, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
        }
        // A destroy's SIGTERM makes QEMU report a SHUTDOWN that is none.
        // QEMU runs with -no-shutdown: after a guest's power-off it waits, stopped, for this
        // side to end it, or (virDomainReboot asked for it) to reset it and let it run again.
        "SHUTDOWN" if state != VIR_DOMAIN_SHUTDOWN && !obj.ext.destroying && !obj.ext.saved && !obj.ext.crash_dumped && std::mem::take(&mut obj.ext.fake_reboot) => {
            obj.ext.rebooting = true;
            return Some(jobs::FollowUp::Reboot);
        }
        "SHUTDOWN" if state != VIR_DOMAIN_SHUTDOWN && !obj.ext.destroying && !obj.ext.saved && !obj.ext.crash_dumped => {
            obj.ext.got_shutdown = true;
            if let Some(pid) = obj.ext.pid {
                let _ = crate::sys::kill(pid, crate::sys::Signal::Term);
            }
            let detail = match event.data.get("guest").and_then(Value::as_bool) {
                Some(true) => VIR_DOMAIN_EVENT_SHUTDOWN_GUEST,
                Some(false) => VIR_DOMAIN_EVENT_SHUTDOWN_HOST,
                None => VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED,
            };
            txn.set_state(uuid, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN);
            txn.lifecycle(uuid, VIR_DOMAIN_EVENT_SHUTDOWN, detail);
        }
        "RESET" => txn.emit(uuid, EventKind::Reboot),
        "RTC_CHANGE" => {
            if let Some(offset) = event.data.get("offset").and_then(Value::as_i64) {
                txn.emit(uuid, EventKind::RtcChange { utc_offset: offset });
            }
        }
        "BLOCK_IO_ERROR" => io_error(txn, uuid, &event.data),
        "BLOCK_WRITE_THRESHOLD" => write_threshold(txn, uuid, &event.data),
        "VNC_CONNECTED" => graphics(txn, uuid, VIR_DOMAIN_EVENT_GRAPHICS_CONNECT, &event.data),
        "VNC_INITIALIZED" => graphics(txn, uuid, VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE, &event.data),
        "VNC_DISCONNECTED" => graphics(txn, uuid, VIR_DOMAIN_EVENT_GRAPHICS_DISCONNECT, &event.data),
        "DUMP_COMPLETED" => dump::completed(txn, uuid, &event.data),
        "JOB_STATUS_CHANGE" => {
            let text = |k: &str| event.data.get(k).and_then(Value::as_str);
            if let (Some(id), Some(status)) = (text("id"), text("status")) {
                if txn.st.domains[uuid].ext.backup.as_ref().is_some_and(|b| b.owns(id)) {
                    return backup::status_changed(id, status);
                }
                return jobs::status_changed(txn, uuid, id, status);
            }
        }
        _ => {}
    }
    None
}

/// VNC_CONNECTED, VNC_INITIALIZED, VNC_DISCONNECTED: GRAPHICS with the server's address
/// (local), the client's (remote), the server's authentication scheme, and the client's
/// identities (x509dname, saslUsername) when it has them.
fn graphics(txn: &mut Txn<QemuDomain>, uuid: &Uuid, phase: i32, data: &Value) {
    let c = |s: &str| std::ffi::CString::new(s.replace('\0', "")).unwrap_or_default();
    let text = |side: &str, k: &str| data.get(side).and_then(|s| s.get(k)).and_then(Value::as_str).unwrap_or("").to_string();
    let address = |side: &str| GraphicsAddress {
        family: match text(side, "family").as_str() {
            "ipv6" => VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV6,
            "unix" => VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_UNIX,
            _ => VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4,
        },
        node: c(&text(side, "host")),
        service: c(&text(side, "service")),
    };
    let subject = [("x509_dname", "x509dname"), ("sasl_username", "saslUsername")]
        .iter()
        .filter_map(|(key, kind)| Some((c(kind), c(data.get("client")?.get(key)?.as_str()?))))
        .collect();
    let event = GraphicsEvent { phase, local: address("server"), remote: address("client"), auth_scheme: c(&text("server", "auth")), subject };
    txn.emit(uuid, EventKind::Graphics(Box::new(event)));
}

/// BLOCK_WRITE_THRESHOLD: BLOCK_THRESHOLD for the disk (`vda`) or backing image (`vda[1]`)
/// whose node it was set on; QEMU forgets the threshold once it fired, and so does the domain.
fn write_threshold(txn: &mut Txn<QemuDomain>, uuid: &Uuid, data: &Value) {
    let Some(node) = data.get("node-name").and_then(Value::as_str) else { return };
    let Some((target, index)) = config::node_owner(node) else { return };
    let obj = txn.obj(uuid);
    let Some(threshold) = obj.block_thresholds.remove(node) else { return };
    let chain = config::disks(&obj.def).into_iter().find(|d| d.target == target).map(|d| d.chain).unwrap_or_default();
    let Some(position) = chain.iter().position(|l| l.index == index) else { return };
    let path = Some(chain[position].path.clone());
    let dev = if position == 0 { target.to_string() } else { format!("{target}[{index}]") };
    let c = |s: &str| std::ffi::CString::new(s.replace('\0', "")).unwrap_or_default();
    let excess = data.get("amount-exceeded").and_then(Value::as_u64).unwrap_or(0);
    let event = BlockThresholdEvent { dev: c(&dev), path: path.as_deref().map(c), threshold, excess };
    txn.emit(uuid, EventKind::BlockThreshold(Box::new(event)));
}

/// BLOCK_IO_ERROR: IO_ERROR and IO_ERROR_REASON with the disk's path and target, then for a
/// `stop` action SUSPENDED(IOERROR) before QEMU's STOP arrives, in libvirt's order.
fn io_error(txn: &mut Txn<QemuDomain>, uuid: &Uuid, data: &Value) {
    let text = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or("");
    // The device's qdev ID is the disk target; a disk without a device is named by its node.
    let target = match text("device") {
        "" => text("node-name").split('-').next().unwrap_or("").to_string(),
        device => device.to_string(),
    };
    let obj = txn.obj(uuid);
    let Some(disk) = obj.def.find_disk(&target) else { return };
    let path = disk.source.clone().unwrap_or_default();
    let action = match text("action") {
        "stop" => VIR_DOMAIN_EVENT_IO_ERROR_PAUSE,
        "report" => VIR_DOMAIN_EVENT_IO_ERROR_REPORT,
        _ => VIR_DOMAIN_EVENT_IO_ERROR_NONE,
    };
    let nospace = data.get("nospace").and_then(Value::as_bool).unwrap_or(false);
    let paused_now = action == VIR_DOMAIN_EVENT_IO_ERROR_PAUSE && obj.state.state == VIR_DOMAIN_RUNNING;
    let c = |s: &str| std::ffi::CString::new(s.replace('\0', "")).unwrap_or_default();
    let event = IoErrorEvent { src_path: c(&path), dev_alias: c(&target), action, reason: c(if nospace { "enospc" } else { "" }) };
    txn.emit(uuid, EventKind::IoError(Box::new(event)));
    if paused_now {
        txn.pause(uuid, VIR_DOMAIN_PAUSED_IOERROR, VIR_DOMAIN_EVENT_SUSPENDED_IOERROR);
    }
}

impl Driver for QemuDriver {
    fn table(&self) -> &dyn crate::domains::DomainTable {
        &self.inner.store
    }

    fn events(&self) -> &Arc<EventBus> {
        &self.inner.store.bus
    }

    fn objects(&self) -> &dyn ObjectDriver {
        self
    }

    fn security_model(&self) -> (&'static str, &'static str) {
        ("none", "0")
    }

    fn hypervisor_version(&self) -> u64 {
        *self.inner.version.get_or_init(|| {
            let out = std::process::Command::new(config::DEFAULT_EMULATOR).arg("--version").output();
            let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
            // "QEMU emulator version 7.2.22 (…)"
            let version = text.split_whitespace().nth(3).unwrap_or("");
            let mut parts = version.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
            let (major, minor, micro) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
            major * 1_000_000 + minor * 1_000 + micro
        })
    }

    fn node_info(&self) -> NodeInfo {
        let cpus = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1);
        let memory_kib = process::read_bounded(Path::new("/proc/meminfo"), 1 << 16)
            .ok()
            .and_then(|m| m.lines().find_map(|l| l.strip_prefix("MemTotal:").and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())))
            .unwrap_or(0);
        NodeInfo { model: std::env::consts::ARCH.to_string(), memory_kib, cpus, mhz: 0, nodes: 1, sockets: 1, cores: cpus, threads: 1 }
    }

    fn capabilities_xml(&self) -> String {
        let kvm = if self.inner.kvm { "\n      <domain type='kvm'/>" } else { "" };
        format!(
            "<capabilities>\n  <host>\n    <cpu>\n      <arch>{}</arch>\n    </cpu>\n  </host>\n  <guest>\n    <os_type>hvm</os_type>\n    \
             <arch name='x86_64'>\n      <wordsize>64</wordsize>\n      <emulator>{}</emulator>\n      <machine>pc</machine>\n      \
             <machine>none</machine>\n      <domain type='qemu'/>{kvm}\n    </arch>\n  </guest>\n</capabilities>\n",
            std::env::consts::ARCH,
            config::DEFAULT_EMULATOR
        )
    }

    fn max_vcpus(&self, kind: Option<&str>) -> Result<i32> {
        match kind {
            None | Some("qemu") | Some("kvm") => Ok(255),
            Some(other) => Err(VirError::invalid_arg(format!("unknown type '{other}'"))),
        }
    }

    fn supported_event_ids(&self) -> &'static [i32] {
        SUPPORTED_EVENT_IDS
    }

    fn define_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(flags, VIR_DOMAIN_DEFINE_VALIDATE)?;
        let def = DomainDef::parse(xml).map_err(def_error)?;
        config::plan(&def, self.inner.kvm)?;
        let path = self.inner.paths.config_xml(def.name());
        self.inner.store.commit(|txn| {
            // Written aside first: the file changes only if the definition is taken.
            let staged = path.with_extension("xml.staged");
            process::write_atomically(&staged, &def.to_xml(None, None))?;
            match txn.define(def) {
                Ok(uuid) => {
                    let _ = std::fs::rename(&staged, &path);
                    Ok(txn.st.domains[&uuid].domain_ref())
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&staged);
                    Err(e)
                }
            }
        })
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_KEEP_NVRAM)?;
        let discard_managed_save = flags as i32 & VIR_DOMAIN_UNDEFINE_MANAGED_SAVE != 0;
        self.inner.store.commit_on(dom, |txn, uuid| {
            let obj = &txn.st.domains[uuid];
            if !obj.persistent {
                return Err(txn.invalid_op("cannot undefine transient domain"));
            }
            if obj.managed_save && !discard_managed_save {
                return Err(txn.invalid_op("Refusing to undefine while domain managed save image exists"));
            }
            if self.inner.launching.lock().contains(&*obj.name) {
                return Err(txn.invalid_op(format!("domain '{}' is being started", obj.name)));
            }
            for path in [self.inner.paths.config_xml(&obj.name), self.inner.paths.managed_save(&obj.name)] {
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(VirError::system(format!("cannot remove '{}': {e}", path.display())))
                    }
                    _ => {}
                }
            }
            txn.undefine(uuid, true)
        })
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<i32> {
        check_flags(flags, VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_FORCE_BOOT)?;
        let paused = flags as i32 & VIR_DOMAIN_START_PAUSED != 0;
        let force_boot = flags as i32 & VIR_DOMAIN_START_FORCE_BOOT != 0;
        let inner = &self.inner;
        let managed = inner.paths.managed_save(&dom.name);
        let (def, plan, restore) = inner.store.commit_on(dom, |txn, uuid| {
            let obj = &txn.st.domains[uuid];
            if obj.is_active() {
                return Err(txn.invalid_op(format!("domain '{}' is already running", obj.name)));
            }
            // A managed save is restored, unless FORCE_BOOT discards it.
            let restore = match obj.managed_save && !force_boot {
                true => Some(save::read_image(&managed.to_string_lossy())?),
                false => None,
            };
            let (def, plan) = match &restore {
                Some((saved, _, _)) => (Arc::new(saved.clone()), config::Launch { incoming: true, ..config::plan(saved, inner.kvm)? }),
                None => (obj.def.clone(), config::plan(&obj.def, inner.kvm)?),
            };
            inner.reserve(&obj.name)?;
            Ok((def, plan, restore.map(|(_, paused, uri)| (paused, uri))))
        })?;
        let paused = paused || restore.as_ref().is_some_and(|(saved_paused, _)| *saved_paused);
        let booted = inner.boot(&def, &plan, paused, restore.as_ref().map(|(_, uri)| uri.as_str()));
        inner.store.commit(|txn| {
            inner.release(def.name());
            let booted = booted?;
            let Some(obj) = txn.st.domains.get_mut(&dom.uuid) else {
                inner.discard(def.name(), booted.0);
                return Err(txn.st.no_such_uuid(dom));
            };
            if !Arc::ptr_eq(&obj.def, &def) {
                // Redefined while QEMU was starting, or restored: what runs is what was started.
                obj.pending_config = Some(std::mem::replace(&mut obj.def, def.clone()));
            }
            if std::mem::take(&mut obj.managed_save) {
                let _ = std::fs::remove_file(&managed);
            }
            inner.commit_start(txn, &dom.uuid, booted, paused, restore.is_some())
        })
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(flags, VIR_DOMAIN_START_PAUSED)?;
        let paused = flags as i32 & VIR_DOMAIN_START_PAUSED != 0;
        let def = DomainDef::parse(xml).map_err(def_error)?;
        let plan = config::plan(&def, self.inner.kvm)?;
        self.inner.run_new(def, plan, paused, None)
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_DESTROY_GRACEFUL | VIR_DOMAIN_DESTROY_REMOVE_LOGS)?;
        let graceful = flags as i32 & VIR_DOMAIN_DESTROY_GRACEFUL != 0;
        let inner = &self.inner;
        let (pid, generation) = inner.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            obj.require_active()?;
            obj.ext.destroying = true;
            Ok((obj.ext.pid.unwrap_or(0), obj.ext.generation))
        })?;
        let stopped = |limit: Duration| {
            inner
                .store
                .wait_until_deadline(Instant::now() + limit, |st| {
                    let live = st.domains.get(&dom.uuid).is_some_and(|o| o.ext.generation == generation && o.is_active());
                    (!live).then_some(())
                })
                .is_some()
        };
        // The monitor's end commits STOPPED(DESTROYED), on the reader thread.
        let _ = crate::sys::kill(pid, crate::sys::Signal::Term);
        if stopped(TERM_GRACE) {
            return Ok(());
        }
        if graceful {
            let _ = inner.store.commit_on(dom, |txn, uuid| {
                txn.obj(uuid).ext.destroying = false;
                Ok(())
            });
            return Err(VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("domain '{}' did not stop on SIGTERM", dom.name)));
        }
        let _ = crate::sys::kill(pid, crate::sys::Signal::Kill);
        if stopped(KILL_GRACE) {
            return Ok(());
        }
        Err(VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("QEMU process {pid} of domain '{}' did not exit", dom.name)))
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0x3f)?;
        if flags as i32 & !VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN != 0 {
            return Err(VirError::new(
                VIR_ERR_ARGUMENT_UNSUPPORTED,
                VIR_FROM_QEMU,
                "the QEMU backend shuts a domain down with the ACPI power button only",
            ));
        }
        // The guest decides what the power button does; with no guest, nothing happens.
        self.inner.command(dom, "system_powerdown", |obj| {
            obj.ext.fake_reboot = false;
            Ok(())
        })
    }

    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0x3f)?;
        if flags as i32 & !VIR_DOMAIN_REBOOT_ACPI_POWER_BTN != 0 {
            return Err(VirError::new(
                VIR_ERR_ARGUMENT_UNSUPPORTED,
                VIR_FROM_QEMU,
                "the QEMU backend reboots a domain with the ACPI power button only",
            ));
        }
        // The guest powers off when it will; QEMU is then reset instead of ended.
        self.inner.command(dom, "system_powerdown", |obj| {
            obj.ext.fake_reboot = true;
            Ok(())
        })
    }

    fn reset(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        self.inner.command(dom, "system_reset", |_| Ok(()))
    }

    fn suspend(&self, dom: &DomainRef) -> Result<()> {
        self.inner.command(dom, "stop", |obj| {
            if obj.state.state != VIR_DOMAIN_RUNNING {
                return Err(VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, format!("domain '{}' is not running", obj.name)));
            }
            obj.ext.pause_reason = Some(VIR_DOMAIN_PAUSED_USER);
            Ok(())
        })
    }

    fn resume(&self, dom: &DomainRef) -> Result<()> {
        self.inner.command(dom, "cont", |obj| {
            if obj.state.state != VIR_DOMAIN_PAUSED {
                return Err(VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, format!("domain '{}' is not paused", obj.name)));
            }
            obj.ext.running_reason = Some(VIR_DOMAIN_RUNNING_UNPAUSED);
            Ok(())
        })
    }

    fn save(&self, dom: &DomainRef, path: &str, flags: u32) -> Result<()> {
        self.inner.save(dom, path, flags)
    }

    fn restore(&self, path: &str) -> Result<()> {
        let (def, paused, uri) = save::read_image(path)?;
        let plan = config::Launch { incoming: true, ..config::plan(&def, self.inner.kvm)? };
        self.inner.run_new(def, plan, paused, Some(&uri)).map(drop)
    }

    fn managed_save(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        if !self.inner.store.read(dom, |o| o.persistent)? {
            return Err(VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, "cannot do managed save for transient domain"));
        }
        let path = self.inner.paths.managed_save(&dom.name);
        self.inner.save(dom, &path.to_string_lossy(), flags)?;
        // Not an event of its own: the next start restores it.
        self.inner.store.commit_on(dom, |txn, uuid| {
            txn.obj(uuid).managed_save = true;
            Ok(())
        })
    }

    fn info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.inner.store.read(dom, |o| DomainInfo {
            state: o.state.state,
            max_mem_kib: o.def.memory_kib(),
            memory_kib: o.def.current_memory_kib(),
            nr_virt_cpu: o.def.vcpus().min(u16::MAX as u32) as u16,
            // Not read from QEMU yet.
            cpu_time_ns: 0,
        })
    }

    /// Nothing starts with the host here: the backend runs inside the application.
    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        self.inner.store.read(dom, |_| false)
    }

    fn set_autostart(&self, dom: &DomainRef, _autostart: bool) -> Result<()> {
        self.inner.store.read(dom, |_| ())?;
        Err(no_support("virDomainSetAutostart (an embedded driver has no host start to follow)"))
    }

    /// No security driver confines the QEMU processes: libvirt's "none" model, no label.
    fn security_label(&self, dom: &DomainRef) -> Result<(String, bool)> {
        self.inner.store.read(dom, |_| (String::new(), false))
    }

    fn set_block_threshold(&self, dom: &DomainRef, dev: &str, threshold: u64, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        let (name, index) = match dev.split_once('[') {
            Some((name, rest)) => (name, rest.strip_suffix(']').and_then(|i| i.parse::<usize>().ok())),
            None => (dev, Some(0)),
        };
        let not_found = || VirError::invalid_arg(format!("disk '{dev}' not found in domain '{}'", dom.name));
        let index = index.ok_or_else(not_found)?;
        let (monitor, node) = self.inner.store.read(dom, |o| {
            o.require_active()?;
            let target = o.def.find_disk(name).map(|d| d.target_dev.clone()).ok_or_else(not_found)?;
            let chain = config::disks(&o.def).into_iter().find(|d| d.target == target).map(|d| d.chain).unwrap_or_default();
            // `vda` is the active image, `vda[N]` the image with index N.
            let layer = if dev.contains('[') { chain.iter().find(|l| l.index == index) } else { chain.first() };
            let node = config::node_names(&target, layer.ok_or_else(not_found)?.index).1;
            o.ext.monitor.clone().map(|m| (m, node)).ok_or_else(|| VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, "domain is not running"))
        })??;
        monitor
            .execute("block-set-write-threshold", Some(serde_json::json!({ "node-name": node, "write-threshold": threshold })))
            .map_err(|e| monitor_error(&dom.name, e))?;
        // A runtime setting outside the XML and the state: no new revision.
        self.inner.store.commit_on(dom, |txn, uuid| {
            txn.obj(uuid).block_thresholds.insert(node, threshold);
            Ok(())
        })
    }

    fn set_metadata(
        &self,
        _dom: &DomainRef,
        _kind: MetadataKind,
        _metadata: Option<&str>,
        _key: Option<&str>,
        _uri: Option<&str>,
        _flags: u32,
    ) -> Result<()> {
        Err(no_support("virDomainSetMetadata"))
    }

    fn job_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<Job>> {
        self.inner.refresh_progress(dom);
        self.inner.store.job_list(dom, flags)
    }

    fn job_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        self.inner.refresh_progress(dom);
        self.inner.store.job_xml(dom, name, flags)
    }

    fn job_control(&self, dom: &DomainRef, name: &str, op: JobOp, flags: u32) -> Result<()> {
        self.inner.job_control(dom, name, op, flags)
    }

    fn fail_job(&self, _dom: &DomainRef, _name: &str, _message: &str, _flags: u32) -> Result<()> {
        Err(no_support("virTestDomainFailJob"))
    }

    fn block_rebase(&self, dom: &DomainRef, disk: &str, base: Option<&str>, bandwidth: u64, flags: u32) -> Result<()> {
        self.inner.block_pull(dom, disk, base, bandwidth, flags)
    }

    fn block_commit(&self, dom: &DomainRef, disk: &str, base: Option<&str>, top: Option<&str>, bandwidth: u64, flags: u32) -> Result<()> {
        self.inner.block_commit(dom, disk, base, top, bandwidth, flags)
    }

    fn block_copy(&self, dom: &DomainRef, disk: &str, dest_xml: &str, bandwidth: u64, flags: u32) -> Result<()> {
        self.inner.block_copy(dom, disk, dest_xml, bandwidth, flags)
    }

    fn backup_begin(&self, dom: &DomainRef, backup_xml: Option<&str>, flags: u32) -> Result<()> {
        self.inner.backup_begin(dom, backup_xml, flags)
    }

    fn backup_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.inner.backup_xml(dom, flags)
    }

    fn core_dump(&self, dom: &DomainRef, path: &str, format: i32, flags: u32) -> Result<()> {
        self.inner.core_dump(dom, path, format, flags)
    }

    fn migrate(&self, _dom: &DomainRef, _dest: &dyn Driver, _flags: u64, _bandwidth: u64) -> Result<DomainRef> {
        Err(no_support("virDomainMigrate"))
    }

    fn migrate_prepare(&self, _xml: &str) -> Result<()> {
        Err(no_support("incoming migration"))
    }

    fn migrate_finish(&self, _xml: &str, _flags: u64) -> Result<DomainRef> {
        Err(no_support("incoming migration"))
    }

    fn domain_job(&self, dom: &DomainRef, completed: bool, _keep: bool) -> Result<Option<Job>> {
        // The running save (virDomainGetJobInfo); finished ones are not kept for the old API.
        self.inner.store.read(dom, |o| if completed { None } else { o.jobs.domain_job().cloned() })
    }

    fn abort_job(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        let name = self.inner.store.read(dom, |o| o.jobs.domain_job().map(|j| j.name.clone()))?;
        let name = name.ok_or_else(|| VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, "no job is active on the domain"))?;
        self.inner.job_control(dom, &name, JobOp::Abort, 0)
    }

    fn block_job(&self, dom: &DomainRef, disk: &str) -> Result<Option<Job>> {
        self.inner.refresh_progress(dom);
        let target = self.inner.store.read(dom, |o| o.def.find_disk(disk).map(|d| d.target_dev.clone()))?;
        let target = target.ok_or_else(|| VirError::invalid_arg(format!("disk '{disk}' not found in domain '{}'", dom.name)))?;
        self.inner.store.block_job(dom, &target)
    }

    fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        self.inner.block_job_abort(dom, disk, flags)
    }

    fn block_job_set_speed(&self, dom: &DomainRef, disk: &str, bandwidth: u64) -> Result<()> {
        self.inner.block_job_set_speed(dom, disk, bandwidth)
    }
}

impl QemuDriver {
    /// An operation on an object of a family this backend has none of: the lookup's error.
    fn unsupported_on<T>(&self, obj: &ObjectRef, what: &str) -> Result<T> {
        self.object_state(obj).and(Err(no_support(&format!("{what} {}", obj.family.noun()))))
    }
}

/// The QEMU backend has no networks, storage pools, node devices or secrets: lists are
/// empty, lookups find nothing, changes are refused.
impl ObjectDriver for QemuDriver {
    fn list_objects(&self, family: Family) -> Vec<ObjectRef> {
        self.inner.store.lock().objects.list(family).iter().map(|o| o.object_ref()).collect()
    }

    fn lookup_object_by_name(&self, family: Family, name: &str) -> Result<ObjectRef> {
        self.inner.store.lock().objects.by_name(family, name).map(|o| o.object_ref())
    }

    fn lookup_object_by_uuid(&self, family: Family, uuid: &Uuid) -> Result<ObjectRef> {
        self.inner.store.lock().objects.by_uuid(family, uuid).map(|o| o.object_ref())
    }

    fn lookup_secret_by_usage(&self, usage_type: i32, usage_id: &str) -> Result<ObjectRef> {
        self.inner.store.lock().objects.secret_by_usage(usage_type, usage_id).map(|o| o.object_ref())
    }

    fn define_object(&self, family: Family, _xml: &str, _flags: u32) -> Result<ObjectRef> {
        Err(no_support(&format!("defining a {}", family.noun())))
    }

    fn create_object(&self, family: Family, _xml: &str, _flags: u32) -> Result<ObjectRef> {
        Err(no_support(&format!("creating a {}", family.noun())))
    }

    fn start_object(&self, obj: &ObjectRef, _flags: u32) -> Result<()> {
        self.unsupported_on(obj, "starting a")
    }

    fn stop_object(&self, obj: &ObjectRef) -> Result<()> {
        self.unsupported_on(obj, "stopping a")
    }

    fn undefine_object(&self, obj: &ObjectRef) -> Result<()> {
        self.unsupported_on(obj, "undefining a")
    }

    fn refresh_pool(&self, obj: &ObjectRef, _flags: u32) -> Result<()> {
        self.unsupported_on(obj, "refreshing a")
    }

    fn create_node_device(&self, _xml: &str, _flags: u32) -> Result<ObjectRef> {
        Err(no_support("virNodeDeviceCreateXML"))
    }

    fn destroy_node_device(&self, obj: &ObjectRef) -> Result<()> {
        self.unsupported_on(obj, "destroying a")
    }

    fn set_secret_value(&self, obj: &ObjectRef, _value: &[u8], _flags: u32) -> Result<()> {
        self.unsupported_on(obj, "setting the value of a")
    }

    fn secret_value(&self, obj: &ObjectRef, _flags: u32) -> Result<Vec<u8>> {
        self.unsupported_on(obj, "reading the value of a")
    }

    fn object_state(&self, obj: &ObjectRef) -> Result<ObjectState> {
        self.inner.store.lock().objects.get(obj).map(|o| ObjectState { active: o.active, persistent: o.persistent, autostart: o.autostart })
    }

    fn set_autostart(&self, obj: &ObjectRef, _autostart: bool) -> Result<()> {
        self.unsupported_on(obj, "setting the autostart of a")
    }

    fn pool_sizes(&self, obj: &ObjectRef) -> Result<PoolSizes> {
        self.unsupported_on(obj, "sizing a")
    }

    fn network_bridge(&self, obj: &ObjectRef) -> Result<String> {
        self.unsupported_on(obj, "the bridge of a")
    }

    fn object_xml(&self, obj: &ObjectRef, _flags: u32) -> Result<String> {
        self.inner.store.lock().objects.get(obj).map(|o| o.def.to_xml())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(name: &str, data: Value) -> QmpEvent {
        QmpEvent { name: name.into(), data }
    }

    /// A store with one running domain, and the bus's events after that point as
    /// "EVENT:detail" (lifecycle) or the kind's name.
    fn running() -> (Store<QemuDomain>, Uuid, u64) {
        let store = Store::new(VIR_FROM_QEMU);
        let def = DomainDef::parse("<domain type='qemu'><name>vm</name><memory>1024</memory><os><type>hvm</type></os></domain>").unwrap();
        let uuid = store
            .commit(|txn| {
                let uuid = txn.define(def)?;
                txn.start(&uuid, VIR_DOMAIN_RUNNING_BOOTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, false);
                Ok(uuid)
            })
            .unwrap();
        let mark = store.revision();
        (store, uuid, mark)
    }

    fn story(store: &Store<QemuDomain>, from: u64) -> Vec<String> {
        store
            .bus
            .history()
            .iter()
            .filter(|e| e.revision > from)
            .map(|e| match &e.kind {
                EventKind::Lifecycle { event, detail } => format!("{event}:{detail}@{}/{}", e.state, e.reason),
                EventKind::Reboot => "reboot".into(),
                EventKind::RtcChange { utc_offset } => format!("rtc:{utc_offset}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn apply(store: &Store<QemuDomain>, uuid: &Uuid, e: QmpEvent) {
        store.commit(|txn| Ok(apply_event(txn, uuid, &e))).unwrap();
    }

    #[test]
    fn qmp_events_become_libvirt_events() {
        let (store, uuid, mark) = running();
        // A STOP nobody asked for has an unknown cause; one asked for is the user's.
        apply(&store, &uuid, event("STOP", json!({})));
        apply(&store, &uuid, event("STOP", json!({})));
        apply(&store, &uuid, event("RESUME", json!({})));
        store.commit(|txn| Ok(txn.obj(&uuid).ext.pause_reason = Some(VIR_DOMAIN_PAUSED_USER))).unwrap();
        apply(&store, &uuid, event("STOP", json!({})));
        store.commit(|txn| Ok(txn.obj(&uuid).ext.running_reason = Some(VIR_DOMAIN_RUNNING_UNPAUSED))).unwrap();
        apply(&store, &uuid, event("RESUME", json!({})));
        apply(&store, &uuid, event("RESET", json!({"guest": false, "reason": "host-qmp-system-reset"})));
        apply(&store, &uuid, event("RTC_CHANGE", json!({"offset": -3600})));
        apply(&store, &uuid, event("POWERDOWN", json!({})));
        apply(&store, &uuid, event("SHUTDOWN", json!({"guest": true, "reason": "guest-shutdown"})));
        apply(&store, &uuid, event("SHUTDOWN", json!({"guest": false, "reason": "host-signal"})));
        let (s, e, r) = (VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_SHUTDOWN);
        assert_eq!(
            story(&store, mark),
            [
                format!("{s}:0@{VIR_DOMAIN_PAUSED}/{VIR_DOMAIN_PAUSED_UNKNOWN}"),
                format!("{e}:0@{VIR_DOMAIN_RUNNING}/{VIR_DOMAIN_RUNNING_UNKNOWN}"),
                format!("{s}:0@{VIR_DOMAIN_PAUSED}/{VIR_DOMAIN_PAUSED_USER}"),
                format!("{e}:0@{VIR_DOMAIN_RUNNING}/{VIR_DOMAIN_RUNNING_UNPAUSED}"),
                "reboot".into(),
                "rtc:-3600".into(),
                format!("{r}:{VIR_DOMAIN_EVENT_SHUTDOWN_GUEST}@{VIR_DOMAIN_SHUTDOWN}/{VIR_DOMAIN_SHUTDOWN_UNKNOWN}"),
            ],
            "a repeated STOP and SHUTDOWN, and POWERDOWN, change nothing"
        );
        assert!(store.lock().domains[&uuid].ext.got_shutdown);
    }

    #[test]
    fn an_io_error_with_action_stop_pauses_and_job_statuses_move_jobs() {
        let store = Store::new(VIR_FROM_QEMU);
        let def = DomainDef::parse(
            "<domain type='qemu'><name>vm</name><memory>1024</memory><os><type>hvm</type></os><devices>\
             <disk type='file'><source file='/i/a.img'/><target dev='vda'/></disk></devices></domain>",
        )
        .unwrap();
        let uuid = store
            .commit(|txn| {
                let uuid = txn.insert(DomainObj::new(def, false));
                txn.start(&uuid, VIR_DOMAIN_RUNNING_BOOTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, false);
                Ok(uuid)
            })
            .unwrap();
        let mark = store.revision();
        let io = json!({"device": "vda", "node-name": "vda-fmt0", "operation": "write", "action": "stop", "nospace": true, "reason": "No space left"});
        apply(&store, &uuid, event("BLOCK_IO_ERROR", io));
        apply(&store, &uuid, event("STOP", json!({})));
        let report = json!({"device": "", "node-name": "vda-fmt0", "operation": "read", "action": "report", "nospace": false});
        apply(&store, &uuid, event("BLOCK_IO_ERROR", report));
        apply(&store, &uuid, event("BLOCK_IO_ERROR", json!({"device": "vdz", "action": "stop"})));
        let story = story(&store, mark);
        assert_eq!(story.len(), 3, "{story:?}: the STOP after the pause and an unknown disk change nothing");
        assert!(story[0].contains("src_path: \"/i/a.img\"") && story[0].contains("action: 1") && story[0].contains("\"enospc\""), "{}", story[0]);
        assert_eq!(story[1], format!("{VIR_DOMAIN_EVENT_SUSPENDED}:{VIR_DOMAIN_EVENT_SUSPENDED_IOERROR}@{VIR_DOMAIN_PAUSED}/{VIR_DOMAIN_PAUSED_IOERROR}"));
        assert!(story[2].contains("dev_alias: \"vda\"") && story[2].contains("action: 2"), "{}", story[2]);

        let job = crate::jobs::Job::new("block-pull-vda".into(), crate::jobs::JobKind::BlockPull, Default::default(), 0, 0, true);
        store.commit(|txn| txn.job_start(&uuid, job).map(drop)).unwrap();
        let status = |s: &str| {
            store.commit(|txn| Ok(apply_event(txn, &uuid, &event("JOB_STATUS_CHANGE", json!({"id": "block-pull-vda", "status": s}))))).unwrap()
        };
        let state = || store.lock().domains[&uuid].jobs.get("block-pull-vda").unwrap().state;
        assert_eq!(status("created"), None);
        assert_eq!(status("paused"), None);
        assert_eq!(state(), crate::jobs::JobState::Paused);
        assert_eq!(status("running"), None);
        assert_eq!(status("ready"), None, "a pull has no READY");
        assert_eq!(state(), crate::jobs::JobState::Running);
        assert_eq!(status("waiting"), None);
        assert_eq!(status("pending"), Some(jobs::FollowUp::Finalize("block-pull-vda".into())));
        assert_eq!(state(), crate::jobs::JobState::Pending);
        assert_eq!(status("concluded"), Some(jobs::FollowUp::Conclude("block-pull-vda".into())));
        let other = |status: &str| {
            store.commit(|txn| Ok(apply_event(txn, &uuid, &event("JOB_STATUS_CHANGE", json!({"id": "other", "status": status}))))).unwrap()
        };
        assert_eq!(other("running"), None);
        assert_eq!(other("concluded"), Some(jobs::FollowUp::Forget("other".into())), "a job of a previous process");
    }

    #[test]
    fn a_destroy_hides_the_shutdown_its_signal_causes() {
        let (store, uuid, mark) = running();
        store.commit(|txn| Ok(txn.obj(&uuid).ext.destroying = true)).unwrap();
        apply(&store, &uuid, event("SHUTDOWN", json!({"guest": false, "reason": "host-signal"})));
        assert!(story(&store, mark).is_empty());
    }

    #[test]
    fn the_event_ids_are_in_increasing_order() {
        assert!(SUPPORTED_EVENT_IDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn qemu_uris() {
        let embed = |uri: &str| paths_of_uri(uri).expect("a qemu URI");
        assert_eq!(embed("qemu:///embed?root=/var/x%20y").unwrap(), Paths::embedded(Path::new("/var/x y")));
        for bad in ["qemu:///embed?root=x", "qemu:///embed", "qemu:///embed?root=/a&b=1", "qemu:///embed?root=/%zz", "qemu:///system"] {
            assert_eq!(embed(bad).unwrap_err().code, VIR_ERR_NO_CONNECT, "{bad}");
        }
        assert!(paths_of_uri("test:///default").is_none());
        assert_eq!(percent_decoded("%41b%2f"), Some("Ab/".into()));
    }

    /// A temporary root, removed with every QEMU started under it when the test ends, passed or
    /// failed.
    struct TempRoot(PathBuf);

    impl TempRoot {
        fn new(prefix: &str) -> TempRoot {
            TempRoot(PathBuf::from(format!("/tmp/{prefix}-{}", &Uuid::new_v4().simple().to_string()[..8])))
        }
    }

    impl Drop for TempRoot {
        fn drop(&mut self) {
            let paths = Paths::embedded(&self.0);
            for name in process::names_in(&paths.run, "pid") {
                if let Some(pid) = process::read_pidfile(&paths.pidfile(&name)).filter(|&p| process::is_our_qemu(p, &paths.pidfile(&name))) {
                    let _ = crate::sys::kill(pid, crate::sys::Signal::Kill);
                }
            }
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn qemu_available() -> bool {
        std::process::Command::new(config::DEFAULT_EMULATOR).arg("--version").output().is_ok_and(|o| o.status.success())
    }

    /// A guest's own power-off (after virDomainReboot: a reset; then a real one) and RTC
    /// writes, played through the monitor's port I/O on a `pc` machine with no guest code
    /// (PIIX4's PM control register at 0x604 and the CMOS at 0x70).
    #[test]
    fn real_qemu_guest_power_off_reboot_and_rtc_change() {
        if !qemu_available() {
            eprintln!("skipped: {} is not installed", config::DEFAULT_EMULATOR);
            return;
        }
        let root = TempRoot::new("vqr");
        let driver = QemuDriver::open(Paths::embedded(&root.0)).unwrap();
        let mark = driver.inner.store.revision();
        let dom = driver
            .create_xml("<domain type='qemu'><name>g</name><memory unit='MiB'>32</memory><os><type machine='pc'>hvm</type></os></domain>", 0)
            .unwrap();
        let pid = driver.inner.store.read(&dom, |o| o.ext.pid.unwrap()).unwrap();
        let monitor = driver.inner.store.read(&dom, |o| o.ext.monitor.clone().unwrap()).unwrap();
        let port_write = |line: &str| monitor.execute("human-monitor-command", Some(serde_json::json!({ "command-line": line })));
        port_write("o /b 0x70 0x00").unwrap();
        port_write("o /b 0x71 0x30").unwrap();
        // virDomainReboot: the guest's power-off is turned into a reset, the process stays.
        driver.reboot(&dom, 0).unwrap();
        let rebooted = |st: &crate::domains::Table<QemuDomain>| {
            let obj = st.domains.get(&dom.uuid)?;
            (!obj.ext.rebooting && !obj.ext.fake_reboot && st.revision > mark + 2).then_some(())
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut done = None;
        while done.is_none() && Instant::now() < deadline {
            let _ = port_write("o /w 0x604 0x2000");
            done = driver.inner.store.wait_until_deadline(Instant::now() + Duration::from_millis(20), rebooted);
        }
        assert!(done.is_some(), "rebooted");
        assert_eq!(driver.state(&dom).unwrap().0, VIR_DOMAIN_RUNNING);
        assert_eq!(driver.inner.store.read(&dom, |o| o.ext.pid).unwrap(), Some(pid));
        // Until the firmware has set the PM registers up, the write goes nowhere: repeat it.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut gone = None;
        while gone.is_none() && Instant::now() < deadline {
            let _ = port_write("o /w 0x604 0x2000");
            gone = driver.inner.store.wait_until_deadline(Instant::now() + Duration::from_millis(20), |st| {
                (!st.domains.contains_key(&dom.uuid)).then_some(())
            });
        }
        if gone.is_none() {
            let _ = crate::sys::kill(pid, crate::sys::Signal::Kill);
        }
        let story: Vec<String> = story(&driver.inner.store, mark).into_iter().map(|e| e.split('@').next().unwrap().to_string()).collect();
        let count = |prefix: &str| story.iter().filter(|e| e.starts_with(prefix)).count();
        assert_eq!(count("rtc:"), 1, "{story:?}");
        // The reset, and SeaBIOS may reset the machine once more as it starts again.
        assert!((1..=2).contains(&count("reboot")), "{story:?}");
        let lifecycle: Vec<&String> = story.iter().filter(|e| !e.starts_with("rtc:") && *e != "reboot").collect();
        assert_eq!(
            lifecycle,
            [
                "Existence { kind: 0 }",
                &format!("{VIR_DOMAIN_EVENT_STARTED}:{VIR_DOMAIN_EVENT_STARTED_BOOTED}"),
                &format!("{VIR_DOMAIN_EVENT_SHUTDOWN}:{VIR_DOMAIN_EVENT_SHUTDOWN_GUEST}"),
                &format!("{VIR_DOMAIN_EVENT_STOPPED}:{VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN}"),
                "Existence { kind: 1 }",
            ],
            "no SUSPENDED or RESUMED around the reboot"
        );
        assert!(!driver.inner.paths.pidfile("g").exists() && !driver.inner.paths.monitor("g").exists());
        drop(monitor);
        drop(driver);
    }

    /// A write past a threshold, played with HMP's qemu-io on the disk's node (machine none has
    /// no guest to write).
    #[test]
    fn real_qemu_write_threshold() {
        if !qemu_available() {
            eprintln!("skipped: {} is not installed", config::DEFAULT_EMULATOR);
            return;
        }
        let root = TempRoot::new("vqt");
        let driver = QemuDriver::open(Paths::embedded(&root.0)).unwrap();
        let image = root.0.join("disk.img");
        std::fs::write(&image, vec![0u8; 1 << 20]).unwrap();
        let xml = format!(
            "<domain type='qemu'><name>t</name><memory unit='MiB'>16</memory><os><type machine='none'>hvm</type></os>\
             <devices><disk type='file'><source file='{}'/><target dev='vda'/></disk></devices></domain>",
            image.display()
        );
        let dom = driver.create_xml(&xml, 0).unwrap();
        assert_eq!(driver.set_block_threshold(&dom, "vda[1]", 4096, 0).unwrap_err().code, VIR_ERR_INVALID_ARG);
        assert_eq!(driver.set_block_threshold(&dom, "vdb", 4096, 0).unwrap_err().code, VIR_ERR_INVALID_ARG);
        driver.set_block_threshold(&dom, "vda", 4096, 0).unwrap();
        let mark = driver.inner.store.revision();
        let monitor = driver.inner.store.read(&dom, |o| o.ext.monitor.clone().unwrap()).unwrap();
        let write = serde_json::json!({ "command-line": "qemu-io vda-fmt0 \"write 0 64k\"" });
        monitor.execute("human-monitor-command", Some(write.clone())).unwrap();
        monitor.execute("human-monitor-command", Some(write)).unwrap();
        let story = story(&driver.inner.store, mark);
        assert_eq!(story.len(), 1, "fired once: {story:?}");
        assert!(story[0].contains("dev: \"vda\"") && story[0].contains("threshold: 4096") && story[0].contains("excess: 61440"), "{}", story[0]);
        assert!(story[0].contains("disk.img"), "{}", story[0]);
        drop(monitor);
        driver.destroy(&dom, 0).unwrap();
    }
}
