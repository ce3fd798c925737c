//! QEMU's jobs as jobs of the job API. A block pull is QEMU's `block-stream` job, a commit its
//! `block-commit`, a copy its `blockdev-mirror` (an active commit and a copy wait READY for the
//! pivot), each started with
//! `auto-finalize` and `auto-dismiss` off so that its end is the library's to commit: QEMU's
//! `JOB_STATUS_CHANGE` events move the job through the core's state machine (with JOB_STATE
//! and the old BLOCK_JOB events), the library finalizes a pending pull, reads a concluded
//! job's outcome with `query-jobs`, commits it (a completed pull drops the pulled images from
//! the disk's chain) and dismisses it in QEMU. Progress comes from `query-jobs`.

use super::config;
use super::qmp::Monitor;
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

/// What a completed pull, commit or copy does to its disk's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainEdit {
    /// The images at positions `from..to` leave the chain (a pull: `1..base`; a commit:
    /// `top..base`).
    Drop { target: String, from: usize, to: usize },
    /// The copy becomes the active image, alone or (shallow) over the old backing chain.
    /// Ended any other way, its nodes leave QEMU.
    Copy { target: String, path: String, format: &'static str, index: usize, shallow: bool },
}

/// What a job status change leaves for a thread other than the monitor's reader to do.
#[derive(Debug, PartialEq, Eq)]
pub enum FollowUp {
    Finalize(String),
    Conclude(String),
    /// One disk's job of a backup has concluded.
    ConcludeBackup(String),
    /// The guest powered off for virDomainReboot: QEMU is reset and let run again.
    Reboot,
    /// A job QEMU runs that the job table does not know (one started before the application
    /// restarted) has concluded: QEMU forgets it, so its ID can be used again.
    Forget(String),
}

