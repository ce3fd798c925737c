//! virDomainSave and virDomainRestore: QEMU's migration to and from a file. The image is a
//! short header of ours (a magic line, the state to restore, the domain XML) followed by QEMU's
//! migration stream. A save is a domain job (`save`): the domain is paused (SUSPENDED), QEMU
//! streams its state with `migrate` while the job's progress follows `query-migrate`, and once
//! the stream is complete QEMU is ended: STOPPED(SAVED). A restore starts QEMU with `-incoming
//! defer`, feeds it the stream with `migrate-incoming`, then STARTED(RESTORED).

use super::{monitor_error, Inner};
use crate::abi::*;
use crate::domains::check_flags;
use crate::error::{Result, VirError};
use crate::events::DomainRef;
use crate::jobs::{Job, JobConfig, JobKind, JobState};
use crate::model::def::DomainDef;
use crate::model::xml::MAX_DOCUMENT_BYTES;
use super::qmp::Monitor;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

const MAGIC: &str = "virtevent-qemu-save-v1";
/// How often a running migration's status is read.
const POLL: Duration = Duration::from_millis(5);
/// How long a save or restore may take before it is given up.
const MIGRATION_TIMEOUT: Duration = Duration::from_secs(600);
/// How long QEMU may take to exit once its state is saved.
const EXIT_WAIT: Duration = Duration::from_secs(10);

/// `s` as one word for /bin/sh, which runs QEMU's `exec:` migration URIs.
fn sh_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn header(xml: &str, paused: bool) -> String {
    format!("{MAGIC}\n{}\n{}\n{xml}", if paused { "paused" } else { "running" }, xml.len())
}

/// Reads a saved image's header: the definition, whether to restore it paused, and the URI
/// from which QEMU reads the stream after the header.
pub fn read_image(path: &str) -> Result<(DomainDef, bool, String)> {
    let bad = || VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("'{path}' is not a saved domain image"));
    let limit = (MAX_DOCUMENT_BYTES + 128) as u64;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut head))
        .map_err(|e| VirError::system(format!("failed to read saved image '{path}': {e}")))?;
    let mut lines = head.splitn(4, |&b| b == b'\n');
    let mut line = || lines.next().and_then(|l| std::str::from_utf8(l).ok()).ok_or_else(bad);
    if line()? != MAGIC {
        return Err(bad());
    }
    let paused = match line()? {
        "paused" => true,
        "running" => false,
        _ => return Err(bad()),
    };
    let len: usize = line()?.parse().map_err(|_| bad())?;
    let start = MAGIC.len() + 1 + if paused { 7 } else { 8 } + len.to_string().len() + 1;
    let xml = head.get(start..start + len).and_then(|x| std::str::from_utf8(x).ok()).ok_or_else(bad)?;
    let def = DomainDef::parse(xml).map_err(super::def_error)?;
    // tail counts bytes from 1.
    let uri = format!("exec:tail -c +{} {}", start + len + 1, sh_quoted(path));
    Ok((def, paused, uri))
}

/// Loads the saved state into a QEMU started with `-incoming defer`.
pub fn load_state(monitor: &Monitor, uri: &str) -> Result<()> {
    monitor.execute("migrate-incoming", Some(json!({ "uri": uri }))).map_err(|e| VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, e.to_string()))?;
    let deadline = Instant::now() + MIGRATION_TIMEOUT;
    loop {
        let status = monitor.execute("query-migrate", None).map_err(|e| VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, e.to_string()))?;
        match status["status"].as_str().unwrap_or("") {
            "completed" => return Ok(()),
            "failed" | "cancelled" => {
                let why = status["error-desc"].as_str().unwrap_or("the saved state could not be loaded");
                return Err(VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, why));
            }
            _ if Instant::now() > deadline => return Err(VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, "loading the saved state timed out")),
            _ => std::thread::sleep(POLL),
        }
    }
}

/// `e`, its message saying which domain it concerns.
pub fn in_domain(mut e: VirError, domain: &str) -> VirError {
    e.message = format!("domain '{domain}': {}", e.message);
    e
}

