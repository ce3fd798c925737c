//! The job API of seed 004 (virDomainJob*), libvirt's calls that start jobs, the old job API
//! on the same jobs, and the test hypervisor's way to make a job fail.

use super::handles::{self, DomainHandle};
use super::typedparams::malloc_params;
use super::types::*;
use super::{entry, malloc_string, opt_str_arg, str_arg};
use crate::abi::*;
use crate::error::{Result, VirError};
use crate::events::TypedValue;
use crate::jobs::{Job, JobOp};
use std::ffi::{c_char, c_int, c_uint, c_ulong, CStr};
use std::ptr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Resolves `dom` for a call that changes it.
fn writable(dom: virDomainPtr, api: &str) -> Result<Arc<DomainHandle>> {
    let handle = handles::domain(dom, api)?;
    handle.conn.conn.check_writable(api)?;
    Ok(handle)
}

/// Runs a job-starting call and keeps the handle's ID in step (a save or migration stops it).
fn job_call(dom: virDomainPtr, api: &'static str, op: impl FnOnce(&Arc<DomainHandle>) -> Result<()>) -> c_int {
    entry(api, || {
        let handle = writable(dom, api)?;
        let result = op(&handle);
        let id = handle.conn.conn.driver().lookup_by_uuid(&handle.uuid).map(|d| d.id).unwrap_or(-1);
        handle.id.store(id, Ordering::Relaxed);
        result.map(|_| 0)
    })
}

/// A bandwidth argument in bytes per second: MiB/s unless `bytes` is set.
fn bandwidth_bytes(bandwidth: c_ulong, bytes: bool, api: &str) -> Result<u64> {
    if bytes {
        return Ok(bandwidth as u64);
    }
    (bandwidth as u64)
        .checked_mul(1 << 20)
        .ok_or_else(|| VirError::new(VIR_ERR_OVERFLOW, VIR_FROM_NONE, format!("{api}: bandwidth must be less than {} MiB/s", u64::MAX >> 20)))
}

/// # Safety
/// `p` is NULL or a C string.
unsafe fn job_name<'a>(p: *const c_char, api: &str) -> Result<&'a str> {
    let name = str_arg(p, "jobname", api)?;
    if name.is_empty() || name.len() > 256 {
        return Err(VirError::invalid_arg(format!("{api}: jobname must have 1 to 256 bytes")));
    }
    Ok(name)
}

/// Fills a malloc'd virDomainJob.
///
/// # Safety
/// Returns a pointer the caller releases with virDomainJobFree.
unsafe fn c_job(job: &Job, with_data: bool) -> Result<virDomainJobPtr> {
    let out = libc::calloc(1, std::mem::size_of::<virDomainJob>()) as virDomainJobPtr;
    if out.is_null() {
        return Err(VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, "virDomainJobList"));
    }
    let name = malloc_string(&job.name);
    let (data, ndata) = if with_data { malloc_params(&job.stats())? } else { (ptr::null_mut(), 0) };
    *out = virDomainJob { name, r#type: job.kind.code(), state: job.state.code(), data, ndata: ndata as usize };
    Ok(out)
}

/// virtevent extension: releases a virDomainJob from virDomainJobList (its name, its `data`
/// and itself). NULL is ignored.
///
/// # Safety
/// `job` is NULL or was returned by virDomainJobList and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn virDomainJobFree(job: virDomainJobPtr) {
    super::entry_quiet(|| {
        if let Some(j) = job.as_mut() {
            libc::free(j.name as *mut libc::c_void);
            super::typedparams::virTypedParamsFree(j.data, j.ndata as c_int);
            libc::free(job as *mut libc::c_void);
        }
    })
}

