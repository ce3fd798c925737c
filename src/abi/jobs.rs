//! virtevent extension: the numbers of the job API of seed 004 (virDomainJob*). libvirt owns
//! the typedef `virDomainJobType` (virDomainGetJobInfo's), so the job-kind enum keeps the
//! seed's constant names under the typedef `virDomainJobKind`.
#![allow(non_camel_case_types)]

use std::ffi::c_int;

/// virtevent extension: what a job does (the `type` of a virDomainJob).
pub type virDomainJobKind = c_int;
/// virtevent extension.
pub const VIR_DOMAIN_JOB_TYPE_NONE: virDomainJobKind = 0;
/// virtevent extension: outgoing migration (virDomainMigrate*).
pub const VIR_DOMAIN_JOB_TYPE_MIGRATION: virDomainJobKind = 1;
/// virtevent extension: virDomainBlockPull, virDomainBlockRebase without COPY.
pub const VIR_DOMAIN_JOB_TYPE_BLOCK_PULL: virDomainJobKind = 2;
/// virtevent extension: virDomainBlockCommit of a backing image into a lower one.
pub const VIR_DOMAIN_JOB_TYPE_BLOCK_COMMIT: virDomainJobKind = 3;
/// virtevent extension: virDomainBlockCommit of the active image (reaches READY, then finalize = pivot).
pub const VIR_DOMAIN_JOB_TYPE_BLOCK_COMMIT_ACTIVE: virDomainJobKind = 4;
/// virtevent extension: virDomainBlockCopy, virDomainBlockRebase with COPY (reaches READY, then finalize = pivot).
pub const VIR_DOMAIN_JOB_TYPE_BLOCK_COPY: virDomainJobKind = 5;
/// virtevent extension: virDomainBackupBegin (one job over several disks).
pub const VIR_DOMAIN_JOB_TYPE_BACKUP: virDomainJobKind = 6;
/// virtevent extension: virDomainSave*, virDomainManagedSave.
pub const VIR_DOMAIN_JOB_TYPE_SAVE: virDomainJobKind = 7;
/// virtevent extension: virDomainCoreDump*.
pub const VIR_DOMAIN_JOB_TYPE_DUMP: virDomainJobKind = 8;
/// virtevent extension: creation of a block device image by the hypervisor.
pub const VIR_DOMAIN_JOB_TYPE_BLOCKDEV_CREATE: virDomainJobKind = 9;
/// virtevent extension.
pub const VIR_DOMAIN_JOB_TYPE_LAST: virDomainJobKind = 10;

/// virtevent extension: where a job is in its life (QEMU's job model, outcome made explicit).
pub type virDomainJobState = c_int;
/// virtevent extension: unknown.
pub const VIR_DOMAIN_JOB_STATE_NONE: virDomainJobState = 0;
/// virtevent extension: working.
pub const VIR_DOMAIN_JOB_STATE_RUNNING: virDomainJobState = 1;
/// virtevent extension: in sync, waiting for FINALIZE (pivot) or ABORT.
pub const VIR_DOMAIN_JOB_STATE_READY: virDomainJobState = 2;
/// virtevent extension: terminal: ended with an error.
pub const VIR_DOMAIN_JOB_STATE_FAILED: virDomainJobState = 3;
/// virtevent extension: terminal: done.
pub const VIR_DOMAIN_JOB_STATE_COMPLETED: virDomainJobState = 4;
/// virtevent extension: terminal: ended by ABORT.
pub const VIR_DOMAIN_JOB_STATE_ABORTED: virDomainJobState = 5;
/// virtevent extension: exists, not started yet.
pub const VIR_DOMAIN_JOB_STATE_CREATED: virDomainJobState = 6;
/// virtevent extension: paused while running.
pub const VIR_DOMAIN_JOB_STATE_PAUSED: virDomainJobState = 7;
/// virtevent extension: paused while ready.
pub const VIR_DOMAIN_JOB_STATE_STANDBY: virDomainJobState = 8;
/// virtevent extension: the work is done; the job is being concluded.
pub const VIR_DOMAIN_JOB_STATE_PENDING: virDomainJobState = 9;
/// virtevent extension: ABORT accepted; the job is winding down.
pub const VIR_DOMAIN_JOB_STATE_ABORTING: virDomainJobState = 10;
/// virtevent extension.
pub const VIR_DOMAIN_JOB_STATE_LAST: virDomainJobState = 11;

