//! The test hypervisor plays the hypervisor's part (virTestDomainInject): a happening in the
//! guest or on the host, driven by the domain's own configuration, committed through the
//! core's transactions like every other change (next revision, snapshot, ordering, history).
//!
//! `HAPPENINGS` is the one table of them: each `what` with its typed parameters, the device it
//! needs, the state it needs and the events it can produce. The parameter check, the test
//! backend's capability list and the tests read it; the header documents the same list.

use super::jobs::chain;
use super::{c_string, TestDomain, TestDriver};
use crate::abi::*;
use crate::domains::{check_flags, def_error, DomainObj, Txn};
use crate::driver::GuestUser;
use crate::error::{Result, VirError};
use crate::events::{
    now_us, DiskChangeEvent, DomainRef, EventKind, GraphicsAddress, GraphicsEvent, GuestUserEvent, IoErrorEvent, TypedParam,
    TypedValue,
};
use crate::model::def::DiskDef;
use std::sync::Arc;
use uuid::Uuid;

/// The typed-parameter type a parameter must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    LLong,
    ULLong,
    Boolean,
}

impl ParamType {
    /// libvirt's name of the type, for messages.
    pub fn name(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::LLong => "llong",
            ParamType::ULLong => "ullong",
            ParamType::Boolean => "boolean",
        }
    }
}

#[derive(Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub ty: ParamType,
    pub required: bool,
    /// The values a STRING parameter may take (empty: any string).
    pub choices: &'static [&'static str],
    /// Whether a STRING parameter may be "" (media-change's `source`: no medium).
    pub empty_ok: bool,
}

const fn required(name: &'static str, ty: ParamType) -> ParamSpec {
    ParamSpec { name, ty, required: true, choices: &[], empty_ok: false }
}
const fn optional(name: &'static str, ty: ParamType) -> ParamSpec {
    ParamSpec { name, ty, required: false, choices: &[], empty_ok: false }
}
const fn one_of(name: &'static str, choices: &'static [&'static str]) -> ParamSpec {
    ParamSpec { name, ty: ParamType::String, required: true, choices, empty_ok: false }
}

/// What the domain's configuration must have for a happening to be possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// The disk named by parameter `disk`.
    Disk,
    /// The CD-ROM or floppy named by parameter `disk`.
    RemovableDisk,
    Watchdog,
    /// A VNC or SPICE `<graphics>`.
    Graphics,
    /// The guest agent's channel.
    AgentChannel,
    /// The guest agent's channel, with the agent connected.
    ConnectedAgent,
    /// A memory balloon (not `<memballoon model='none'/>`).
    Balloon,
    /// A device whose alias is parameter `alias`.
    Device,
}

/// The state the domain must be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requires {
    /// Running: the guest executes.
    Running,
    /// Running, paused, crashed or PM-suspended: the hypervisor process exists.
    Active,
    /// PM-suspended to memory.
    PmSuspended,
}

/// What happens; `HAPPENINGS` names each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    IoError,
    Watchdog,
    Graphics,
    Agent,
    GuestUser,
    GuestWrite,
    GuestReboot,
    GuestShutdown,
    GuestCrash,
    GuestPmSuspend,
    GuestPmWakeup,
    Tray,
    MediaChange,
    Balloon,
    Rtc,
    MemoryFailure,
    DeviceRemoved,
}

#[derive(Debug)]
pub struct Happening {
    pub what: &'static str,
    pub kind: Kind,
    pub params: &'static [ParamSpec],
    pub needs: Needs,
    pub requires: Requires,
    /// Every event the happening can produce, whatever the configuration picks.
    pub events: &'static [i32],
}

use ParamType::{Boolean, LLong, String as Str, ULLong};