/// virtevent extension: the domain's jobs, in the order they started — every long-running
/// operation (migration, save, dump, block pull/commit/copy, backup): the unfinished ones and
/// the finished ones kept by VIR_DOMAIN_JOB_PERSIST. Flags: VIR_DOMAIN_JOB_LIST_ACTIVE,
/// VIR_DOMAIN_JOB_LIST_FINISHED (filters; neither: both), VIR_DOMAIN_JOB_LIST_NO_STATS (no
/// `data`). If `jobs` is not NULL it receives a malloc'd array: free each entry with
/// virDomainJobFree and the array with free(). Returns the number of jobs, or -1 (`*jobs` NULL).
///
/// # Safety
/// `jobs` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virDomainJobList(domain: virDomainPtr, jobs: *mut *mut virDomainJobPtr, flags: c_uint) -> c_int {
    if let Some(out) = jobs.as_mut() {
        *out = ptr::null_mut();
    }
    entry("virDomainJobList", || {
        let handle = handles::domain(domain, "virDomainJobList")?;
        let list = handle.conn.conn.driver().job_list(&handle.domain_ref(), flags)?;
        let Some(out) = jobs.as_mut() else { return Ok(list.len() as c_int) };
        let with_data = flags as i32 & VIR_DOMAIN_JOB_LIST_NO_STATS == 0;
        let array = libc::calloc(list.len() + 1, std::mem::size_of::<virDomainJobPtr>()) as *mut virDomainJobPtr;
        if array.is_null() {
            return Err(VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, "virDomainJobList"));
        }
        for (i, job) in list.iter().enumerate() {
            match c_job(job, with_data) {
                Ok(j) => *array.add(i) = j,
                Err(e) => {
                    (0..i).for_each(|k| virDomainJobFree(*array.add(k)));
                    libc::free(array as *mut libc::c_void);
                    return Err(e);
                }
            }
        }
        *out = array;
        Ok(list.len() as c_int)
    })
}

/// virtevent extension: the XML of job `jobname`:
/// `<job name type state><config>…</config><stats><current/><end/></stats>[<error/>]</job>`
/// (VIR_DOMAIN_JOB_XML_NO_STATS: without `<stats>`); free() it. Unknown job:
/// VIR_ERR_NO_DOMAIN_JOB.
///
/// # Safety
/// `jobname` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn virDomainJobGetXMLDesc(domain: virDomainPtr, jobname: *const c_char, flags: c_uint) -> *mut c_char {
    entry("virDomainJobGetXMLDesc", || {
        let handle = handles::domain(domain, "virDomainJobGetXMLDesc")?;
        let name = job_name(jobname, "virDomainJobGetXMLDesc")?;
        Ok(malloc_string(&handle.conn.conn.driver().job_xml(&handle.domain_ref(), name, flags)?))
    })
}

/// virtevent extension: asks job `jobname` to change state. ABORT: any live state (ABORTING,
/// then ABORTED); PAUSE: created, running (PAUSED) or ready (STANDBY), block jobs only; RESUME:
/// paused or standby, block jobs only; FINALIZE: ready (block copy, active commit: the pivot)
/// or pending; DISMISS: a finished job kept by VIR_DOMAIN_JOB_PERSIST. Anything else fails with
/// VIR_ERR_OPERATION_INVALID naming the job, its state and the operation. The call may return
/// before the transition happens: VIR_DOMAIN_EVENT_ID_JOB_STATE tells. Returns 0 or -1.
///
/// # Safety
/// `jobname` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn virDomainJobControl(domain: virDomainPtr, jobname: *const c_char, op: virDomainJobControlOperation, flags: c_uint) -> c_int {
    entry("virDomainJobControl", || {
        let handle = writable(domain, "virDomainJobControl")?;
        let name = job_name(jobname, "virDomainJobControl")?;
        let op = JobOp::from_code(op)?;
        handle.conn.conn.driver().job_control(&handle.domain_ref(), name, op, flags)?;
        Ok(0)
    })
}

/// virtevent extension, test hypervisor: job `jobname` fails with `message` (FAILED, its
/// events, and its blocked caller fails with VIR_ERR_OPERATION_FAILED). `flags` must be 0.
///
/// # Safety
/// `jobname` and `message` are NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn virTestDomainFailJob(domain: virDomainPtr, jobname: *const c_char, message: *const c_char, flags: c_uint) -> c_int {
    entry("virTestDomainFailJob", || {
        let handle = writable(domain, "virTestDomainFailJob")?;
        let name = job_name(jobname, "virTestDomainFailJob")?;
        let message = str_arg(message, "message", "virTestDomainFailJob")?;
        handle.conn.conn.driver().fail_job(&handle.domain_ref(), name, message, flags)?;
        Ok(0)
    })
}

