//! QEMU's jobs as jobs of the job API. A block pull is QEMU's `block-stream` job, started with
//! `auto-finalize` and `auto-dismiss` off so that its end is the library's to commit: QEMU's
//! `JOB_STATUS_CHANGE` events move the job through the core's state machine (with JOB_STATE
//! and the old BLOCK_JOB events), the library finalizes a pending pull, reads a concluded
//! job's outcome with `query-jobs`, commits it (a completed pull drops the pulled images from
//! the disk's chain) and dismisses it in QEMU. Progress comes from `query-jobs`.

use super::config;
use super::{monitor_error, Inner, QemuDomain};
use crate::abi::*;
use crate::domains::{check_flags, Txn};
use crate::error::{Result, VirError};
use crate::events::DomainRef;
use crate::jobs::{Effect, Job, JobConfig, JobKind, JobOp, JobState};
use crate::model::def::DomainDef;
use crate::model::xml::{self, Element, Node};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long virDomainBlockJobAbort without ASYNC waits for the job to end.
const ABORT_WAIT: Duration = Duration::from_secs(30);

/// What a job status change leaves for a thread other than the monitor's reader to do.
#[derive(Debug, PartialEq, Eq)]
pub enum FollowUp {
    Finalize(String),
    Conclude(String),
}

/// Commits what QEMU's `JOB_STATUS_CHANGE` says of job `id`.
pub fn status_changed(txn: &mut Txn<QemuDomain>, uuid: &Uuid, id: &str, status: &str) -> Option<FollowUp> {
    use JobState::*;
    let state = txn.st.domains[uuid].jobs.get(id).map(|j| j.state)?;
    let to = match (status, state) {
        ("running", Paused) => Running,
        ("running", Standby) => Ready,
        ("paused", Running | Created) => Paused,
        ("standby", Ready) => Standby,
        ("ready", Running) => Ready,
        ("pending", Running | Ready) => Pending,
        ("aborting", s) if s.is_live() && s != Aborting => Aborting,
        ("concluded", _) => return Some(FollowUp::Conclude(id.to_string())),
        _ => return None,
    };
    txn.job_move(uuid, id, to, None).ok()?;
    (to == Pending).then(|| FollowUp::Finalize(id.to_string()))
}

fn take_child(e: &mut Element, name: &str) -> Option<Element> {
    let at = e.children.iter().position(|n| matches!(n, Node::Element(c) if c.name == name))?;
    match e.children.remove(at) {
        Node::Element(c) => Some(c),
        Node::Text(_) => None,
    }
}

/// `def` with the images above chain index `base_at` of disk `target` pulled into its active
/// image: they leave the chain.
fn pulled(def: &DomainDef, target: &str, base_at: usize) -> Option<DomainDef> {
    let mut root = xml::parse(&def.to_xml(None, None)).ok()?;
    let disk = root.child_mut("devices")?.children.iter_mut().find_map(|n| match n {
        Node::Element(d) if d.name == "disk" && d.child("target").and_then(|t| t.attr("dev")) == Some(target) => Some(d),
        _ => None,
    })?;
    let mut rest = take_child(disk, "backingStore");
    for _ in 1..base_at {
        rest = rest.and_then(|mut b| take_child(&mut b, "backingStore"));
    }
    if let Some(base) = rest {
        disk.children.push(Node::Element(base));
    }
    DomainDef::parse(&root.to_xml()).ok()
}

/// The chain position of the image `spec` names on disk `target`: `vda[N]` (its index) or
/// its path.
fn chain_index(chain: &[config::Layer], target: &str, spec: &str) -> Result<usize> {
    let indexed = spec.strip_prefix(target).and_then(|r| r.strip_prefix('[')).and_then(|r| r.strip_suffix(']'));
    let found = match indexed.map(str::parse::<usize>) {
        Some(Ok(n)) => chain.iter().position(|l| l.index == n),
        Some(Err(_)) => None,
        None => chain.iter().position(|l| l.path == spec),
    };
    found.ok_or_else(|| VirError::invalid_arg(format!("could not find image '{spec}' in chain for '{target}'")))
}

