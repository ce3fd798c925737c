//! The test hypervisor's side of jobs: a disk model (images with capacity and allocation in
//! backing chains read from `<backingStore>`), each job's work (`end`) taken from it, and a
//! clock of its own (a ticker thread) that makes `current` grow at the job's bandwidth and
//! moves each job through the states it can reach, concluding it with its effect on the disks
//! or the domain. Everything goes through the core's transactions.

use super::{Inner, TestDomain, SAVE_MAGIC};
use crate::abi::*;
use crate::domains::{DomainObj, Txn};
use crate::error::{Result, VirError};
use crate::events::EventKind;
use crate::jobs::{Job, JobKind, JobState};
use crate::model::xml::{self, Element};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Every simulated image holds this much; layer `i` of a chain has `capacity >> (i + 1)`
/// allocated (the active image half, its backing file a quarter, …).
pub(crate) const DISK_CAPACITY: u64 = 1 << 30;
/// Bandwidth of a block job left at 0: a default-sized disk copies in well under a second.
pub const DEFAULT_BLOCK_BPS: u64 = 8 << 30;
/// Bandwidth of a memory job (save, dump, migration) left at 0.
pub const DEFAULT_MEMORY_BPS: u64 = 16 << 30;
/// How often the ticker moves jobs on.
const TICK: Duration = Duration::from_millis(5);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub path: String,
    pub capacity: u64,
    pub allocation: u64,
}

/// The chain of disk `target` (index 0: the active image), read from the domain's XML on
/// first use and kept as the runtime model after.
pub fn chain<'a>(obj: &'a mut DomainObj<TestDomain>, target: &str) -> Result<&'a mut Vec<Image>> {
    if !obj.ext.chains.contains_key(target) {
        let images = read_chain(&obj.def.to_xml(None, None), target)
            .ok_or_else(|| VirError::invalid_arg(format!("disk '{target}' not found in domain '{}'", obj.name)))?;
        obj.ext.chains.insert(target.to_string(), images);
    }
    Ok(obj.ext.chains.get_mut(target).expect("just inserted"))
}

fn source_path(e: &Element) -> Option<String> {
    let s = e.child("source")?;
    ["file", "dev", "volume", "name"].iter().find_map(|k| s.attr(k)).map(str::to_string)
}

fn read_chain(domain_xml: &str, target: &str) -> Option<Vec<Image>> {
    let root = xml::parse(domain_xml).ok()?;
    let disk = root
        .child("devices")?
        .elements()
        .find(|d| d.name == "disk" && d.child("target").and_then(|t| t.attr("dev")) == Some(target))?;
    let mut images = vec![];
    let mut layer = Some(disk);
    while let Some(e) = layer {
        let i = images.len() as u32;
        images.push(Image {
            path: source_path(e).unwrap_or_default(),
            capacity: DISK_CAPACITY,
            allocation: DISK_CAPACITY >> (i + 1).min(63),
        });
        layer = e.child("backingStore").filter(|b| b.child("source").is_some());
    }
    Some(images)
}

/// The chain index named by `spec`: `vda[N]`, or an image's path.
pub fn position(images: &[Image], target: &str, spec: &str) -> Result<usize> {
    if let Some(index) = spec.strip_prefix(target).and_then(|r| r.strip_prefix('[')).and_then(|r| r.strip_suffix(']')) {
        let i: usize = index.parse().map_err(|_| VirError::invalid_arg(format!("invalid chain position '{spec}'")))?;
        if i < images.len() {
            return Ok(i);
        }
    } else if let Some(i) = images.iter().position(|im| im.path == spec) {
        return Ok(i);
    }
    Err(VirError::invalid_arg(format!("could not find image '{spec}' in chain for '{target}'")))
}

pub fn allocated(images: &[Image]) -> u64 {
    images.iter().map(|i| i.allocation).sum()
}

/// The passes of a simulated migration: all of memory, then what was dirtied meanwhile
/// (half, then a quarter).
fn migration_pass(current: u64, memory: u64) -> i32 {
    if current < memory {
        1
    } else if current < memory + memory / 2 {
        2
    } else {
        3
    }
}

pub fn migration_end(memory: u64) -> u64 {
    memory + memory / 2 + memory / 4
}

fn rate(job: &Job) -> u64 {
    match job.bandwidth {
        0 if matches!(job.kind, JobKind::Save | JobKind::Dump | JobKind::Migration) => DEFAULT_MEMORY_BPS,
        0 => DEFAULT_BLOCK_BPS,
        b => b,
    }
}

