//! The hypervisor-neutral job model (seed 004): what a job is, QEMU's state machine with the
//! outcome made explicit, the per-domain job table, persistence of finished jobs, statistics
//! and the job XML. Backends drive it through the transaction (`commit.rs`), so that every
//! transition takes the next revision and publishes its JOB_STATE event.
//!
//! The state diagram is in README.md ("Jobs"); `control_effect` and `is_transition` are it.

pub mod commit;
pub mod query;

use crate::abi::*;
use crate::error::{Result, VirError};
use crate::events::{TypedParam, TypedValue};
use parking_lot::Mutex;
use std::ffi::CString;
use std::sync::Arc;
use std::time::Instant;

/// What a job does. The C values and names live here, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    Migration,
    BlockPull,
    BlockCommit,
    BlockCommitActive,
    BlockCopy,
    Backup,
    Save,
    Dump,
    BlockdevCreate,
}

impl JobKind {
    pub const ALL: [JobKind; 9] = [
        JobKind::Migration,
        JobKind::BlockPull,
        JobKind::BlockCommit,
        JobKind::BlockCommitActive,
        JobKind::BlockCopy,
        JobKind::Backup,
        JobKind::Save,
        JobKind::Dump,
        JobKind::BlockdevCreate,
    ];

    pub fn code(self) -> virDomainJobKind {
        match self {
            JobKind::Migration => VIR_DOMAIN_JOB_TYPE_MIGRATION,
            JobKind::BlockPull => VIR_DOMAIN_JOB_TYPE_BLOCK_PULL,
            JobKind::BlockCommit => VIR_DOMAIN_JOB_TYPE_BLOCK_COMMIT,
            JobKind::BlockCommitActive => VIR_DOMAIN_JOB_TYPE_BLOCK_COMMIT_ACTIVE,
            JobKind::BlockCopy => VIR_DOMAIN_JOB_TYPE_BLOCK_COPY,
            JobKind::Backup => VIR_DOMAIN_JOB_TYPE_BACKUP,
            JobKind::Save => VIR_DOMAIN_JOB_TYPE_SAVE,
            JobKind::Dump => VIR_DOMAIN_JOB_TYPE_DUMP,
            JobKind::BlockdevCreate => VIR_DOMAIN_JOB_TYPE_BLOCKDEV_CREATE,
        }
    }

    /// The constant's name in lower case with dashes (the job XML's `type`).
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Migration => "migration",
            JobKind::BlockPull => "block-pull",
            JobKind::BlockCommit => "block-commit",
            JobKind::BlockCommitActive => "block-commit-active",
            JobKind::BlockCopy => "block-copy",
            JobKind::Backup => "backup",
            JobKind::Save => "save",
            JobKind::Dump => "dump",
            JobKind::BlockdevCreate => "blockdev-create",
        }
    }

    /// Block jobs can be paused and resumed.
    pub fn is_block(self) -> bool {
        matches!(
            self,
            JobKind::BlockPull
                | JobKind::BlockCommit
                | JobKind::BlockCommitActive
                | JobKind::BlockCopy
                | JobKind::Backup
                | JobKind::BlockdevCreate
        )
    }

    /// Jobs that reach READY when in sync and wait there to be finalized (pivot) or aborted.
    pub fn waits_ready(self) -> bool {
        matches!(self, JobKind::BlockCopy | JobKind::BlockCommitActive)
    }

    /// libvirt's domain jobs (virDomainGetJobInfo's one job): they exclude each other.
    pub fn is_domain_job(self) -> bool {
        matches!(self, JobKind::Migration | JobKind::Save | JobKind::Dump | JobKind::Backup)
    }

    /// The virDomainBlockJobType of the old block job API and events, for per-disk block jobs.
    pub fn block_job_type(self) -> Option<virDomainBlockJobType> {
        match self {
            JobKind::BlockPull => Some(VIR_DOMAIN_BLOCK_JOB_TYPE_PULL),
            JobKind::BlockCommit => Some(VIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT),
            JobKind::BlockCommitActive => Some(VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT),
            JobKind::BlockCopy => Some(VIR_DOMAIN_BLOCK_JOB_TYPE_COPY),
            _ => None,
        }
    }

    /// The virDomainJobOperation virDomainGetJobStats reports for a domain job.
    pub fn operation(self) -> virDomainJobOperation {
        match self {
            JobKind::Migration => VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT,
            JobKind::Save => VIR_DOMAIN_JOB_OPERATION_SAVE,
            JobKind::Dump => VIR_DOMAIN_JOB_OPERATION_DUMP,
            JobKind::Backup => VIR_DOMAIN_JOB_OPERATION_BACKUP,
            _ => VIR_DOMAIN_JOB_OPERATION_UNKNOWN,
        }
    }

    /// Jobs whose data is the guest's memory (statistics under memory_*).
    fn moves_memory(self) -> bool {
        matches!(self, JobKind::Migration | JobKind::Save | JobKind::Dump)
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    Created,
    Running,
    Paused,
    Ready,
    Standby,
    Pending,
    Aborting,
    Completed,
    Failed,
    Aborted,
}

