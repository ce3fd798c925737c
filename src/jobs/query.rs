//! What the job API reads, from any backend's table.

use super::{no_such_job, Job};
use crate::abi::*;
use crate::domains::{check_flags, Store};
use crate::error::Result;
use crate::events::DomainRef;

impl<X> Store<X> {
    /// The domain's jobs in the order they started, filtered by VIR_DOMAIN_JOB_LIST_ACTIVE /
    /// _FINISHED (neither: both).
    pub fn job_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<Job>> {
        check_flags(flags, VIR_DOMAIN_JOB_LIST_ACTIVE | VIR_DOMAIN_JOB_LIST_FINISHED | VIR_DOMAIN_JOB_LIST_NO_STATS)?;
        let flags = flags as i32;
        let active = flags & VIR_DOMAIN_JOB_LIST_ACTIVE != 0;
        let finished = flags & VIR_DOMAIN_JOB_LIST_FINISHED != 0;
        self.read(dom, |o| {
            o.jobs
                .jobs
                .iter()
                .filter(|j| (!active && !finished) || (active && !j.state.is_terminal()) || (finished && j.state.is_terminal()))
                .map(|j| Job { outcome: None, ..j.clone() })
                .collect()
        })
    }

    /// The job XML of job `name` (VIR_DOMAIN_JOB_XML_NO_STATS: without `<stats>`).
    pub fn job_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        check_flags(flags, VIR_DOMAIN_JOB_XML_NO_STATS)?;
        let with_stats = flags as i32 & VIR_DOMAIN_JOB_XML_NO_STATS == 0;
        self.read(dom, |o| o.jobs.get(name).map(|j| j.to_xml(with_stats)).ok_or_else(|| no_such_job(&o.name, name)))?
    }

    /// The domain job the old API sees: the live one, or with `completed` the last one that
    /// ended (forgotten after the read unless `keep`, as libvirt does).
    pub fn domain_job(&self, dom: &DomainRef, completed: bool, keep: bool) -> Result<Option<Job>> {
        let found = self.read(dom, |o| {
            if completed {
                o.jobs.last_domain_job.as_deref().cloned()
            } else {
                o.jobs.domain_job().map(|j| Job { outcome: None, ..j.clone() })
            }
        })?;
        if completed && !keep {
            self.commit_on(dom, |txn, uuid| {
                txn.obj(uuid).jobs.last_domain_job = None;
                Ok(())
            })?;
        }
        Ok(found)
    }

    /// The unfinished pull, commit or copy of disk `target` (see `JobTable::block_job`).
    pub fn block_job(&self, dom: &DomainRef, target: &str) -> Result<Option<Job>> {
        self.read(dom, |o| o.jobs.block_job(target).map(|j| Job { outcome: None, ..j.clone() }))
    }
}
