//! The test hypervisor's calls that start and control jobs, in libvirt's terms: block pull,
//! rebase, commit (active commit too), copy, backup, save, managed save, core dump and
//! migration, plus the old job API on the same jobs.

use super::jobs::{self, allocated, chain, migration_end, position};
use super::{TestDomain, TestDriver};
use crate::abi::*;
use crate::domains::{check_flags, def_error, DomainObj, Txn};
use crate::driver::Driver;
use crate::error::{Result, VirError};
use crate::events::{DomainRef, EventKind};
use crate::jobs::{refused, Effect, Job, JobConfig, JobKind, JobOp, JobState, Outcome};
use crate::model::def::DomainDef;
use crate::model::xml;
use std::sync::Arc;
use uuid::Uuid;

fn persist(flags: u32) -> bool {
    flags as i32 & VIR_DOMAIN_JOB_PERSIST != 0
}

/// The disk target (`vda`) that `disk` (target, alias or source path) names.
fn target_of(obj: &DomainObj<TestDomain>, disk: &str) -> Result<String> {
    obj.def
        .find_disk(disk)
        .map(|d| d.target_dev.clone())
        .ok_or_else(|| VirError::invalid_arg(format!("disk '{disk}' not found in domain '{}'", obj.name)))
}

/// A disk takes one pull, commit or copy at a time, as in libvirt.
fn free_disk(txn: &Txn<TestDomain>, uuid: &Uuid, target: &str) -> Result<()> {
    match txn.st.domains[uuid].jobs.block_job(target) {
        Some(j) => Err(txn.invalid_op(format!("disk '{target}' already in active block job '{}'", j.name))),
        None => Ok(()),
    }
}

/// What a blocked caller returns once its job ended.
fn finished(name: &str, (state, error): (JobState, Option<String>)) -> Result<()> {
    match state {
        JobState::Completed => Ok(()),
        JobState::Aborted => Err(VirError::new(VIR_ERR_OPERATION_ABORTED, VIR_FROM_TEST, format!("job '{name}' was aborted"))),
        _ => Err(VirError::new(
            VIR_ERR_OPERATION_FAILED,
            VIR_FROM_TEST,
            format!("job '{name}' failed: {}", error.unwrap_or_else(|| "unknown error".into())),
        )),
    }
}

impl TestDriver {
    /// Starts the job `build` describes on a running domain; with `wait`, blocks until it ends.
    fn start_job(
        &self,
        dom: &DomainRef,
        wait: bool,
        build: impl FnOnce(&mut Txn<TestDomain>, &Uuid) -> Result<Job>,
    ) -> Result<()> {
        let outcome: Option<Outcome> = wait.then(Default::default);
        let name = self.inner.store.commit_on(dom, |txn, uuid| {
            txn.obj(uuid).require_active()?;
            let mut job = build(txn, uuid)?;
            job.outcome = outcome.clone();
            txn.job_start(uuid, job)
        })?;
        jobs::ensure_ticker(&self.inner);
        match outcome {
            Some(outcome) => finished(&name, self.inner.store.wait_until(|_| outcome.lock().clone())),
            None => Ok(()),
        }
    }

    pub(super) fn job_control_impl(&self, dom: &DomainRef, name: &str, op: JobOp, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        self.inner.store.commit_on(dom, |txn, uuid| {
            let effect = txn.job_check(uuid, name, op)?;
            let job = txn.st.domains[uuid].jobs.get(name).expect("checked").clone();
            match effect {
                // Migration concludes with its destination, in the blocked call.
                Effect::MoveTo(JobState::Completed) if job.kind == JobKind::Migration => Err(refused(&job, op)),
                Effect::MoveTo(JobState::Completed) => jobs::conclude(txn, uuid, name),
                effect => txn.job_apply(uuid, name, effect),
            }
        })?;
        jobs::ensure_ticker(&self.inner);
        Ok(())
    }