impl JobState {
    pub const ALL: [JobState; 10] = [
        JobState::Created,
        JobState::Running,
        JobState::Paused,
        JobState::Ready,
        JobState::Standby,
        JobState::Pending,
        JobState::Aborting,
        JobState::Completed,
        JobState::Failed,
        JobState::Aborted,
    ];

    pub fn code(self) -> virDomainJobState {
        match self {
            JobState::Created => VIR_DOMAIN_JOB_STATE_CREATED,
            JobState::Running => VIR_DOMAIN_JOB_STATE_RUNNING,
            JobState::Paused => VIR_DOMAIN_JOB_STATE_PAUSED,
            JobState::Ready => VIR_DOMAIN_JOB_STATE_READY,
            JobState::Standby => VIR_DOMAIN_JOB_STATE_STANDBY,
            JobState::Pending => VIR_DOMAIN_JOB_STATE_PENDING,
            JobState::Aborting => VIR_DOMAIN_JOB_STATE_ABORTING,
            JobState::Completed => VIR_DOMAIN_JOB_STATE_COMPLETED,
            JobState::Failed => VIR_DOMAIN_JOB_STATE_FAILED,
            JobState::Aborted => VIR_DOMAIN_JOB_STATE_ABORTED,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            JobState::Created => "created",
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Ready => "ready",
            JobState::Standby => "standby",
            JobState::Pending => "pending",
            JobState::Aborting => "aborting",
            JobState::Completed => "completed",
            JobState::Failed => "failed",
            JobState::Aborted => "aborted",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, JobState::Completed | JobState::Failed | JobState::Aborted)
    }

    /// Live: ABORT is valid (everything not terminal and not already aborting).
    pub fn is_live(self) -> bool {
        !self.is_terminal() && self != JobState::Aborting
    }
}

/// What virDomainJobControl asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOp {
    Abort,
    Finalize,
    Pause,
    Resume,
    Dismiss,
}

impl JobOp {
    pub const ALL: [JobOp; 5] = [JobOp::Abort, JobOp::Finalize, JobOp::Pause, JobOp::Resume, JobOp::Dismiss];

    pub fn from_code(op: virDomainJobControlOperation) -> Result<JobOp> {
        Ok(match op {
            VIR_DOMAIN_JOB_CONTROL_OPERATION_ABORT => JobOp::Abort,
            VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE => JobOp::Finalize,
            VIR_DOMAIN_JOB_CONTROL_OPERATION_PAUSE => JobOp::Pause,
            VIR_DOMAIN_JOB_CONTROL_OPERATION_RESUME => JobOp::Resume,
            VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS => JobOp::Dismiss,
            other => return Err(VirError::invalid_arg(format!("unknown job control operation {other}"))),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            JobOp::Abort => "abort",
            JobOp::Finalize => "finalize",
            JobOp::Pause => "pause",
            JobOp::Resume => "resume",
            JobOp::Dismiss => "dismiss",
        }
    }
}

/// What a valid control operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    MoveTo(JobState),
    Dismiss,
}

