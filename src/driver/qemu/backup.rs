//! virDomainBackupBegin in push mode as QEMU's `blockdev-backup` (sync full): one QEMU job
//! per disk (`backup-vda`, …) into a target node added for it, all of them one `backup` job
//! of the job API. Each QEMU job is started with `auto-finalize` and `auto-dismiss` off; the
//! library finalizes each pending one, and when every one has concluded it ends the `backup`
//! job (failed with QEMU's first error, aborted if it was cancelled), dismisses them and
//! removes the target nodes.

use super::config;
use super::jobs::{disk_size, FollowUp};
use super::qmp::Monitor;
use super::{monitor_error, Inner, QemuDomain};
use crate::abi::*;
use crate::domains::{check_flags, Txn};
use crate::error::{Result, VirError};
use crate::events::DomainRef;
use crate::jobs::{Job, JobConfig, JobKind, JobState};
use crate::model::xml;
use serde_json::json;
use uuid::Uuid;

/// The job API's name of a backup, as libvirt's.
const JOB_NAME: &str = "backup";

/// One disk of a running backup.
#[derive(Debug, Clone)]
pub struct BackupDisk {
    pub target: String,
    pub file: String,
    /// QEMU's job for this disk, and, once it has concluded, its error if any.
    pub qemu_job: String,
    pub concluded: Option<Option<String>>,
    /// Its progress as QEMU last reported it (kept once QEMU has forgotten the job).
    pub current: u64,
    pub end: u64,
}

impl BackupDisk {
    fn nodes(&self) -> [String; 2] {
        [format!("{}-fmt", self.qemu_job), format!("{}-file", self.qemu_job)]
    }
}

/// The running backup of a domain.
#[derive(Debug, Clone, Default)]
pub struct Backup {
    /// The disks whose QEMU job was started (or is being started).
    pub disks: Vec<BackupDisk>,
    /// The whole plan (disk, target file), for virDomainBackupGetXMLDesc.
    pub plan: Vec<(String, String)>,
    /// Still starting QEMU's jobs: the backup cannot end yet.
    pub starting: bool,
    /// Why starting a disk's job failed: the backup fails with it once the started ones end.
    pub start_error: Option<String>,
}

impl Backup {
    pub fn owns(&self, qemu_job: &str) -> bool {
        self.disks.iter().any(|d| d.qemu_job == qemu_job)
    }

    /// Records QEMU's progress of one disk's job; the backup's is their sum.
    pub fn record_progress(&mut self, qemu_job: &str, current: u64, end: u64) -> (u64, u64) {
        if let Some(d) = self.disks.iter_mut().find(|d| d.qemu_job == qemu_job) {
            (d.current, d.end) = (current, end);
        }
        self.disks.iter().fold((0, 0), |(c, e), d| (c + d.current, e + d.end))
    }

    pub fn live_jobs(&self) -> Vec<String> {
        self.disks.iter().filter(|d| d.concluded.is_none()).map(|d| d.qemu_job.clone()).collect()
    }
}

/// A disk the backup XML lists: its name, target file and format.
#[derive(Debug, PartialEq, Eq)]
struct Wanted {
    disk: String,
    file: Option<String>,
    format: &'static str,
}

fn unsupported(what: String) -> VirError {
    VirError::new(VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_QEMU, format!("{what} is not supported by the QEMU backend"))
}