    pub(super) fn fail_job_impl(&self, dom: &DomainRef, name: &str, message: &str, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        if message.is_empty() || message.len() > 1024 {
            return Err(VirError::invalid_arg("the failure message must have 1 to 1024 bytes"));
        }
        self.inner.store.commit_on(dom, |txn, uuid| {
            let obj = &txn.st.domains[uuid];
            let job = obj.jobs.get(name).ok_or_else(|| crate::jobs::no_such_job(&obj.name, name))?;
            if job.state.is_terminal() {
                let msg = format!("job '{name}' is already {}", job.state.name());
                return Err(txn.invalid_op(msg));
            }
            txn.job_move(uuid, name, JobState::Failed, Some(message.to_string()))
        })
    }

    pub(super) fn block_rebase_impl(&self, dom: &DomainRef, disk: &str, base: Option<&str>, bandwidth: u64, flags: u32) -> Result<()> {
        check_flags(
            flags,
            VIR_DOMAIN_BLOCK_REBASE_SHALLOW
                | VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT
                | VIR_DOMAIN_BLOCK_REBASE_COPY_RAW
                | VIR_DOMAIN_BLOCK_REBASE_COPY
                | VIR_DOMAIN_BLOCK_REBASE_RELATIVE
                | VIR_DOMAIN_BLOCK_REBASE_COPY_DEV
                | VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES
                | VIR_DOMAIN_JOB_PERSIST,
        )?;
        if flags as i32 & VIR_DOMAIN_BLOCK_REBASE_COPY != 0 {
            let dest = base.ok_or_else(|| VirError::invalid_arg("a block copy needs a destination (base)"))?;
            let shallow = flags as i32 & VIR_DOMAIN_BLOCK_REBASE_SHALLOW != 0;
            return self.copy(dom, disk, dest.to_string(), shallow, bandwidth, persist(flags));
        }
        self.start_job(dom, false, |txn, uuid| {
            let target = target_of(&txn.st.domains[uuid], disk)?;
            free_disk(txn, uuid, &target)?;
            let images = chain(txn.obj(uuid), &target)?;
            let base_at = base.map(|b| position(images, &target, b)).transpose()?.unwrap_or(images.len());
            if base_at == 0 {
                return Err(VirError::invalid_arg(format!("the base of a pull cannot be the active image of '{target}'")));
            }
            let config = JobConfig {
                disk: Some(target.clone()),
                base: base.map(|_| format!("{target}[{base_at}]")),
                ..Default::default()
            };
            let end = allocated(&images[1..base_at]);
            Ok(Job::new(format!("block-pull-{target}"), JobKind::BlockPull, config, end, bandwidth, persist(flags)))
        })
    }