/// The operation table: what `op` does to a job of `kind` in `state`, or None where it is not
/// valid.
pub fn control_effect(kind: JobKind, state: JobState, op: JobOp) -> Option<Effect> {
    use JobState::*;
    let to = match (op, state) {
        (JobOp::Abort, s) if s.is_live() => Aborting,
        (JobOp::Pause, Created | Running) if kind.is_block() => Paused,
        (JobOp::Pause, Ready) if kind.is_block() => Standby,
        (JobOp::Resume, Paused) if kind.is_block() => Running,
        (JobOp::Resume, Standby) if kind.is_block() => Ready,
        (JobOp::Finalize, Ready) if kind.waits_ready() => Pending,
        (JobOp::Finalize, Pending) => Completed,
        (JobOp::Dismiss, s) if s.is_terminal() => return Some(Effect::Dismiss),
        _ => return None,
    };
    Some(Effect::MoveTo(to))
}

/// Every edge of the state diagram, whoever takes it (the application's control operations or
/// the hypervisor reporting progress, completion and errors).
pub fn is_transition(kind: JobKind, from: JobState, to: JobState) -> bool {
    use JobState::*;
    match (from, to) {
        (Created, Running) => true,
        (Running, Ready) => kind.waits_ready(),
        (Running, Pending) => !kind.waits_ready(),
        (Pending, Completed) => true,
        (Aborting, Aborted) => true,
        (f, Failed) => f.is_live() || f == Aborting,
        _ => JobOp::ALL.iter().any(|&op| control_effect(kind, from, op) == Some(Effect::MoveTo(to))),
    }
}

/// What a job works on (the job XML's `<config>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobConfig {
    /// The disk target (`vda`) of a job bound to one disk.
    pub disk: Option<String>,
    /// Chain positions (`vda[1]`) of a commit or pull.
    pub top: Option<String>,
    pub base: Option<String>,
    /// Where a copy, backup, migration or dump goes.
    pub destination: Option<String>,
    /// The file a save or dump writes.
    pub file: Option<String>,
    /// The disks a backup covers.
    pub disks: Vec<String>,
}

/// Where a blocked call waits for its job's outcome; filled once, at the terminal transition.
pub type Outcome = Arc<Mutex<Option<(JobState, Option<String>)>>>;

#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    pub kind: JobKind,
    pub state: JobState,
    pub config: JobConfig,
    /// Progress in bytes: `current` grows towards `end`.
    pub current: u64,
    pub end: u64,
    /// Bytes per second; 0 is the backend's default.
    pub bandwidth: u64,
    pub error: Option<String>,
    pub persist: bool,
    pub started: Instant,
    /// How long it ran, once terminal.
    pub elapsed_ms: Option<u64>,
    /// Set by a call that blocks until the job ends.
    pub outcome: Option<Outcome>,
}

impl Job {
    pub fn new(name: String, kind: JobKind, config: JobConfig, end: u64, bandwidth: u64, persist: bool) -> Job {
        Job {
            name,
            kind,
            state: JobState::Created,
            config,
            current: 0,
            end,
            bandwidth,
            error: None,
            persist,
            started: Instant::now(),
            elapsed_ms: None,
            outcome: None,
        }
    }

    pub fn elapsed_ms(&self) -> u64 {
        self.elapsed_ms.unwrap_or_else(|| self.started.elapsed().as_millis() as u64)
    }

    /// The statistics libvirt's virDomainGetJobStats and JOB_COMPLETED carry, plus the job
    /// API's own `current`/`end` (and `disk`, `error`).
    pub fn stats(&self) -> Vec<TypedParam> {
        let mut p = Vec::new();
        let mut put = |field: &str, value: TypedValue| p.push(TypedParam { field: c(field), value });
        put("current", TypedValue::ULLong(self.current));
        put("end", TypedValue::ULLong(self.end));
        if let Some(disk) = &self.config.disk {
            put("disk", TypedValue::String(c(disk)));
        }
        if let Some(error) = &self.error {
            put("error", TypedValue::String(c(error)));
        }
        p
    }