/// Moves every job of the hypervisor on by `dt`: progress, READY or PENDING when the work is
/// done, conclusion of PENDING jobs (migration excepted: its blocked caller concludes it with
/// the destination), ABORTING to ABORTED.
pub fn tick(txn: &mut Txn<TestDomain>, dt: Duration) {
    let uuids: Vec<Uuid> = txn.st.domains.keys().copied().collect();
    for uuid in uuids {
        let names: Vec<String> = match txn.st.domains.get(&uuid) {
            Some(obj) => obj.jobs.live().map(|j| j.name.clone()).chain(aborting(obj)).collect(),
            None => continue,
        };
        for name in names {
            let Some(job) = txn.st.domains.get(&uuid).and_then(|o| o.jobs.get(&name)).cloned() else { continue };
            let result = match job.state {
                JobState::Running => progress(txn, &uuid, &job, dt),
                JobState::Pending if job.kind != JobKind::Migration => conclude(txn, &uuid, &name),
                JobState::Aborting => txn.job_move(&uuid, &name, JobState::Aborted, None),
                _ => Ok(()),
            };
            if let Err(e) = result {
                if txn.st.domains.get(&uuid).and_then(|o| o.jobs.get(&name)).is_some_and(|j| !j.state.is_terminal()) {
                    let _ = txn.job_move(&uuid, &name, JobState::Failed, Some(e.message));
                }
            }
        }
    }
}

fn aborting(obj: &DomainObj<TestDomain>) -> Vec<String> {
    obj.jobs.jobs.iter().filter(|j| j.state == JobState::Aborting).map(|j| j.name.clone()).collect()
}

fn progress(txn: &mut Txn<TestDomain>, uuid: &Uuid, job: &Job, dt: Duration) -> Result<()> {
    let step = (rate(job) as u128 * dt.as_nanos() / 1_000_000_000) as u64;
    let current = job.current.saturating_add(step.max(1)).min(job.end);
    let obj = txn.obj(uuid);
    let memory = obj.def.current_memory_kib() * 1024;
    obj.jobs.get_mut(&job.name).expect("listed").current = current;
    if job.kind == JobKind::Migration {
        for pass in migration_pass(job.current, memory) + 1..=migration_pass(current, memory) {
            txn.emit(uuid, EventKind::MigrationIteration { iteration: pass });
        }
    }
    if current >= job.end {
        let done = if job.kind.waits_ready() { JobState::Ready } else { JobState::Pending };
        txn.job_move(uuid, &job.name, done, None)?;
    }
    Ok(())
}