/// Every happening virTestDomainInject knows (the header documents each one).
pub static HAPPENINGS: &[Happening] = &[
    Happening {
        what: "io-error",
        kind: Kind::IoError,
        params: &[required("disk", Str), required("reason", Str)],
        needs: Needs::Disk,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_IO_ERROR, VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON, VIR_DOMAIN_EVENT_ID_LIFECYCLE],
    },
    Happening {
        what: "watchdog",
        kind: Kind::Watchdog,
        params: &[],
        needs: Needs::Watchdog,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_WATCHDOG, VIR_DOMAIN_EVENT_ID_REBOOT, VIR_DOMAIN_EVENT_ID_LIFECYCLE],
    },
    Happening {
        what: "graphics",
        kind: Kind::Graphics,
        params: &[
            one_of("phase", &["connect", "initialize", "disconnect"]),
            one_of("family", &["ipv4", "ipv6", "unix"]),
            required("node", Str),
            required("service", Str),
            required("auth", Str),
            optional("x509dname", Str),
            optional("saslUsername", Str),
        ],
        needs: Needs::Graphics,
        requires: Requires::Active,
        events: &[VIR_DOMAIN_EVENT_ID_GRAPHICS],
    },
    Happening {
        what: "agent",
        kind: Kind::Agent,
        params: &[one_of("state", &["connected", "disconnected"])],
        needs: Needs::AgentChannel,
        requires: Requires::Active,
        events: &[VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE],
    },
    Happening {
        what: "guest-user",
        kind: Kind::GuestUser,
        params: &[required("user", Str), optional("domain", Str), one_of("state", &["logon", "logoff"])],
        needs: Needs::ConnectedAgent,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_GUEST_USER],
    },
    Happening {
        what: "guest-write",
        kind: Kind::GuestWrite,
        params: &[required("disk", Str), required("bytes", ULLong)],
        needs: Needs::Disk,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD],
    },
    Happening {
        what: "guest-reboot",
        kind: Kind::GuestReboot,
        params: &[],
        needs: Needs::Nothing,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_REBOOT],
    },
    Happening {
        what: "guest-shutdown",
        kind: Kind::GuestShutdown,
        params: &[],
        needs: Needs::Nothing,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_LIFECYCLE],
    },
    Happening {
        what: "guest-crash",
        kind: Kind::GuestCrash,
        params: &[],
        needs: Needs::Nothing,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_ID_REBOOT],
    },
    Happening {
        what: "guest-pm-suspend",
        kind: Kind::GuestPmSuspend,
        params: &[one_of("target", &["mem", "disk"])],
        needs: Needs::Nothing,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_PMSUSPEND, VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK, VIR_DOMAIN_EVENT_ID_LIFECYCLE],
    },
    Happening {
        what: "guest-pm-wakeup",
        kind: Kind::GuestPmWakeup,
        params: &[],
        needs: Needs::Nothing,
        requires: Requires::PmSuspended,
        events: &[VIR_DOMAIN_EVENT_ID_PMWAKEUP, VIR_DOMAIN_EVENT_ID_LIFECYCLE],
    },
    Happening {
        what: "tray",
        kind: Kind::Tray,
        params: &[required("disk", Str), required("open", Boolean)],
        needs: Needs::RemovableDisk,
        requires: Requires::Active,
        events: &[VIR_DOMAIN_EVENT_ID_TRAY_CHANGE],
    },
    Happening {
        what: "media-change",
        kind: Kind::MediaChange,
        params: &[required("disk", Str), ParamSpec { name: "source", ty: Str, required: true, choices: &[], empty_ok: true }],
        needs: Needs::RemovableDisk,
        requires: Requires::Active,
        events: &[VIR_DOMAIN_EVENT_ID_DISK_CHANGE],
    },
    Happening {
        what: "balloon",
        kind: Kind::Balloon,
        params: &[required("actual", ULLong)],
        needs: Needs::Balloon,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE],
    },
    Happening {
        what: "rtc",
        kind: Kind::Rtc,
        params: &[required("offset", LLong)],
        needs: Needs::Nothing,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_RTC_CHANGE],
    },
    Happening {
        what: "memory-failure",
        kind: Kind::MemoryFailure,
        params: &[],
        needs: Needs::Nothing,
        requires: Requires::Running,
        events: &[VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE],
    },
    Happening {
        what: "device-removed",
        kind: Kind::DeviceRemoved,
        params: &[required("alias", Str)],
        needs: Needs::Device,
        requires: Requires::Active,
        events: &[VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED],
    },
];

/// The longest string parameter accepted (a path, a user name, an X.509 DN).
pub const MAX_STRING_PARAM_BYTES: usize = 4096;

/// The happening named `what`.
pub fn happening(what: &str) -> Option<&'static Happening> {
    HAPPENINGS.iter().find(|h| h.what == what)
}

