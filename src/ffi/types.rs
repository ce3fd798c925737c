//! C types of the public header: opaque handles, structs and callback typedefs, laid out
//! exactly as libvirt 9.0 lays them out.
#![allow(non_camel_case_types, non_snake_case)]

use std::os::raw::{c_char, c_int, c_longlong, c_uchar, c_uint, c_ulong, c_ulonglong, c_ushort, c_void};

/// An open connection to a hypervisor. Reference-counted: `virConnectOpen*` and
/// `virConnectRef` each take a reference that `virConnectClose` gives back.
pub struct _virConnect {
    _opaque: [u8; 0],
}
pub type virConnect = _virConnect;
pub type virConnectPtr = *mut virConnect;

/// A domain (virtual machine). Reference-counted: every call that returns one gives the caller a
/// reference that `virDomainFree` gives back; a callback's `dom` argument is borrowed for the call.
pub struct _virDomain {
    _opaque: [u8; 0],
}
pub type virDomain = _virDomain;
pub type virDomainPtr = *mut virDomain;

/// virtevent extension: a stream of events read in batches (virConnectEventStreamOpen), closed
/// with virConnectEventStreamClose.
pub struct _virConnectEventStream {
    _opaque: [u8; 0],
}
pub type virConnectEventStream = _virConnectEventStream;
pub type virConnectEventStreamPtr = *mut virConnectEventStream;

/// A virtual network. Free what a call returns with `virNetworkFree`; a callback's `net`
/// argument is borrowed for the call.
pub struct _virNetwork {
    _opaque: [u8; 0],
}
pub type virNetwork = _virNetwork;
pub type virNetworkPtr = *mut virNetwork;

/// Length of a raw UUID.
pub const VIR_UUID_BUFLEN: usize = 16;
/// Length of a UUID string, with its terminating NUL.
pub const VIR_UUID_STRING_BUFLEN: usize = 37;
/// Length of `virTypedParameter.field`.
pub const VIR_TYPED_PARAM_FIELD_LENGTH: usize = 80;
/// The libvirt version this API mirrors: 9.0.0.
pub const LIBVIR_VERSION_NUMBER: c_ulong = 9000000;

/// Releases an application's `opaque` data.
pub type virFreeCallback = Option<unsafe extern "C" fn(opaque: *mut c_void)>;

/// An error: the code, the library part that raised it, and a message.
#[repr(C)]
pub struct _virError {
    pub code: c_int,
    pub domain: c_int,
    pub message: *mut c_char,
    pub level: c_int,
    pub conn: virConnectPtr,
    pub dom: virDomainPtr,
    pub str1: *mut c_char,
    pub str2: *mut c_char,
    pub str3: *mut c_char,
    pub int1: c_int,
    pub int2: c_int,
    pub net: virNetworkPtr,
}
pub type virError = _virError;
pub type virErrorPtr = *mut virError;

/// Called with each error raised (see `virSetErrorFunc`).
pub type virErrorFunc = Option<unsafe extern "C" fn(userData: *mut c_void, error: virErrorPtr)>;

#[repr(C)]
pub struct _virDomainInfo {
    pub state: u8,
    pub maxMem: c_ulong,
    pub memory: c_ulong,
    pub nrVirtCpu: c_ushort,
    pub cpuTime: c_ulonglong,
}
pub type virDomainInfo = _virDomainInfo;
pub type virDomainInfoPtr = *mut virDomainInfo;

#[repr(C)]
pub struct _virConnectCredential {
    pub r#type: c_int,
    pub prompt: *const c_char,
    pub challenge: *const c_char,
    pub defresult: *const c_char,
    pub result: *mut c_char,
    pub resultlen: c_uint,
}
pub type virConnectCredential = _virConnectCredential;
pub type virConnectCredentialPtr = *mut virConnectCredential;

pub type virConnectAuthCallbackPtr =
    Option<unsafe extern "C" fn(cred: virConnectCredentialPtr, ncred: c_uint, cbdata: *mut c_void) -> c_int>;

#[repr(C)]
pub struct _virConnectAuth {
    pub credtype: *mut c_int,
    pub ncredtype: c_uint,
    pub cb: virConnectAuthCallbackPtr,
    pub cbdata: *mut c_void,
}
pub type virConnectAuth = _virConnectAuth;
pub type virConnectAuthPtr = *mut virConnectAuth;

