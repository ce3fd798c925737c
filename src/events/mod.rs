//! The event core: what an event is, who wants it (registry) and how it gets to them (bus).

pub mod bus;
pub mod family;
pub mod registry;
pub mod stream;

use crate::abi::*;
use crate::model::def::DomainDef;
use family::{Family, ObjectEvent};
pub use crate::model::name::DomainName;
use once_cell::sync::Lazy;
use std::ffi::{CStr, CString};
use std::sync::Arc;
use uuid::Uuid;

/// The domain an event is about, as it was when the event happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRef {
    pub name: DomainName,
    pub uuid: Uuid,
    /// Hypervisor ID while running, -1 otherwise.
    pub id: i32,
}

/// One committed change, as delivered to callbacks.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Backend revision at which the change was committed.
    pub revision: u64,
    /// Microseconds since the Unix epoch.
    pub timestamp_us: u64,
    pub uuid: Uuid,
    /// The domain's ID at `revision` (-1 when not running).
    pub id: i32,
    /// The domain's state and reason at `revision`.
    pub state: i32,
    pub reason: i32,
    /// The domain's definition at `revision` (the running one while active); shared with the
    /// backend until the domain changes, so keeping it costs a reference, not a copy. The
    /// domain's name is read from it (no count of its own to touch per event).
    pub def: Option<Arc<DomainDef>>,
    pub kind: EventKind,
}

impl Event {
    /// An event about no domain in particular (a watch's bookmark or expiry).
    pub fn about_the_watch(revision: u64, kind: EventKind) -> Self {
        Event {
            revision,
            timestamp_us: now_us(),
            uuid: Uuid::nil(),
            id: -1,
            state: VIR_DOMAIN_NOSTATE,
            reason: 0,
            def: None,
            kind,
        }
    }

    /// The domain's XML as of this event (None for events about no domain).
    pub fn xml(&self, with_resource_version: bool) -> Option<String> {
        let def = self.def.as_ref()?;
        let active = !matches!(self.state, VIR_DOMAIN_SHUTOFF | VIR_DOMAIN_NOSTATE);
        Some(def.to_xml(active.then_some(self.id), with_resource_version.then_some(self.revision)))
    }

    /// The domain's name ("" for an event about no domain).
    pub fn name(&self) -> &DomainName {
        static NO_NAME: Lazy<DomainName> = Lazy::new(|| DomainName::new(""));
        self.def.as_deref().map_or(&NO_NAME, DomainDef::domain_name)
    }