    /// libvirt's statistics of a domain job (VIR_DOMAIN_JOB_*), `completed` as after its end.
    pub fn domain_job_stats(&self) -> Vec<TypedParam> {
        let mut p = Vec::new();
        let mut put = |field: &str, value: TypedValue| p.push(TypedParam { field: c(field), value });
        let job_type = match self.state {
            JobState::Completed => VIR_DOMAIN_JOB_COMPLETED,
            JobState::Failed => VIR_DOMAIN_JOB_FAILED,
            JobState::Aborted => VIR_DOMAIN_JOB_CANCELLED,
            _ => VIR_DOMAIN_JOB_BOUNDED,
        };
        put("type", TypedValue::Int(job_type));
        put(VIR_DOMAIN_JOB_OPERATION, TypedValue::Int(self.kind.operation()));
        put(VIR_DOMAIN_JOB_TIME_ELAPSED, TypedValue::ULLong(self.elapsed_ms()));
        let remaining = self.end.saturating_sub(self.current);
        put(VIR_DOMAIN_JOB_DATA_TOTAL, TypedValue::ULLong(self.end));
        put(VIR_DOMAIN_JOB_DATA_PROCESSED, TypedValue::ULLong(self.current));
        put(VIR_DOMAIN_JOB_DATA_REMAINING, TypedValue::ULLong(remaining));
        let (total, processed, left) = if self.kind.moves_memory() {
            (VIR_DOMAIN_JOB_MEMORY_TOTAL, VIR_DOMAIN_JOB_MEMORY_PROCESSED, VIR_DOMAIN_JOB_MEMORY_REMAINING)
        } else {
            (VIR_DOMAIN_JOB_DISK_TOTAL, VIR_DOMAIN_JOB_DISK_PROCESSED, VIR_DOMAIN_JOB_DISK_REMAINING)
        };
        put(total, TypedValue::ULLong(self.end));
        put(processed, TypedValue::ULLong(self.current));
        put(left, TypedValue::ULLong(remaining));
        if self.state.is_terminal() {
            put(VIR_DOMAIN_JOB_SUCCESS, TypedValue::Boolean(self.state == JobState::Completed));
            if let Some(error) = &self.error {
                put(VIR_DOMAIN_JOB_ERRMSG, TypedValue::String(c(error)));
            }
        }
        p
    }

    /// The job XML (seed 004's shape, with the name).
    pub fn to_xml(&self, with_stats: bool) -> String {
        let mut out = format!(
            "<job name='{}' type='{}' state='{}'>\n  <config>\n",
            escape(&self.name),
            self.kind.name(),
            self.state.name()
        );
        let cfg = &self.config;
        for (tag, value) in [
            ("disk", &cfg.disk),
            ("top", &cfg.top),
            ("base", &cfg.base),
            ("destination", &cfg.destination),
            ("file", &cfg.file),
        ] {
            if let Some(v) = value {
                out.push_str(&format!("    <{tag}>{}</{tag}>\n", escape(v)));
            }
        }
        for disk in &cfg.disks {
            out.push_str(&format!("    <disk>{}</disk>\n", escape(disk)));
        }
        out.push_str("  </config>\n");
        if with_stats {
            out.push_str(&format!(
                "  <stats>\n    <current>{}</current>\n    <end>{}</end>\n  </stats>\n",
                self.current, self.end
            ));
        }
        if let Some(error) = &self.error {
            out.push_str(&format!("  <error>{}</error>\n", escape(error)));
        }
        out.push_str("</job>\n");
        out
    }
}