#[repr(C)]
#[derive(Clone, Copy)]
pub union _virTypedParameterValue {
    pub i: c_int,
    pub ui: c_uint,
    pub l: c_longlong,
    pub ul: c_ulonglong,
    pub d: f64,
    pub b: c_char,
    pub s: *mut c_char,
}

#[repr(C)]
pub struct _virTypedParameter {
    pub field: [c_char; VIR_TYPED_PARAM_FIELD_LENGTH],
    pub r#type: c_int,
    pub value: _virTypedParameterValue,
}
pub type virTypedParameter = _virTypedParameter;
pub type virTypedParameterPtr = *mut virTypedParameter;

#[repr(C)]
pub struct _virDomainEventGraphicsAddress {
    pub family: c_int,
    pub node: *mut c_char,
    pub service: *mut c_char,
}
pub type virDomainEventGraphicsAddress = _virDomainEventGraphicsAddress;
pub type virDomainEventGraphicsAddressPtr = *mut virDomainEventGraphicsAddress;

#[repr(C)]
pub struct _virDomainEventGraphicsSubjectIdentity {
    pub r#type: *mut c_char,
    pub name: *mut c_char,
}
pub type virDomainEventGraphicsSubjectIdentity = _virDomainEventGraphicsSubjectIdentity;
pub type virDomainEventGraphicsSubjectIdentityPtr = *mut virDomainEventGraphicsSubjectIdentity;

#[repr(C)]
pub struct _virDomainEventGraphicsSubject {
    pub nidentity: c_int,
    pub identities: virDomainEventGraphicsSubjectIdentityPtr,
}
pub type virDomainEventGraphicsSubject = _virDomainEventGraphicsSubject;
pub type virDomainEventGraphicsSubjectPtr = *mut virDomainEventGraphicsSubject;

/// Called when a connection is closed for a reason other than `virConnectClose`.
pub type virConnectCloseFunc = Option<unsafe extern "C" fn(conn: virConnectPtr, reason: c_int, opaque: *mut c_void)>;

// Event loop callbacks and an application's loop implementation.
pub type virEventHandleCallback = Option<unsafe extern "C" fn(watch: c_int, fd: c_int, events: c_int, opaque: *mut c_void)>;
pub type virEventTimeoutCallback = Option<unsafe extern "C" fn(timer: c_int, opaque: *mut c_void)>;
pub type virEventAddHandleFunc = Option<
    unsafe extern "C" fn(fd: c_int, event: c_int, cb: virEventHandleCallback, opaque: *mut c_void, ff: virFreeCallback) -> c_int,
>;
pub type virEventUpdateHandleFunc = Option<unsafe extern "C" fn(watch: c_int, event: c_int)>;
pub type virEventRemoveHandleFunc = Option<unsafe extern "C" fn(watch: c_int) -> c_int>;
pub type virEventAddTimeoutFunc = Option<
    unsafe extern "C" fn(timeout: c_int, cb: virEventTimeoutCallback, opaque: *mut c_void, ff: virFreeCallback) -> c_int,
>;
pub type virEventUpdateTimeoutFunc = Option<unsafe extern "C" fn(timer: c_int, timeout: c_int)>;
pub type virEventRemoveTimeoutFunc = Option<unsafe extern "C" fn(timer: c_int) -> c_int>;

// Domain event callbacks, one per event ID (see virDomainEventID).
pub type virConnectDomainEventCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, event: c_int, detail: c_int, opaque: *mut c_void) -> c_int,
>;
pub type virConnectDomainEventGenericCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, opaque: *mut c_void)>;
pub type virConnectDomainEventRTCChangeCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, utcoffset: c_longlong, opaque: *mut c_void)>;
pub type virConnectDomainEventWatchdogCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, action: c_int, opaque: *mut c_void)>;
pub type virConnectDomainEventIOErrorCallback = Option<
    unsafe extern "C" fn(
        conn: virConnectPtr,
        dom: virDomainPtr,
        srcPath: *const c_char,
        devAlias: *const c_char,
        action: c_int,
        opaque: *mut c_void,
    ),
>;
pub type virConnectDomainEventIOErrorReasonCallback = Option<
    unsafe extern "C" fn(
        conn: virConnectPtr,
        dom: virDomainPtr,
        srcPath: *const c_char,
        devAlias: *const c_char,
        action: c_int,
        reason: *const c_char,
        opaque: *mut c_void,
    ),