/// Reads libvirt's push-mode `<domainbackup>`; None: every disk, beside its image.
fn parse(text: &str) -> Result<Option<Vec<Wanted>>> {
    let root = xml::parse(text).map_err(|e| VirError::new(VIR_ERR_XML_DETAIL, VIR_FROM_DOMAIN, format!("(domainbackup):{e}")))?;
    if root.name != "domainbackup" {
        return Err(VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, format!("unexpected root element <{}>, expecting <domainbackup>", root.name)));
    }
    match root.attr("mode") {
        None | Some("push") => {}
        Some("pull") => return Err(unsupported("a pull mode backup".into())),
        Some(other) => return Err(VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, format!("unknown backup mode {}", xml::quoted(other)))),
    }
    if root.child("incremental").is_some() {
        return Err(unsupported("an incremental backup (checkpoints)".into()));
    }
    let Some(disks) = root.child("disks") else {
        return Ok(None);
    };
    let mut wanted = Vec::new();
    for d in disks.elements().filter(|d| d.name == "disk" && d.attr("backup") != Some("no")) {
        let disk = d.attr("name").ok_or_else(|| VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, "backup disk without a name"))?;
        if d.attr("type").is_some_and(|t| t != "file") {
            return Err(unsupported(format!("a backup target <disk type={}>", xml::quoted(d.attr("type").unwrap_or("")))));
        }
        if d.child("incremental").is_some() || d.attr("incremental").is_some() {
            return Err(unsupported("an incremental backup (checkpoints)".into()));
        }
        let file = match d.child("target").and_then(|t| t.attr("file")) {
            Some(p) if p.starts_with('/') && !p.contains('\0') => Some(p.to_string()),
            Some(p) => return Err(VirError::invalid_arg(format!("backup target '{p}' of disk '{disk}' is not an absolute path"))),
            None => None,
        };
        let format = match d.child("driver").and_then(|e| e.attr("type")).unwrap_or("raw") {
            "raw" => "raw",
            "qcow2" => "qcow2",
            other => return Err(unsupported(format!("backup target format {}", xml::quoted(other)))),
        };
        wanted.push(Wanted { disk: disk.to_string(), file, format });
    }
    Ok(Some(wanted))
}

/// Commits what QEMU's JOB_STATUS_CHANGE says of one disk's job of the backup.
pub fn status_changed(id: &str, status: &str) -> Option<FollowUp> {
    match status {
        "pending" => Some(FollowUp::Finalize(id.to_string())),
        "concluded" => Some(FollowUp::ConcludeBackup(id.to_string())),
        _ => None,
    }
}

/// Ends the backup if nothing of it runs any more: the nodes to remove from QEMU.
fn finish_if_done(txn: &mut Txn<QemuDomain>, uuid: &Uuid) -> Vec<String> {
    let obj = txn.obj(uuid);
    let done = obj.ext.backup.as_ref().is_some_and(|b| !b.starting && b.disks.iter().all(|d| d.concluded.is_some()));
    if !done {
        return Vec::new();
    }
    let backup = obj.ext.backup.take().expect("checked");
    let error = backup.start_error.clone().or_else(|| backup.disks.iter().find_map(|d| d.concluded.clone().flatten()));
    let state = obj.jobs.get(JOB_NAME).map(|j| j.state);
    let to = match (state, &error) {
        (Some(JobState::Aborting), _) => JobState::Aborted,
        (_, Some(_)) => JobState::Failed,
        _ => JobState::Completed,
    };
    if to == JobState::Completed && state == Some(JobState::Running) {
        let _ = txn.job_move(uuid, JOB_NAME, JobState::Pending, None);
    }
    if state.is_some_and(|s| !s.is_terminal()) {
        let _ = txn.job_move(uuid, JOB_NAME, to, if to == JobState::Failed { error } else { None });
    }
    backup.disks.iter().flat_map(BackupDisk::nodes).collect()
}