/// Pulls the backing chain of `disk` into its active image (a block-pull job; see
/// virDomainBlockRebase). `bandwidth` in MiB/s (bytes/s with
/// VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES), 0 for the default. Accepts VIR_DOMAIN_JOB_PERSIST.
///
/// # Safety
/// `disk` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn virDomainBlockPull(dom: virDomainPtr, disk: *const c_char, bandwidth: c_ulong, flags: c_uint) -> c_int {
    job_call(dom, "virDomainBlockPull", |h| {
        let disk = str_arg(disk, "disk", "virDomainBlockPull")?;
        let bytes = bandwidth_bytes(bandwidth, flags as i32 & VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES != 0, "virDomainBlockPull")?;
        if flags as i32 & !(VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES | VIR_DOMAIN_JOB_PERSIST) != 0 {
            return Err(VirError::invalid_arg(format!("virDomainBlockPull: unsupported flags (0x{flags:x})")));
        }
        h.conn.conn.driver().block_rebase(&h.domain_ref(), disk, None, bytes, flags)
    })
}

/// Pulls the chain of `disk` down to `base` (NULL: all of it) into the active image (a
/// block-pull job), or with VIR_DOMAIN_BLOCK_REBASE_COPY copies the disk to `base` (a
/// block-copy job). Accepts VIR_DOMAIN_JOB_PERSIST.
///
/// # Safety
/// `disk` and `base` are NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn virDomainBlockRebase(dom: virDomainPtr, disk: *const c_char, base: *const c_char, bandwidth: c_ulong, flags: c_uint) -> c_int {
    job_call(dom, "virDomainBlockRebase", |h| {
        let disk = str_arg(disk, "disk", "virDomainBlockRebase")?;
        let base = opt_str_arg(base, "base", "virDomainBlockRebase")?;
        let bytes = bandwidth_bytes(bandwidth, flags as i32 & VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES != 0, "virDomainBlockRebase")?;
        h.conn.conn.driver().block_rebase(&h.domain_ref(), disk, base, bytes, flags)
    })
}

/// Commits the images from `top` (NULL: the active image, which needs
/// VIR_DOMAIN_BLOCK_COMMIT_ACTIVE) down into `base` (NULL: the bottom of the chain) — a
/// block-commit job, or a block-commit-active job that reaches READY and waits for the pivot.
/// Positions are `vda[N]` or image paths. Accepts VIR_DOMAIN_JOB_PERSIST.
///
/// # Safety
/// `disk`, `base`, `top` are NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn virDomainBlockCommit(
    dom: virDomainPtr,
    disk: *const c_char,
    base: *const c_char,
    top: *const c_char,
    bandwidth: c_ulong,
    flags: c_uint,
) -> c_int {
    job_call(dom, "virDomainBlockCommit", |h| {
        let disk = str_arg(disk, "disk", "virDomainBlockCommit")?;
        let base = opt_str_arg(base, "base", "virDomainBlockCommit")?;
        let top = opt_str_arg(top, "top", "virDomainBlockCommit")?;
        let bytes = bandwidth_bytes(bandwidth, flags as i32 & VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES != 0, "virDomainBlockCommit")?;
        h.conn.conn.driver().block_commit(&h.domain_ref(), disk, base, top, bytes, flags)
    })
}

/// Copies `disk` to the disk `destxml` describes (a block-copy job: READY when in sync, then
/// virDomainBlockJobAbort with PIVOT or VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE switches to
/// the copy; an abort keeps the source). Parameter "bandwidth" (ULLONG, bytes/s) is honoured.
/// Accepts VIR_DOMAIN_JOB_PERSIST.
///
/// # Safety
/// `disk`, `destxml` are NULL or C strings; `params` is NULL or points to `nparams` parameters.
#[no_mangle]
pub unsafe extern "C" fn virDomainBlockCopy(
    dom: virDomainPtr,
    disk: *const c_char,
    destxml: *const c_char,
    params: virTypedParameterPtr,
    nparams: c_int,
    flags: c_uint,
) -> c_int {
    job_call(dom, "virDomainBlockCopy", |h| {
        let disk = str_arg(disk, "disk", "virDomainBlockCopy")?;
        let destxml = str_arg(destxml, "destxml", "virDomainBlockCopy")?;
        if nparams < 0 || (params.is_null() && nparams > 0) {
            return Err(VirError::invalid_arg("virDomainBlockCopy: params/nparams are inconsistent"));
        }
        let mut bandwidth = 0;
        for i in 0..nparams as usize {
            let p = &*params.add(i);
            let field = CStr::from_ptr(p.field.as_ptr()).to_string_lossy();
            match (field.as_ref(), p.r#type) {
                ("bandwidth", VIR_TYPED_PARAM_ULLONG) => bandwidth = p.value.ul,
                ("granularity", VIR_TYPED_PARAM_UINT) | ("buf-size", VIR_TYPED_PARAM_ULLONG) => {}
                (other, _) => return Err(VirError::invalid_arg(format!("virDomainBlockCopy: unsupported parameter '{other}' or type"))),
            }
        }
        h.conn.conn.driver().block_copy(&h.domain_ref(), disk, destxml, bandwidth, flags)
    })
}