>;
pub type virConnectDomainEventGraphicsCallback = Option<
    unsafe extern "C" fn(
        conn: virConnectPtr,
        dom: virDomainPtr,
        phase: c_int,
        local: *const virDomainEventGraphicsAddress,
        remote: *const virDomainEventGraphicsAddress,
        authScheme: *const c_char,
        subject: *const virDomainEventGraphicsSubject,
        opaque: *mut c_void,
    ),
>;
pub type virConnectDomainEventBlockJobCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, disk: *const c_char, r#type: c_int, status: c_int, opaque: *mut c_void),
>;
pub type virConnectDomainEventDiskChangeCallback = Option<
    unsafe extern "C" fn(
        conn: virConnectPtr,
        dom: virDomainPtr,
        oldSrcPath: *const c_char,
        newSrcPath: *const c_char,
        devAlias: *const c_char,
        reason: c_int,
        opaque: *mut c_void,
    ),
>;
pub type virConnectDomainEventTrayChangeCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, devAlias: *const c_char, reason: c_int, opaque: *mut c_void),
>;
pub type virConnectDomainEventPMWakeupCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, reason: c_int, opaque: *mut c_void)>;
pub type virConnectDomainEventPMSuspendCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, reason: c_int, opaque: *mut c_void)>;
pub type virConnectDomainEventBalloonChangeCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, actual: c_ulonglong, opaque: *mut c_void)>;
pub type virConnectDomainEventPMSuspendDiskCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, reason: c_int, opaque: *mut c_void)>;
pub type virConnectDomainEventDeviceRemovedCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, devAlias: *const c_char, opaque: *mut c_void)>;
pub type virConnectDomainEventDeviceAddedCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, devAlias: *const c_char, opaque: *mut c_void)>;
pub type virConnectDomainEventDeviceRemovalFailedCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, devAlias: *const c_char, opaque: *mut c_void)>;
pub type virConnectDomainEventMetadataChangeCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, r#type: c_int, nsuri: *const c_char, opaque: *mut c_void),
>;
pub type virConnectDomainEventMigrationIterationCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, iteration: c_int, opaque: *mut c_void)>;
pub type virConnectDomainEventJobCompletedCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, params: virTypedParameterPtr, nparams: c_int, opaque: *mut c_void),
>;
pub type virConnectDomainEventTunableCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, params: virTypedParameterPtr, nparams: c_int, opaque: *mut c_void),
>;
pub type virConnectDomainEventAgentLifecycleCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, state: c_int, reason: c_int, opaque: *mut c_void)>;
pub type virConnectDomainEventBlockThresholdCallback = Option<
    unsafe extern "C" fn(
        conn: virConnectPtr,
        dom: virDomainPtr,
        dev: *const c_char,
        path: *const c_char,
        threshold: c_ulonglong,
        excess: c_ulonglong,
        opaque: *mut c_void,
    ),
>;
pub type virConnectDomainEventMemoryFailureCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, recipient: c_int, action: c_int, flags: c_uint, opaque: *mut c_void),
>;
pub type virConnectDomainEventMemoryDeviceSizeChangeCallback = Option<
    unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, alias: *const c_char, size: c_ulonglong, opaque: *mut c_void),
>;
/// virtevent extension: callback for VIR_DOMAIN_EVENT_ID_EXISTENCE; `type` is a
/// virDomainEventExistenceType (ADDED: first event ever for the domain's UUID; REMOVED: last).
pub type virConnectDomainEventExistenceCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, r#type: c_int, opaque: *mut c_void)>;
/// virtevent extension: callback for VIR_DOMAIN_EVENT_ID_JOB_STATE: job `jobname` of kind
/// `jobtype` entered `newstate` (VIR_DOMAIN_JOB_STATE_NONE: it left the job list).
pub type virConnectDomainEventJobStateCallback = Option<
    unsafe extern "C" fn(
        conn: virConnectPtr,
        dom: virDomainPtr,
        jobname: *const c_char,
        jobtype: crate::abi::virDomainJobKind,
        newstate: crate::abi::virDomainJobState,
        opaque: *mut c_void,
    ),
>;

/// virtevent extension: callback for VIR_DOMAIN_EVENT_ID_GUEST_USER: `user` (of `domain`, NULL
/// unless the guest has user domains) logged on or off (`state`, a virDomainEventGuestUserState).
pub type virConnectDomainEventGuestUserCallback = Option<
    unsafe extern "C" fn(
        conn: virConnectPtr,
        dom: virDomainPtr,
        user: *const c_char,
        domain: *const c_char,
        state: c_int,
        opaque: *mut c_void,
    ),