/// Carries out what a finished job does, then completes it.
pub fn conclude(txn: &mut Txn<TestDomain>, uuid: &Uuid, name: &str) -> Result<()> {
    let job = txn.st.domains[uuid].jobs.get(name).cloned().expect("listed");
    let target = job.config.disk.clone().unwrap_or_default();
    match job.kind {
        JobKind::BlockPull => {
            let obj = txn.obj(uuid);
            let images = chain(obj, &target)?;
            let base = job.config.base.as_deref().map(|b| position(images, &target, b)).transpose()?.unwrap_or(images.len());
            let pulled = allocated(&images[1..base]);
            images[0].allocation = (images[0].allocation + pulled).min(images[0].capacity);
            // The active image grew: its thresholds fire before the chain's positions shift.
            super::inject::fire_thresholds(txn, uuid, &target, 0)?;
            let obj = txn.obj(uuid);
            chain(obj, &target)?.drain(1..base);
            super::inject::forget_thresholds_from(obj, &target, 1);
        }
        JobKind::BlockCommit | JobKind::BlockCommitActive => {
            let obj = txn.obj(uuid);
            let images = chain(obj, &target)?;
            let top = job.config.top.as_deref().map(|t| position(images, &target, t)).transpose()?.unwrap_or(0);
            let base = job.config.base.as_deref().map(|b| position(images, &target, b)).transpose()?.unwrap_or(images.len() - 1);
            let committed = allocated(&images[top..base]);
            images[base].allocation = (images[base].allocation + committed).min(images[base].capacity);
            // The base grew: its thresholds fire before the chain's positions shift.
            super::inject::fire_thresholds(txn, uuid, &target, base)?;
            let obj = txn.obj(uuid);
            chain(obj, &target)?.drain(top..base);
            super::inject::forget_thresholds_from(obj, &target, top);
        }
        JobKind::BlockCopy => {
            let obj = txn.obj(uuid);
            let images = chain(obj, &target)?;
            let destination = job.config.destination.clone().unwrap_or_default();
            let shallow = job.config.top.is_some();
            let copy = Image { path: destination, capacity: images[0].capacity, allocation: job.end.min(images[0].capacity) };
            if shallow {
                images[0] = copy;
            } else {
                *images = vec![copy];
            }
        }
        JobKind::Save => {
            let obj = &txn.st.domains[uuid];
            let path = job.config.file.clone().unwrap_or_default();
            if path.is_empty() {
                // A managed save: the image is the hypervisor's own.
                txn.obj(uuid).managed_save = true;
            } else {
                let image = format!("{SAVE_MAGIC}\n{}\n{}", obj.state.state, obj.def.to_xml(None, None));
                std::fs::write(&path, image).map_err(|e| VirError::system(format!("failed to write saved image '{path}': {e}")))?;
            }
            txn.job_move(uuid, name, JobState::Completed, None)?;
            txn.stop(uuid, VIR_DOMAIN_SHUTOFF_SAVED, VIR_DOMAIN_EVENT_STOPPED_SAVED);
            return Ok(());
        }
        JobKind::Dump => {
            let path = job.config.file.clone().unwrap_or_default();
            let obj = &txn.st.domains[uuid];
            let text = format!("virtevent core dump of '{}' ({} bytes of memory)\n", obj.name, job.end);
            std::fs::write(&path, text).map_err(|e| VirError::system(format!("failed to write core dump '{path}': {e}")))?;
        }
        JobKind::Backup => {
            txn.obj(uuid).ext.backup = None;
        }
        JobKind::Migration | JobKind::BlockdevCreate => {}
    }
    txn.job_move(uuid, name, JobState::Completed, None)
}

/// Starts the hypervisor's clock if it is not running; it stops by itself once no job is
/// left to move on.
pub fn ensure_ticker(inner: &Arc<Inner>) {
    let mut running = inner.ticker_running.lock();
    if *running {
        return;
    }
    let weak = Arc::downgrade(inner);
    let spawned = std::thread::Builder::new().name("virtevent-test-jobs".into()).spawn(move || run_ticker(weak));
    *running = spawned.is_ok();
}

fn run_ticker(weak: Weak<Inner>) {
    let mut last = Instant::now();
    loop {
        std::thread::sleep(TICK);
        let Some(inner) = weak.upgrade() else { return };
        let now = Instant::now();
        let dt = now - last;
        last = now;
        let _ = inner.store.commit(|txn| {
            tick(txn, dt);
            Ok(())
        });
        // Checked under the flag's lock, which a job's starter takes after committing it: a
        // job started meanwhile is seen here, or its starter sees the flag down.
        let mut running = inner.ticker_running.lock();
        let busy = inner.store.lock().domains.values().any(|o| o.jobs.jobs.iter().any(|j| !j.state.is_terminal()));
        if !busy {
            *running = false;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<domain type='test'><name>vm</name><memory>1024</memory><os><type>hvm</type></os><devices>\
        <disk type='file' device='disk'><source file='/top.qcow2'/>\
          <backingStore type='file'><format type='qcow2'/><source file='/mid.qcow2'/>\
            <backingStore type='file'><format type='raw'/><source file='/base.img'/><backingStore/></backingStore>\
          </backingStore><target dev='vda'/></disk></devices></domain>";

    #[test]
    fn chains_come_from_backing_store_and_positions_name_layers() {
        let images = read_chain(XML, "vda").unwrap();
        let paths: Vec<&str> = images.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["/top.qcow2", "/mid.qcow2", "/base.img"]);
        assert_eq!(allocated(&images), DISK_CAPACITY / 2 + DISK_CAPACITY / 4 + DISK_CAPACITY / 8);
        assert_eq!(position(&images, "vda", "vda[2]").unwrap(), 2);
        assert_eq!(position(&images, "vda", "/mid.qcow2").unwrap(), 1);
        assert!(position(&images, "vda", "vda[3]").is_err());
        assert!(read_chain(XML, "vdb").is_none());
    }

    #[test]
    fn migration_passes_follow_the_dirty_memory() {
        let m = 1000;
        assert_eq!(migration_end(m), 1750);
        assert_eq!((migration_pass(0, m), migration_pass(1000, m), migration_pass(1600, m)), (1, 2, 3));
    }
}