impl Inner {
    /// virDomainBackupBegin (push mode).
    pub(super) fn backup_begin(&self, dom: &DomainRef, backup_xml: Option<&str>, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL | VIR_DOMAIN_JOB_PERSIST)?;
        let reuse = flags as i32 & VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL != 0;
        let persist = flags as i32 & VIR_DOMAIN_JOB_PERSIST != 0;
        let wanted = backup_xml.map(parse).transpose()?.flatten();
        for w in wanted.iter().flatten() {
            if w.format == "qcow2" && !reuse {
                return Err(unsupported("creating a qcow2 backup target (blockdev-create; create it and pass REUSE_EXTERNAL)".into()));
            }
        }
        // (target, its file, format, the node it is read from)
        let (monitor, plan) = self.store.commit_on(dom, |txn, uuid| {
            let obj = &txn.st.domains[uuid];
            obj.require_active()?;
            let wanted =
                wanted.unwrap_or_else(|| obj.def.disks().iter().map(|d| Wanted { disk: d.target_dev.clone(), file: None, format: "raw" }).collect());
            if wanted.is_empty() {
                return Err(txn.invalid_op("no disk to back up"));
            }
            let monitor = obj.ext.monitor.clone().ok_or_else(|| txn.invalid_op(format!("domain '{}' is not running", obj.name)))?;
            let mut plan: Vec<(String, String, &'static str, usize)> = Vec::new();
            for w in wanted {
                // A disk in a block job can be backed up too, as libvirt allows.
                let target = obj
                    .def
                    .find_disk(&w.disk)
                    .map(|d| d.target_dev.clone())
                    .ok_or_else(|| VirError::invalid_arg(format!("disk '{}' not found in domain '{}'", w.disk, obj.name)))?;
                let chain = config::disks(&obj.def).into_iter().find(|d| d.target == target).map(|d| d.chain).unwrap_or_default();
                let top = chain.first().ok_or_else(|| VirError::invalid_arg(format!("disk '{target}' has no image to back up")))?;
                if plan.iter().any(|p| p.0 == target) {
                    return Err(VirError::invalid_arg(format!("disk '{target}' is listed twice in the backup")));
                }
                let file = w.file.unwrap_or_else(|| format!("{}.backup", top.path));
                if reuse && !std::path::Path::new(&file).exists() {
                    return Err(VirError::invalid_arg(format!("the backup target '{file}' does not exist (REUSE_EXTERNAL)")));
                }
                plan.push((target, file, w.format, top.index));
            }
            let config = JobConfig { disks: plan.iter().map(|p| p.0.clone()).collect(), ..Default::default() };
            txn.job_start(uuid, Job::new(JOB_NAME.into(), JobKind::Backup, config, 0, 0, persist))?;
            txn.obj(uuid).ext.backup =
                Some(Backup { plan: plan.iter().map(|p| (p.0.clone(), p.1.clone())).collect(), starting: true, ..Default::default() });
            Ok((monitor, plan))
        })?;
        let mut error = None;
        for (target, file, format, index) in &plan {
            let disk =
                BackupDisk { target: target.clone(), file: file.clone(), qemu_job: format!("backup-{target}"), concluded: None, current: 0, end: 0 };
            // Known before it starts: QEMU's first status change of it may come before the reply.
            let _ = self.store.commit_on(dom, |txn, uuid| {
                if let Some(b) = txn.obj(uuid).ext.backup.as_mut() {
                    b.disks.push(disk.clone());
                }
                Ok(())
            });
            if let Err(e) = self.start_disk(dom, &monitor, &disk, format, *index, reuse) {
                let _ = self.store.commit_on(dom, |txn, uuid| {
                    if let Some(b) = txn.obj(uuid).ext.backup.as_mut() {
                        b.disks.retain(|d| d.qemu_job != disk.qemu_job);
                    }
                    Ok(())
                });
                error = Some(e);
                break;
            }
        }
        let unused = self.store.commit_on(dom, |txn, uuid| {
            let Some(b) = txn.obj(uuid).ext.backup.as_mut() else {
                return Ok((Vec::new(), Vec::new()));
            };
            b.starting = false;
            b.start_error = error.as_ref().map(|e| e.message.clone());
            let cancel = if error.is_some() { b.live_jobs() } else { Vec::new() };
            Ok((finish_if_done(txn, uuid), cancel))
        });
        if let Ok((unused, cancel)) = unused {
            for id in cancel {
                let _ = monitor.execute("job-cancel", Some(json!({ "id": id })));
            }
            for node in unused {
                let _ = monitor.execute("blockdev-del", Some(json!({ "node-name": node })));
            }
        }
        error.map_or(Ok(()), Err)
    }