/// Starts a push-mode backup (one backup job over the disks `backupXML` lists; NULL: every
/// disk, each copied beside its image). `checkpointXML` must be NULL. Accepts
/// VIR_DOMAIN_JOB_PERSIST.
///
/// # Safety
/// `backupXML`, `checkpointXML` are NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn virDomainBackupBegin(domain: virDomainPtr, backupXML: *const c_char, checkpointXML: *const c_char, flags: c_uint) -> c_int {
    job_call(domain, "virDomainBackupBegin", |h| {
        let backup = opt_str_arg(backupXML, "backupXML", "virDomainBackupBegin")?;
        if !checkpointXML.is_null() {
            return Err(VirError::new(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_NONE, "virDomainBackupBegin: checkpoints are not supported"));
        }
        h.conn.conn.driver().backup_begin(&h.domain_ref(), backup, flags)
    })
}

/// The XML of the running backup; free() it. No backup: VIR_ERR_NO_DOMAIN_BACKUP.
#[no_mangle]
pub extern "C" fn virDomainBackupGetXMLDesc(domain: virDomainPtr, flags: c_uint) -> *mut c_char {
    entry("virDomainBackupGetXMLDesc", || {
        let h = handles::domain(domain, "virDomainBackupGetXMLDesc")?;
        Ok(malloc_string(&h.conn.conn.driver().backup_xml(&h.domain_ref(), flags)?))
    })
}

/// Saves the domain to `to` and stops it: a save job, the call returning when it ends (an
/// abort from another thread makes it fail with VIR_ERR_OPERATION_ABORTED). `dxml` must be
/// NULL. Accepts VIR_DOMAIN_JOB_PERSIST.
///
/// # Safety
/// `to` and `dxml` are NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn virDomainSaveFlags(domain: virDomainPtr, to: *const c_char, dxml: *const c_char, flags: c_uint) -> c_int {
    job_call(domain, "virDomainSaveFlags", |h| {
        let to = str_arg(to, "to", "virDomainSaveFlags")?;
        if !dxml.is_null() {
            return Err(VirError::new(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_NONE, "virDomainSaveFlags: an alternative XML is not supported"));
        }
        h.conn.conn.driver().save(&h.domain_ref(), to, flags)
    })
}

/// Writes a core dump of the domain to `to`: a dump job, the call returning when it ends.
/// Flags: VIR_DUMP_LIVE, VIR_DUMP_BYPASS_CACHE, VIR_DUMP_MEMORY_ONLY, VIR_DOMAIN_JOB_PERSIST;
/// the QEMU backend needs VIR_DUMP_MEMORY_ONLY (QEMU's dump-guest-memory), also takes
/// VIR_DUMP_CRASH and VIR_DUMP_RESET, and refuses VIR_DUMP_BYPASS_CACHE.
///
/// # Safety
/// `to` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn virDomainCoreDumpWithFormat(domain: virDomainPtr, to: *const c_char, dumpformat: c_uint, flags: c_uint) -> c_int {
    job_call(domain, "virDomainCoreDumpWithFormat", |h| {
        let to = str_arg(to, "to", "virDomainCoreDumpWithFormat")?;
        h.conn.conn.driver().core_dump(&h.domain_ref(), to, dumpformat as i32, flags)
    })
}

/// virDomainCoreDumpWithFormat in the raw format.
///
/// # Safety
/// As for virDomainCoreDumpWithFormat.
#[no_mangle]
pub unsafe extern "C" fn virDomainCoreDump(domain: virDomainPtr, to: *const c_char, flags: c_uint) -> c_int {
    virDomainCoreDumpWithFormat(domain, to, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW as c_uint, flags)
}