/// virtevent extension: what virDomainJobControl asks of a job.
pub type virDomainJobControlOperation = c_int;
/// virtevent extension: asks nothing (refused).
pub const VIR_DOMAIN_JOB_CONTROL_OPERATION_NONE: virDomainJobControlOperation = 0;
/// virtevent extension: end a live job (ABORTING, then ABORTED).
pub const VIR_DOMAIN_JOB_CONTROL_OPERATION_ABORT: virDomainJobControlOperation = 1;
/// virtevent extension: READY → PENDING (block copy, active commit: pivot), PENDING → COMPLETED.
pub const VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE: virDomainJobControlOperation = 2;
/// virtevent extension: block jobs only: CREATED/RUNNING → PAUSED, READY → STANDBY.
pub const VIR_DOMAIN_JOB_CONTROL_OPERATION_PAUSE: virDomainJobControlOperation = 3;
/// virtevent extension: block jobs only: PAUSED → RUNNING, STANDBY → READY.
pub const VIR_DOMAIN_JOB_CONTROL_OPERATION_RESUME: virDomainJobControlOperation = 4;
/// virtevent extension: forget a finished job kept by VIR_DOMAIN_JOB_PERSIST.
pub const VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS: virDomainJobControlOperation = 5;
/// virtevent extension.
pub const VIR_DOMAIN_JOB_CONTROL_OPERATION_LAST: virDomainJobControlOperation = 6;

/// virtevent extension: flags of virDomainJobList.
pub type virDomainJobListFlags = c_int;
/// virtevent extension: list jobs that are not finished.
pub const VIR_DOMAIN_JOB_LIST_ACTIVE: virDomainJobListFlags = 1 << 0;
/// virtevent extension: list finished jobs kept by VIR_DOMAIN_JOB_PERSIST.
pub const VIR_DOMAIN_JOB_LIST_FINISHED: virDomainJobListFlags = 1 << 1;
/// virtevent extension: the abbreviated listing: no `data`.
pub const VIR_DOMAIN_JOB_LIST_NO_STATS: virDomainJobListFlags = 1 << 2;

/// virtevent extension: flags of virDomainJobGetXMLDesc.
pub type virDomainJobXMLFlags = c_int;
/// virtevent extension: leave `<stats>` out.
pub const VIR_DOMAIN_JOB_XML_NO_STATS: virDomainJobXMLFlags = 1 << 0;

/// virtevent extension: flag accepted by every call that starts a job (virDomainBlockPull,
/// …Rebase, …Commit, …Copy, virDomainBackupBegin, virDomainSaveFlags, virDomainManagedSave,
/// virDomainCoreDumpWithFormat, virDomainMigrate*): the job stays listed in its terminal state,
/// with its final statistics and error, until VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS.
pub const VIR_DOMAIN_JOB_PERSIST: c_int = 1 << 24;

// libvirt's names of the typed parameters of a domain job's statistics (virDomainGetJobStats,
// the JOB_COMPLETED event). cbindgen cannot emit string constants: the header gets them from the
// trailer in cbindgen.toml, which the test below keeps equal to these.

/// A virDomainJobOperation (INT).
pub const VIR_DOMAIN_JOB_OPERATION: &str = "operation";
/// Milliseconds since the job started (ULLONG).
pub const VIR_DOMAIN_JOB_TIME_ELAPSED: &str = "time_elapsed";
pub const VIR_DOMAIN_JOB_DATA_TOTAL: &str = "data_total";
pub const VIR_DOMAIN_JOB_DATA_PROCESSED: &str = "data_processed";
pub const VIR_DOMAIN_JOB_DATA_REMAINING: &str = "data_remaining";
pub const VIR_DOMAIN_JOB_MEMORY_TOTAL: &str = "memory_total";
pub const VIR_DOMAIN_JOB_MEMORY_PROCESSED: &str = "memory_processed";
pub const VIR_DOMAIN_JOB_MEMORY_REMAINING: &str = "memory_remaining";
pub const VIR_DOMAIN_JOB_DISK_TOTAL: &str = "disk_total";
pub const VIR_DOMAIN_JOB_DISK_PROCESSED: &str = "disk_processed";
pub const VIR_DOMAIN_JOB_DISK_REMAINING: &str = "disk_remaining";
/// Whether a finished job succeeded (BOOLEAN).
pub const VIR_DOMAIN_JOB_SUCCESS: &str = "success";
/// Why a finished job failed (STRING).
pub const VIR_DOMAIN_JOB_ERRMSG: &str = "errmsg";

#[cfg(test)]
mod tests {
    #[test]
    fn the_header_trailer_defines_every_statistics_name() {
        let toml = include_str!("../../cbindgen.toml");
        let source = include_str!("jobs.rs");
        let mut checked = 0;
        for line in source.lines().filter(|l| l.starts_with("pub const VIR_DOMAIN_JOB_") && l.contains(": &str = ")) {
            let name = &line["pub const ".len()..line.find(':').unwrap()];
            let value = line.split('"').nth(1).unwrap();
            assert!(toml.contains(&format!("#define {name} \"{value}\"")), "{name} missing from the trailer");
            checked += 1;
        }
        assert_eq!(checked, 13);
    }
}