/// Every event ID some happening produces, in increasing order.
pub fn injectable_event_ids() -> impl Iterator<Item = i32> {
    let mut ids: Vec<i32> = HAPPENINGS.iter().flat_map(|h| h.events.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    LLong(i64),
    ULLong(u64),
    Boolean(bool),
}

/// A happening with its parameters, checked against the table: nothing unknown, missing,
/// repeated, ill-typed or out of range.
#[derive(Debug)]
pub struct Injection {
    pub happening: &'static Happening,
    values: Vec<(&'static str, Value)>,
}

impl Injection {
    pub fn parse(what: &str, params: &[TypedParam]) -> Result<Injection> {
        let happening = happening(what).ok_or_else(|| {
            let known: Vec<&str> = HAPPENINGS.iter().map(|h| h.what).collect();
            VirError::invalid_arg(format!("unknown happening '{what}' (known: {})", known.join(", ")))
        })?;
        let mut values: Vec<(&'static str, Value)> = Vec::with_capacity(params.len());
        for p in params {
            let field = p.field.to_str().unwrap_or("");
            let spec = happening.params.iter().find(|s| s.name == field).ok_or_else(|| {
                let known: Vec<&str> = happening.params.iter().map(|s| s.name).collect();
                VirError::invalid_arg(format!(
                    "'{what}' takes no parameter '{}' (it takes: {})",
                    p.field.to_string_lossy(),
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ))
            })?;
            if values.iter().any(|(n, _)| *n == spec.name) {
                return Err(VirError::invalid_arg(format!("parameter '{}' of '{what}' is given twice", spec.name)));
            }
            let value = match (&p.value, spec.ty) {
                (TypedValue::String(s), ParamType::String) => {
                    let s = s.to_str().map_err(|_| VirError::invalid_arg(format!("parameter '{}' is not UTF-8", spec.name)))?;
                    check_string(what, spec, s)?;
                    Value::Str(s.to_string())
                }
                (TypedValue::LLong(v), ParamType::LLong) => Value::LLong(*v),
                (TypedValue::ULLong(v), ParamType::ULLong) => Value::ULLong(*v),
                (TypedValue::Boolean(v), ParamType::Boolean) => Value::Boolean(*v),
                (other, ty) => {
                    return Err(VirError::invalid_arg(format!(
                        "parameter '{}' of '{what}' must be of type {}, not {}",
                        spec.name,
                        ty.name(),
                        typed_value_name(other)
                    )))
                }
            };
            values.push((spec.name, value));
        }
        if let Some(missing) = happening.params.iter().find(|s| s.required && !values.iter().any(|(n, _)| *n == s.name)) {
            return Err(VirError::invalid_arg(format!(
                "'{what}' needs parameter '{}' of type {}",
                missing.name,
                missing.ty.name()
            )));
        }
        Ok(Injection { happening, values })
    }

    fn value(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    fn str(&self, name: &str) -> Option<&str> {
        match self.value(name) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// A required string parameter (checked present by `parse`).
    fn text(&self, name: &str) -> &str {
        self.str(name).expect("required parameters are checked by parse")
    }

    fn ullong(&self, name: &str) -> u64 {
        match self.value(name) {
            Some(Value::ULLong(v)) => *v,
            _ => unreachable!("required parameters are checked by parse"),
        }
    }

    fn llong(&self, name: &str) -> i64 {
        match self.value(name) {
            Some(Value::LLong(v)) => *v,
            _ => unreachable!("required parameters are checked by parse"),
        }
    }

    fn boolean(&self, name: &str) -> bool {
        matches!(self.value(name), Some(Value::Boolean(true)))
    }
}

fn typed_value_name(v: &TypedValue) -> &'static str {
    match v {
        TypedValue::Int(_) => "int",
        TypedValue::UInt(_) => "uint",
        TypedValue::LLong(_) => "llong",
        TypedValue::ULLong(_) => "ullong",
        TypedValue::Double(_) => "double",
        TypedValue::Boolean(_) => "boolean",
        TypedValue::String(_) => "string",
    }
}

/// A string parameter is one of its choices, or else any printable string, not empty unless
/// the parameter allows it.
fn check_string(what: &str, spec: &ParamSpec, s: &str) -> Result<()> {
    if s.len() > MAX_STRING_PARAM_BYTES {
        return Err(VirError::invalid_arg(format!(
            "parameter '{}' of '{what}' is {} bytes, more than {MAX_STRING_PARAM_BYTES}",
            spec.name,
            s.len()
        )));
    }
    if s.chars().any(char::is_control) {
        return Err(VirError::invalid_arg(format!("parameter '{}' of '{what}' holds a control character", spec.name)));
    }
    if s.is_empty() && !spec.empty_ok {
        return Err(VirError::invalid_arg(format!("parameter '{}' of '{what}' must not be empty", spec.name)));
    }
    if !spec.choices.is_empty() && !spec.choices.contains(&s) {
        return Err(VirError::invalid_arg(format!(
            "parameter '{}' of '{what}' is '{s}', not one of {}",
            spec.name,
            spec.choices.join(", ")
        )));
    }
    Ok(())
}

/// What the guest and its agent are doing in one run of the domain; a new run starts afresh.
#[derive(Default)]
pub struct GuestRuntime {
    /// The domain ID of the run this belongs to.
    run: i32,
    /// Each disk with an I/O error since the guest last ran (target, virDomainDiskErrorCode).
    pub disk_errors: Vec<(String, i32)>,
    pub agent_connected: bool,
    pub users: Vec<GuestUser>,
    /// The removable disks whose tray is open.
    pub open_trays: Vec<String>,
}

/// The guest's runtime state in the current run (reset when the domain has started again).
pub fn runtime(obj: &mut DomainObj<TestDomain>) -> &mut GuestRuntime {
    let id = obj.id;
    let current = obj.ext.runtime.get_or_insert_with(|| Box::new(GuestRuntime { run: id, ..Default::default() }));
    if current.run != id {
        **current = GuestRuntime { run: id, ..Default::default() };
    }
    current
}

/// The guest's runtime state, if the domain runs and it belongs to this run.
pub fn current_runtime(obj: &DomainObj<TestDomain>) -> Option<&GuestRuntime> {
    obj.ext.runtime.as_deref().filter(|r| obj.is_active() && r.run == obj.id)
}

fn not_possible(obj: &DomainObj<TestDomain>, what: &str, why: impl std::fmt::Display) -> VirError {
    VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, format!("cannot inject '{what}' into domain '{}': {why}", obj.name))
}

/// The disk parameter `disk` names (target, alias or source path).
fn disk<'a>(obj: &'a DomainObj<TestDomain>, inj: &Injection) -> Result<&'a DiskDef> {
    let key = inj.text("disk");
    obj.def.find_disk(key).ok_or_else(|| not_possible(obj, inj.happening.what, format_args!("it has no disk '{key}'")))
}

/// Refuses the injection, before any change, unless the domain's state and configuration
/// make it possible.
fn check_possible(obj: &DomainObj<TestDomain>, inj: &Injection) -> Result<()> {
    let what = inj.happening.what;
    let state = obj.state.state;
    let state_ok = match inj.happening.requires {
        Requires::Running => state == VIR_DOMAIN_RUNNING,
        Requires::Active => obj.is_active(),
        Requires::PmSuspended => state == VIR_DOMAIN_PMSUSPENDED,
    };
    if !state_ok {
        let wanted = match inj.happening.requires {
            Requires::Running => "running",
            Requires::Active => "active",
            Requires::PmSuspended => "PM-suspended",
        };
        return Err(not_possible(obj, what, format_args!("it is {}, not {wanted}", crate::model::state::state_name(obj.state.state))));
    }
    match inj.happening.needs {
        Needs::Nothing => Ok(()),
        Needs::Disk => disk(obj, inj).map(|_| ()),
        Needs::RemovableDisk => match disk(obj, inj)? {
            d if d.is_removable() => Ok(()),
            d => Err(not_possible(obj, what, format_args!("disk '{}' is a {}, not a cdrom or floppy", d.target_dev, d.device))),
        },
        Needs::Watchdog if obj.def.watchdog().is_some() => Ok(()),
        Needs::Watchdog => Err(not_possible(obj, what, "it has no <watchdog> device")),
        Needs::Graphics if graphics(obj).is_some() => Ok(()),
        Needs::Graphics => Err(not_possible(obj, what, "it has no VNC or SPICE <graphics> device")),
        Needs::AgentChannel | Needs::ConnectedAgent if !obj.def.has_agent_channel() => {
            Err(not_possible(obj, what, "it has no guest agent channel (org.qemu.guest_agent.0)"))
        }
        Needs::AgentChannel => Ok(()),
        Needs::ConnectedAgent if current_runtime(obj).is_some_and(|r| r.agent_connected) => Ok(()),
        Needs::ConnectedAgent => Err(not_possible(obj, what, "its guest agent is not connected")),
        Needs::Balloon if obj.def.has_balloon() => Ok(()),
        Needs::Balloon => Err(not_possible(obj, what, "it has no memory balloon")),
        Needs::Device => {
            let alias = inj.text("alias");
            if obj.def.has_device_alias(alias) {
                Ok(())
            } else {
                Err(not_possible(obj, what, format_args!("it has no device with alias '{alias}'")))
            }
        }
    }
}

fn graphics(obj: &DomainObj<TestDomain>) -> Option<&crate::model::def::GraphicsDef> {
    obj.def.graphics().iter().find(|g| matches!(g.kind.as_str(), "vnc" | "spice"))
}

fn position_of(choices: &[&str], value: &str) -> i32 {
    choices.iter().position(|c| *c == value).expect("checked by parse") as i32
}

/// The I/O error action a disk's `error_policy` takes for an error of `reason`: QEMU stops the
/// guest (PAUSE), reports the error to it (REPORT) or ignores it (NONE); `enospace`, and the
/// default, stop on a full disk and report the rest.
fn io_error_action(policy: Option<&str>, reason: &str) -> i32 {
    match policy {
        Some("stop") => VIR_DOMAIN_EVENT_IO_ERROR_PAUSE,
        Some("report") => VIR_DOMAIN_EVENT_IO_ERROR_REPORT,
        Some("ignore") => VIR_DOMAIN_EVENT_IO_ERROR_NONE,
        _ if reason == "enospc" => VIR_DOMAIN_EVENT_IO_ERROR_PAUSE,
        _ => VIR_DOMAIN_EVENT_IO_ERROR_REPORT,
    }
}

impl TestDriver {
    pub(super) fn inject_impl(&self, dom: &DomainRef, inj: &Injection, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        self.inner.store.commit_on(dom, |txn, uuid| {
            check_possible(&txn.st.domains[uuid], inj)?;
            happen(txn, uuid, inj)
        })
    }
}

/// The happening itself, on a domain `check_possible` accepted: every refusal left here comes
/// before the first change.
fn happen(txn: &mut Txn<TestDomain>, uuid: &Uuid, inj: &Injection) -> Result<()> {
    let what = inj.happening.what;
    match inj.happening.kind {
        Kind::IoError => {
            let obj = txn.obj(uuid);
            let d = disk(obj, inj)?.clone();
            let reason = inj.text("reason");
            let action = io_error_action(d.error_policy.as_deref(), reason);
            let code = if reason == "enospc" { VIR_DOMAIN_DISK_ERROR_NO_SPACE } else { VIR_DOMAIN_DISK_ERROR_UNSPEC };
            let errors = &mut runtime(obj).disk_errors;
            match errors.iter_mut().find(|(t, _)| *t == d.target_dev) {
                Some(entry) => entry.1 = code,
                None => errors.push((d.target_dev.clone(), code)),
            }
            let event = IoErrorEvent {
                src_path: c_string(d.source.as_deref().unwrap_or("")),
                dev_alias: c_string(d.event_alias()),
                action,
                reason: c_string(reason),
            };
            txn.emit(uuid, EventKind::IoError(Box::new(event)));
            if action == VIR_DOMAIN_EVENT_IO_ERROR_PAUSE {
                txn.pause(uuid, VIR_DOMAIN_PAUSED_IOERROR, VIR_DOMAIN_EVENT_SUSPENDED_IOERROR);
            }
        }
        Kind::Watchdog => {
            let action = txn.obj(uuid).def.watchdog().expect("checked").action.clone();
            let code = match action.as_str() {
                "reset" => VIR_DOMAIN_EVENT_WATCHDOG_RESET,
                "shutdown" => VIR_DOMAIN_EVENT_WATCHDOG_SHUTDOWN,
                "poweroff" => VIR_DOMAIN_EVENT_WATCHDOG_POWEROFF,
                "pause" => VIR_DOMAIN_EVENT_WATCHDOG_PAUSE,
                "dump" => VIR_DOMAIN_EVENT_WATCHDOG_DEBUG,
                "inject-nmi" => VIR_DOMAIN_EVENT_WATCHDOG_INJECTNMI,
                _ => VIR_DOMAIN_EVENT_WATCHDOG_NONE,
            };
            txn.emit(uuid, EventKind::Watchdog { action: code });
            match code {
                VIR_DOMAIN_EVENT_WATCHDOG_RESET => {
                    txn.set_state(uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
                    txn.emit(uuid, EventKind::Reboot);
                }
                VIR_DOMAIN_EVENT_WATCHDOG_POWEROFF => txn.stop(uuid, VIR_DOMAIN_SHUTOFF_DESTROYED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED),
                VIR_DOMAIN_EVENT_WATCHDOG_SHUTDOWN => {
                    txn.set_state(uuid, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN);
                    txn.lifecycle(uuid, VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_HOST);
                    txn.stop(uuid, VIR_DOMAIN_SHUTOFF_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
                }
                VIR_DOMAIN_EVENT_WATCHDOG_PAUSE => txn.pause(uuid, VIR_DOMAIN_PAUSED_WATCHDOG, VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG),
                // A dump is taken, an NMI reaches the guest, or nothing: the guest runs on.
                _ => {}
            }
        }
        Kind::Graphics => {
            let g = graphics(txn.obj(uuid)).expect("checked").clone();
            let listen = g.listen.unwrap_or_else(|| "127.0.0.1".to_string());
            let (family, service) = if listen.starts_with('/') {
                (VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_UNIX, String::new())
            } else {
                let family = if listen.contains(':') { VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV6 } else { VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4 };
                (family, g.port.filter(|p| *p > 0).unwrap_or(5900).to_string())
            };
            let mut subject = vec![];
            for kind in ["x509dname", "saslUsername"] {
                if let Some(name) = inj.str(kind) {
                    subject.push((c_string(kind), c_string(name)));
                }
            }
            let event = GraphicsEvent {
                phase: position_of(&["connect", "initialize", "disconnect"], inj.text("phase")),
                local: GraphicsAddress { family, node: c_string(&listen), service: c_string(&service) },
                remote: GraphicsAddress {
                    family: position_of(&["ipv4", "ipv6", "unix"], inj.text("family")),
                    node: c_string(inj.text("node")),
                    service: c_string(inj.text("service")),
                },
                auth_scheme: c_string(inj.text("auth")),
                subject,
            };
            txn.emit(uuid, EventKind::Graphics(Box::new(event)));
        }
        Kind::Agent => {
            let connect = inj.text("state") == "connected";
            let obj = txn.obj(uuid);
            let rt = runtime(obj);
            if rt.agent_connected == connect {
                let msg = format!("its guest agent is already {}", inj.text("state"));
                return Err(not_possible(obj, what, msg));
            }
            runtime(obj).agent_connected = connect;
            let state = if connect {
                VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED
            } else {
                VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED
            };
            txn.emit(uuid, EventKind::AgentLifecycle { state, reason: VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL });
        }
        Kind::GuestUser => {
            let (user, domain) = (inj.text("user"), inj.str("domain"));
            let logon = inj.text("state") == "logon";
            let obj = txn.obj(uuid);
            let users = &runtime(obj).users;
            let at = users.iter().position(|u| u.name == user && u.domain.as_deref() == domain);
            let who = match domain {
                Some(d) => format!("{d}\\{user}"),
                None => user.to_string(),
            };
            match (logon, at) {
                (true, Some(_)) => return Err(not_possible(obj, what, format_args!("user '{who}' is already logged on"))),
                (false, None) => return Err(not_possible(obj, what, format_args!("user '{who}' is not logged on"))),
                (true, None) => runtime(obj).users.push(GuestUser {
                    name: user.to_string(),
                    domain: domain.map(str::to_string),
                    login_time_ms: now_us() / 1000,
                }),
                (false, Some(i)) => {
                    runtime(obj).users.remove(i);
                }
            }
            let state = if logon { VIR_DOMAIN_EVENT_GUEST_USER_LOGON } else { VIR_DOMAIN_EVENT_GUEST_USER_LOGOFF };
            let event = GuestUserEvent { user: c_string(user), domain: domain.map(c_string), state };
            txn.emit(uuid, EventKind::GuestUser(Box::new(event)));
        }
        Kind::GuestWrite => guest_write(txn, uuid, inj)?,
        Kind::GuestReboot => {
            txn.set_state(uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
            txn.emit(uuid, EventKind::Reboot);
        }
        Kind::GuestShutdown => {
            txn.set_state(uuid, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN);
            txn.lifecycle(uuid, VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_GUEST);
            txn.stop(uuid, VIR_DOMAIN_SHUTOFF_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
        }
        Kind::GuestCrash => {
            let on_crash = txn.obj(uuid).def.on_crash().to_string();
            txn.set_state(uuid, VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED);
            txn.lifecycle(uuid, VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED);
            match on_crash.as_str() {
                "preserve" => {}
                "restart" | "rename-restart" | "coredump-restart" => {
                    txn.set_state(uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_CRASHED);
                    txn.emit(uuid, EventKind::Reboot);
                }
                _ => txn.stop(uuid, VIR_DOMAIN_SHUTOFF_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED),
            }
        }
        Kind::GuestPmSuspend => {
            txn.set_state(uuid, VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN);
            if inj.text("target") == "mem" {
                txn.emit(uuid, EventKind::PmSuspend { reason: 0 });
                txn.lifecycle(uuid, VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY);
            } else {
                // The guest writes its memory to its disk and powers off.
                txn.emit(uuid, EventKind::PmSuspendDisk { reason: 0 });
                txn.lifecycle(uuid, VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_DISK);
                txn.stop(uuid, VIR_DOMAIN_SHUTOFF_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
            }
        }
        Kind::GuestPmWakeup => {
            txn.emit(uuid, EventKind::PmWakeup { reason: 0 });
            txn.set_state(uuid, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_WAKEUP);
            txn.lifecycle(uuid, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_WAKEUP);
        }
        Kind::Tray => {
            let open = inj.boolean("open");
            let obj = txn.obj(uuid);
            let d = disk(obj, inj)?.clone();
            let trays = &mut runtime(obj).open_trays;
            let was_open = trays.contains(&d.target_dev);
            if was_open == open {
                let msg = format!("the tray of '{}' is already {}", d.target_dev, if open { "open" } else { "closed" });
                return Err(not_possible(obj, what, msg));
            }
            if open {
                trays.push(d.target_dev.clone());
            } else {
                trays.retain(|t| *t != d.target_dev);
            }
            let reason = if open { VIR_DOMAIN_EVENT_TRAY_CHANGE_OPEN } else { VIR_DOMAIN_EVENT_TRAY_CHANGE_CLOSE };
            txn.emit(uuid, EventKind::TrayChange { dev_alias: c_string(d.event_alias()), reason });
        }
        Kind::MediaChange => {
            let obj = txn.obj(uuid);
            let d = disk(obj, inj)?.clone();
            let new_src = Some(inj.text("source")).filter(|s| !s.is_empty());
            let def = obj.def.with_disk_source(&d.target_dev, new_src).map_err(def_error)?;
            obj.def = Arc::new(def);
            // The new medium's image is read afresh from the XML when next used.
            obj.ext.chains.remove(&d.target_dev);
            let reason = if new_src.is_some() {
                VIR_DOMAIN_EVENT_DISK_CHANGE_MISSING_ON_START
            } else {
                VIR_DOMAIN_EVENT_DISK_DROP_MISSING_ON_START
            };
            let event = DiskChangeEvent {
                old_src: d.source.as_deref().map(c_string),
                new_src: new_src.map(c_string),
                dev_alias: c_string(d.event_alias()),
                reason,
            };
            txn.emit(uuid, EventKind::DiskChange(Box::new(event)));
        }
        Kind::Balloon => {
            let actual = inj.ullong("actual");
            let obj = txn.obj(uuid);
            let max = obj.def.memory_kib();
            if actual == 0 || actual > max {
                return Err(VirError::invalid_arg(format!("'balloon': actual {actual} KiB is not within 1 to the domain's memory, {max} KiB")));
            }
            obj.def = Arc::new(obj.def.with_current_memory(actual).map_err(def_error)?);
            txn.emit(uuid, EventKind::BalloonChange { actual_kib: actual });
        }
        Kind::Rtc => txn.emit(uuid, EventKind::RtcChange { utc_offset: inj.llong("offset") }),
        Kind::MemoryFailure => txn.emit(
            uuid,
            EventKind::MemoryFailure {
                recipient: VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_GUEST,
                action: VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_INJECT,
                flags: VIR_DOMAIN_MEMORY_FAILURE_ACTION_REQUIRED as u32,
            },
        ),
        Kind::DeviceRemoved => {
            let alias = inj.text("alias");
            let obj = txn.obj(uuid);
            let def = obj.def.without_device(alias).map_err(def_error)?.expect("checked: the alias exists");
            for d in obj.def.disks().iter().filter(|d| d.alias.as_deref() == Some(alias)) {
                obj.ext.chains.remove(&d.target_dev);
                obj.block_thresholds.retain(|k, _| k.split('[').next() != Some(d.target_dev.as_str()));
            }
            obj.def = Arc::new(def);
            txn.emit(uuid, EventKind::DeviceRemoved { dev_alias: c_string(alias) });
        }
    }
    Ok(())
}

/// The guest writes `bytes` to a disk: its active image grows (up to its capacity), and every
/// threshold on it that the allocation now passes fires once and is cleared.
fn guest_write(txn: &mut Txn<TestDomain>, uuid: &Uuid, inj: &Injection) -> Result<()> {
    let obj = txn.obj(uuid);
    let target = disk(obj, inj)?.target_dev.clone();
    let bytes = inj.ullong("bytes");
    let image = &mut chain(obj, &target)?[0];
    image.allocation = image.allocation.saturating_add(bytes).min(image.capacity);
    fire_thresholds(txn, uuid, &target, 0)
}

/// Fires, once each, the thresholds set on image `index` of disk `target`'s chain (`vda[N]`,
/// and plain `vda` for the active image) that its allocation exceeds, and clears them.
pub(super) fn fire_thresholds(txn: &mut Txn<TestDomain>, uuid: &Uuid, target: &str, index: usize) -> Result<()> {
    let obj = txn.obj(uuid);
    let image = &chain(obj, target)?[index];
    let (allocation, path) = (image.allocation, image.path.clone());
    let indexed = format!("{target}[{index}]");
    let watches = |key: &str| key == indexed || (index == 0 && key == target);
    let mut crossed: Vec<(String, u64)> =
        obj.block_thresholds.iter().filter(|(k, t)| watches(k) && allocation > **t).map(|(k, t)| (k.clone(), *t)).collect();
    crossed.sort();
    for (key, threshold) in crossed {
        txn.obj(uuid).block_thresholds.remove(&key);
        let event = crate::events::BlockThresholdEvent {
            dev: c_string(&key),
            path: Some(c_string(&path)),
            threshold,
            excess: allocation - threshold,
        };
        txn.emit(uuid, EventKind::BlockThreshold(Box::new(event)));
    }
    Ok(())
}

/// Forgets the thresholds on images `from..` of disk `target`'s chain: a job has merged or
/// replaced them, so their positions no longer name the same images.
pub(super) fn forget_thresholds_from(obj: &mut DomainObj<TestDomain>, target: &str, from: usize) {
    obj.block_thresholds.retain(|key, _| {
        match key.strip_prefix(target).and_then(|r| r.strip_prefix('[')).and_then(|r| r.strip_suffix(']')) {
            Some(index) => index.parse::<usize>().is_ok_and(|i| i < from),
            None => true,
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    fn s(field: &str, v: &str) -> TypedParam {
        TypedParam { field: CString::new(field).unwrap(), value: TypedValue::String(CString::new(v).unwrap()) }
    }

    #[test]
    fn every_happening_is_named_once_and_produces_events() {
        for (i, h) in HAPPENINGS.iter().enumerate() {
            assert!(!h.events.is_empty(), "{}", h.what);
            assert!(HAPPENINGS[..i].iter().all(|o| o.what != h.what), "{} twice", h.what);
            assert!(HAPPENINGS[..i].iter().all(|o| o.kind != h.kind), "{:?} twice", h.kind);
            let names: Vec<&str> = h.params.iter().map(|p| p.name).collect();
            assert!(names.iter().enumerate().all(|(j, n)| !names[..j].contains(n)), "{}", h.what);
        }
        assert!(injectable_event_ids().any(|id| id == VIR_DOMAIN_EVENT_ID_GUEST_USER));
    }

    #[test]
    fn parameters_are_checked_against_the_table() {
        let err = |what: &str, p: &[TypedParam]| Injection::parse(what, p).unwrap_err();
        assert_eq!(err("no-such", &[]).code, VIR_ERR_INVALID_ARG);
        assert!(err("io-error", &[s("disk", "vda")]).message.contains("'reason'"));
        assert!(err("io-error", &[s("disk", "vda"), s("reason", "eio"), s("disk", "vdb")]).message.contains("twice"));
        assert!(err("io-error", &[s("disk", "vda"), s("reason", "eio"), s("colour", "red")]).message.contains("colour"));
        let typed = TypedParam { field: CString::new("bytes").unwrap(), value: TypedValue::UInt(5) };
        assert!(err("guest-write", &[s("disk", "vda"), typed]).message.contains("ullong"));
        assert!(err("agent", &[s("state", "asleep")]).message.contains("connected, disconnected"));
        assert!(err("rtc", &[]).message.contains("llong"));
        assert!(err("io-error", &[s("disk", ""), s("reason", "eio")]).message.contains("empty"));
        assert!(err("io-error", &[s("disk", "v\nda"), s("reason", "eio")]).message.contains("control"));
        assert!(err("io-error", &[s("disk", &"x".repeat(MAX_STRING_PARAM_BYTES + 1)), s("reason", "eio")]).message.contains("bytes"));
        let ok = Injection::parse("media-change", &[s("disk", "hdc"), s("source", "")]).unwrap();
        assert_eq!(ok.text("source"), "");
        assert_eq!(Injection::parse("watchdog", &[]).unwrap().happening.what, "watchdog");
    }

    const XML: &str = "<domain type='test'><name>vm</name><memory>1024</memory><os><type>hvm</type></os><devices>\
        <disk type='file' device='disk'><driver error_policy='stop'/><source file='/a.img'/><target dev='vda'/></disk>\
        <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel></devices></domain>";

    fn inject(d: &TestDriver, dom: &DomainRef, what: &str, params: &[TypedParam]) -> Result<()> {
        use crate::driver::Driver;
        d.inject(dom, &Injection::parse(what, params)?, 0)
    }

    #[test]
    fn a_happening_commits_like_any_change_and_a_refusal_changes_nothing() {
        use crate::driver::Driver;
        let d = TestDriver::empty();
        let dom = d.define_xml(XML, 0).unwrap();
        let stopped = d.revision();
        assert_eq!(inject(&d, &dom, "guest-reboot", &[]).unwrap_err().code, VIR_ERR_OPERATION_INVALID, "not running");
        assert_eq!(d.revision(), stopped);
        d.create(&dom, 0).unwrap();
        let before = d.revision();
        inject(&d, &dom, "io-error", &[s("disk", "vda"), s("reason", "eio")]).unwrap();
        assert_eq!(d.revision(), before + 2, "the I/O error, then the pause");
        assert_eq!(d.state(&dom).unwrap(), (VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR));
        assert_eq!(d.disk_errors(&dom, 0).unwrap(), [("vda".to_string(), VIR_DOMAIN_DISK_ERROR_UNSPEC)]);
        assert_eq!(inject(&d, &dom, "watchdog", &[]).unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        assert_eq!(d.revision(), before + 2);
        d.resume(&dom).unwrap();
        assert!(d.disk_errors(&dom, 0).unwrap().is_empty(), "a resume clears them");
    }

    #[test]
    fn the_guest_runtime_starts_afresh_with_each_run() {
        use crate::driver::Driver;
        let d = TestDriver::empty();
        let dom = d.define_xml(XML, 0).unwrap();
        d.create(&dom, 0).unwrap();
        inject(&d, &dom, "agent", &[s("state", "connected")]).unwrap();
        inject(&d, &dom, "guest-user", &[s("user", "alice"), s("state", "logon")]).unwrap();
        assert_eq!(d.guest_users(&dom, 0).unwrap()[0].name, "alice");
        d.destroy(&dom, 0).unwrap();
        d.create(&dom, 0).unwrap();
        assert_eq!(d.guest_users(&dom, 0).unwrap_err().code, VIR_ERR_AGENT_UNRESPONSIVE, "a new run, a new agent");
        inject(&d, &dom, "agent", &[s("state", "connected")]).unwrap();
        assert!(d.guest_users(&dom, 0).unwrap().is_empty());
    }

    #[test]
    fn thresholds_fire_once_by_the_name_they_were_set_with() {
        use crate::driver::Driver;
        let d = TestDriver::empty();
        let dom = d.create_xml(XML, 0).unwrap();
        let start = d.block_info(&dom, "vda", 0).unwrap().allocation;
        d.set_block_threshold(&dom, "vda[0]", start + 10, 0).unwrap();
        assert_eq!(d.set_block_threshold(&dom, "vda[1]", 1, 0).unwrap_err().code, VIR_ERR_INVALID_ARG, "a chain of one");
        let bytes = TypedParam { field: CString::new("bytes").unwrap(), value: TypedValue::ULLong(20) };
        let mark = d.revision();
        inject(&d, &dom, "guest-write", &[s("disk", "vda"), bytes.clone()]).unwrap();
        inject(&d, &dom, "guest-write", &[s("disk", "vda"), bytes]).unwrap();
        let fired: Vec<(String, u64, u64)> = d
            .inner
            .store
            .bus
            .history()
            .iter()
            .filter(|e| e.revision > mark)
            .filter_map(|e| match &e.kind {
                EventKind::BlockThreshold(t) => Some((t.dev.to_string_lossy().into_owned(), t.threshold, t.excess)),
                _ => None,
            })
            .collect();
        assert_eq!(fired, [("vda[0]".to_string(), start + 10, 10)]);
        assert_eq!(d.block_info(&dom, "vda", 0).unwrap().allocation, start + 40);
    }

    #[test]
    fn a_commit_that_grows_its_base_passes_the_base_threshold() {
        use crate::driver::Driver;
        let xml = "<domain type='test'><name>c</name><memory>1024</memory><os><type>hvm</type></os><devices>\
            <disk type='file' device='disk'><source file='/top.qcow2'/>\
              <backingStore type='file'><source file='/mid.qcow2'/>\
                <backingStore type='file'><source file='/base.img'/></backingStore></backingStore>\
              <target dev='vda'/></disk></devices></domain>";
        let d = TestDriver::empty();
        let dom = d.create_xml(xml, 0).unwrap();
        let base = super::super::jobs::DISK_CAPACITY >> 3;
        d.set_block_threshold(&dom, "vda[2]", base + 1, 0).unwrap();
        d.set_block_threshold(&dom, "vda[1]", 1 << 40, 0).unwrap();
        let mark = d.revision();
        d.block_commit(&dom, "vda", Some("vda[2]"), Some("vda[1]"), 0, 0).unwrap();
        for _ in 0..2000 {
            if d.block_job(&dom, "vda").unwrap().is_none() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let fired: Vec<(String, Option<CString>, u64)> = d
            .inner
            .store
            .bus
            .history()
            .iter()
            .filter(|e| e.revision > mark)
            .filter_map(|e| match &e.kind {
                EventKind::BlockThreshold(t) => Some((t.dev.to_string_lossy().into_owned(), t.path.clone(), t.excess)),
                _ => None,
            })
            .collect();
        let mid = super::super::jobs::DISK_CAPACITY >> 2;
        assert_eq!(fired, [("vda[2]".to_string(), Some(CString::new("/base.img").unwrap()), mid - 1)]);
        d.inner.store.read(&dom, |o| assert!(o.block_thresholds.is_empty(), "vda[1] named an image the commit merged")).unwrap();
    }

    #[test]
    fn io_error_actions_follow_the_error_policy() {
        assert_eq!(io_error_action(Some("stop"), "eio"), VIR_DOMAIN_EVENT_IO_ERROR_PAUSE);
        assert_eq!(io_error_action(Some("ignore"), "enospc"), VIR_DOMAIN_EVENT_IO_ERROR_NONE);
        assert_eq!(io_error_action(Some("report"), "enospc"), VIR_DOMAIN_EVENT_IO_ERROR_REPORT);
        assert_eq!(io_error_action(Some("enospace"), "enospc"), VIR_DOMAIN_EVENT_IO_ERROR_PAUSE);
        assert_eq!(io_error_action(None, "eio"), VIR_DOMAIN_EVENT_IO_ERROR_REPORT);
    }
}

#[cfg(test)]
mod header_tests {
    use super::{Requires, HAPPENINGS};

    /// The header documents every happening of the table, with each of its parameters.
    #[test]
    fn the_header_documents_every_happening() {
        let header = include_str!("../../../include/virtevent.h");
        let end = header.find("int virTestDomainInject(").expect("virTestDomainInject is declared");
        let start = header[..end].rfind("/**").expect("virTestDomainInject is documented");
        let doc = &header[start..end];
        for h in HAPPENINGS {
            let entry = doc.find(&format!("\"{}\"", h.what)).unwrap_or_else(|| panic!("'{}' is not documented", h.what));
            let rest = &doc[entry..];
            let next = rest[1..].find("- \"").map_or(rest.len(), |i| i + 1);
            for p in h.params {
                assert!(rest[..next].contains(p.name), "parameter '{}' of '{}' is not documented", p.name, h.what);
                for choice in p.choices {
                    assert!(rest[..next].contains(choice), "value '{choice}' of '{}' is not documented", h.what);
                }
            }
        }
        // The states each happening needs, as the documentation sums them up.
        let except = doc.find("except ").expect("the states are documented");
        let active = &doc[except..except + doc[except..].find("(any active state)").expect("the active ones")];
        let waking = &doc[except..except + doc[except..].find("(PM-suspended)").expect("the PM-suspended one")];
        for h in HAPPENINGS {
            let named = |text: &str| text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).any(|w| w == h.what);
            assert_eq!(named(active), h.requires == Requires::Active, "'{}' needs {:?}", h.what, h.requires);
            assert_eq!(named(waking), h.requires != Requires::Running, "'{}' needs {:?}", h.what, h.requires);
        }
    }
}