    /// The domain as it was at the event.
    pub fn domain_ref(&self) -> DomainRef {
        DomainRef { name: self.name().clone(), uuid: self.uuid, id: self.id }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    Int(i32),
    UInt(u32),
    LLong(i64),
    ULLong(u64),
    Double(f64),
    Boolean(bool),
    String(CString),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypedParam {
    pub field: CString,
    pub value: TypedValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphicsAddress {
    pub family: i32,
    pub node: CString,
    pub service: CString,
}

// The larger payloads are boxed, so that every event (and the history holding thousands of
// them) stays small.

#[derive(Debug, Clone, PartialEq)]
pub struct IoErrorEvent {
    pub src_path: CString,
    pub dev_alias: CString,
    pub action: i32,
    pub reason: CString,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GraphicsEvent {
    pub phase: i32,
    pub local: GraphicsAddress,
    pub remote: GraphicsAddress,
    pub auth_scheme: CString,
    pub subject: Vec<(CString, CString)>,
}

/// Delivered to BLOCK_JOB (with the disk's path) and BLOCK_JOB_2 (with its target).
#[derive(Debug, Clone, PartialEq)]
pub struct BlockJobEvent {
    pub disk_path: CString,
    pub disk_target: CString,
    pub job_type: i32,
    pub status: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiskChangeEvent {
    pub old_src: Option<CString>,
    pub new_src: Option<CString>,
    pub dev_alias: CString,
    pub reason: i32,
}

/// Extension: a job's transition (`data.jobState`).
#[derive(Debug, Clone, PartialEq)]
pub struct JobStateEvent {
    pub name: CString,
    /// A virDomainJobKind.
    pub kind: i32,
    /// virDomainJobState values.
    pub old_state: i32,
    pub new_state: i32,
    /// The job's error, once it failed.
    pub error: Option<CString>,
}

/// Extension: a user logged on to or off the guest (`data.guestUser`).
#[derive(Debug, Clone, PartialEq)]
pub struct GuestUserEvent {
    pub user: CString,
    /// The user's domain (Windows guests), if any.
    pub domain: Option<CString>,
    /// A virDomainEventGuestUserState.
    pub state: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BlockThresholdEvent {
    pub dev: CString,
    pub path: Option<CString>,
    pub threshold: u64,
    pub excess: u64,
}

/// Payload of each kind of event. Strings are kept C-ready because every one of them is
/// handed to C callbacks, possibly many times.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Lifecycle { event: i32, detail: i32 },
    Reboot,
    RtcChange { utc_offset: i64 },
    Watchdog { action: i32 },
    /// Delivered to both IO_ERROR and IO_ERROR_REASON registrations.
    IoError(Box<IoErrorEvent>),
    Graphics(Box<GraphicsEvent>),
    ControlError,
    BlockJob(Box<BlockJobEvent>),
    DiskChange(Box<DiskChangeEvent>),
    TrayChange { dev_alias: CString, reason: i32 },
    PmWakeup { reason: i32 },
    PmSuspend { reason: i32 },
    BalloonChange { actual_kib: u64 },
    PmSuspendDisk { reason: i32 },
    DeviceRemoved { dev_alias: CString },
    Tunable { params: Vec<TypedParam> },
    AgentLifecycle { state: i32, reason: i32 },
    DeviceAdded { dev_alias: CString },
    MigrationIteration { iteration: i32 },
    JobCompleted { params: Vec<TypedParam> },
    DeviceRemovalFailed { dev_alias: CString },
    MetadataChange { metadata_type: i32, nsuri: Option<CString> },
    BlockThreshold(Box<BlockThresholdEvent>),
    MemoryFailure { recipient: i32, action: i32, flags: u32 },
    MemoryDeviceSizeChange { alias: CString, size: u64 },
    /// Extension: the domain came into (ADDED) or went out of (REMOVED) existence.
    Existence { kind: i32 },
    /// Extension: a job moved from one state to another.
    JobState(Box<JobStateEvent>),
    /// Extension: a user logged on to or off the guest.
    GuestUser(Box<GuestUserEvent>),
    /// Extension, for one watch only: nothing happened since, the backend is at `revision`.
    Bookmark,
    /// Extension, for one watch only: its backlog outgrew the history; it ends here.
    Expired,
    /// An event about a network, storage pool, node device or secret (see `family`).
    Object(Box<ObjectEvent>),
}

impl EventKind {
    /// The registration IDs this event is delivered to (two for the events libvirt
    /// reports through an old and a newer callback type); for another family than domains,
    /// registry IDs (`Family::registry_id`).
    pub fn event_ids(&self) -> &'static [i32] {
        match self {
            EventKind::Lifecycle { .. } => &[VIR_DOMAIN_EVENT_ID_LIFECYCLE],
            EventKind::Reboot => &[VIR_DOMAIN_EVENT_ID_REBOOT],
            EventKind::RtcChange { .. } => &[VIR_DOMAIN_EVENT_ID_RTC_CHANGE],
            EventKind::Watchdog { .. } => &[VIR_DOMAIN_EVENT_ID_WATCHDOG],
            EventKind::IoError(_) => &[VIR_DOMAIN_EVENT_ID_IO_ERROR, VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON],
            EventKind::Graphics(_) => &[VIR_DOMAIN_EVENT_ID_GRAPHICS],
            EventKind::ControlError => &[VIR_DOMAIN_EVENT_ID_CONTROL_ERROR],
            EventKind::BlockJob(_) => &[VIR_DOMAIN_EVENT_ID_BLOCK_JOB, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2],
            EventKind::DiskChange(_) => &[VIR_DOMAIN_EVENT_ID_DISK_CHANGE],
            EventKind::TrayChange { .. } => &[VIR_DOMAIN_EVENT_ID_TRAY_CHANGE],
            EventKind::PmWakeup { .. } => &[VIR_DOMAIN_EVENT_ID_PMWAKEUP],
            EventKind::PmSuspend { .. } => &[VIR_DOMAIN_EVENT_ID_PMSUSPEND],
            EventKind::BalloonChange { .. } => &[VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE],
            EventKind::PmSuspendDisk { .. } => &[VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK],
            EventKind::DeviceRemoved { .. } => &[VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED],
            EventKind::Tunable { .. } => &[VIR_DOMAIN_EVENT_ID_TUNABLE],
            EventKind::AgentLifecycle { .. } => &[VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE],
            EventKind::DeviceAdded { .. } => &[VIR_DOMAIN_EVENT_ID_DEVICE_ADDED],
            EventKind::MigrationIteration { .. } => &[VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION],
            EventKind::JobCompleted { .. } => &[VIR_DOMAIN_EVENT_ID_JOB_COMPLETED],
            EventKind::DeviceRemovalFailed { .. } => &[VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED],
            EventKind::MetadataChange { .. } => &[VIR_DOMAIN_EVENT_ID_METADATA_CHANGE],
            EventKind::BlockThreshold(_) => &[VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD],
            EventKind::MemoryFailure { .. } => &[VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE],
            EventKind::MemoryDeviceSizeChange { .. } => &[VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE],
            EventKind::Existence { .. } => &[VIR_DOMAIN_EVENT_ID_EXISTENCE],
            EventKind::JobState(_) => &[VIR_DOMAIN_EVENT_ID_JOB_STATE],
            EventKind::GuestUser(_) => &[VIR_DOMAIN_EVENT_ID_GUEST_USER],
            EventKind::Bookmark => &[VIR_DOMAIN_EVENT_ID_BOOKMARK],
            EventKind::Expired => &[VIR_DOMAIN_EVENT_ID_EXPIRED],
            EventKind::Object(o) => o.registry_ids(),
        }
    }

    /// The family of the object the event is about.
    pub fn family(&self) -> Family {
        match self {
            EventKind::Object(o) => o.family,
            _ => Family::Domain,
        }
    }

    /// The ID a registration for every event sees this event under: for the events libvirt
    /// reports through two callback types, the newer one (which carries more).
    pub fn primary_id(&self) -> i32 {
        *self.event_ids().last().expect("every kind has an ID")
    }
}

/// Stable event names, indexed by libvirt event ID (virsh's names), then the extensions.
const LIBVIRT_EVENT_NAMES: [&CStr; VIR_DOMAIN_EVENT_ID_LAST as usize] = [
    c"lifecycle",
    c"reboot",
    c"rtc-change",
    c"watchdog",
    c"io-error",
    c"graphics",
    c"io-error-reason",
    c"control-error",
    c"block-job",
    c"disk-change",
    c"tray-change",
    c"pm-wakeup",
    c"pm-suspend",
    c"balloon-change",
    c"pm-suspend-disk",
    c"device-removed",
    c"block-job-2",
    c"tunable",
    c"agent-lifecycle",
    c"device-added",
    c"migration-iteration",
    c"job-completed",
    c"device-removal-failed",
    c"metadata-change",
    c"block-threshold",
    c"memory-failure",
    c"memory-device-size-change",
];
const EXTENSION_EVENT_NAMES: [&CStr; (VIR_DOMAIN_EVENT_ID_EXT_LAST - VIR_DOMAIN_EVENT_ID_EXT_FIRST) as usize] =
    [c"existence", c"bookmark", c"expired", c"job-state", c"guest-user"];

/// The stable name of event ID `id`, ready for C.
pub fn event_name_c(id: i32) -> Option<&'static CStr> {
    if (0..VIR_DOMAIN_EVENT_ID_LAST).contains(&id) {
        Some(LIBVIRT_EVENT_NAMES[id as usize])
    } else if (VIR_DOMAIN_EVENT_ID_EXT_FIRST..VIR_DOMAIN_EVENT_ID_EXT_LAST).contains(&id) {
        Some(EXTENSION_EVENT_NAMES[(id - VIR_DOMAIN_EVENT_ID_EXT_FIRST) as usize])
    } else {
        None
    }
}

/// The stable name of event ID `id`.
pub fn event_name(id: i32) -> Option<&'static str> {
    event_name_c(id).map(|n| n.to_str().expect("event names are ASCII"))
}

/// The event ID named `name` (see `event_name`).
pub fn event_id_by_name(name: &str) -> Option<i32> {
    all_event_ids().find(|&id| event_name(id) == Some(name))
}

/// Every event ID a callback can be registered for: libvirt's, then the extensions.
pub fn all_event_ids() -> impl Iterator<Item = i32> {
    (0..VIR_DOMAIN_EVENT_ID_LAST).chain(VIR_DOMAIN_EVENT_ID_EXT_FIRST..VIR_DOMAIN_EVENT_ID_EXT_LAST)
}

/// Whether `id` names an event a callback can be registered for.
pub fn is_known_event_id(id: i32) -> bool {
    event_name(id).is_some() && !is_watch_event_id(id)
}

/// The events a watch receives about itself, never registered for on their own.
pub fn is_watch_event_id(id: i32) -> bool {
    matches!(id, VIR_DOMAIN_EVENT_ID_BOOKMARK | VIR_DOMAIN_EVENT_ID_EXPIRED)
}

/// Microseconds since the Unix epoch, for event timestamps.
pub fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_convert_both_ways() {
        assert_eq!(all_event_ids().count(), VIR_DOMAIN_EVENT_ID_LAST as usize + 5);
        assert!(!is_known_event_id(VIR_DOMAIN_EVENT_ID_EXPIRED));
        for id in all_event_ids() {
            assert_eq!(event_id_by_name(event_name(id).unwrap()), Some(id));
        }
        assert_eq!(event_name(VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD), Some("block-threshold"));
        assert_eq!(event_name(VIR_DOMAIN_EVENT_ID_EXISTENCE), Some("existence"));
        assert_eq!(event_name(VIR_DOMAIN_EVENT_ID_JOB_STATE), Some("job-state"));
        assert_eq!(event_name(VIR_DOMAIN_EVENT_ID_GUEST_USER), Some("guest-user"));
        assert_eq!(event_id_by_name("no-such-event"), None);
        assert!(!is_known_event_id(VIR_DOMAIN_EVENT_ID_LAST));
        assert!(!is_known_event_id(-1));
    }
}