fn c(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// virDomainBackupGetXMLDesc's answer for a running push-mode backup: each disk and the file
/// its copy goes to (the same for every backend).
pub fn push_backup_xml(plan: &[(String, String)]) -> String {
    let mut out = String::from("<domainbackup mode='push'>\n  <disks>\n");
    let escaped = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('\'', "&apos;");
    for (disk, file) in plan {
        let (disk, file) = (escaped(disk), escaped(file));
        out.push_str(&format!("    <disk name='{disk}' backup='yes' type='file'>\n      <target file='{file}'/>\n    </disk>\n"));
    }
    out.push_str("  </disks>\n</domainbackup>\n");
    out
}

/// A domain's jobs, in the order they started: the live ones and the finished ones kept by
/// VIR_DOMAIN_JOB_PERSIST.
#[derive(Debug, Default)]
pub struct JobTable {
    pub jobs: Vec<Job>,
    /// The last domain job that ended, for virDomainGetJobStats(…COMPLETED) as in libvirt
    /// (boxed: every domain has a table, few have had a domain job).
    pub last_domain_job: Option<Box<Job>>,
}

impl JobTable {
    pub fn get(&self, name: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.name == name)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.name == name)
    }

    /// `base`, or `base-2`, `base-3`… if a listed job already has that name.
    pub fn unique_name(&self, base: &str) -> String {
        if self.get(base).is_none() {
            return base.to_string();
        }
        (2..).map(|n| format!("{base}-{n}")).find(|n| self.get(n).is_none()).expect("some suffix is free")
    }

    /// The live domain job (migration, save, dump, backup), if any.
    pub fn domain_job(&self) -> Option<&Job> {
        self.jobs.iter().find(|j| j.kind.is_domain_job() && !j.state.is_terminal())
    }

    /// The unfinished per-disk block job (pull, commit, copy) of disk `target`.
    ///
    /// The old per-disk calls (virDomainGetBlockJobInfo, virDomainBlockJobAbort,
    /// virDomainBlockJobSetSpeed) mean this job: a disk has at most one of them at a time, as in
    /// libvirt. A backup covering the disk is a domain job for the old API, reached through
    /// virDomainGetJobInfo and virDomainAbortJob.
    pub fn block_job(&self, target: &str) -> Option<&Job> {
        self.jobs
            .iter()
            .find(|j| j.kind.block_job_type().is_some() && !j.state.is_terminal() && j.config.disk.as_deref() == Some(target))
    }

    pub fn live(&self) -> impl Iterator<Item = &Job> {
        self.jobs.iter().filter(|j| !j.state.is_terminal())
    }
}

/// The error for an operation the job's state or kind does not allow.
pub fn refused(job: &Job, op: JobOp) -> VirError {
    VirError::new(
        VIR_ERR_OPERATION_INVALID,
        VIR_FROM_DOMAIN,
        format!("job '{}' ({}) is {}: operation '{}' is not valid there", job.name, job.kind.name(), job.state.name(), op.name()),
    )
}