    pub(super) fn block_commit_impl(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        top: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            VIR_DOMAIN_BLOCK_COMMIT_SHALLOW
                | VIR_DOMAIN_BLOCK_COMMIT_DELETE
                | VIR_DOMAIN_BLOCK_COMMIT_ACTIVE
                | VIR_DOMAIN_BLOCK_COMMIT_RELATIVE
                | VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES
                | VIR_DOMAIN_JOB_PERSIST,
        )?;
        let active_flag = flags as i32 & VIR_DOMAIN_BLOCK_COMMIT_ACTIVE != 0;
        let shallow = flags as i32 & VIR_DOMAIN_BLOCK_COMMIT_SHALLOW != 0;
        self.start_job(dom, false, |txn, uuid| {
            let target = target_of(&txn.st.domains[uuid], disk)?;
            free_disk(txn, uuid, &target)?;
            let images = chain(txn.obj(uuid), &target)?;
            let top_at = top.map(|t| position(images, &target, t)).transpose()?.unwrap_or(0);
            if top_at + 1 >= images.len() {
                return Err(VirError::invalid_arg(format!("top '{target}[{top_at}]' in chain for '{target}' has no backing file")));
            }
            let base_at = match (base, shallow) {
                (Some(b), _) => position(images, &target, b)?,
                (None, true) => top_at + 1,
                (None, false) => images.len() - 1,
            };
            if base_at <= top_at {
                return Err(VirError::invalid_arg(format!("base '{target}[{base_at}]' is not below top '{target}[{top_at}]'")));
            }
            let active = top_at == 0;
            if active && !active_flag {
                return Err(VirError::invalid_arg(format!(
                    "commit of the active image of '{target}' requires VIR_DOMAIN_BLOCK_COMMIT_ACTIVE"
                )));
            }
            if !active && active_flag {
                return Err(VirError::invalid_arg(format!("active commit requested but '{target}[{top_at}]' is not active")));
            }
            let kind = if active { JobKind::BlockCommitActive } else { JobKind::BlockCommit };
            let config = JobConfig {
                disk: Some(target.clone()),
                top: Some(format!("{target}[{top_at}]")),
                base: Some(format!("{target}[{base_at}]")),
                ..Default::default()
            };
            let end = allocated(&images[top_at..base_at]);
            Ok(Job::new(format!("{}-{target}", kind.name()), kind, config, end, bandwidth, persist(flags)))
        })
    }

    pub(super) fn block_copy_impl(&self, dom: &DomainRef, disk: &str, dest_xml: &str, bandwidth: u64, flags: u32) -> Result<()> {
        check_flags(
            flags,
            VIR_DOMAIN_BLOCK_COPY_SHALLOW
                | VIR_DOMAIN_BLOCK_COPY_REUSE_EXT
                | VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB
                | VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES
                | VIR_DOMAIN_JOB_PERSIST,
        )?;
        let root = xml::parse(dest_xml).map_err(|e| VirError::new(VIR_ERR_XML_DETAIL, VIR_FROM_DOMAIN, format!("(disk_definition):{e}")))?;
        let dest = (root.name == "disk")
            .then(|| root.child("source"))
            .flatten()
            .and_then(|s| ["file", "dev", "name"].iter().find_map(|k| s.attr(k)))
            .filter(|p| !p.is_empty())
            .ok_or_else(|| VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, "the destination must be a <disk> with a <source>"))?;
        let shallow = flags as i32 & VIR_DOMAIN_BLOCK_COPY_SHALLOW != 0;
        self.copy(dom, disk, dest.to_string(), shallow, bandwidth, persist(flags))
    }

    fn copy(&self, dom: &DomainRef, disk: &str, dest: String, shallow: bool, bandwidth: u64, persist: bool) -> Result<()> {
        self.start_job(dom, false, |txn, uuid| {
            let target = target_of(&txn.st.domains[uuid], disk)?;
            free_disk(txn, uuid, &target)?;
            let images = chain(txn.obj(uuid), &target)?;
            let end = if shallow { images[0].allocation } else { allocated(images) };
            let config = JobConfig {
                disk: Some(target.clone()),
                // A shallow copy takes the active image only (its `top`), keeping the backing chain.
                top: shallow.then(|| format!("{target}[0]")),
                destination: Some(dest),
                ..Default::default()
            };
            Ok(Job::new(format!("block-copy-{target}"), JobKind::BlockCopy, config, end, bandwidth, persist))
        })
    }

    pub(super) fn backup_begin_impl(&self, dom: &DomainRef, backup_xml: Option<&str>, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL | VIR_DOMAIN_JOB_PERSIST)?;
        // (disk, where its copy goes, or None for the default beside its image)
        let mut wanted: Option<Vec<(String, Option<String>)>> = None;
        if let Some(text) = backup_xml {
            let root = xml::parse(text).map_err(|e| VirError::new(VIR_ERR_XML_DETAIL, VIR_FROM_DOMAIN, format!("(domainbackup):{e}")))?;
            if root.name != "domainbackup" {
                return Err(VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, format!("unexpected root element <{}>, expecting <domainbackup>", root.name)));
            }
            if root.attr("mode").is_some_and(|m| m != "push") {
                return Err(VirError::new(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_TEST, "the test hypervisor supports push mode backups only"));
            }
            if let Some(disks) = root.child("disks") {
                let list = disks
                    .elements()
                    .filter(|d| d.name == "disk" && d.attr("backup") != Some("no"))
                    .map(|d| {
                        let name = d.attr("name").ok_or_else(|| VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, "backup disk without a name"))?;
                        let file = d.child("target").and_then(|t| t.attr("file").or(t.attr("dev"))).map(str::to_string);
                        Ok((name.to_string(), file))
                    })
                    .collect::<Result<Vec<_>>>()?;
                wanted = Some(list);
            }
        }
        self.start_job(dom, false, |txn, uuid| {
            let obj = &txn.st.domains[uuid];
            let wanted = wanted.unwrap_or_else(|| obj.def.disks().iter().map(|d| (d.target_dev.clone(), None)).collect());
            if wanted.is_empty() {
                return Err(txn.invalid_op("no disk to back up"));
            }
            let mut plan = Vec::new();
            let mut end = 0;
            for (disk, file) in wanted {
                let target = target_of(&txn.st.domains[uuid], &disk)?;
                let images = chain(txn.obj(uuid), &target)?;
                end += allocated(images);
                let file = file.unwrap_or_else(|| format!("{}.backup", images[0].path));
                plan.push((target, file));
            }
            let config = JobConfig { disks: plan.iter().map(|(d, _)| d.clone()).collect(), ..Default::default() };
            txn.obj(uuid).ext.backup = Some(plan);
            Ok(Job::new("backup".into(), JobKind::Backup, config, end, 0, persist(flags)))
        })
    }

    pub(super) fn backup_xml_impl(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        check_flags(flags, 0)?;
        self.inner.store.read(dom, |o| {
            let running = o.jobs.domain_job().is_some_and(|j| j.kind == JobKind::Backup);
            let plan = o.ext.backup.as_ref().filter(|_| running).ok_or_else(|| {
                VirError::new(VIR_ERR_NO_DOMAIN_BACKUP, VIR_FROM_TEST, format!("no domain backup job present on domain '{}'", o.name))
            })?;
            Ok(crate::jobs::push_backup_xml(plan))
        })?
    }

    /// A save job; `path` None is a managed save.
    pub(super) fn save_impl(&self, dom: &DomainRef, path: Option<&str>, flags: u32) -> Result<()> {
        check_flags(
            flags,
            VIR_DOMAIN_SAVE_BYPASS_CACHE | VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED | VIR_DOMAIN_JOB_PERSIST,
        )?;
        if path.is_some_and(str::is_empty) {
            return Err(VirError::invalid_arg("the save file path is empty"));
        }
        self.start_job(dom, true, |txn, uuid| {
            let obj = &txn.st.domains[uuid];
            if path.is_none() && !obj.persistent {
                return Err(txn.invalid_op("cannot do managed save for transient domain"));
            }
            let end = obj.def.current_memory_kib() * 1024;
            let config = JobConfig { file: path.map(str::to_string), ..Default::default() };
            Ok(Job::new("save".into(), JobKind::Save, config, end, 0, persist(flags)))
        })
    }

    pub(super) fn core_dump_impl(&self, dom: &DomainRef, path: &str, format: i32, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DUMP_LIVE | VIR_DUMP_BYPASS_CACHE | VIR_DUMP_MEMORY_ONLY | VIR_DOMAIN_JOB_PERSIST)?;
        if !(VIR_DOMAIN_CORE_DUMP_FORMAT_RAW..VIR_DOMAIN_CORE_DUMP_FORMAT_LAST).contains(&format) {
            return Err(VirError::invalid_arg(format!("unknown core dump format {format}")));
        }
        if path.is_empty() {
            return Err(VirError::invalid_arg("the dump file path is empty"));
        }
        self.start_job(dom, true, |txn, uuid| {
            let end = txn.st.domains[uuid].def.current_memory_kib() * 1024;
            let config = JobConfig { file: Some(path.to_string()), ..Default::default() };
            Ok(Job::new("dump".into(), JobKind::Dump, config, end, 0, persist(flags)))
        })
    }

    pub(super) fn migrate_impl(&self, dom: &DomainRef, dest: &dyn Driver, flags: u64, bandwidth: u64) -> Result<DomainRef> {
        let allowed = VIR_MIGRATE_LIVE
            | VIR_MIGRATE_PERSIST_DEST
            | VIR_MIGRATE_UNDEFINE_SOURCE
            | VIR_MIGRATE_PAUSED
            | VIR_MIGRATE_NON_SHARED_DISK
            | VIR_MIGRATE_NON_SHARED_INC
            | VIR_MIGRATE_CHANGE_PROTECTION
            | VIR_MIGRATE_UNSAFE
            | VIR_MIGRATE_COMPRESSED
            | VIR_MIGRATE_ABORT_ON_ERROR
            | VIR_MIGRATE_AUTO_CONVERGE
            | VIR_DOMAIN_JOB_PERSIST;
        if flags & !(allowed as u64) != 0 {
            return Err(VirError::invalid_arg(format!("unsupported flags (0x{:x})", flags & !(allowed as u64))));
        }
        if Arc::ptr_eq(dest.events(), self.events()) {
            return Err(VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, "cannot migrate a domain to the hypervisor it runs on"));
        }
        let xml = self.inner.store.read(dom, |o| o.def.to_xml(None, None))?;
        dest.migrate_prepare(&xml)?;
        let outcome: Outcome = Default::default();
        let name = self.inner.store.commit_on(dom, |txn, uuid| {
            txn.obj(uuid).require_active()?;
            let obj = &txn.st.domains[uuid];
            let end = migration_end(obj.def.current_memory_kib() * 1024);
            let config = JobConfig { destination: Some("test".into()), ..Default::default() };
            let mut job = Job::new("migration".into(), JobKind::Migration, config, end, bandwidth, flags as i32 & VIR_DOMAIN_JOB_PERSIST != 0);
            job.outcome = Some(outcome.clone());
            let name = txn.job_start(uuid, job)?;
            txn.emit(uuid, EventKind::MigrationIteration { iteration: 1 });
            Ok(name)
        })?;
        jobs::ensure_ticker(&self.inner);
        let uuid = dom.uuid;
        // Until the memory is across (PENDING) or the job ended some other way.
        let ended = self.inner.store.wait_until(|st| {
            if let Some(end) = outcome.lock().clone() {
                return Some(Some(end));
            }
            let pending = st.domains.get(&uuid).and_then(|o| o.jobs.get(&name)).is_some_and(|j| j.state == JobState::Pending);
            pending.then_some(None)
        });
        if let Some(end) = ended {
            finished(&name, end)?;
        }
        let arrived = match dest.migrate_finish(&xml, flags) {
            Ok(arrived) => arrived,
            Err(e) => {
                let _ = self.inner.store.commit_on(dom, |txn, uuid| txn.job_move(uuid, &name, JobState::Failed, Some(e.message.clone())));
                return Err(e);
            }
        };
        let left = self.inner.store.commit_on(dom, |txn, uuid| {
            txn.job_move(uuid, &name, JobState::Completed, None)?;
            txn.stop(uuid, VIR_DOMAIN_SHUTOFF_MIGRATED, VIR_DOMAIN_EVENT_STOPPED_MIGRATED);
            if flags as i32 & VIR_MIGRATE_UNDEFINE_SOURCE != 0 && txn.st.domains.get(uuid).is_some_and(|o| o.persistent) {
                txn.undefine(uuid, true)?;
            }
            Ok(())
        });
        if let Err(e) = left {
            // Aborted at the last moment: the domain stays where it was.
            let _ = dest.destroy(&arrived, 0);
            return Err(e);
        }
        Ok(arrived)
    }

    pub(super) fn migrate_prepare_impl(&self, xml: &str) -> Result<()> {
        let def = DomainDef::parse(xml).map_err(def_error)?;
        self.inner.store.commit(|txn| match txn.existing_for(&def)? {
            Some(uuid) if txn.st.domains[&uuid].is_active() => Err(txn.invalid_op(format!("domain '{}' is already active here", def.name()))),
            _ => Ok(()),
        })
    }

    pub(super) fn migrate_finish_impl(&self, xml: &str, flags: u64) -> Result<DomainRef> {
        let def = DomainDef::parse(xml).map_err(def_error)?;
        let paused = flags as i32 & VIR_MIGRATE_PAUSED != 0;
        let persist_dest = flags as i32 & VIR_MIGRATE_PERSIST_DEST != 0;
        self.inner.store.commit(|txn| {
            let uuid = txn.runnable_from(def)?;
            txn.start(&uuid, VIR_DOMAIN_RUNNING_MIGRATED, VIR_DOMAIN_EVENT_STARTED_MIGRATED, paused);
            if persist_dest {
                let obj = txn.obj(&uuid);
                let existed = obj.persistent;
                obj.persistent = true;
                obj.pending_config = None;
                let detail = if existed { VIR_DOMAIN_EVENT_DEFINED_UPDATED } else { VIR_DOMAIN_EVENT_DEFINED_ADDED };
                txn.lifecycle(&uuid, VIR_DOMAIN_EVENT_DEFINED, detail);
            }
            Ok(txn.st.domains[&uuid].domain_ref())
        })
    }

    pub(super) fn abort_job_impl(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0)?;
        let name = self.inner.store.read(dom, |o| o.jobs.domain_job().map(|j| j.name.clone()))?;
        let name = name.ok_or_else(|| VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, "no job is active on the domain"))?;
        self.job_control_impl(dom, &name, JobOp::Abort, 0)
    }

    pub(super) fn block_job_impl(&self, dom: &DomainRef, disk: &str) -> Result<Option<Job>> {
        let target = self.inner.store.read(dom, |o| target_of(o, disk))??;
        self.inner.store.block_job(dom, &target)
    }

    pub(super) fn block_job_abort_impl(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC | VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)?;
        let pivot = flags as i32 & VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT != 0;
        let wait = flags as i32 & VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC == 0;
        let outcome: Outcome = Default::default();
        let name = self.inner.store.commit_on(dom, |txn, uuid| {
            let target = target_of(&txn.st.domains[uuid], disk)?;
            let job = txn.st.domains[uuid]
                .jobs
                .block_job(&target)
                .cloned()
                .ok_or_else(|| txn.invalid_op(format!("No active block job '{target}'")))?;
            let op = if pivot { JobOp::Finalize } else { JobOp::Abort };
            if pivot && job.state != JobState::Ready {
                return Err(VirError::new(
                    VIR_ERR_BLOCK_COPY_ACTIVE,
                    VIR_FROM_TEST,
                    format!("block job '{}' not ready for pivot yet ({})", job.name, job.state.name()),
                ));
            }
            let effect = txn.job_check(uuid, &job.name, op)?;
            txn.job_apply(uuid, &job.name, effect)?;
            if wait {
                if let Some(j) = txn.obj(uuid).jobs.get_mut(&job.name) {
                    j.outcome.get_or_insert_with(|| outcome.clone());
                }
            }
            Ok(job.name)
        })?;
        jobs::ensure_ticker(&self.inner);
        if wait {
            // libvirt's synchronous abort returns once the job is gone, whatever its end.
            let uuid = dom.uuid;
            self.inner.store.wait_until(|st| {
                let gone = st.domains.get(&uuid).and_then(|o| o.jobs.get(&name)).is_none_or(|j| j.state.is_terminal());
                (outcome.lock().is_some() || gone).then_some(())
            });
        }
        Ok(())
    }

    pub(super) fn block_job_set_speed_impl(&self, dom: &DomainRef, disk: &str, bandwidth: u64) -> Result<()> {
        self.inner.store.commit_on(dom, |txn, uuid| {
            let target = target_of(&txn.st.domains[uuid], disk)?;
            let name = txn.st.domains[uuid].jobs.block_job(&target).map(|j| j.name.clone());
            let name = name.ok_or_else(|| txn.invalid_op(format!("No active block job '{target}'")))?;
            // A runtime setting, like a block threshold: no new revision.
            txn.obj(uuid).jobs.get_mut(&name).expect("found").bandwidth = bandwidth;
            Ok(())
        })
    }
}
