//! virDomainCoreDumpWithFormat with VIR_DUMP_MEMORY_ONLY: QEMU's `dump-guest-memory` run
//! detached, as a `dump` domain job. Unless LIVE, the domain is paused for it (SUSPENDED, the
//! reason PAUSED_DUMP) and resumed after; with LIVE it is not paused first, but QEMU itself
//! stops the guest's CPUs while it writes the memory and resumes them after (both reported); the job's progress follows `query-dump`; QEMU's
//! `DUMP_COMPLETED` ends the job (COMPLETED, or FAILED with QEMU's error). Then CRASH stops the
//! domain (STOPPED(CRASHED)) and RESET resets it, as libvirt's QEMU driver does.
//!
//! A dump without MEMORY_ONLY is, in libvirt's QEMU driver, the migration stream in libvirt's
//! own image format, and BYPASS_CACHE goes through its I/O helper: neither is done here, and
//! both are refused rather than answered with something else.

use super::{monitor_error, Inner, QemuDomain};
use crate::abi::*;
use crate::domains::{check_flags, Txn};
use crate::error::{Result, VirError};
use crate::events::DomainRef;
use crate::jobs::{Job, JobConfig, JobKind, JobState, Outcome};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How often a running dump's progress is read.
const POLL: Duration = Duration::from_millis(5);
/// How long QEMU may take to exit after a CRASH dump, or to resume the guest after a LIVE one.
const EXIT_WAIT: Duration = Duration::from_secs(10);

/// QEMU's name for a libvirt dump format.
fn qemu_format(format: i32) -> Result<&'static str> {
    match format {
        VIR_DOMAIN_CORE_DUMP_FORMAT_RAW => Ok("elf"),
        VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB => Ok("kdump-zlib"),
        VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO => Ok("kdump-lzo"),
        VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY => Ok("kdump-snappy"),
        VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP => Ok("win-dmp"),
        _ => Err(VirError::invalid_arg(format!("unknown core dump format {format}"))),
    }
}

/// The flags libvirt refuses together, with its reason.
fn check_exclusive(flags: i32) -> Result<()> {
    for (a, b, why) in [
        (VIR_DUMP_CRASH, VIR_DUMP_LIVE, "crash and live flags are mutually exclusive"),
        (VIR_DUMP_CRASH, VIR_DUMP_RESET, "crash and reset flags are mutually exclusive"),
        (VIR_DUMP_LIVE, VIR_DUMP_RESET, "live and reset flags are mutually exclusive"),
    ] {
        if flags & a != 0 && flags & b != 0 {
            return Err(VirError::invalid_arg(why));
        }
    }
    Ok(())
}

/// `DUMP_COMPLETED`: the domain's dump job ends, COMPLETED or FAILED with QEMU's error.
pub fn completed(txn: &mut Txn<QemuDomain>, uuid: &Uuid, data: &Value) {
    let running = txn.st.domains[uuid].jobs.live().find(|j| j.kind == JobKind::Dump).map(|j| j.name.clone());
    let Some(name) = running else { return };
    let result = &data["result"];
    if let Some(job) = txn.obj(uuid).jobs.get_mut(&name) {
        if let (Some(done), Some(total)) = (result["completed"].as_u64(), result["total"].as_u64()) {
            (job.current, job.end) = (done.min(total), total);
        }
    }
    let _ = match data.get("error").and_then(Value::as_str) {
        Some(error) => txn.job_move(uuid, &name, JobState::Failed, Some(error.to_string())),
        None => txn.job_move(uuid, &name, JobState::Pending, None).and_then(|()| txn.job_move(uuid, &name, JobState::Completed, None)),
    };
}