/// Migrates the running domain to the hypervisor of `dconn` (between two test hypervisors in
/// one process): a migration job firing MIGRATION_ITERATION, the call returning when it ends.
/// The source domain stops (STOPPED(MIGRATED)), the destination starts (STARTED(MIGRATED));
/// returns the domain on `dconn` (virDomainFree it). `dname` and `uri` must be NULL;
/// `bandwidth` in MiB/s, 0 for the default. Accepts VIR_DOMAIN_JOB_PERSIST.
///
/// # Safety
/// `dname` and `uri` are NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn virDomainMigrate(
    domain: virDomainPtr,
    dconn: virConnectPtr,
    flags: c_ulong,
    dname: *const c_char,
    uri: *const c_char,
    bandwidth: c_ulong,
) -> virDomainPtr {
    entry("virDomainMigrate", || {
        let h = writable(domain, "virDomainMigrate")?;
        let dest = handles::connection(dconn, "virDomainMigrate")?;
        dest.conn.check_writable("virDomainMigrate")?;
        if !dname.is_null() || !uri.is_null() {
            return Err(VirError::new(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_NONE, "virDomainMigrate: dname and uri must be NULL"));
        }
        let bytes = bandwidth_bytes(bandwidth, false, "virDomainMigrate")?;
        let result = h.conn.conn.driver().migrate(&h.domain_ref(), dest.conn.driver(), flags as u64, bytes);
        let id = h.conn.conn.driver().lookup_by_uuid(&h.uuid).map(|d| d.id).unwrap_or(-1);
        h.id.store(id, Ordering::Relaxed);
        handles::new_domain(&dest, &result?)
    })
}

/// The domain job (migration, save, dump, backup) as libvirt's old API reports it; with none
/// running, `type` is VIR_DOMAIN_JOB_NONE.
///
/// # Safety
/// `info` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetJobInfo(dom: virDomainPtr, info: virDomainJobInfoPtr) -> c_int {
    entry("virDomainGetJobInfo", || {
        let h = handles::domain(dom, "virDomainGetJobInfo")?;
        let out = info.as_mut().ok_or_else(|| VirError::invalid_arg("virDomainGetJobInfo: info must not be NULL"))?;
        let job = h.conn.conn.driver().domain_job(&h.domain_ref(), false, true)?;
        // SAFETY: all-integer struct.
        *out = std::mem::zeroed();
        if let Some(job) = job {
            let remaining = job.end.saturating_sub(job.current);
            let rate_per_ms = job.current / job.elapsed_ms().max(1);
            out.r#type = VIR_DOMAIN_JOB_BOUNDED;
            out.timeElapsed = job.elapsed_ms();
            out.timeRemaining = if rate_per_ms > 0 { remaining / rate_per_ms } else { 0 };
            out.dataTotal = job.end;
            out.dataProcessed = job.current;
            out.dataRemaining = remaining;
            if matches!(job.kind, crate::jobs::JobKind::Migration | crate::jobs::JobKind::Save | crate::jobs::JobKind::Dump) {
                out.memTotal = job.end;
                out.memProcessed = job.current;
                out.memRemaining = remaining;
            }
        }
        Ok(0)
    })
}

/// The statistics of the domain job (VIR_DOMAIN_JOB_* parameters, malloc'd: release with
/// virTypedParamsFree), or with VIR_DOMAIN_JOB_STATS_COMPLETED of the last one that ended
/// (forgotten after this read unless VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED).
///
/// # Safety
/// `type`, `params`, `nparams` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetJobStats(
    domain: virDomainPtr,
    r#type: *mut c_int,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    flags: c_uint,
) -> c_int {
    entry("virDomainGetJobStats", || {
        let h = handles::domain(domain, "virDomainGetJobStats")?;
        let (Some(t), Some(p), Some(n)) = (r#type.as_mut(), params.as_mut(), nparams.as_mut()) else {
            return Err(VirError::invalid_arg("virDomainGetJobStats: type, params and nparams must not be NULL"));
        };
        let known = (VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED) as c_uint;
        if flags & !known != 0 {
            return Err(VirError::invalid_arg(format!("virDomainGetJobStats: unsupported flags (0x{:x})", flags & !known)));
        }
        let completed = flags as i32 & VIR_DOMAIN_JOB_STATS_COMPLETED != 0;
        let keep = flags as i32 & VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED != 0;
        let job = h.conn.conn.driver().domain_job(&h.domain_ref(), completed, keep)?;
        let stats: Vec<_> = job.map(|j| j.domain_job_stats()).unwrap_or_default();
        *t = stats
            .iter()
            .find(|s| s.field.as_bytes() == b"type")
            .and_then(|s| if let TypedValue::Int(v) = s.value { Some(v) } else { None })
            .unwrap_or(VIR_DOMAIN_JOB_NONE);
        let rest: Vec<_> = stats.into_iter().filter(|s| s.field.as_bytes() != b"type").collect();
        let (array, count) = malloc_params(&rest)?;
        *p = array;
        *n = count;
        Ok(0)
    })
}