>;

/// An I/O error a disk has met since the domain last ran without one (virDomainGetDiskErrors):
/// `disk` is its target, to free(); `error` a virDomainDiskErrorCode.
#[repr(C)]
pub struct _virDomainDiskError {
    pub disk: *mut c_char,
    pub error: c_int,
}
pub type virDomainDiskError = _virDomainDiskError;
pub type virDomainDiskErrorPtr = *mut virDomainDiskError;

/// A disk's sizes in bytes (virDomainGetBlockInfo): what the guest sees, what its image
/// holds, and what the image takes on the host.
#[repr(C)]
pub struct _virDomainBlockInfo {
    pub capacity: c_ulonglong,
    pub allocation: c_ulonglong,
    pub physical: c_ulonglong,
}
pub type virDomainBlockInfo = _virDomainBlockInfo;
pub type virDomainBlockInfoPtr = *mut virDomainBlockInfo;

/// virtevent extension: one job of a domain, as virDomainJobList returns it (release with
/// virDomainJobFree). `data` holds `ndata` typed parameters (NULL with
/// VIR_DOMAIN_JOB_LIST_NO_STATS): "current" and "end" (ULLONG), "disk" (STRING, for a job bound
/// to one disk), "error" (STRING, once failed).
#[repr(C)]
pub struct _virDomainJob {
    pub name: *mut c_char,
    pub r#type: crate::abi::virDomainJobKind,
    pub state: crate::abi::virDomainJobState,
    pub data: virTypedParameterPtr,
    pub ndata: usize,
}
pub type virDomainJob = _virDomainJob;
pub type virDomainJobPtr = *mut virDomainJob;

/// virDomainGetJobInfo's answer (libvirt's layout).
#[repr(C)]
pub struct _virDomainJobInfo {
    /// A virDomainJobType.
    pub r#type: c_int,
    pub timeElapsed: c_ulonglong,
    pub timeRemaining: c_ulonglong,
    pub dataTotal: c_ulonglong,
    pub dataProcessed: c_ulonglong,
    pub dataRemaining: c_ulonglong,
    pub memTotal: c_ulonglong,
    pub memProcessed: c_ulonglong,
    pub memRemaining: c_ulonglong,
    pub fileTotal: c_ulonglong,
    pub fileProcessed: c_ulonglong,
    pub fileRemaining: c_ulonglong,
}
pub type virDomainJobInfo = _virDomainJobInfo;
pub type virDomainJobInfoPtr = *mut virDomainJobInfo;

/// virDomainGetBlockJobInfo's answer (libvirt's layout).
#[repr(C)]
pub struct _virDomainBlockJobInfo {
    /// A virDomainBlockJobType.
    pub r#type: c_int,
    /// MiB/s, or bytes/s with VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES; 0: the default.
    pub bandwidth: c_ulong,
    pub cur: c_ulonglong,
    pub end: c_ulonglong,
}
pub type virDomainBlockJobInfo = _virDomainBlockJobInfo;
pub type virDomainBlockJobInfoPtr = *mut virDomainBlockJobInfo;

// ---- The generic event (virtevent extension) -------------------------------------------------
// Applications never allocate these: the library passes them by const pointer, valid for the
// duration of one callback, so they may grow in later versions without breaking programs.

/// virtevent extension: `data.lifecycle` (VIR_DOMAIN_EVENT_ID_LIFECYCLE).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventLifecycle {
    /// A virDomainEventType.
    pub event: c_int,
    /// The virDomainEvent*DetailType matching `event`.
    pub detail: c_int,
}
pub type virConnectEventLifecycle = _virConnectEventLifecycle;

/// virtevent extension: `data.rtcChange`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventRTCChange {
    pub utcOffset: c_longlong,
}
pub type virConnectEventRTCChange = _virConnectEventRTCChange;

/// virtevent extension: `data.watchdog`; `action` is a virDomainEventWatchdogAction.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventWatchdog {
    pub action: c_int,
}
pub type virConnectEventWatchdog = _virConnectEventWatchdog;

/// virtevent extension: `data.ioError` (both IO_ERROR and IO_ERROR_REASON);
/// `action` is a virDomainEventIOErrorAction.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventIOError {
    pub srcPath: *const c_char,
    pub devAlias: *const c_char,
    pub action: c_int,
    pub reason: *const c_char,
}
pub type virConnectEventIOError = _virConnectEventIOError;