impl Inner {
    /// virDomainBlockPull / virDomainBlockRebase without COPY: QEMU's `block-stream`.
    pub(super) fn block_pull(&self, dom: &DomainRef, disk: &str, base: Option<&str>, bandwidth: u64, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES | VIR_DOMAIN_BLOCK_REBASE_COPY | VIR_DOMAIN_JOB_PERSIST)?;
        if flags as i32 & VIR_DOMAIN_BLOCK_REBASE_COPY != 0 {
            return Err(super::no_support("virDomainBlockRebase with VIR_DOMAIN_BLOCK_REBASE_COPY"));
        }
        let persist = flags as i32 & VIR_DOMAIN_JOB_PERSIST != 0;
        let (monitor, name, args) = self.store.commit_on(dom, |txn, uuid| {
            let obj = &txn.st.domains[uuid];
            obj.require_active()?;
            let target = obj
                .def
                .find_disk(disk)
                .map(|d| d.target_dev.clone())
                .ok_or_else(|| VirError::invalid_arg(format!("disk '{disk}' not found in domain '{}'", obj.name)))?;
            if let Some(j) = obj.jobs.block_job(&target) {
                return Err(txn.invalid_op(format!("disk '{target}' already in active block job '{}'", j.name)));
            }
            let chain = config::disks(&obj.def).into_iter().find(|d| d.target == target).map(|d| d.chain).unwrap_or_default();
            let base_at = base.map(|b| chain_index(&chain, &target, b)).transpose()?.unwrap_or(chain.len());
            if base_at < 2 && chain.len() < 2 {
                return Err(VirError::invalid_arg(format!("disk '{target}' has no backing image to pull")));
            }
            if base_at == 0 {
                return Err(VirError::invalid_arg(format!("the base of a pull cannot be the active image of '{target}'")));
            }
            let monitor = obj.ext.monitor.clone().ok_or_else(|| txn.invalid_op(format!("domain '{}' is not running", obj.name)))?;
            let config = JobConfig { disk: Some(target.clone()), base: base.map(|_| format!("{target}[{base_at}]")), ..Default::default() };
            let job = Job::new(format!("block-pull-{target}"), JobKind::BlockPull, config, 0, bandwidth, persist);
            let name = txn.job_start(uuid, job)?;
            let mut args = json!({
                "job-id": name,
                "device": config::node_names(&target, chain[0].index).1,
                "auto-finalize": false,
                "auto-dismiss": false,
                "speed": bandwidth,
            });
            if base_at < chain.len() {
                args["base-node"] = Value::String(config::node_names(&target, chain[base_at].index).1);
            }
            txn.obj(uuid).ext.pulls.insert(name.clone(), (target, base_at));
            Ok((monitor, name, args))
        })?;
        if let Err(e) = monitor.execute("block-stream", Some(args)) {
            let error = monitor_error(&dom.name, e);
            let _ = self.store.commit_on(dom, |txn, uuid| txn.job_move(uuid, &name, JobState::Failed, Some(error.message.clone())));
            return Err(error);
        }
        Ok(())
    }

    /// Does what a status change left to do, on a thread of its own (commands cannot be sent
    /// from the monitor's reader, which must read their replies).
    pub(super) fn follow_up(self: &Arc<Self>, uuid: Uuid, follow_up: FollowUp) {
        let inner = self.clone();
        let spawned = std::thread::Builder::new().name("virtevent-qemu-job".into()).spawn(move || {
            crate::sys::block_async_signals();
            inner.run_follow_up(uuid, follow_up);
        });
        if spawned.is_err() {
            crate::debuglog::log(format_args!("cannot start a thread to end a QEMU job of domain {uuid}"));
        }
    }

    fn run_follow_up(&self, uuid: Uuid, follow_up: FollowUp) {
        let Some(monitor) = self.store.lock().domains.get(&uuid).and_then(|o| o.ext.monitor.clone()) else {
            return;
        };
        match follow_up {
            FollowUp::Finalize(id) => {
                let _ = monitor.execute("job-finalize", Some(json!({ "id": id })));
            }
            FollowUp::Conclude(id) => {
                let listed = monitor.execute("query-jobs", None).ok();
                let info = listed.as_ref().and_then(|l| l.as_array()).and_then(|l| l.iter().find(|j| j["id"] == id.as_str()));
                let error = info.and_then(|j| j.get("error")).and_then(Value::as_str).map(str::to_string);
                let progress = info.map(|j| (j["current-progress"].as_u64().unwrap_or(0), j["total-progress"].as_u64().unwrap_or(0)));
                let _ = self.store.commit(|txn| {
                    let Some(obj) = txn.st.domains.get_mut(&uuid) else { return Ok(()) };
                    let pull = obj.ext.pulls.remove(&id);
                    let Some(job) = obj.jobs.get_mut(&id) else { return Ok(()) };
                    if let Some((current, end)) = progress {
                        (job.current, job.end) = (current, end);
                    }
                    let state = job.state;
                    let to = match (state, &error) {
                        (JobState::Aborting, _) => JobState::Aborted,
                        (_, Some(_)) => JobState::Failed,
                        _ => JobState::Completed,
                    };
                    if to == JobState::Completed {
                        if let Some(def) = pull.and_then(|(target, base_at)| pulled(&obj.def, &target, base_at)) {
                            let _ = super::process::write_atomically(&self.paths.live_xml(&obj.name), &def.to_xml(None, None));
                            obj.def = Arc::new(def);
                        }
                        if state == JobState::Running {
                            // Concluded without a pending status seen: the work was done.
                            txn.job_move(&uuid, &id, JobState::Pending, None)?;
                        }
                    }
                    let error = if to == JobState::Failed { error.clone() } else { None };
                    txn.job_move(&uuid, &id, to, error)
                });
                let _ = monitor.execute("job-dismiss", Some(json!({ "id": id })));
            }
        }
    }

    /// Reads the progress of the domain's live jobs from QEMU into the job table (a runtime
    /// figure, like a block threshold: no new revision).
    pub(super) fn refresh_progress(&self, dom: &DomainRef) {
        let monitor = self.store.read(dom, |o| o.jobs.live().next().and(o.ext.monitor.clone())).ok().flatten();
        let Some(listed) = monitor.and_then(|m| m.execute("query-jobs", None).ok()) else {
            return;
        };
        let _ = self.store.commit_on(dom, |txn, uuid| {
            for info in listed.as_array().into_iter().flatten() {
                let Some(job) = info["id"].as_str().and_then(|id| txn.obj(uuid).jobs.get_mut(id)) else { continue };
                if let (Some(current), Some(end)) = (info["current-progress"].as_u64(), info["total-progress"].as_u64()) {
                    (job.current, job.end) = (current, end);
                }
            }
            Ok(())
        });
    }

    /// virDomainJobControl on a QEMU job: the state change is committed here or, for what
    /// QEMU has to do first, when its JOB_STATUS_CHANGE arrives.
    pub(super) fn job_control(&self, dom: &DomainRef, name: &str, op: JobOp, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        let (monitor, command) = self.store.commit_on(dom, |txn, uuid| {
            let effect = txn.job_check(uuid, name, op)?;
            let monitor = txn.st.domains[uuid].ext.monitor.clone();
            let command = match (op, effect) {
                (_, Effect::Dismiss) => {
                    txn.job_apply(uuid, name, Effect::Dismiss)?;
                    None
                }
                (JobOp::Abort, effect) => {
                    txn.job_apply(uuid, name, effect)?;
                    Some("job-cancel")
                }
                (JobOp::Pause, _) => Some("job-pause"),
                (JobOp::Resume, _) => Some("job-resume"),
                (JobOp::Finalize, _) => Some("job-finalize"),
                (JobOp::Dismiss, _) => None,
            };
            Ok((monitor, command))
        })?;
        match (monitor, command) {
            (Some(monitor), Some(command)) => monitor
                .execute(command, Some(json!({ "id": name })))
                .map(drop)
                // A job that ended meanwhile has nothing left to cancel.
                .or_else(|e| if op == JobOp::Abort { Ok(()) } else { Err(monitor_error(&dom.name, e)) }),
            _ => Ok(()),
        }
    }

    /// virDomainBlockJobAbort: aborts the disk's job and, unless ASYNC, waits for its end.
    pub(super) fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC)?;
        let name = self.store.read(dom, |o| {
            let target = o.def.find_disk(disk).map(|d| d.target_dev.clone()).unwrap_or_else(|| disk.to_string());
            o.jobs.block_job(&target).map(|j| j.name.clone()).ok_or_else(|| {
                VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, format!("No active block job '{target}'"))
            })
        })??;
        self.job_control(dom, &name, JobOp::Abort, 0)?;
        if flags as i32 & VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC == 0 {
            let uuid = dom.uuid;
            self.store.wait_until_deadline(Instant::now() + ABORT_WAIT, |st| {
                let live = st.domains.get(&uuid).and_then(|o| o.jobs.get(&name)).is_some_and(|j| !j.state.is_terminal());
                (!live).then_some(())
            });
        }
        Ok(())
    }

    pub(super) fn block_job_set_speed(&self, dom: &DomainRef, disk: &str, bandwidth: u64) -> Result<()> {
        let (monitor, name) = self.store.read(dom, |o| {
            let target = o.def.find_disk(disk).map(|d| d.target_dev.clone()).unwrap_or_else(|| disk.to_string());
            let job = o.jobs.block_job(&target).ok_or_else(|| {
                VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, format!("No active block job '{target}'"))
            })?;
            Ok::<_, VirError>((o.ext.monitor.clone(), job.name.clone()))
        })??;
        let monitor = monitor.ok_or_else(|| VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, "domain is not running"))?;
        monitor
            .execute("block-job-set-speed", Some(json!({ "device": name, "speed": bandwidth })))
            .map_err(|e| monitor_error(&dom.name, e))?;
        self.store.commit_on(dom, |txn, uuid| {
            if let Some(job) = txn.obj(uuid).jobs.get_mut(&name) {
                job.bandwidth = bandwidth;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_drops_the_pulled_images_from_the_chain() {
        let def = DomainDef::parse(
            "<domain type='qemu'><name>vm</name><memory>1024</memory><os><type>hvm</type></os><devices>\
             <disk type='file'><driver type='qcow2'/><source file='/top'/>\
             <backingStore type='file'><format type='qcow2'/><source file='/mid'/>\
             <backingStore type='file'><format type='raw'/><source file='/base'/></backingStore></backingStore>\
             <target dev='vda'/></disk></devices></domain>",
        )
        .unwrap();
        let chain = |d: &DomainDef| config::plan(d, false).unwrap().disks[0].chain.iter().map(|l| l.path.clone()).collect::<Vec<_>>();
        assert_eq!(chain(&pulled(&def, "vda", 3).unwrap()), ["/top"]);
        let partial = pulled(&config::annotated(&def).unwrap(), "vda", 2).unwrap();
        assert_eq!(chain(&partial), ["/top", "/base"]);
        let kept = config::plan(&partial, false).unwrap().disks[0].chain.clone();
        assert_eq!(kept.iter().map(|l| l.index).collect::<Vec<_>>(), [0, 2], "the base keeps its index");
        assert_eq!(chain_index(&kept, "vda", "vda[2]").unwrap(), 1);
        assert!(chain_index(&kept, "vda", "vda[1]").is_err());
        let layers = config::plan(&def, false).unwrap().disks[0].chain.clone();
        assert_eq!(chain_index(&layers, "vda", "vda[2]").unwrap(), 2);
        assert_eq!(chain_index(&layers, "vda", "/mid").unwrap(), 1);
        assert!(chain_index(&layers, "vda", "vda[3]").is_err() && chain_index(&layers, "vda", "/nope").is_err());
    }
}