    /// Adds disk's target node and starts its `blockdev-backup`; on failure nothing of it is
    /// left in QEMU.
    fn start_disk(&self, dom: &DomainRef, monitor: &Monitor, disk: &BackupDisk, format: &str, index: usize, reuse: bool) -> Result<()> {
        let fail = |e| monitor_error(&dom.name, e);
        let source = config::node_names(&disk.target, index).1;
        let [fmt_node, file_node] = disk.nodes();
        if !reuse {
            let size = disk_size(monitor, &dom.name, &disk.target, &source)?;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&disk.file)
                .and_then(|f| f.set_len(size))
                .map_err(|e| VirError::system(format!("cannot create the backup target '{}': {e}", disk.file)))?;
        }
        let started = (|| -> Result<()> {
            monitor.execute("blockdev-add", Some(json!({ "driver": "file", "filename": disk.file, "node-name": file_node }))).map_err(fail)?;
            let mut fmt = json!({ "driver": format, "file": file_node, "node-name": fmt_node });
            if format == "qcow2" {
                fmt["backing"] = serde_json::Value::Null;
            }
            monitor.execute("blockdev-add", Some(fmt)).map_err(fail)?;
            let args = json!({
                "job-id": disk.qemu_job,
                "device": source,
                "target": fmt_node,
                "sync": "full",
                "auto-finalize": false,
                "auto-dismiss": false,
            });
            monitor.execute("blockdev-backup", Some(args)).map(drop).map_err(fail)
        })();
        if started.is_err() {
            for node in [&fmt_node, &file_node] {
                let _ = monitor.execute("blockdev-del", Some(json!({ "node-name": node })));
            }
            if !reuse {
                let _ = std::fs::remove_file(&disk.file);
            }
        }
        started
    }

    /// One disk's QEMU job has concluded: its outcome is kept, and when it was the last the
    /// backup ends. A failed disk cancels the others.
    pub(super) fn conclude_backup(&self, uuid: Uuid, monitor: &Monitor, id: &str) {
        let listed = monitor.execute("query-jobs", None).ok();
        let info = listed.as_ref().and_then(|l| l.as_array()).and_then(|l| l.iter().find(|j| j["id"] == id));
        let error = info.and_then(|j| j.get("error")).and_then(|e| e.as_str()).map(str::to_string);
        let progress = info.map(|j| (j["current-progress"].as_u64().unwrap_or(0), j["total-progress"].as_u64().unwrap_or(0)));
        let _ = monitor.execute("job-dismiss", Some(json!({ "id": id })));
        let ended = self.store.commit(|txn| {
            let Some(obj) = txn.st.domains.get_mut(&uuid) else {
                return Ok((Vec::new(), Vec::new()));
            };
            let aborting = obj.jobs.get(JOB_NAME).is_some_and(|j| j.state == JobState::Aborting);
            let Some(b) = obj.ext.backup.as_mut() else {
                return Ok((Vec::new(), Vec::new()));
            };
            if let Some(d) = b.disks.iter_mut().find(|d| d.qemu_job == id) {
                d.concluded = Some(error.clone());
            }
            let cancel = if error.is_some() && !aborting { b.live_jobs() } else { Vec::new() };
            if let Some((current, end)) = progress {
                let sum = b.record_progress(id, current, end);
                if let Some(job) = obj.jobs.get_mut(JOB_NAME) {
                    (job.current, job.end) = sum;
                }
            }
            Ok((finish_if_done(txn, &uuid), cancel))
        });
        if let Ok((unused, cancel)) = ended {
            for id in cancel {
                let _ = monitor.execute("job-cancel", Some(json!({ "id": id })));
            }
            for node in unused {
                let _ = monitor.execute("blockdev-del", Some(json!({ "node-name": node })));
            }
        }
    }

    /// virDomainBackupGetXMLDesc: the running backup's disks and targets.
    pub(super) fn backup_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        check_flags(flags, 0)?;
        self.store.read(dom, |o| {
            let plan = o.ext.backup.as_ref().map(|b| &b.plan).ok_or_else(|| {
                VirError::new(VIR_ERR_NO_DOMAIN_BACKUP, VIR_FROM_QEMU, format!("no domain backup job present on domain '{}'", o.name))
            })?;
            Ok(crate::jobs::push_backup_xml(plan))
        })?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_mode_disks_are_read_and_pull_incremental_refused() {
        let listed = parse("<domainbackup><disks><disk name='vda' type='file'><target file='/b/vda.img'/><driver type='qcow2'/></disk><disk name='vdb' backup='no'/></disks></domainbackup>").unwrap();
        assert_eq!(listed, Some(vec![Wanted { disk: "vda".into(), file: Some("/b/vda.img".into()), format: "qcow2" }]));
        assert_eq!(parse("<domainbackup mode='push'/>").unwrap(), None);
        for refused in ["<domainbackup mode='pull'/>", "<domainbackup><incremental>c1</incremental></domainbackup>"] {
            assert_eq!(parse(refused).unwrap_err().code, VIR_ERR_CONFIG_UNSUPPORTED, "{refused}");
        }
        assert_eq!(
            parse("<domainbackup><disks><disk name='vda'><target file='rel'/></disk></disks></domainbackup>").unwrap_err().code,
            VIR_ERR_INVALID_ARG
        );
        assert_eq!(
            parse("<domainbackup><disks><disk name='vda'><driver type='vmdk'/></disk></disks></domainbackup>").unwrap_err().code,
            VIR_ERR_CONFIG_UNSUPPORTED
        );
        assert_eq!(parse("<domaincheckpoint/>").unwrap_err().code, VIR_ERR_XML_ERROR);
    }
}