/// virtevent extension: `data.graphics`; `phase` is a virDomainEventGraphicsPhase.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventGraphics {
    pub phase: c_int,
    pub local: *const virDomainEventGraphicsAddress,
    pub remote: *const virDomainEventGraphicsAddress,
    pub authScheme: *const c_char,
    pub subject: *const virDomainEventGraphicsSubject,
}
pub type virConnectEventGraphics = _virConnectEventGraphics;

/// virtevent extension: `data.blockJob` (BLOCK_JOB: `disk` is the path; BLOCK_JOB_2 and
/// registrations for every event: the target, such as "vda").
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventBlockJob {
    pub disk: *const c_char,
    /// A virDomainBlockJobType.
    pub r#type: c_int,
    /// A virConnectDomainEventBlockJobStatus.
    pub status: c_int,
    /// The disk's source path, whichever the ID (what BLOCK_JOB reports as `disk`).
    pub path: *const c_char,
}
pub type virConnectEventBlockJob = _virConnectEventBlockJob;

/// virtevent extension: `data.diskChange`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventDiskChange {
    pub oldSrcPath: *const c_char,
    pub newSrcPath: *const c_char,
    pub devAlias: *const c_char,
    pub reason: c_int,
}
pub type virConnectEventDiskChange = _virConnectEventDiskChange;

/// virtevent extension: `data.trayChange`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventTrayChange {
    pub devAlias: *const c_char,
    pub reason: c_int,
}
pub type virConnectEventTrayChange = _virConnectEventTrayChange;

/// virtevent extension: `data.pmWakeup`, `data.pmSuspend`, `data.pmSuspendDisk`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventPM {
    pub reason: c_int,
}
pub type virConnectEventPM = _virConnectEventPM;

/// virtevent extension: `data.balloonChange`; `actual` in KiB.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventBalloonChange {
    pub actual: c_ulonglong,
}
pub type virConnectEventBalloonChange = _virConnectEventBalloonChange;

/// virtevent extension: `data.deviceAdded`, `data.deviceRemoved`, `data.deviceRemovalFailed`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventDevice {
    pub devAlias: *const c_char,
}
pub type virConnectEventDevice = _virConnectEventDevice;

/// virtevent extension: `data.tunable`, `data.jobCompleted`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventTypedParams {
    pub params: virTypedParameterPtr,
    pub nparams: c_int,
}
pub type virConnectEventTypedParams = _virConnectEventTypedParams;

/// virtevent extension: `data.agentLifecycle`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventAgentLifecycle {
    pub state: c_int,
    pub reason: c_int,
}
pub type virConnectEventAgentLifecycle = _virConnectEventAgentLifecycle;

/// virtevent extension: `data.migrationIteration`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventMigrationIteration {
    pub iteration: c_int,
}
pub type virConnectEventMigrationIteration = _virConnectEventMigrationIteration;

/// virtevent extension: `data.metadataChange`; `type` is a virDomainMetadataType.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventMetadataChange {
    pub r#type: c_int,
    pub nsuri: *const c_char,
}
pub type virConnectEventMetadataChange = _virConnectEventMetadataChange;

/// virtevent extension: `data.blockThreshold`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventBlockThreshold {
    pub dev: *const c_char,
    pub path: *const c_char,
    pub threshold: c_ulonglong,
    pub excess: c_ulonglong,
}
pub type virConnectEventBlockThreshold = _virConnectEventBlockThreshold;

/// virtevent extension: `data.memoryFailure`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventMemoryFailure {
    pub recipient: c_int,
    pub action: c_int,
    pub flags: c_uint,
}
pub type virConnectEventMemoryFailure = _virConnectEventMemoryFailure;

/// virtevent extension: `data.memoryDeviceSizeChange`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventMemoryDeviceSizeChange {
    pub alias: *const c_char,
    pub size: c_ulonglong,
}
pub type virConnectEventMemoryDeviceSizeChange = _virConnectEventMemoryDeviceSizeChange;

/// virtevent extension: `data.existence`; `type` is a virDomainEventExistenceType.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventExistence {
    pub r#type: c_int,
}
pub type virConnectEventExistence = _virConnectEventExistence;