/// Commits what QEMU's `JOB_STATUS_CHANGE` says of job `id`.
pub fn status_changed(txn: &mut Txn<QemuDomain>, uuid: &Uuid, id: &str, status: &str) -> Option<FollowUp> {
    use JobState::*;
    let Some(state) = txn.st.domains[uuid].jobs.get(id).map(|j| j.state) else {
        return (status == "concluded").then(|| FollowUp::Forget(id.to_string()));
    };
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

/// `def` with the images at chain positions `from..to` of disk `target` gone from its chain
/// (a pull: `1..base`, a commit: `top..base`); with `from` 0 the image at `to` becomes the
/// active one, keeping its index.
fn rechained(def: &DomainDef, target: &str, from: usize, to: usize) -> Option<DomainDef> {
    let mut root = xml::parse(&def.to_xml(None, None)).ok()?;
    let disk = root.child_mut("devices")?.children.iter_mut().find_map(|n| match n {
        Node::Element(d) if d.name == "disk" && d.child("target").and_then(|t| t.attr("dev")) == Some(target) => Some(d),
        _ => None,
    })?;
    let mut parent: &mut Element = disk;
    for _ in 1..from {
        parent = parent.child_mut("backingStore")?;
    }
    let start = if from == 0 { 1 } else { from };
    let mut rest = take_child(parent, "backingStore");
    for _ in start..to {
        rest = rest.and_then(|mut b| take_child(&mut b, "backingStore"));
    }
    match (from, rest) {
        (0, Some(mut promoted)) => {
            let mut source = take_child(&mut promoted, "source")?;
            if let Some(index) = promoted.attr("index") {
                source.set_attr("index", index.to_string());
            }
            let format = promoted.child("format").and_then(|f| f.attr("type")).unwrap_or("raw").to_string();
            take_child(parent, "source");
            parent.children.push(Node::Element(source));
            if parent.child("driver").is_none() {
                parent.children.push(Node::Element(Element::new("driver")));
            }
            parent.child_mut("driver")?.set_attr("type", format);
            if let Some(below) = take_child(&mut promoted, "backingStore") {
                parent.children.push(Node::Element(below));
            }
        }
        (0, None) => return None,
        (_, Some(kept)) => parent.children.push(Node::Element(kept)),
        (_, None) => {}
    }
    DomainDef::parse(&root.to_xml()).ok()
}

/// `def` with the copy at `path` as disk `target`'s active image, with `index`; a full copy
/// has no backing chain, a shallow one keeps the old one.
fn copied(def: &DomainDef, target: &str, path: &str, format: &str, index: usize, shallow: bool) -> Option<DomainDef> {
    let mut root = xml::parse(&def.to_xml(None, None)).ok()?;
    let disk = root.child_mut("devices")?.children.iter_mut().find_map(|n| match n {
        Node::Element(d) if d.name == "disk" && d.child("target").and_then(|t| t.attr("dev")) == Some(target) => Some(d),
        _ => None,
    })?;
    take_child(disk, "source");
    let mut source = Element::new("source");
    source.set_attr("file", path);
    source.set_attr("index", index.to_string());
    disk.children.push(Node::Element(source));
    if disk.child("driver").is_none() {
        disk.children.push(Node::Element(Element::new("driver")));
    }
    disk.child_mut("driver")?.set_attr("type", format);
    if !shallow {
        take_child(disk, "backingStore");
    }
    DomainDef::parse(&root.to_xml()).ok()
}

/// The disk a block job is asked for on a running domain (by target, alias or path), refused
/// while another block job works on it: the domain's monitor, the disk's target and its image
/// chain, active image first.
fn block_job_disk(txn: &Txn<QemuDomain>, uuid: &Uuid, disk: &str) -> Result<(Arc<Monitor>, String, Vec<config::Layer>)> {
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
    let monitor = obj.ext.monitor.clone().ok_or_else(|| txn.invalid_op(format!("domain '{}' is not running", obj.name)))?;
    Ok((monitor, target, chain))
}

/// The virtual size of the image QEMU's node `node` (of disk `target`) holds.
pub(super) fn disk_size(monitor: &Monitor, domain: &str, target: &str, node: &str) -> Result<u64> {
    let nodes = monitor.execute("query-named-block-nodes", Some(json!({ "flat": true }))).map_err(|e| monitor_error(domain, e))?;
    nodes
        .as_array()
        .and_then(|l| l.iter().find(|n| n["node-name"] == node))
        .and_then(|n| n.pointer("/image/virtual-size"))
        .and_then(Value::as_u64)
        .ok_or_else(|| VirError::internal(format!("QEMU did not report the size of disk '{target}'")))
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
        check_flags(
            flags,
            VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES
                | VIR_DOMAIN_BLOCK_REBASE_COPY
                | VIR_DOMAIN_BLOCK_REBASE_COPY_RAW
                | VIR_DOMAIN_BLOCK_REBASE_SHALLOW
                | VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT
                | VIR_DOMAIN_JOB_PERSIST,
        )?;
        let flag = |f: i32| flags as i32 & f != 0;
        if flag(VIR_DOMAIN_BLOCK_REBASE_COPY) {
            // A copy to the file `base`, raw (QEMU does not guess a format here).
            let dest = base.ok_or_else(|| VirError::invalid_arg("a block copy needs a destination (base)"))?;
            let mut source = Element::new("source");
            source.set_attr("file", dest);
            let mut driver = Element::new("driver");
            driver.set_attr("type", "raw");
            let mut disk_xml = Element::new("disk");
            disk_xml.set_attr("type", "file");
            disk_xml.children.extend([Node::Element(source), Node::Element(driver)]);
            let copy_flags = [
                (VIR_DOMAIN_BLOCK_REBASE_SHALLOW, VIR_DOMAIN_BLOCK_COPY_SHALLOW),
                (VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT, VIR_DOMAIN_BLOCK_COPY_REUSE_EXT),
                (VIR_DOMAIN_JOB_PERSIST, VIR_DOMAIN_JOB_PERSIST),
            ]
            .iter()
            .filter(|(from, _)| flag(*from))
            .fold(0, |acc, (_, to)| acc | to);
            return self.block_copy(dom, disk, &disk_xml.to_xml(), bandwidth, copy_flags as u32);
        }
        if flag(VIR_DOMAIN_BLOCK_REBASE_COPY_RAW | VIR_DOMAIN_BLOCK_REBASE_SHALLOW | VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT) {
            return Err(VirError::invalid_arg("COPY_RAW, SHALLOW and REUSE_EXT go with VIR_DOMAIN_BLOCK_REBASE_COPY"));
        }
        let persist = flags as i32 & VIR_DOMAIN_JOB_PERSIST != 0;
        let (monitor, name, args) = self.store.commit_on(dom, |txn, uuid| {
            let (monitor, target, chain) = block_job_disk(txn, uuid, disk)?;
            let base_at = base.map(|b| chain_index(&chain, &target, b)).transpose()?.unwrap_or(chain.len());
            if chain.len() < 2 {
                return Err(VirError::invalid_arg(format!("disk '{target}' has no backing image to pull")));
            }
            if base_at == 0 {
                return Err(VirError::invalid_arg(format!("the base of a pull cannot be the active image of '{target}'")));
            }
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
            txn.obj(uuid).ext.chain_edits.insert(name.clone(), ChainEdit::Drop { target, from: 1, to: base_at });
            Ok((monitor, name, args))
        })?;
        if let Err(e) = monitor.execute("block-stream", Some(args)) {
            let error = monitor_error(&dom.name, e);
            let _ = self.store.commit_on(dom, |txn, uuid| txn.job_move(uuid, &name, JobState::Failed, Some(error.message.clone())));
            return Err(error);
        }
        Ok(())
    }

    /// virDomainBlockCommit: QEMU's `block-commit` of the images from `top` (default the active
    /// one) down into `base` (default the deepest; with SHALLOW the one below `top`). An
    /// active commit waits READY for FINALIZE (the pivot: `job-complete`) or ABORT.
    pub(super) fn block_commit(&self, dom: &DomainRef, disk: &str, base: Option<&str>, top: Option<&str>, bandwidth: u64, flags: u32) -> Result<()> {
        check_flags(
            flags,
            VIR_DOMAIN_BLOCK_COMMIT_SHALLOW
                | VIR_DOMAIN_BLOCK_COMMIT_ACTIVE
                | VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES
                | VIR_DOMAIN_BLOCK_COMMIT_DELETE
                | VIR_DOMAIN_BLOCK_COMMIT_RELATIVE
                | VIR_DOMAIN_JOB_PERSIST,
        )?;
        if flags as i32 & (VIR_DOMAIN_BLOCK_COMMIT_DELETE | VIR_DOMAIN_BLOCK_COMMIT_RELATIVE) != 0 {
            return Err(super::no_support("virDomainBlockCommit with DELETE or RELATIVE"));
        }
        let persist = flags as i32 & VIR_DOMAIN_JOB_PERSIST != 0;
        let active_flag = flags as i32 & VIR_DOMAIN_BLOCK_COMMIT_ACTIVE != 0;
        let shallow = flags as i32 & VIR_DOMAIN_BLOCK_COMMIT_SHALLOW != 0;
        let (monitor, name, args) = self.store.commit_on(dom, |txn, uuid| {
            let (monitor, target, chain) = block_job_disk(txn, uuid, disk)?;
            let top_at = top.map(|t| chain_index(&chain, &target, t)).transpose()?.unwrap_or(0);
            if top_at + 1 >= chain.len() {
                return Err(VirError::invalid_arg(format!("top '{target}[{}]' in chain for '{target}' has no backing file", chain.get(top_at).map_or(0, |l| l.index))));
            }
            let base_at = match (base, shallow) {
                (Some(b), _) => chain_index(&chain, &target, b)?,
                (None, true) => top_at + 1,
                (None, false) => chain.len() - 1,
            };
            if base_at <= top_at {
                return Err(VirError::invalid_arg(format!("base '{target}[{}]' is not below top '{target}[{}]'", chain[base_at].index, chain[top_at].index)));
            }
            let active = top_at == 0;
            if active != active_flag {
                return Err(VirError::invalid_arg(if active {
                    format!("commit of the active image of '{target}' requires VIR_DOMAIN_BLOCK_COMMIT_ACTIVE")
                } else {
                    format!("active commit requested but '{target}[{}]' is not active", chain[top_at].index)
                }));
            }
            let kind = if active { JobKind::BlockCommitActive } else { JobKind::BlockCommit };
            let config = JobConfig {
                disk: Some(target.clone()),
                top: Some(format!("{target}[{}]", chain[top_at].index)),
                base: Some(format!("{target}[{}]", chain[base_at].index)),
                ..Default::default()
            };
            let job = Job::new(format!("{}-{target}", kind.name()), kind, config, 0, bandwidth, persist);
            let name = txn.job_start(uuid, job)?;
            let node = |at: usize| config::node_names(&target, chain[at].index).1;
            let args = json!({
                "job-id": name,
                "device": node(0),
                "top-node": node(top_at),
                "base-node": node(base_at),
                "auto-finalize": false,
                "auto-dismiss": false,
                "speed": bandwidth,
            });
            txn.obj(uuid).ext.chain_edits.insert(name.clone(), ChainEdit::Drop { target, from: top_at, to: base_at });
            Ok((monitor, name, args))
        })?;
        if let Err(e) = monitor.execute("block-commit", Some(args)) {
            let error = monitor_error(&dom.name, e);
            let _ = self.store.commit_on(dom, |txn, uuid| txn.job_move(uuid, &name, JobState::Failed, Some(error.message.clone())));
            return Err(error);
        }
        Ok(())
    }

    /// virDomainBlockCopy (and virDomainBlockRebase with COPY): QEMU's `blockdev-mirror` of
    /// disk `disk` to a file (`dest_xml`: a `<disk type='file'>` with a `<source file>` and a
    /// raw or qcow2 `<driver type>`), created raw unless REUSE_EXT. The job waits READY for
    /// FINALIZE (the pivot: the copy becomes the disk) or ABORT (the disk stays as it was).
    pub(super) fn block_copy(&self, dom: &DomainRef, disk: &str, dest_xml: &str, bandwidth: u64, flags: u32) -> Result<()> {
        check_flags(
            flags,
            VIR_DOMAIN_BLOCK_COPY_SHALLOW | VIR_DOMAIN_BLOCK_COPY_REUSE_EXT | VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB | VIR_DOMAIN_JOB_PERSIST,
        )?;
        let shallow = flags as i32 & VIR_DOMAIN_BLOCK_COPY_SHALLOW != 0;
        let reuse = flags as i32 & VIR_DOMAIN_BLOCK_COPY_REUSE_EXT != 0;
        let unsupported = |what: String| VirError::new(VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_QEMU, format!("{what} is not supported by the QEMU backend"));
        let root = xml::parse(dest_xml).map_err(|e| VirError::new(VIR_ERR_XML_DETAIL, VIR_FROM_DOMAIN, format!("(disk_definition):{e}")))?;
        if root.name != "disk" {
            return Err(VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, format!("unexpected root element <{}>, expecting <disk>", root.name)));
        }
        if root.attr("type").is_some_and(|t| t != "file") {
            return Err(unsupported(format!("a copy destination <disk type={}>", xml::quoted(root.attr("type").unwrap_or("")))));
        }
        if let Some(other) = root.elements().find(|e| !matches!(e.name.as_str(), "source" | "driver")) {
            return Err(unsupported(format!("<{}> in a copy destination", other.name)));
        }
        let path = root
            .child("source")
            .and_then(|s| s.attr("file"))
            .filter(|p| p.starts_with('/') && !p.contains('\0'))
            .ok_or_else(|| VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, "the copy destination needs a <source file> with an absolute path"))?
            .to_string();
        let format = match root.child("driver").and_then(|d| d.attr("type")).unwrap_or("raw") {
            "raw" => "raw",
            "qcow2" => "qcow2",
            other => return Err(unsupported(format!("copy destination format {}", xml::quoted(other)))),
        };
        if !reuse && format != "raw" {
            return Err(unsupported("creating a qcow2 copy destination (create it and pass REUSE_EXT)".into()));
        }
        if reuse && !std::path::Path::new(&path).exists() {
            return Err(VirError::invalid_arg(format!("the copy destination '{path}' does not exist (REUSE_EXT)")));
        }
        let persist = flags as i32 & VIR_DOMAIN_JOB_PERSIST != 0;
        let (monitor, name, target, chain, index) = self.store.commit_on(dom, |txn, uuid| {
            let (monitor, target, chain) = block_job_disk(txn, uuid, disk)?;
            if chain.is_empty() {
                return Err(VirError::invalid_arg(format!("disk '{target}' has no image to copy")));
            }
            let index = chain.iter().map(|l| l.index).max().unwrap_or(0) + 1;
            let config = JobConfig {
                disk: Some(target.clone()),
                top: shallow.then(|| format!("{target}[{}]", chain[0].index)),
                destination: Some(path.clone()),
                ..Default::default()
            };
            let name = txn.job_start(uuid, Job::new(format!("block-copy-{target}"), JobKind::BlockCopy, config, 0, bandwidth, persist))?;
            let edit = ChainEdit::Copy { target: target.clone(), path: path.clone(), format, index, shallow };
            txn.obj(uuid).ext.chain_edits.insert(name.clone(), edit);
            Ok((monitor, name, target, chain, index))
        })?;
        let (file_node, fmt_node) = config::node_names(&target, index);
        let started = (|| -> Result<()> {
            let fail = |e| monitor_error(&dom.name, e);
            if !reuse {
                // A raw copy as large as the disk.
                let size = disk_size(&monitor, &dom.name, &target, &config::node_names(&target, chain[0].index).1)?;
                std::fs::File::create(&path)
                    .and_then(|f| f.set_len(size))
                    .map_err(|e| VirError::system(format!("cannot create the copy destination '{path}': {e}")))?;
            }
            monitor.execute("blockdev-add", Some(json!({ "driver": "file", "filename": path, "node-name": file_node }))).map_err(fail)?;
            let mut fmt = json!({ "driver": format, "file": file_node, "node-name": fmt_node });
            if format == "qcow2" {
                fmt["backing"] = match (shallow, chain.get(1)) {
                    (true, Some(below)) => Value::String(config::node_names(&target, below.index).1),
                    _ => Value::Null,
                };
            }
            monitor.execute("blockdev-add", Some(fmt)).map_err(fail)?;
            let args = json!({
                "job-id": name,
                "device": config::node_names(&target, chain[0].index).1,
                "target": fmt_node,
                "sync": if shallow { "top" } else { "full" },
                "auto-finalize": false,
                "auto-dismiss": false,
                "speed": bandwidth,
            });
            monitor.execute("blockdev-mirror", Some(args)).map(drop).map_err(fail)
        })();
        if let Err(error) = started {
            for node in [&fmt_node, &file_node] {
                let _ = monitor.execute("blockdev-del", Some(json!({ "node-name": node })));
            }
            let _ = self.store.commit_on(dom, |txn, uuid| {
                txn.obj(uuid).ext.chain_edits.remove(&name);
                txn.job_move(uuid, &name, JobState::Failed, Some(error.message.clone()))
            });
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
            FollowUp::Reboot => {
                // RESET becomes REBOOT as any reset does; the STOP and RESUME around it are no
                // pause of the domain.
                let _ = monitor.execute("system_reset", None);
                let _ = monitor.execute("cont", None);
                let _ = self.store.commit(|txn| {
                    if let Some(obj) = txn.st.domains.get_mut(&uuid) {
                        obj.ext.rebooting = false;
                    }
                    Ok(())
                });
            }
            FollowUp::ConcludeBackup(id) => self.conclude_backup(uuid, &monitor, &id),
            FollowUp::Forget(id) => {
                let _ = monitor.execute("job-dismiss", Some(json!({ "id": id })));
            }
            FollowUp::Conclude(id) => {
                let listed = monitor.execute("query-jobs", None).ok();
                let info = listed.as_ref().and_then(|l| l.as_array()).and_then(|l| l.iter().find(|j| j["id"] == id.as_str()));
                let error = info.and_then(|j| j.get("error")).and_then(Value::as_str).map(str::to_string);
                let progress = info.map(|j| (j["current-progress"].as_u64().unwrap_or(0), j["total-progress"].as_u64().unwrap_or(0)));
                // Nodes no image of the disk uses any more, to remove from QEMU afterwards.
                let mut unused: Vec<String> = Vec::new();
                let _ = self.store.commit(|txn| {
                    let Some(obj) = txn.st.domains.get_mut(&uuid) else { return Ok(()) };
                    let edit = obj.ext.chain_edits.remove(&id);
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
                    let node_pair = |target: &str, index: usize| {
                        let (file, fmt) = config::node_names(target, index);
                        [fmt, file]
                    };
                    if let (Some(ChainEdit::Copy { target, index, .. }), false) = (&edit, to == JobState::Completed) {
                        unused.extend(node_pair(target, *index));
                    }
                    if let (Some(ChainEdit::Copy { target, shallow, .. }), true) = (&edit, to == JobState::Completed) {
                        let chain = config::disks(&obj.def).into_iter().find(|d| &d.target == target).map(|d| d.chain).unwrap_or_default();
                        let left = if *shallow { chain.iter().take(1).collect::<Vec<_>>() } else { chain.iter().collect() };
                        unused.extend(left.into_iter().flat_map(|l| node_pair(target, l.index)));
                    }
                    if to == JobState::Completed {
                        let edited = edit.and_then(|edit| match edit {
                            ChainEdit::Drop { target, from, to } => rechained(&obj.def, &target, from, to),
                            ChainEdit::Copy { target, path, format, index, shallow } => copied(&obj.def, &target, &path, format, index, shallow),
                        });
                        if let Some(def) = edited {
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
                for node in unused {
                    let _ = monitor.execute("blockdev-del", Some(json!({ "node-name": node })));
                }
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
            let obj = txn.obj(uuid);
            for info in listed.as_array().into_iter().flatten() {
                let (Some(id), Some(current), Some(end)) = (info["id"].as_str(), info["current-progress"].as_u64(), info["total-progress"].as_u64()) else {
                    continue;
                };
                // A backup's disks are QEMU jobs of their own; the job API's `backup` is their sum.
                let (name, (current, end)) = match obj.ext.backup.as_mut().filter(|b| b.owns(id)) {
                    Some(b) => ("backup", b.record_progress(id, current, end)),
                    None => (id, (current, end)),
                };
                if let Some(job) = obj.jobs.get_mut(name) {
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
        let (monitor, command, ids) = self.store.commit_on(dom, |txn, uuid| {
            let effect = txn.job_check(uuid, name, op)?;
            let monitor = txn.st.domains[uuid].ext.monitor.clone();
            // The QEMU jobs behind the job: a backup's one per disk.
            let ids = match &txn.st.domains[uuid].ext.backup {
                Some(b) if txn.st.domains[uuid].jobs.get(name).is_some_and(|j| j.kind == JobKind::Backup) => b.live_jobs(),
                _ => vec![name.to_string()],
            };
            let ready = txn.st.domains[uuid].jobs.get(name).is_some_and(|j| j.state == JobState::Ready);
            let command = match (op, effect) {
                (_, Effect::Dismiss) => {
                    txn.job_apply(uuid, name, Effect::Dismiss)?;
                    None
                }
                (JobOp::Abort, _) if txn.st.domains[uuid].jobs.get(name).is_some_and(|j| j.kind == JobKind::Dump) => {
                    // QEMU cannot cancel dump-guest-memory; libvirt's QEMU driver refuses it likewise.
                    return Err(txn.invalid_op("cannot abort memory-only dump"));
                }
                (JobOp::Abort, effect) => {
                    let saving = txn.st.domains[uuid].jobs.get(name).is_some_and(|j| j.kind == JobKind::Save);
                    txn.job_apply(uuid, name, effect)?;
                    // A save is QEMU's migration, not one of its jobs.
                    Some(if saving { "migrate_cancel" } else { "job-cancel" })
                }
                (JobOp::Pause, _) => Some("job-pause"),
                (JobOp::Resume, _) => Some("job-resume"),
                // In READY the pivot: QEMU then goes on to PENDING, and the library finalizes.
                (JobOp::Finalize, _) if ready => Some("job-complete"),
                (JobOp::Finalize, _) => Some("job-finalize"),
                (JobOp::Dismiss, _) => None,
            };
            Ok((monitor, command, ids))
        })?;
        let (Some(monitor), Some(command)) = (monitor, command) else { return Ok(()) };
        for id in ids {
            monitor
                .execute(command, (command != "migrate_cancel").then(|| json!({ "id": id })))
                .map(drop)
                // A job that ended meanwhile has nothing left to cancel.
                .or_else(|e| if op == JobOp::Abort { Ok(()) } else { Err(monitor_error(&dom.name, e)) })?;
        }
        Ok(())
    }

    /// virDomainBlockJobAbort: aborts the disk's job (with PIVOT: finalizes a READY one) and,
    /// unless ASYNC, waits for its end.
    pub(super) fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC | VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)?;
        let pivot = flags as i32 & VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT != 0;
        let name = self.store.read(dom, |o| {
            let target = o.def.find_disk(disk).map(|d| d.target_dev.clone()).unwrap_or_else(|| disk.to_string());
            let job = o.jobs.block_job(&target).ok_or_else(|| {
                VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, format!("No active block job '{target}'"))
            })?;
            if pivot && job.state != JobState::Ready {
                return Err(VirError::new(
                    VIR_ERR_BLOCK_COPY_ACTIVE,
                    VIR_FROM_QEMU,
                    format!("block job '{}' not ready for pivot yet ({})", job.name, job.state.name()),
                ));
            }
            Ok(job.name.clone())
        })??;
        self.job_control(dom, &name, if pivot { JobOp::Finalize } else { JobOp::Abort }, 0)?;
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
    fn pulls_and_commits_take_images_out_of_the_chain() {
        let def = DomainDef::parse(
            "<domain type='qemu'><name>vm</name><memory>1024</memory><os><type>hvm</type></os><devices>\
             <disk type='file'><driver type='qcow2'/><source file='/top'/>\
             <backingStore type='file'><format type='qcow2'/><source file='/mid'/>\
             <backingStore type='file'><format type='raw'/><source file='/base'/></backingStore></backingStore>\
             <target dev='vda'/></disk></devices></domain>",
        )
        .unwrap();
        let chain = |d: &DomainDef| config::plan(d, false).unwrap().disks[0].chain.iter().map(|l| l.path.clone()).collect::<Vec<_>>();
        assert_eq!(chain(&rechained(&def, "vda", 1, 3).unwrap()), ["/top"]);
        let partial = rechained(&config::annotated(&def).unwrap(), "vda", 1, 2).unwrap();
        assert_eq!(chain(&partial), ["/top", "/base"]);
        let kept = config::plan(&partial, false).unwrap().disks[0].chain.clone();
        assert_eq!(kept.iter().map(|l| l.index).collect::<Vec<_>>(), [0, 2], "the base keeps its index");
        assert_eq!(chain_index(&kept, "vda", "vda[2]").unwrap(), 1);
        assert!(chain_index(&kept, "vda", "vda[1]").is_err());

        // Commits: the middle image into the base; the active image into the middle one.
        let marked = config::annotated(&def).unwrap();
        assert_eq!(chain(&rechained(&marked, "vda", 1, 2).unwrap()), ["/top", "/base"]);
        let active = rechained(&marked, "vda", 0, 1).unwrap();
        let layers = config::plan(&active, false).unwrap().disks[0].chain.clone();
        assert_eq!(layers.iter().map(|l| (l.path.as_str(), l.format, l.index)).collect::<Vec<_>>(), [("/mid", "qcow2", 1), ("/base", "raw", 2)]);
        let flat = rechained(&marked, "vda", 0, 2).unwrap();
        let layers = config::plan(&flat, false).unwrap().disks[0].chain.clone();
        assert_eq!(layers.iter().map(|l| (l.path.as_str(), l.format, l.index)).collect::<Vec<_>>(), [("/base", "raw", 2)]);
        let layers = config::plan(&def, false).unwrap().disks[0].chain.clone();
        assert_eq!(chain_index(&layers, "vda", "vda[2]").unwrap(), 2);
        assert_eq!(chain_index(&layers, "vda", "/mid").unwrap(), 1);
        assert!(chain_index(&layers, "vda", "vda[3]").is_err() && chain_index(&layers, "vda", "/nope").is_err());
    }
}