pub fn no_such_job(domain: &str, name: &str) -> VirError {
    VirError::new(VIR_ERR_NO_DOMAIN_JOB, VIR_FROM_DOMAIN, format!("domain '{domain}' has no job named '{name}'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobState::*;

    /// The valid (state, operation) pairs, written out from SPEC.md's table, for a block job
    /// that waits in READY (block copy), a block job that does not (pull), and a domain job.
    fn expected(kind: JobKind, state: JobState, op: JobOp) -> Option<Effect> {
        let block = kind.is_block();
        let ready = kind.waits_ready();
        let to = match (op, state) {
            (JobOp::Abort, Created | Running | Paused | Ready | Standby | Pending) => Aborting,
            (JobOp::Pause, Created) | (JobOp::Pause, Running) if block => Paused,
            (JobOp::Pause, Ready) if block => Standby,
            (JobOp::Resume, Paused) if block => Running,
            (JobOp::Resume, Standby) if block => Ready,
            (JobOp::Finalize, Ready) if ready => Pending,
            (JobOp::Finalize, Pending) => Completed,
            (JobOp::Dismiss, Completed | Failed | Aborted) => return Some(Effect::Dismiss),
            _ => return None,
        };
        Some(Effect::MoveTo(to))
    }

    #[test]
    fn every_operation_in_every_state_of_every_kind() {
        let mut valid = 0;
        let mut refusedn = 0;
        for kind in JobKind::ALL {
            for state in JobState::ALL {
                for op in JobOp::ALL {
                    let got = control_effect(kind, state, op);
                    assert_eq!(got, expected(kind, state, op), "{} {} {}", kind.name(), state.name(), op.name());
                    if got.is_some() {
                        valid += 1;
                    } else {
                        refusedn += 1;
                        let mut job = Job::new("j".into(), kind, JobConfig::default(), 1, 0, false);
                        job.state = state;
                        let err = refused(&job, op);
                        assert_eq!(err.code, VIR_ERR_OPERATION_INVALID);
                        for part in ["'j'", state.name(), op.name()] {
                            assert!(err.message.contains(part), "{}", err.message);
                        }
                    }
                }
            }
        }
        assert_eq!(valid + refusedn, 9 * 10 * 5);
        assert!(valid > 0 && refusedn > valid);
    }

    #[test]
    fn the_diagram_edges() {
        let copy = JobKind::BlockCopy;
        let pull = JobKind::BlockPull;
        let save = JobKind::Save;
        assert!(is_transition(pull, Created, Running));
        assert!(is_transition(pull, Running, Pending) && !is_transition(pull, Running, Ready));
        assert!(is_transition(copy, Running, Ready) && !is_transition(copy, Running, Pending));
        assert!(is_transition(copy, Ready, Pending) && !is_transition(pull, Ready, Pending));
        assert!(is_transition(copy, Ready, Standby) && is_transition(copy, Standby, Ready));
        assert!(is_transition(pull, Running, Paused) && is_transition(pull, Paused, Running));
        assert!(!is_transition(save, Running, Paused), "domain jobs do not pause");
        assert!(is_transition(save, Pending, Completed));
        assert!(is_transition(save, Aborting, Aborted) && !is_transition(save, Running, Aborted));
        for s in JobState::ALL {
            assert_eq!(is_transition(save, s, Failed), !s.is_terminal(), "{}", s.name());
            assert_eq!(is_transition(save, s, Aborting), s.is_live(), "{}", s.name());
        }
        for t in [Completed, Failed, Aborted] {
            assert!(JobState::ALL.iter().all(|&to| !is_transition(copy, t, to)), "nothing leaves {}", t.name());
        }
    }

    #[test]
    fn seed_values_stay_and_names_are_the_constants_in_lower_case() {
        assert_eq!((Running.code(), Ready.code(), Failed.code(), Completed.code(), Aborted.code()), (1, 2, 3, 4, 5));
        let mut codes: Vec<i32> = JobState::ALL.iter().map(|s| s.code()).collect();
        codes.sort();
        assert_eq!(codes, (1..VIR_DOMAIN_JOB_STATE_LAST).collect::<Vec<_>>());
        let mut kinds: Vec<i32> = JobKind::ALL.iter().map(|k| k.code()).collect();
        kinds.sort();
        assert_eq!(kinds, (1..VIR_DOMAIN_JOB_TYPE_LAST).collect::<Vec<_>>());
        assert_eq!(JobKind::BlockCommitActive.name(), "block-commit-active");
        assert!(JobOp::from_code(VIR_DOMAIN_JOB_CONTROL_OPERATION_NONE).is_err());
        assert_eq!(JobOp::from_code(VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS).unwrap(), JobOp::Dismiss);
    }

    #[test]
    fn names_are_unique_and_xml_is_escaped() {
        let mut t = JobTable::default();
        t.jobs.push(Job::new("block-pull-vda".into(), JobKind::BlockPull, JobConfig::default(), 10, 0, false));
        assert_eq!(t.unique_name("block-pull-vda"), "block-pull-vda-2");
        assert_eq!(t.unique_name("save"), "save");
        let mut job = Job::new("a<b".into(), JobKind::BlockCopy, JobConfig { disk: Some("vda".into()), ..Default::default() }, 10, 0, false);
        job.error = Some("bad & worse".into());
        let xml = job.to_xml(true);
        assert!(xml.starts_with("<job name='a&lt;b' type='block-copy' state='created'>"), "{xml}");
        assert!(xml.contains("<disk>vda</disk>") && xml.contains("<end>10</end>") && xml.contains("<error>bad &amp; worse</error>"));
        assert!(!job.to_xml(false).contains("<stats>"));
    }

    #[test]
    fn the_readme_quotes_the_compiled_job_example() {
        let readme = include_str!("../../README.md");
        assert!(readme.contains(include_str!("../../examples/jobs.c")), "README's job example differs from examples/jobs.c");
    }
}