impl Inner {
    pub(super) fn save(&self, dom: &DomainRef, path: &str, flags: u32) -> Result<()> {
        check_flags(flags, VIR_DOMAIN_SAVE_BYPASS_CACHE | VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED | VIR_DOMAIN_JOB_PERSIST)?;
        if path.is_empty() || path.contains('\0') {
            return Err(VirError::invalid_arg("the save file path is empty"));
        }
        let persist = flags as i32 & VIR_DOMAIN_JOB_PERSIST != 0;
        let (monitor, name, xml, was_running) = self.store.commit_on(dom, |txn, uuid| {
            let obj = &txn.st.domains[uuid];
            obj.require_active()?;
            let monitor = obj.ext.monitor.clone().ok_or_else(|| txn.invalid_op(format!("domain '{}' is not running", obj.name)))?;
            let xml = obj.def.to_xml(None, None);
            let was_running = obj.state.state == VIR_DOMAIN_RUNNING;
            let end = obj.def.current_memory_kib() * 1024;
            let config = JobConfig { file: Some(path.to_string()), ..Default::default() };
            let name = txn.job_start(uuid, Job::new("save".into(), JobKind::Save, config, end, 0, persist))?;
            Ok((monitor, name, xml, was_running))
        })?;
        let paused_after = match flags as i32 & (VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED) {
            VIR_DOMAIN_SAVE_RUNNING => false,
            VIR_DOMAIN_SAVE_PAUSED => true,
            _ => !was_running,
        };
        let result = self.migrate_to_file(dom, &monitor, &name, path, &header(&xml, paused_after), was_running);
        let outcome = self.store.commit_on(dom, |txn, uuid| {
            let aborting = txn.st.domains[uuid].jobs.get(&name).is_some_and(|j| j.state == JobState::Aborting);
            match (&result, aborting) {
                (Ok(()), false) => {
                    txn.job_move(uuid, &name, JobState::Pending, None)?;
                    txn.job_move(uuid, &name, JobState::Completed, None)?;
                    txn.obj(uuid).ext.saved = true;
                    Ok(txn.obj(uuid).ext.pid)
                }
                (_, true) => {
                    txn.job_move(uuid, &name, JobState::Aborted, None)?;
                    Err(VirError::new(VIR_ERR_OPERATION_ABORTED, VIR_FROM_QEMU, format!("job '{name}' was aborted")))
                }
                (Err(e), false) => {
                    txn.job_move(uuid, &name, JobState::Failed, Some(e.message.clone()))?;
                    Err(e.clone())
                }
            }
        });
        let pid = match outcome {
            Ok(pid) => pid,
            Err(e) => {
                let _ = std::fs::remove_file(path);
                if was_running {
                    // The domain goes on as it was.
                    let _ = self.command(dom, "cont", |obj| {
                        obj.ext.running_reason = Some(VIR_DOMAIN_RUNNING_UNPAUSED);
                        Ok(())
                    });
                }
                return Err(e);
            }
        };
        // Its state is in the file: QEMU ends, and its exit is STOPPED(SAVED).
        if let Some(pid) = pid {
            let _ = crate::sys::kill(pid, crate::sys::Signal::Term);
        }
        let uuid = dom.uuid;
        let stopped = self.store.wait_until_deadline(Instant::now() + EXIT_WAIT, |st| {
            (!st.domains.get(&uuid).is_some_and(|o| o.is_active() && o.ext.saved)).then_some(())
        });
        stopped.ok_or_else(|| VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("QEMU of domain '{}' did not exit after the save", dom.name)))
    }

    /// Pauses the domain if it runs, writes the header, and streams QEMU's state after it,
    /// following the progress until the stream is complete.
    fn migrate_to_file(&self, dom: &DomainRef, monitor: &Monitor, name: &str, path: &str, header: &str, was_running: bool) -> Result<()> {
        std::fs::File::create(path)
            .and_then(|mut f| f.write_all(header.as_bytes()))
            .map_err(|e| VirError::system(format!("failed to write saved image '{path}': {e}")))?;
        if was_running {
            self.command(dom, "stop", |obj| {
                obj.ext.pause_reason = Some(VIR_DOMAIN_PAUSED_SAVE);
                Ok(())
            })?;
        }
        let uri = format!("exec:cat >> {}", sh_quoted(path));
        monitor.execute("migrate", Some(json!({ "uri": uri }))).map_err(|e| monitor_error(&dom.name, e))?;
        let deadline = Instant::now() + MIGRATION_TIMEOUT;
        loop {
            let status = monitor.execute("query-migrate", None).map_err(|e| monitor_error(&dom.name, e))?;
            let ram = |k: &str| status.pointer(&format!("/ram/{k}")).and_then(Value::as_u64);
            if let (Some(done), Some(total)) = (ram("transferred"), ram("total")) {
                let _ = self.store.commit_on(dom, |txn, uuid| {
                    if let Some(job) = txn.obj(uuid).jobs.get_mut(name) {
                        (job.current, job.end) = (done.min(total), total);
                    }
                    Ok(())
                });
            }
            match status["status"].as_str().unwrap_or("") {
                "completed" => return Ok(()),
                "failed" | "cancelled" => {
                    let why = status["error-desc"].as_str().unwrap_or("the state could not be saved");
                    return Err(VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("domain '{}': {why}", dom.name)));
                }
                _ if Instant::now() > deadline => {
                    let _ = monitor.execute("migrate_cancel", None);
                    return Err(VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("saving domain '{}' timed out", dom.name)));
                }
                _ => std::thread::sleep(POLL),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_header_reads_back_and_a_bad_one_is_refused() {
        let xml = "<domain type='qemu'><name>it's</name><memory>1024</memory><os><type>hvm</type></os></domain>";
        let dir = std::env::temp_dir().join(format!("virtevent-save-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a 'b'.img");
        let path = path.to_str().unwrap();
        let head = header(xml, true);
        std::fs::write(path, format!("{head}QEVM-stream")).unwrap();
        let (def, paused, uri) = read_image(path).unwrap();
        assert!(paused && def.name() == "it's");
        assert_eq!(uri, format!("exec:tail -c +{} '{}'", head.len() + 1, path.replace('\'', r"'\''")));
        // The shell reads from the first byte after the header.
        let out = std::process::Command::new("sh").arg("-c").arg(uri.strip_prefix("exec:").unwrap()).output().unwrap();
        assert_eq!(out.stdout, b"QEVM-stream");
        for junk in ["", "virtevent-qemu-save-v1\nsleeping\n3\nabc", "virtevent-qemu-save-v1\nrunning\n999\n<domain", "other\n"] {
            std::fs::write(path, junk).unwrap();
            assert_eq!(read_image(path).unwrap_err().code, VIR_ERR_OPERATION_FAILED, "{junk:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(read_image(path).unwrap_err().code, VIR_ERR_SYSTEM_ERROR);
    }
}