/// Aborts the domain job (migration, save, dump, backup); its blocked caller fails with
/// VIR_ERR_OPERATION_ABORTED. None running: VIR_ERR_OPERATION_INVALID.
#[no_mangle]
pub extern "C" fn virDomainAbortJob(domain: virDomainPtr) -> c_int {
    job_call(domain, "virDomainAbortJob", |h| h.conn.conn.driver().abort_job(&h.domain_ref(), 0))
}

/// virDomainAbortJob with flags (none supported here).
#[no_mangle]
pub extern "C" fn virDomainAbortJobFlags(domain: virDomainPtr, flags: c_uint) -> c_int {
    job_call(domain, "virDomainAbortJobFlags", |h| h.conn.conn.driver().abort_job(&h.domain_ref(), flags))
}

/// The pull, commit or copy job of `disk`: 1 with `*info` filled, 0 when there is none (a
/// disk has at most one of those; a backup covering it is a domain job, see
/// virDomainGetJobInfo), -1 on error.
///
/// # Safety
/// `disk` is NULL or a C string; `info` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn virDomainGetBlockJobInfo(dom: virDomainPtr, disk: *const c_char, info: virDomainBlockJobInfoPtr, flags: c_uint) -> c_int {
    entry("virDomainGetBlockJobInfo", || {
        let h = handles::domain(dom, "virDomainGetBlockJobInfo")?;
        let disk = str_arg(disk, "disk", "virDomainGetBlockJobInfo")?;
        let out = info.as_mut().ok_or_else(|| VirError::invalid_arg("virDomainGetBlockJobInfo: info must not be NULL"))?;
        let known = VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES as c_uint;
        if flags & !known != 0 {
            return Err(VirError::invalid_arg(format!("virDomainGetBlockJobInfo: unsupported flags (0x{:x})", flags & !known)));
        }
        let Some(job) = h.conn.conn.driver().block_job(&h.domain_ref(), disk)? else {
            *out = std::mem::zeroed();
            return Ok(0);
        };
        let bandwidth = if flags != 0 { job.bandwidth } else { job.bandwidth >> 20 };
        *out = virDomainBlockJobInfo {
            r#type: job.kind.block_job_type().unwrap_or(VIR_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN),
            bandwidth: bandwidth as c_ulong,
            cur: job.current,
            end: job.end,
        };
        Ok(1)
    })
}

/// Ends the block job of `disk`: aborts it, or with VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT switches
/// a READY copy or active commit to its new image (FINALIZE). Waits for the end unless
/// VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC.
///
/// # Safety
/// `disk` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn virDomainBlockJobAbort(dom: virDomainPtr, disk: *const c_char, flags: c_uint) -> c_int {
    job_call(dom, "virDomainBlockJobAbort", |h| {
        let disk = str_arg(disk, "disk", "virDomainBlockJobAbort")?;
        h.conn.conn.driver().block_job_abort(&h.domain_ref(), disk, flags)
    })
}

/// Sets the bandwidth of the block job of `disk` (MiB/s, bytes/s with
/// VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES; 0: the default).
///
/// # Safety
/// `disk` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn virDomainBlockJobSetSpeed(dom: virDomainPtr, disk: *const c_char, bandwidth: c_ulong, flags: c_uint) -> c_int {
    job_call(dom, "virDomainBlockJobSetSpeed", |h| {
        let disk = str_arg(disk, "disk", "virDomainBlockJobSetSpeed")?;
        let known = VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES as c_uint;
        if flags & !known != 0 {
            return Err(VirError::invalid_arg(format!("virDomainBlockJobSetSpeed: unsupported flags (0x{:x})", flags & !known)));
        }
        let bytes = bandwidth_bytes(bandwidth, flags != 0, "virDomainBlockJobSetSpeed")?;
        h.conn.conn.driver().block_job_set_speed(&h.domain_ref(), disk, bytes)
    })
}
