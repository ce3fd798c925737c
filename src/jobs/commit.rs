//! Jobs on the commit path: every transition is a change to its domain, committed as the next
//! revision with its JOB_STATE event, followed by the old event libvirt fires for it (BLOCK_JOB
//! and BLOCK_JOB_2 for block jobs, JOB_COMPLETED for domain jobs). A job that leaves the list
//! (finished without VIR_DOMAIN_JOB_PERSIST, dismissed, or gone with its domain) has a last
//! JOB_STATE event with new state NONE, so that a table kept from events stays exact.

use super::{control_effect, is_transition, no_such_job, refused, Effect, Job, JobOp, JobState};
use crate::abi::*;
use crate::domains::Txn;
use crate::error::{Result, VirError};
use crate::events::{BlockJobEvent, EventKind, JobStateEvent};
use std::ffi::CString;
use uuid::Uuid;

fn c(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

impl<X> Txn<'_, X> {
    fn job_event(&mut self, uuid: &Uuid, job: &Job, old: i32, new: i32) {
        let event = JobStateEvent {
            name: c(&job.name),
            kind: job.kind.code(),
            old_state: old,
            new_state: new,
            error: job.error.as_deref().filter(|_| job.state == JobState::Failed).map(c),
        };
        self.emit(uuid, EventKind::JobState(Box::new(event)));
    }

    /// Starts `job` (its name made unique within the domain): CREATED, then RUNNING. A domain
    /// job (migration, save, dump, backup) is refused while another one runs, as in libvirt.
    pub fn job_start(&mut self, uuid: &Uuid, mut job: Job) -> Result<String> {
        let obj = &self.st.domains[uuid];
        if job.kind.is_domain_job() {
            if let Some(other) = obj.jobs.domain_job() {
                let msg = format!(
                    "cannot start a {} job on domain '{}': its {} job '{}' is still {}",
                    job.kind.name(),
                    obj.name,
                    other.kind.name(),
                    other.name,
                    other.state.name()
                );
                return Err(self.invalid_op(msg));
            }
        }
        job.name = obj.jobs.unique_name(&job.name);
        let name = job.name.clone();
        let snapshot = job.clone();
        self.obj(uuid).jobs.jobs.push(job);
        self.job_event(uuid, &snapshot, VIR_DOMAIN_JOB_STATE_NONE, JobState::Created.code());
        self.job_move(uuid, &name, JobState::Running, None)?;
        Ok(name)
    }

    /// Moves job `name` to `to` along an edge of the diagram, with its events. A terminal
    /// state ends it: its waiter learns the outcome, and without PERSIST it leaves the list.
    pub fn job_move(&mut self, uuid: &Uuid, name: &str, to: JobState, error: Option<String>) -> Result<()> {
        let domain_name = self.st.domains[uuid].name.to_string();
        let def = self.st.domains[uuid].def.clone();
        let job = self.obj(uuid).jobs.get_mut(name).ok_or_else(|| no_such_job(&domain_name, name))?;
        let from = job.state;
        if !is_transition(job.kind, from, to) {
            return Err(VirError::internal(format!("job '{name}' cannot go from {} to {}", from.name(), to.name())));
        }
        job.state = to;
        if error.is_some() {
            job.error = error;
        }
        if to.is_terminal() {
            job.elapsed_ms = Some(job.started.elapsed().as_millis() as u64);
        }
        let job = job.clone();
        self.job_event(uuid, &job, from.code(), to.code());

        if let (Some(block_type), Some(target)) = (job.kind.block_job_type(), &job.config.disk) {
            let status = match to {
                JobState::Ready => Some(VIR_DOMAIN_BLOCK_JOB_READY),
                JobState::Completed => Some(VIR_DOMAIN_BLOCK_JOB_COMPLETED),
                JobState::Failed => Some(VIR_DOMAIN_BLOCK_JOB_FAILED),
                JobState::Aborted => Some(VIR_DOMAIN_BLOCK_JOB_CANCELED),
                _ => None,
            };
            if let Some(status) = status {
                let path = def.find_disk(target).and_then(|d| d.source.clone()).unwrap_or_default();
                let event = BlockJobEvent { disk_path: c(&path), disk_target: c(target), job_type: block_type, status };
                self.emit(uuid, EventKind::BlockJob(Box::new(event)));
            }
        }
        if job.kind.is_domain_job() && to == JobState::Completed {
            self.emit(uuid, EventKind::JobCompleted { params: job.domain_job_stats() });
        }
        if to.is_terminal() {
            if let Some(outcome) = &job.outcome {
                *outcome.lock() = Some((to, job.error.clone()));
            }
            let jobs = &mut self.obj(uuid).jobs;
            if job.kind.is_domain_job() {
                jobs.last_domain_job = Some(Box::new(Job { outcome: None, ..job.clone() }));
            }
            if !job.persist {
                jobs.jobs.retain(|j| j.name != name);
                self.job_event(uuid, &job, to.code(), VIR_DOMAIN_JOB_STATE_NONE);
            }
        }
        Ok(())
    }

    /// Checks `op` on job `name` against the operation table and returns what it does.
    pub fn job_check(&self, uuid: &Uuid, name: &str, op: JobOp) -> Result<Effect> {
        let obj = &self.st.domains[uuid];
        let job = obj.jobs.get(name).ok_or_else(|| no_such_job(&obj.name, name))?;
        control_effect(job.kind, job.state, op).ok_or_else(|| refused(job, op))
    }

    /// Carries out a control operation whose effect needs nothing from the hypervisor.
    pub fn job_apply(&mut self, uuid: &Uuid, name: &str, effect: Effect) -> Result<()> {
        match effect {
            Effect::MoveTo(to) => self.job_move(uuid, name, to, None),
            Effect::Dismiss => {
                let jobs = &mut self.obj(uuid).jobs;
                let at = jobs.jobs.iter().position(|j| j.name == name).expect("checked by job_check");
                let job = jobs.jobs.remove(at);
                self.job_event(uuid, &job, job.state.code(), VIR_DOMAIN_JOB_STATE_NONE);
                Ok(())
            }
        }
    }

    /// Ends every unfinished job of the domain as FAILED with `why` (the domain stopping).
    pub fn end_live_jobs(&mut self, uuid: &Uuid, why: &str) {
        let live: Vec<String> = self.st.domains[uuid].jobs.live().map(|j| j.name.clone()).collect();
        for name in live {
            self.job_move(uuid, &name, JobState::Failed, Some(why.to_string())).expect("every unfinished job can fail");
        }
    }

    /// The domain is going out of existence: the jobs still listed leave the list with it.
    pub fn forget_jobs(&mut self, uuid: &Uuid) {
        let listed = std::mem::take(&mut self.obj(uuid).jobs.jobs);
        for job in listed {
            self.job_event(uuid, &job, job.state.code(), VIR_DOMAIN_JOB_STATE_NONE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{JobConfig, JobKind};
    use super::*;
    use crate::domains::{DomainObj, Store};
    use crate::model::def::DomainDef;

    const XML: &str = "<domain type='test'><name>vm</name><memory>1024</memory><os><type>hvm</type></os>\
        <devices><disk type='file' device='disk'><source file='/d.img'/><target dev='vda'/></disk></devices></domain>";

    fn running() -> (Store<()>, Uuid) {
        let store = Store::new(VIR_FROM_TEST);
        let uuid = store
            .commit(|txn| {
                let uuid = txn.insert(DomainObj::new(DomainDef::parse(XML).unwrap(), false));
                txn.start(&uuid, VIR_DOMAIN_RUNNING_BOOTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, false);
                Ok(uuid)
            })
            .unwrap();
        (store, uuid)
    }

    fn job(kind: JobKind, persist: bool) -> Job {
        Job::new(kind.name().into(), kind, JobConfig { disk: Some("vda".into()), ..Default::default() }, 100, 0, persist)
    }

    /// (job name, old, new) of every JOB_STATE event, and the old events by name.
    fn story(store: &Store<()>, from: u64) -> Vec<String> {
        store
            .bus
            .history()
            .iter()
            .filter(|e| e.revision > from)
            .filter_map(|e| match &e.kind {
                EventKind::JobState(j) => Some(format!("{}:{}>{}", j.name.to_str().unwrap(), j.old_state, j.new_state)),
                EventKind::BlockJob(b) => Some(format!("block-job:{}", b.status)),
                EventKind::JobCompleted { .. } => Some("job-completed".into()),
                EventKind::Lifecycle { event, .. } => Some(format!("lifecycle:{event}")),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn each_transition_takes_the_next_revision_and_the_old_events_follow() {
        let (store, uuid) = running();
        let mark = store.revision();
        store
            .commit(|txn| {
                let name = txn.job_start(&uuid, job(JobKind::BlockCopy, false))?;
                txn.job_move(&uuid, &name, JobState::Ready, None)?;
                let finalize = txn.job_check(&uuid, &name, JobOp::Finalize)?;
                txn.job_apply(&uuid, &name, finalize)?;
                txn.job_move(&uuid, &name, JobState::Completed, None)
            })
            .unwrap();
        assert_eq!(
            story(&store, mark),
            ["block-copy:0>6", "block-copy:6>1", "block-copy:1>2", "block-job:3", "block-copy:2>9", "block-copy:9>4", "block-job:0", "block-copy:4>0"]
        );
        assert_eq!(store.revision(), mark + 8);
        assert!(store.read(&dummy_ref(&uuid), |o| o.jobs.jobs.is_empty()).unwrap(), "not persisted: gone");
    }

    fn dummy_ref(uuid: &Uuid) -> crate::events::DomainRef {
        crate::events::DomainRef { name: crate::events::DomainName::new("vm"), uuid: *uuid, id: 1 }
    }

    #[test]
    fn persisted_jobs_stay_until_dismissed_and_refusals_change_nothing() {
        let (store, uuid) = running();
        let name = store.commit(|txn| txn.job_start(&uuid, job(JobKind::Save, true))).unwrap();
        let err = store.commit(|txn| txn.job_start(&uuid, job(JobKind::Dump, false))).unwrap_err();
        assert_eq!(err.code, VIR_ERR_OPERATION_INVALID, "domain jobs exclude each other");
        let before = store.revision();
        let err = store.commit(|txn| txn.job_check(&uuid, &name, JobOp::Pause)).unwrap_err();
        assert!(err.message.contains("'save'") && err.message.contains("running") && err.message.contains("pause"), "{}", err.message);
        assert_eq!(store.commit(|txn| txn.job_check(&uuid, "nope", JobOp::Abort)).unwrap_err().code, VIR_ERR_NO_DOMAIN_JOB);
        assert_eq!(store.revision(), before);
        store
            .commit(|txn| {
                txn.job_move(&uuid, &name, JobState::Pending, None)?;
                txn.job_move(&uuid, &name, JobState::Completed, None)
            })
            .unwrap();
        let kept = store.read(&dummy_ref(&uuid), |o| o.jobs.get(&name).map(|j| j.state)).unwrap();
        assert_eq!(kept, Some(JobState::Completed));
        let mark = store.revision();
        store.commit(|txn| txn.job_check(&uuid, &name, JobOp::Dismiss).and_then(|e| txn.job_apply(&uuid, &name, e))).unwrap();
        assert_eq!(story(&store, mark), ["save:4>0"]);
        assert!(store.read(&dummy_ref(&uuid), |o| o.jobs.jobs.is_empty()).unwrap());
    }

    #[test]
    fn stopping_the_domain_fails_its_jobs_first() {
        let (store, uuid) = running();
        store.commit(|txn| txn.job_start(&uuid, job(JobKind::BlockPull, false)).map(|_| ())).unwrap();
        let mark = store.revision();
        store
            .commit(|txn| {
                txn.stop(&uuid, VIR_DOMAIN_SHUTOFF_DESTROYED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
                Ok(())
            })
            .unwrap();
        assert_eq!(story(&store, mark), ["block-pull:1>3", "block-job:1", "block-pull:3>0", "lifecycle:5"]);
    }
}