/// virtevent extension: `data.jobState`: job `name` of kind `kind` (a virDomainJobKind) went
/// from `oldState` to `newState` (virDomainJobState; NONE as `oldState`: it was created; NONE
/// as `newState`: it left the job list). `error` is NULL unless it failed.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventJobState {
    pub name: *const c_char,
    pub kind: c_int,
    pub oldState: c_int,
    pub newState: c_int,
    pub error: *const c_char,
}
pub type virConnectEventJobState = _virConnectEventJobState;

/// virtevent extension: `data.guestUser`: `user` (of `domain`, NULL unless the guest has user
/// domains) logged on or off (`state`, a virDomainEventGuestUserState).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _virConnectEventGuestUser {
    pub user: *const c_char,
    pub domain: *const c_char,
    pub state: c_int,
}
pub type virConnectEventGuestUser = _virConnectEventGuestUser;

/// virtevent extension: the payload of a virConnectEvent, one member per kind of event
/// (events with no payload, such as reboot, bookmark and expired, use none).
#[repr(C)]
#[derive(Clone, Copy)]
pub union _virConnectEventData {
    pub lifecycle: virConnectEventLifecycle,
    pub rtcChange: virConnectEventRTCChange,
    pub watchdog: virConnectEventWatchdog,
    pub ioError: virConnectEventIOError,
    pub graphics: virConnectEventGraphics,
    pub blockJob: virConnectEventBlockJob,
    pub diskChange: virConnectEventDiskChange,
    pub trayChange: virConnectEventTrayChange,
    pub pmWakeup: virConnectEventPM,
    pub pmSuspend: virConnectEventPM,
    pub balloonChange: virConnectEventBalloonChange,
    pub pmSuspendDisk: virConnectEventPM,
    pub deviceRemoved: virConnectEventDevice,
    pub tunable: virConnectEventTypedParams,
    pub agentLifecycle: virConnectEventAgentLifecycle,
    pub deviceAdded: virConnectEventDevice,
    pub migrationIteration: virConnectEventMigrationIteration,
    pub jobCompleted: virConnectEventTypedParams,
    pub deviceRemovalFailed: virConnectEventDevice,
    pub metadataChange: virConnectEventMetadataChange,
    pub blockThreshold: virConnectEventBlockThreshold,
    pub memoryFailure: virConnectEventMemoryFailure,
    pub memoryDeviceSizeChange: virConnectEventMemoryDeviceSizeChange,
    pub existence: virConnectEventExistence,
    pub jobState: virConnectEventJobState,
    pub guestUser: virConnectEventGuestUser,
}
pub type virConnectEventData = _virConnectEventData;

/// virtevent extension: one event of any kind, as the generic callback receives it.
///
/// Passed by const pointer and valid only during the callback; every pointer in it belongs to
/// the library. Applications never allocate or copy it by value (it may grow at the end).
/// `state`, `reason`, `domainID` and `resourceVersion` describe the domain at the moment of
/// the event, not at delivery.
#[repr(C)]
pub struct _virConnectEvent {
    /// A virDomainEventID (libvirt's, or a virtevent extension ID from 256).
    pub eventID: c_int,
    /// The event's stable name ("lifecycle", "existence", …; see virConnectDomainEventIDToName).
    pub eventName: *const c_char,
    /// The domain's name ("" for bookmark and expired, which concern no domain).
    pub domainName: *const c_char,
    pub domainUUID: [c_uchar; VIR_UUID_BUFLEN],
    /// The domain's ID at the event (-1 when not running).
    pub domainID: c_int,
    /// The backend revision at which the event happened.
    pub resourceVersion: c_ulonglong,
    /// The domain's virDomainState at `resourceVersion`.
    pub state: c_int,
    /// The reason for `state` (a virDomain*Reason).
    pub reason: c_int,
    /// When the change was committed, in microseconds since the Unix epoch.
    pub timestamp: c_ulonglong,
    /// The member named after `eventName` in camelCase is set.
    pub data: virConnectEventData,
}
pub type virConnectEvent = _virConnectEvent;

/// virtevent extension: the generic callback (see virConnectEventRegister). `dom` is NULL for
/// bookmark and expired events, otherwise a handle built from the event's snapshot that the
/// callback does not own (virDomainRef keeps it). Runs on the thread running the event loop.
pub type virConnectEventCallback =
    Option<unsafe extern "C" fn(conn: virConnectPtr, dom: virDomainPtr, event: *const virConnectEvent, opaque: *mut c_void)>;