impl Inner {
    pub(super) fn core_dump(&self, dom: &DomainRef, path: &str, format: i32, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DUMP_CRASH | VIR_DUMP_LIVE | VIR_DUMP_BYPASS_CACHE | VIR_DUMP_RESET | VIR_DUMP_MEMORY_ONLY | VIR_DOMAIN_JOB_PERSIST)?;
        let flags = flags as i32;
        check_exclusive(flags)?;
        let format = qemu_format(format)?;
        if path.is_empty() || path.contains('\0') {
            return Err(VirError::invalid_arg("the dump file path is empty"));
        }
        // QEMU runs elsewhere: a relative path means the application's directory, as in libvirt.
        let absolute = std::path::absolute(path).map_err(|e| VirError::system(format!("cannot resolve the dump file path '{path}': {e}")))?;
        let path = absolute.to_str().ok_or_else(|| VirError::invalid_arg("the dump file path is not UTF-8"))?;
        let unsupported = |why: String| VirError::new(VIR_ERR_OPERATION_UNSUPPORTED, VIR_FROM_QEMU, why);
        if flags & VIR_DUMP_MEMORY_ONLY == 0 {
            return Err(unsupported(
                "the QEMU backend dumps only the guest's memory (VIR_DUMP_MEMORY_ONLY); libvirt's full dump in its image format is not supported".into(),
            ));
        }
        if flags & VIR_DUMP_BYPASS_CACHE != 0 {
            return Err(unsupported("VIR_DUMP_BYPASS_CACHE is not supported by the QEMU backend".into()));
        }
        let monitor = self.store.read(dom, |o| o.ext.monitor.clone())?;
        let monitor = monitor.ok_or_else(|| VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, format!("domain '{}' is not running", dom.name)))?;
        let formats = monitor.execute("query-dump-guest-memory-capability", None).map_err(|e| monitor_error(&dom.name, e))?;
        if !formats["formats"].as_array().is_some_and(|l| l.iter().any(|f| f == format)) {
            return Err(unsupported(format!("the QEMU of domain '{}' does not support the dump format '{format}'", dom.name)));
        }

        let outcome: Outcome = Default::default();
        let (name, was_running) = self.store.commit_on(dom, |txn, uuid| {
            let obj = &txn.st.domains[uuid];
            obj.require_active()?;
            let was_running = obj.state.state == VIR_DOMAIN_RUNNING;
            let end = obj.def.current_memory_kib() * 1024;
            let config = JobConfig { file: Some(path.to_string()), ..Default::default() };
            let mut job = Job::new("dump".into(), JobKind::Dump, config, end, 0, flags & VIR_DOMAIN_JOB_PERSIST != 0);
            job.outcome = Some(outcome.clone());
            Ok((txn.job_start(uuid, job)?, was_running))
        })?;
        let paused = was_running && flags & VIR_DUMP_LIVE == 0;
        let result = self.dump_to_file(dom, &monitor, &name, path, format, paused, &outcome);
        if was_running && !paused {
            // QEMU resumes the guest it stopped for the dump just after DUMP_COMPLETED: the
            // call returns with the domain running as before.
            let uuid = dom.uuid;
            let _ = self.store.wait_until_deadline(Instant::now() + EXIT_WAIT, |st| {
                st.domains.get(&uuid).is_none_or(|o| o.state.state != VIR_DOMAIN_PAUSED || o.state.reason != VIR_DOMAIN_PAUSED_DUMP).then_some(())
            });
        }
        if result.is_ok() && flags & VIR_DUMP_CRASH != 0 {
            return self.crash_after_dump(dom);
        }
        if result.is_ok() && flags & VIR_DUMP_RESET != 0 {
            monitor.execute("system_reset", None).map_err(|e| monitor_error(&dom.name, e))?;
        }
        if paused {
            let resumed = self.command(dom, "cont", |obj| {
                obj.ext.running_reason = Some(VIR_DOMAIN_RUNNING_UNPAUSED);
                Ok(())
            });
            // A failed dump's own error is the one to report.
            if result.is_ok() {
                resumed?;
            }
        }
        result
    }

    /// Pauses the domain when asked, starts QEMU's dump and follows its progress until its
    /// job ended. A dump QEMU refused at once fails its job here.
    fn dump_to_file(&self, dom: &DomainRef, monitor: &super::qmp::Monitor, name: &str, path: &str, format: &str, pause: bool, outcome: &Outcome) -> Result<()> {
        let fail = |e: VirError| {
            let _ = self.store.commit_on(dom, |txn, uuid| txn.job_move(uuid, name, JobState::Failed, Some(e.message.clone())));
            e
        };
        if pause {
            self.command(dom, "stop", |obj| {
                obj.ext.pause_reason = Some(VIR_DOMAIN_PAUSED_DUMP);
                Ok(())
            })
            .map_err(&fail)?;
        }
        let arguments = json!({ "paging": false, "protocol": format!("file:{path}"), "detach": true, "format": format });
        monitor.execute("dump-guest-memory", Some(arguments)).map_err(|e| fail(monitor_error(&dom.name, e)))?;
        let uuid = dom.uuid;
        loop {
            let ended = outcome.lock().clone();
            if let Some((state, error)) = ended {
                return match state {
                    JobState::Completed => Ok(()),
                    _ => {
                        // Partly written by QEMU: nothing to keep.
                        let _ = std::fs::remove_file(path);
                        let why = error.unwrap_or_else(|| "unknown error".into());
                        Err(VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("dump of domain '{}' failed: {why}", dom.name)))
                    }
                };
            }
            if let Ok(status) = monitor.execute("query-dump", None) {
                if let (Some(done), Some(total)) = (status["completed"].as_u64(), status["total"].as_u64()) {
                    let _ = self.store.commit_on(dom, |txn, uuid| {
                        if let Some(job) = txn.obj(uuid).jobs.get_mut(name).filter(|j| j.state.is_live()) {
                            (job.current, job.end) = (done.min(total), total);
                        }
                        Ok(())
                    });
                }
            }
            // Woken early when the DUMP_COMPLETED (or the domain's end) is committed.
            let _ = self.store.wait_until_deadline(Instant::now() + POLL, |st| {
                let live = st.domains.get(&uuid).and_then(|o| o.jobs.get(name)).is_some_and(|j| j.state.is_live());
                (!live).then_some(())
            });
        }
    }

    /// VIR_DUMP_CRASH: QEMU is ended and its exit is STOPPED(CRASHED).
    fn crash_after_dump(&self, dom: &DomainRef) -> Result<()> {
        let pid = self.store.commit_on(dom, |txn, uuid| {
            let obj = txn.obj(uuid);
            obj.ext.crash_dumped = true;
            Ok(obj.ext.pid)
        })?;
        if let Some(pid) = pid {
            let _ = crate::sys::kill(pid, crate::sys::Signal::Term);
        }
        let uuid = dom.uuid;
        let stopped = self.store.wait_until_deadline(Instant::now() + EXIT_WAIT, |st| {
            (!st.domains.get(&uuid).is_some_and(|o| o.is_active() && o.ext.crash_dumped)).then_some(())
        });
        stopped.ok_or_else(|| VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("QEMU of domain '{}' did not exit after the dump", dom.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_map_to_qemu_names_and_an_unknown_one_is_refused() {
        assert_eq!(qemu_format(VIR_DOMAIN_CORE_DUMP_FORMAT_RAW).unwrap(), "elf");
        assert_eq!(qemu_format(VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB).unwrap(), "kdump-zlib");
        assert_eq!(qemu_format(VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO).unwrap(), "kdump-lzo");
        assert_eq!(qemu_format(VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY).unwrap(), "kdump-snappy");
        assert_eq!(qemu_format(VIR_DOMAIN_CORE_DUMP_FORMAT_LAST).unwrap_err().code, VIR_ERR_INVALID_ARG);
        assert_eq!(qemu_format(-1).unwrap_err().code, VIR_ERR_INVALID_ARG);
    }

    #[test]
    fn crash_live_and_reset_exclude_each_other() {
        assert!(check_exclusive(VIR_DUMP_CRASH | VIR_DUMP_MEMORY_ONLY).is_ok());
        assert!(check_exclusive(VIR_DUMP_LIVE).is_ok());
        assert!(check_exclusive(VIR_DUMP_RESET).is_ok());
        for pair in [VIR_DUMP_CRASH | VIR_DUMP_LIVE, VIR_DUMP_CRASH | VIR_DUMP_RESET, VIR_DUMP_LIVE | VIR_DUMP_RESET] {
            assert_eq!(check_exclusive(pair).unwrap_err().code, VIR_ERR_INVALID_ARG);
        }
    }
}
