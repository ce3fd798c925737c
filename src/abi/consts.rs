//! libvirt 9.0.0 enum values (names and numbers are the ABI contract), as C `int` typedefs.
#![allow(non_camel_case_types, non_upper_case_globals)]
use std::os::raw::{c_int, c_uint};

// virConnectCloseReason
pub type virConnectCloseReason = c_int;
pub const VIR_CONNECT_CLOSE_REASON_ERROR: virConnectCloseReason = 0;
pub const VIR_CONNECT_CLOSE_REASON_EOF: virConnectCloseReason = 1;
pub const VIR_CONNECT_CLOSE_REASON_KEEPALIVE: virConnectCloseReason = 2;
pub const VIR_CONNECT_CLOSE_REASON_CLIENT: virConnectCloseReason = 3;
pub const VIR_CONNECT_CLOSE_REASON_LAST: virConnectCloseReason = 4;

// virTypedParameterType
pub type virTypedParameterType = c_int;
pub const VIR_TYPED_PARAM_INT: virTypedParameterType = 1;
pub const VIR_TYPED_PARAM_UINT: virTypedParameterType = 2;
pub const VIR_TYPED_PARAM_LLONG: virTypedParameterType = 3;
pub const VIR_TYPED_PARAM_ULLONG: virTypedParameterType = 4;
pub const VIR_TYPED_PARAM_DOUBLE: virTypedParameterType = 5;
pub const VIR_TYPED_PARAM_BOOLEAN: virTypedParameterType = 6;
pub const VIR_TYPED_PARAM_STRING: virTypedParameterType = 7;
pub const VIR_TYPED_PARAM_LAST: virTypedParameterType = 8;

// virTypedParameterFlags
pub type virTypedParameterFlags = c_int;
pub const VIR_TYPED_PARAM_STRING_OKAY: virTypedParameterFlags = 4;

// virNodeSuspendTarget
pub type virNodeSuspendTarget = c_int;
pub const VIR_NODE_SUSPEND_TARGET_MEM: virNodeSuspendTarget = 0;
pub const VIR_NODE_SUSPEND_TARGET_DISK: virNodeSuspendTarget = 1;
pub const VIR_NODE_SUSPEND_TARGET_HYBRID: virNodeSuspendTarget = 2;
pub const VIR_NODE_SUSPEND_TARGET_LAST: virNodeSuspendTarget = 3;

// virNodeGetCPUStatsAllCPUs
pub type virNodeGetCPUStatsAllCPUs = c_int;
pub const VIR_NODE_CPU_STATS_ALL_CPUS: virNodeGetCPUStatsAllCPUs = -1;

// virNodeGetMemoryStatsAllCells
pub type virNodeGetMemoryStatsAllCells = c_int;
pub const VIR_NODE_MEMORY_STATS_ALL_CELLS: virNodeGetMemoryStatsAllCells = -1;

// virConnectFlags
pub type virConnectFlags = c_int;
pub const VIR_CONNECT_RO: virConnectFlags = 1;
pub const VIR_CONNECT_NO_ALIASES: virConnectFlags = 2;

// virConnectCredentialType
pub type virConnectCredentialType = c_int;
pub const VIR_CRED_USERNAME: virConnectCredentialType = 1;
pub const VIR_CRED_AUTHNAME: virConnectCredentialType = 2;
pub const VIR_CRED_LANGUAGE: virConnectCredentialType = 3;
pub const VIR_CRED_CNONCE: virConnectCredentialType = 4;
pub const VIR_CRED_PASSPHRASE: virConnectCredentialType = 5;
pub const VIR_CRED_ECHOPROMPT: virConnectCredentialType = 6;
pub const VIR_CRED_NOECHOPROMPT: virConnectCredentialType = 7;
pub const VIR_CRED_REALM: virConnectCredentialType = 8;
pub const VIR_CRED_EXTERNAL: virConnectCredentialType = 9;
pub const VIR_CRED_LAST: virConnectCredentialType = 10;

// virCPUCompareResult
pub type virCPUCompareResult = c_int;
pub const VIR_CPU_COMPARE_ERROR: virCPUCompareResult = -1;
pub const VIR_CPU_COMPARE_INCOMPATIBLE: virCPUCompareResult = 0;
pub const VIR_CPU_COMPARE_IDENTICAL: virCPUCompareResult = 1;
pub const VIR_CPU_COMPARE_SUPERSET: virCPUCompareResult = 2;
pub const VIR_CPU_COMPARE_LAST: virCPUCompareResult = 3;

// virConnectCompareCPUFlags
pub type virConnectCompareCPUFlags = c_int;
pub const VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE: virConnectCompareCPUFlags = 1;
pub const VIR_CONNECT_COMPARE_CPU_VALIDATE_XML: virConnectCompareCPUFlags = 2;

// virConnectBaselineCPUFlags
pub type virConnectBaselineCPUFlags = c_int;
pub const VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES: virConnectBaselineCPUFlags = 1;
pub const VIR_CONNECT_BASELINE_CPU_MIGRATABLE: virConnectBaselineCPUFlags = 2;

// virNodeAllocPagesFlags
pub type virNodeAllocPagesFlags = c_int;
pub const VIR_NODE_ALLOC_PAGES_ADD: virNodeAllocPagesFlags = 0;
pub const VIR_NODE_ALLOC_PAGES_SET: virNodeAllocPagesFlags = 1;

// virDomainState
pub type virDomainState = c_int;
pub const VIR_DOMAIN_NOSTATE: virDomainState = 0;
pub const VIR_DOMAIN_RUNNING: virDomainState = 1;
pub const VIR_DOMAIN_BLOCKED: virDomainState = 2;
pub const VIR_DOMAIN_PAUSED: virDomainState = 3;
pub const VIR_DOMAIN_SHUTDOWN: virDomainState = 4;
pub const VIR_DOMAIN_SHUTOFF: virDomainState = 5;
pub const VIR_DOMAIN_CRASHED: virDomainState = 6;
pub const VIR_DOMAIN_PMSUSPENDED: virDomainState = 7;
pub const VIR_DOMAIN_LAST: virDomainState = 8;

// virDomainNostateReason
pub type virDomainNostateReason = c_int;
pub const VIR_DOMAIN_NOSTATE_UNKNOWN: virDomainNostateReason = 0;
pub const VIR_DOMAIN_NOSTATE_LAST: virDomainNostateReason = 1;

// virDomainRunningReason
pub type virDomainRunningReason = c_int;
pub const VIR_DOMAIN_RUNNING_UNKNOWN: virDomainRunningReason = 0;
pub const VIR_DOMAIN_RUNNING_BOOTED: virDomainRunningReason = 1;
pub const VIR_DOMAIN_RUNNING_MIGRATED: virDomainRunningReason = 2;
pub const VIR_DOMAIN_RUNNING_RESTORED: virDomainRunningReason = 3;
pub const VIR_DOMAIN_RUNNING_FROM_SNAPSHOT: virDomainRunningReason = 4;
pub const VIR_DOMAIN_RUNNING_UNPAUSED: virDomainRunningReason = 5;
pub const VIR_DOMAIN_RUNNING_MIGRATION_CANCELED: virDomainRunningReason = 6;
pub const VIR_DOMAIN_RUNNING_SAVE_CANCELED: virDomainRunningReason = 7;
pub const VIR_DOMAIN_RUNNING_WAKEUP: virDomainRunningReason = 8;
pub const VIR_DOMAIN_RUNNING_CRASHED: virDomainRunningReason = 9;
pub const VIR_DOMAIN_RUNNING_POSTCOPY: virDomainRunningReason = 10;
pub const VIR_DOMAIN_RUNNING_POSTCOPY_FAILED: virDomainRunningReason = 11;
pub const VIR_DOMAIN_RUNNING_LAST: virDomainRunningReason = 12;

// virDomainBlockedReason
pub type virDomainBlockedReason = c_int;
pub const VIR_DOMAIN_BLOCKED_UNKNOWN: virDomainBlockedReason = 0;
pub const VIR_DOMAIN_BLOCKED_LAST: virDomainBlockedReason = 1;

// virDomainPausedReason
pub type virDomainPausedReason = c_int;
pub const VIR_DOMAIN_PAUSED_UNKNOWN: virDomainPausedReason = 0;
pub const VIR_DOMAIN_PAUSED_USER: virDomainPausedReason = 1;
pub const VIR_DOMAIN_PAUSED_MIGRATION: virDomainPausedReason = 2;
pub const VIR_DOMAIN_PAUSED_SAVE: virDomainPausedReason = 3;
pub const VIR_DOMAIN_PAUSED_DUMP: virDomainPausedReason = 4;
pub const VIR_DOMAIN_PAUSED_IOERROR: virDomainPausedReason = 5;
pub const VIR_DOMAIN_PAUSED_WATCHDOG: virDomainPausedReason = 6;
pub const VIR_DOMAIN_PAUSED_FROM_SNAPSHOT: virDomainPausedReason = 7;
pub const VIR_DOMAIN_PAUSED_SHUTTING_DOWN: virDomainPausedReason = 8;
pub const VIR_DOMAIN_PAUSED_SNAPSHOT: virDomainPausedReason = 9;
pub const VIR_DOMAIN_PAUSED_CRASHED: virDomainPausedReason = 10;
pub const VIR_DOMAIN_PAUSED_STARTING_UP: virDomainPausedReason = 11;
pub const VIR_DOMAIN_PAUSED_POSTCOPY: virDomainPausedReason = 12;
pub const VIR_DOMAIN_PAUSED_POSTCOPY_FAILED: virDomainPausedReason = 13;
pub const VIR_DOMAIN_PAUSED_LAST: virDomainPausedReason = 14;

// virDomainShutdownReason
pub type virDomainShutdownReason = c_int;
pub const VIR_DOMAIN_SHUTDOWN_UNKNOWN: virDomainShutdownReason = 0;
pub const VIR_DOMAIN_SHUTDOWN_USER: virDomainShutdownReason = 1;
pub const VIR_DOMAIN_SHUTDOWN_LAST: virDomainShutdownReason = 2;

// virDomainShutoffReason
pub type virDomainShutoffReason = c_int;
pub const VIR_DOMAIN_SHUTOFF_UNKNOWN: virDomainShutoffReason = 0;
pub const VIR_DOMAIN_SHUTOFF_SHUTDOWN: virDomainShutoffReason = 1;
pub const VIR_DOMAIN_SHUTOFF_DESTROYED: virDomainShutoffReason = 2;
pub const VIR_DOMAIN_SHUTOFF_CRASHED: virDomainShutoffReason = 3;
pub const VIR_DOMAIN_SHUTOFF_MIGRATED: virDomainShutoffReason = 4;
pub const VIR_DOMAIN_SHUTOFF_SAVED: virDomainShutoffReason = 5;
pub const VIR_DOMAIN_SHUTOFF_FAILED: virDomainShutoffReason = 6;
pub const VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT: virDomainShutoffReason = 7;
pub const VIR_DOMAIN_SHUTOFF_DAEMON: virDomainShutoffReason = 8;
pub const VIR_DOMAIN_SHUTOFF_LAST: virDomainShutoffReason = 9;

// virDomainCrashedReason
pub type virDomainCrashedReason = c_int;
pub const VIR_DOMAIN_CRASHED_UNKNOWN: virDomainCrashedReason = 0;
pub const VIR_DOMAIN_CRASHED_PANICKED: virDomainCrashedReason = 1;
pub const VIR_DOMAIN_CRASHED_LAST: virDomainCrashedReason = 2;

// virDomainPMSuspendedReason
pub type virDomainPMSuspendedReason = c_int;
pub const VIR_DOMAIN_PMSUSPENDED_UNKNOWN: virDomainPMSuspendedReason = 0;
pub const VIR_DOMAIN_PMSUSPENDED_LAST: virDomainPMSuspendedReason = 1;

// virDomainPMSuspendedDiskReason
pub type virDomainPMSuspendedDiskReason = c_int;
pub const VIR_DOMAIN_PMSUSPENDED_DISK_UNKNOWN: virDomainPMSuspendedDiskReason = 0;
pub const VIR_DOMAIN_PMSUSPENDED_DISK_LAST: virDomainPMSuspendedDiskReason = 1;

// virDomainControlState
pub type virDomainControlState = c_int;
pub const VIR_DOMAIN_CONTROL_OK: virDomainControlState = 0;
pub const VIR_DOMAIN_CONTROL_JOB: virDomainControlState = 1;
pub const VIR_DOMAIN_CONTROL_OCCUPIED: virDomainControlState = 2;
pub const VIR_DOMAIN_CONTROL_ERROR: virDomainControlState = 3;
pub const VIR_DOMAIN_CONTROL_LAST: virDomainControlState = 4;

// virDomainControlErrorReason
pub type virDomainControlErrorReason = c_int;
pub const VIR_DOMAIN_CONTROL_ERROR_REASON_NONE: virDomainControlErrorReason = 0;
pub const VIR_DOMAIN_CONTROL_ERROR_REASON_UNKNOWN: virDomainControlErrorReason = 1;
pub const VIR_DOMAIN_CONTROL_ERROR_REASON_MONITOR: virDomainControlErrorReason = 2;
pub const VIR_DOMAIN_CONTROL_ERROR_REASON_INTERNAL: virDomainControlErrorReason = 3;
pub const VIR_DOMAIN_CONTROL_ERROR_REASON_LAST: virDomainControlErrorReason = 4;

// virDomainModificationImpact
pub type virDomainModificationImpact = c_int;
pub const VIR_DOMAIN_AFFECT_CURRENT: virDomainModificationImpact = 0;
pub const VIR_DOMAIN_AFFECT_LIVE: virDomainModificationImpact = 1;
pub const VIR_DOMAIN_AFFECT_CONFIG: virDomainModificationImpact = 2;

// virDomainCreateFlags
pub type virDomainCreateFlags = c_int;
pub const VIR_DOMAIN_NONE: virDomainCreateFlags = 0;
pub const VIR_DOMAIN_START_PAUSED: virDomainCreateFlags = 1;
pub const VIR_DOMAIN_START_AUTODESTROY: virDomainCreateFlags = 2;
pub const VIR_DOMAIN_START_BYPASS_CACHE: virDomainCreateFlags = 4;
pub const VIR_DOMAIN_START_FORCE_BOOT: virDomainCreateFlags = 8;
pub const VIR_DOMAIN_START_VALIDATE: virDomainCreateFlags = 16;
pub const VIR_DOMAIN_START_RESET_NVRAM: virDomainCreateFlags = 32;

// virDomainMemoryStatTags
pub type virDomainMemoryStatTags = c_int;
pub const VIR_DOMAIN_MEMORY_STAT_SWAP_IN: virDomainMemoryStatTags = 0;
pub const VIR_DOMAIN_MEMORY_STAT_SWAP_OUT: virDomainMemoryStatTags = 1;
pub const VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT: virDomainMemoryStatTags = 2;
pub const VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT: virDomainMemoryStatTags = 3;
pub const VIR_DOMAIN_MEMORY_STAT_UNUSED: virDomainMemoryStatTags = 4;
pub const VIR_DOMAIN_MEMORY_STAT_AVAILABLE: virDomainMemoryStatTags = 5;
pub const VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON: virDomainMemoryStatTags = 6;
pub const VIR_DOMAIN_MEMORY_STAT_RSS: virDomainMemoryStatTags = 7;
pub const VIR_DOMAIN_MEMORY_STAT_USABLE: virDomainMemoryStatTags = 8;
pub const VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE: virDomainMemoryStatTags = 9;
pub const VIR_DOMAIN_MEMORY_STAT_DISK_CACHES: virDomainMemoryStatTags = 10;
pub const VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC: virDomainMemoryStatTags = 11;
pub const VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL: virDomainMemoryStatTags = 12;
pub const VIR_DOMAIN_MEMORY_STAT_NR: virDomainMemoryStatTags = 13;
pub const VIR_DOMAIN_MEMORY_STAT_LAST: virDomainMemoryStatTags = 13;

// virDomainCoreDumpFlags
pub type virDomainCoreDumpFlags = c_int;
pub const VIR_DUMP_CRASH: virDomainCoreDumpFlags = 1;
pub const VIR_DUMP_LIVE: virDomainCoreDumpFlags = 2;
pub const VIR_DUMP_BYPASS_CACHE: virDomainCoreDumpFlags = 4;
pub const VIR_DUMP_RESET: virDomainCoreDumpFlags = 8;
pub const VIR_DUMP_MEMORY_ONLY: virDomainCoreDumpFlags = 16;

// virDomainCoreDumpFormat
pub type virDomainCoreDumpFormat = c_int;
pub const VIR_DOMAIN_CORE_DUMP_FORMAT_RAW: virDomainCoreDumpFormat = 0;
pub const VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB: virDomainCoreDumpFormat = 1;
pub const VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO: virDomainCoreDumpFormat = 2;
pub const VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY: virDomainCoreDumpFormat = 3;
pub const VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP: virDomainCoreDumpFormat = 4;
pub const VIR_DOMAIN_CORE_DUMP_FORMAT_LAST: virDomainCoreDumpFormat = 5;

// virDomainMigrateFlags
pub type virDomainMigrateFlags = c_int;
pub const VIR_MIGRATE_LIVE: virDomainMigrateFlags = 1;
pub const VIR_MIGRATE_PEER2PEER: virDomainMigrateFlags = 2;
pub const VIR_MIGRATE_TUNNELLED: virDomainMigrateFlags = 4;
pub const VIR_MIGRATE_PERSIST_DEST: virDomainMigrateFlags = 8;
pub const VIR_MIGRATE_UNDEFINE_SOURCE: virDomainMigrateFlags = 16;
pub const VIR_MIGRATE_PAUSED: virDomainMigrateFlags = 32;
pub const VIR_MIGRATE_NON_SHARED_DISK: virDomainMigrateFlags = 64;
pub const VIR_MIGRATE_NON_SHARED_INC: virDomainMigrateFlags = 128;
pub const VIR_MIGRATE_CHANGE_PROTECTION: virDomainMigrateFlags = 256;
pub const VIR_MIGRATE_UNSAFE: virDomainMigrateFlags = 512;
pub const VIR_MIGRATE_OFFLINE: virDomainMigrateFlags = 1024;
pub const VIR_MIGRATE_COMPRESSED: virDomainMigrateFlags = 2048;
pub const VIR_MIGRATE_ABORT_ON_ERROR: virDomainMigrateFlags = 4096;
pub const VIR_MIGRATE_AUTO_CONVERGE: virDomainMigrateFlags = 8192;
pub const VIR_MIGRATE_RDMA_PIN_ALL: virDomainMigrateFlags = 16384;
pub const VIR_MIGRATE_POSTCOPY: virDomainMigrateFlags = 32768;
pub const VIR_MIGRATE_TLS: virDomainMigrateFlags = 65536;
pub const VIR_MIGRATE_PARALLEL: virDomainMigrateFlags = 131072;
pub const VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES: virDomainMigrateFlags = 262144;
pub const VIR_MIGRATE_POSTCOPY_RESUME: virDomainMigrateFlags = 524288;
pub const VIR_MIGRATE_ZEROCOPY: virDomainMigrateFlags = 1048576;

// virDomainMigrateMaxSpeedFlags
pub type virDomainMigrateMaxSpeedFlags = c_int;
pub const VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY: virDomainMigrateMaxSpeedFlags = 1;

// virDomainShutdownFlagValues
pub type virDomainShutdownFlagValues = c_int;
pub const VIR_DOMAIN_SHUTDOWN_DEFAULT: virDomainShutdownFlagValues = 0;
pub const VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN: virDomainShutdownFlagValues = 1;
pub const VIR_DOMAIN_SHUTDOWN_GUEST_AGENT: virDomainShutdownFlagValues = 2;
pub const VIR_DOMAIN_SHUTDOWN_INITCTL: virDomainShutdownFlagValues = 4;
pub const VIR_DOMAIN_SHUTDOWN_SIGNAL: virDomainShutdownFlagValues = 8;
pub const VIR_DOMAIN_SHUTDOWN_PARAVIRT: virDomainShutdownFlagValues = 16;

// virDomainRebootFlagValues
pub type virDomainRebootFlagValues = c_int;
pub const VIR_DOMAIN_REBOOT_DEFAULT: virDomainRebootFlagValues = 0;
pub const VIR_DOMAIN_REBOOT_ACPI_POWER_BTN: virDomainRebootFlagValues = 1;
pub const VIR_DOMAIN_REBOOT_GUEST_AGENT: virDomainRebootFlagValues = 2;
pub const VIR_DOMAIN_REBOOT_INITCTL: virDomainRebootFlagValues = 4;
pub const VIR_DOMAIN_REBOOT_SIGNAL: virDomainRebootFlagValues = 8;
pub const VIR_DOMAIN_REBOOT_PARAVIRT: virDomainRebootFlagValues = 16;

// virDomainDestroyFlagsValues
pub type virDomainDestroyFlagsValues = c_int;
pub const VIR_DOMAIN_DESTROY_DEFAULT: virDomainDestroyFlagsValues = 0;
pub const VIR_DOMAIN_DESTROY_GRACEFUL: virDomainDestroyFlagsValues = 1;
pub const VIR_DOMAIN_DESTROY_REMOVE_LOGS: virDomainDestroyFlagsValues = 2;

// virDomainSaveRestoreFlags
pub type virDomainSaveRestoreFlags = c_int;
pub const VIR_DOMAIN_SAVE_BYPASS_CACHE: virDomainSaveRestoreFlags = 1;
pub const VIR_DOMAIN_SAVE_RUNNING: virDomainSaveRestoreFlags = 2;
pub const VIR_DOMAIN_SAVE_PAUSED: virDomainSaveRestoreFlags = 4;
pub const VIR_DOMAIN_SAVE_RESET_NVRAM: virDomainSaveRestoreFlags = 8;

// virDomainMemoryModFlags
pub type virDomainMemoryModFlags = c_int;
pub const VIR_DOMAIN_MEM_CURRENT: virDomainMemoryModFlags = 0;
pub const VIR_DOMAIN_MEM_LIVE: virDomainMemoryModFlags = 1;
pub const VIR_DOMAIN_MEM_CONFIG: virDomainMemoryModFlags = 2;
pub const VIR_DOMAIN_MEM_MAXIMUM: virDomainMemoryModFlags = 4;

// virDomainNumatuneMemMode
pub type virDomainNumatuneMemMode = c_int;
pub const VIR_DOMAIN_NUMATUNE_MEM_STRICT: virDomainNumatuneMemMode = 0;
pub const VIR_DOMAIN_NUMATUNE_MEM_PREFERRED: virDomainNumatuneMemMode = 1;
pub const VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE: virDomainNumatuneMemMode = 2;
pub const VIR_DOMAIN_NUMATUNE_MEM_RESTRICTIVE: virDomainNumatuneMemMode = 3;
pub const VIR_DOMAIN_NUMATUNE_MEM_LAST: virDomainNumatuneMemMode = 4;

// virDomainGetHostnameFlags
pub type virDomainGetHostnameFlags = c_int;
pub const VIR_DOMAIN_GET_HOSTNAME_LEASE: virDomainGetHostnameFlags = 1;
pub const VIR_DOMAIN_GET_HOSTNAME_AGENT: virDomainGetHostnameFlags = 2;

// virDomainMetadataType
pub type virDomainMetadataType = c_int;
pub const VIR_DOMAIN_METADATA_DESCRIPTION: virDomainMetadataType = 0;
pub const VIR_DOMAIN_METADATA_TITLE: virDomainMetadataType = 1;
pub const VIR_DOMAIN_METADATA_ELEMENT: virDomainMetadataType = 2;
pub const VIR_DOMAIN_METADATA_LAST: virDomainMetadataType = 3;

// virDomainXMLFlags
pub type virDomainXMLFlags = c_int;
pub const VIR_DOMAIN_XML_SECURE: virDomainXMLFlags = 1;
pub const VIR_DOMAIN_XML_INACTIVE: virDomainXMLFlags = 2;
pub const VIR_DOMAIN_XML_UPDATE_CPU: virDomainXMLFlags = 4;
pub const VIR_DOMAIN_XML_MIGRATABLE: virDomainXMLFlags = 8;

// virDomainSaveImageXMLFlags
pub type virDomainSaveImageXMLFlags = c_int;
pub const VIR_DOMAIN_SAVE_IMAGE_XML_SECURE: virDomainSaveImageXMLFlags = 1;

// virDomainBlockResizeFlags
pub type virDomainBlockResizeFlags = c_int;
pub const VIR_DOMAIN_BLOCK_RESIZE_BYTES: virDomainBlockResizeFlags = 1;

// virDomainMemoryFlags
pub type virDomainMemoryFlags = c_int;
pub const VIR_MEMORY_VIRTUAL: virDomainMemoryFlags = 1;
pub const VIR_MEMORY_PHYSICAL: virDomainMemoryFlags = 2;

// virDomainDefineFlags
pub type virDomainDefineFlags = c_int;
pub const VIR_DOMAIN_DEFINE_VALIDATE: virDomainDefineFlags = 1;

// virDomainUndefineFlagsValues
pub type virDomainUndefineFlagsValues = c_int;
pub const VIR_DOMAIN_UNDEFINE_MANAGED_SAVE: virDomainUndefineFlagsValues = 1;
pub const VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA: virDomainUndefineFlagsValues = 2;
pub const VIR_DOMAIN_UNDEFINE_NVRAM: virDomainUndefineFlagsValues = 4;
pub const VIR_DOMAIN_UNDEFINE_KEEP_NVRAM: virDomainUndefineFlagsValues = 8;
pub const VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA: virDomainUndefineFlagsValues = 16;
pub const VIR_DOMAIN_UNDEFINE_TPM: virDomainUndefineFlagsValues = 32;
pub const VIR_DOMAIN_UNDEFINE_KEEP_TPM: virDomainUndefineFlagsValues = 64;

// virConnectListAllDomainsFlags
pub type virConnectListAllDomainsFlags = c_int;
pub const VIR_CONNECT_LIST_DOMAINS_ACTIVE: virConnectListAllDomainsFlags = 1;
pub const VIR_CONNECT_LIST_DOMAINS_INACTIVE: virConnectListAllDomainsFlags = 2;
pub const VIR_CONNECT_LIST_DOMAINS_PERSISTENT: virConnectListAllDomainsFlags = 4;
pub const VIR_CONNECT_LIST_DOMAINS_TRANSIENT: virConnectListAllDomainsFlags = 8;
pub const VIR_CONNECT_LIST_DOMAINS_RUNNING: virConnectListAllDomainsFlags = 16;
pub const VIR_CONNECT_LIST_DOMAINS_PAUSED: virConnectListAllDomainsFlags = 32;
pub const VIR_CONNECT_LIST_DOMAINS_SHUTOFF: virConnectListAllDomainsFlags = 64;
pub const VIR_CONNECT_LIST_DOMAINS_OTHER: virConnectListAllDomainsFlags = 128;
pub const VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE: virConnectListAllDomainsFlags = 256;
pub const VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE: virConnectListAllDomainsFlags = 512;
pub const VIR_CONNECT_LIST_DOMAINS_AUTOSTART: virConnectListAllDomainsFlags = 1024;
pub const VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART: virConnectListAllDomainsFlags = 2048;
pub const VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT: virConnectListAllDomainsFlags = 4096;
pub const VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT: virConnectListAllDomainsFlags = 8192;
pub const VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT: virConnectListAllDomainsFlags = 16384;
pub const VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT: virConnectListAllDomainsFlags = 32768;

// virVcpuState
pub type virVcpuState = c_int;
pub const VIR_VCPU_OFFLINE: virVcpuState = 0;
pub const VIR_VCPU_RUNNING: virVcpuState = 1;
pub const VIR_VCPU_BLOCKED: virVcpuState = 2;
pub const VIR_VCPU_LAST: virVcpuState = 3;

// virVcpuHostCpuState
pub type virVcpuHostCpuState = c_int;
pub const VIR_VCPU_INFO_CPU_OFFLINE: virVcpuHostCpuState = -1;
pub const VIR_VCPU_INFO_CPU_UNAVAILABLE: virVcpuHostCpuState = -2;

// virDomainVcpuFlags
pub type virDomainVcpuFlags = c_int;
pub const VIR_DOMAIN_VCPU_CURRENT: virDomainVcpuFlags = 0;
pub const VIR_DOMAIN_VCPU_LIVE: virDomainVcpuFlags = 1;
pub const VIR_DOMAIN_VCPU_CONFIG: virDomainVcpuFlags = 2;
pub const VIR_DOMAIN_VCPU_MAXIMUM: virDomainVcpuFlags = 4;
pub const VIR_DOMAIN_VCPU_GUEST: virDomainVcpuFlags = 8;
pub const VIR_DOMAIN_VCPU_HOTPLUGGABLE: virDomainVcpuFlags = 16;

// virDomainDeviceModifyFlags
pub type virDomainDeviceModifyFlags = c_int;
pub const VIR_DOMAIN_DEVICE_MODIFY_CURRENT: virDomainDeviceModifyFlags = 0;
pub const VIR_DOMAIN_DEVICE_MODIFY_LIVE: virDomainDeviceModifyFlags = 1;
pub const VIR_DOMAIN_DEVICE_MODIFY_CONFIG: virDomainDeviceModifyFlags = 2;
pub const VIR_DOMAIN_DEVICE_MODIFY_FORCE: virDomainDeviceModifyFlags = 4;

// virDomainStatsTypes
pub type virDomainStatsTypes = c_int;
pub const VIR_DOMAIN_STATS_STATE: virDomainStatsTypes = 1;
pub const VIR_DOMAIN_STATS_CPU_TOTAL: virDomainStatsTypes = 2;
pub const VIR_DOMAIN_STATS_BALLOON: virDomainStatsTypes = 4;
pub const VIR_DOMAIN_STATS_VCPU: virDomainStatsTypes = 8;
pub const VIR_DOMAIN_STATS_INTERFACE: virDomainStatsTypes = 16;
pub const VIR_DOMAIN_STATS_BLOCK: virDomainStatsTypes = 32;
pub const VIR_DOMAIN_STATS_PERF: virDomainStatsTypes = 64;
pub const VIR_DOMAIN_STATS_IOTHREAD: virDomainStatsTypes = 128;
pub const VIR_DOMAIN_STATS_MEMORY: virDomainStatsTypes = 256;
pub const VIR_DOMAIN_STATS_DIRTYRATE: virDomainStatsTypes = 512;
pub const VIR_DOMAIN_STATS_VM: virDomainStatsTypes = 1024;

// virConnectGetAllDomainStatsFlags
pub type virConnectGetAllDomainStatsFlags = c_uint;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE: virConnectGetAllDomainStatsFlags = 1;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE: virConnectGetAllDomainStatsFlags = 2;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT: virConnectGetAllDomainStatsFlags = 4;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT: virConnectGetAllDomainStatsFlags = 8;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING: virConnectGetAllDomainStatsFlags = 16;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED: virConnectGetAllDomainStatsFlags = 32;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF: virConnectGetAllDomainStatsFlags = 64;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER: virConnectGetAllDomainStatsFlags = 128;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT: virConnectGetAllDomainStatsFlags = 536870912;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING: virConnectGetAllDomainStatsFlags = 1073741824;
pub const VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS: virConnectGetAllDomainStatsFlags = 2147483648;

// virDomainBlockJobType
pub type virDomainBlockJobType = c_int;
pub const VIR_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN: virDomainBlockJobType = 0;
pub const VIR_DOMAIN_BLOCK_JOB_TYPE_PULL: virDomainBlockJobType = 1;
pub const VIR_DOMAIN_BLOCK_JOB_TYPE_COPY: virDomainBlockJobType = 2;
pub const VIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT: virDomainBlockJobType = 3;
pub const VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT: virDomainBlockJobType = 4;
pub const VIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP: virDomainBlockJobType = 5;
pub const VIR_DOMAIN_BLOCK_JOB_TYPE_LAST: virDomainBlockJobType = 6;

// virDomainBlockJobAbortFlags
pub type virDomainBlockJobAbortFlags = c_int;
pub const VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC: virDomainBlockJobAbortFlags = 1;
pub const VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT: virDomainBlockJobAbortFlags = 2;

// virDomainBlockJobInfoFlags
pub type virDomainBlockJobInfoFlags = c_int;
pub const VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES: virDomainBlockJobInfoFlags = 1;

// virDomainBlockJobSetSpeedFlags
pub type virDomainBlockJobSetSpeedFlags = c_int;
pub const VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES: virDomainBlockJobSetSpeedFlags = 1;

// virDomainBlockPullFlags
pub type virDomainBlockPullFlags = c_int;
pub const VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES: virDomainBlockPullFlags = 64;

// virDomainBlockRebaseFlags
pub type virDomainBlockRebaseFlags = c_int;
pub const VIR_DOMAIN_BLOCK_REBASE_SHALLOW: virDomainBlockRebaseFlags = 1;
pub const VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT: virDomainBlockRebaseFlags = 2;
pub const VIR_DOMAIN_BLOCK_REBASE_COPY_RAW: virDomainBlockRebaseFlags = 4;
pub const VIR_DOMAIN_BLOCK_REBASE_COPY: virDomainBlockRebaseFlags = 8;
pub const VIR_DOMAIN_BLOCK_REBASE_RELATIVE: virDomainBlockRebaseFlags = 16;
pub const VIR_DOMAIN_BLOCK_REBASE_COPY_DEV: virDomainBlockRebaseFlags = 32;
pub const VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES: virDomainBlockRebaseFlags = 64;

// virDomainBlockCopyFlags
pub type virDomainBlockCopyFlags = c_int;
pub const VIR_DOMAIN_BLOCK_COPY_SHALLOW: virDomainBlockCopyFlags = 1;
pub const VIR_DOMAIN_BLOCK_COPY_REUSE_EXT: virDomainBlockCopyFlags = 2;
pub const VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB: virDomainBlockCopyFlags = 4;
pub const VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES: virDomainBlockCopyFlags = 8;

// virDomainBlockCommitFlags
pub type virDomainBlockCommitFlags = c_int;
pub const VIR_DOMAIN_BLOCK_COMMIT_SHALLOW: virDomainBlockCommitFlags = 1;
pub const VIR_DOMAIN_BLOCK_COMMIT_DELETE: virDomainBlockCommitFlags = 2;
pub const VIR_DOMAIN_BLOCK_COMMIT_ACTIVE: virDomainBlockCommitFlags = 4;
pub const VIR_DOMAIN_BLOCK_COMMIT_RELATIVE: virDomainBlockCommitFlags = 8;
pub const VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES: virDomainBlockCommitFlags = 16;

// virDomainDiskErrorCode
pub type virDomainDiskErrorCode = c_int;
pub const VIR_DOMAIN_DISK_ERROR_NONE: virDomainDiskErrorCode = 0;
pub const VIR_DOMAIN_DISK_ERROR_UNSPEC: virDomainDiskErrorCode = 1;
pub const VIR_DOMAIN_DISK_ERROR_NO_SPACE: virDomainDiskErrorCode = 2;
pub const VIR_DOMAIN_DISK_ERROR_LAST: virDomainDiskErrorCode = 3;

// virKeycodeSet
pub type virKeycodeSet = c_int;
pub const VIR_KEYCODE_SET_LINUX: virKeycodeSet = 0;
pub const VIR_KEYCODE_SET_XT: virKeycodeSet = 1;
pub const VIR_KEYCODE_SET_ATSET1: virKeycodeSet = 2;
pub const VIR_KEYCODE_SET_ATSET2: virKeycodeSet = 3;
pub const VIR_KEYCODE_SET_ATSET3: virKeycodeSet = 4;
pub const VIR_KEYCODE_SET_OSX: virKeycodeSet = 5;
pub const VIR_KEYCODE_SET_XT_KBD: virKeycodeSet = 6;
pub const VIR_KEYCODE_SET_USB: virKeycodeSet = 7;
pub const VIR_KEYCODE_SET_WIN32: virKeycodeSet = 8;
pub const VIR_KEYCODE_SET_QNUM: virKeycodeSet = 9;
pub const VIR_KEYCODE_SET_LAST: virKeycodeSet = 10;

// virDomainProcessSignal
pub type virDomainProcessSignal = c_int;
pub const VIR_DOMAIN_PROCESS_SIGNAL_NOP: virDomainProcessSignal = 0;
pub const VIR_DOMAIN_PROCESS_SIGNAL_HUP: virDomainProcessSignal = 1;
pub const VIR_DOMAIN_PROCESS_SIGNAL_INT: virDomainProcessSignal = 2;
pub const VIR_DOMAIN_PROCESS_SIGNAL_QUIT: virDomainProcessSignal = 3;
pub const VIR_DOMAIN_PROCESS_SIGNAL_ILL: virDomainProcessSignal = 4;
pub const VIR_DOMAIN_PROCESS_SIGNAL_TRAP: virDomainProcessSignal = 5;
pub const VIR_DOMAIN_PROCESS_SIGNAL_ABRT: virDomainProcessSignal = 6;
pub const VIR_DOMAIN_PROCESS_SIGNAL_BUS: virDomainProcessSignal = 7;
pub const VIR_DOMAIN_PROCESS_SIGNAL_FPE: virDomainProcessSignal = 8;
pub const VIR_DOMAIN_PROCESS_SIGNAL_KILL: virDomainProcessSignal = 9;
pub const VIR_DOMAIN_PROCESS_SIGNAL_USR1: virDomainProcessSignal = 10;
pub const VIR_DOMAIN_PROCESS_SIGNAL_SEGV: virDomainProcessSignal = 11;
pub const VIR_DOMAIN_PROCESS_SIGNAL_USR2: virDomainProcessSignal = 12;
pub const VIR_DOMAIN_PROCESS_SIGNAL_PIPE: virDomainProcessSignal = 13;
pub const VIR_DOMAIN_PROCESS_SIGNAL_ALRM: virDomainProcessSignal = 14;
pub const VIR_DOMAIN_PROCESS_SIGNAL_TERM: virDomainProcessSignal = 15;
pub const VIR_DOMAIN_PROCESS_SIGNAL_STKFLT: virDomainProcessSignal = 16;
pub const VIR_DOMAIN_PROCESS_SIGNAL_CHLD: virDomainProcessSignal = 17;
pub const VIR_DOMAIN_PROCESS_SIGNAL_CONT: virDomainProcessSignal = 18;
pub const VIR_DOMAIN_PROCESS_SIGNAL_STOP: virDomainProcessSignal = 19;
pub const VIR_DOMAIN_PROCESS_SIGNAL_TSTP: virDomainProcessSignal = 20;
pub const VIR_DOMAIN_PROCESS_SIGNAL_TTIN: virDomainProcessSignal = 21;
pub const VIR_DOMAIN_PROCESS_SIGNAL_TTOU: virDomainProcessSignal = 22;
pub const VIR_DOMAIN_PROCESS_SIGNAL_URG: virDomainProcessSignal = 23;
pub const VIR_DOMAIN_PROCESS_SIGNAL_XCPU: virDomainProcessSignal = 24;
pub const VIR_DOMAIN_PROCESS_SIGNAL_XFSZ: virDomainProcessSignal = 25;
pub const VIR_DOMAIN_PROCESS_SIGNAL_VTALRM: virDomainProcessSignal = 26;
pub const VIR_DOMAIN_PROCESS_SIGNAL_PROF: virDomainProcessSignal = 27;
pub const VIR_DOMAIN_PROCESS_SIGNAL_WINCH: virDomainProcessSignal = 28;
pub const VIR_DOMAIN_PROCESS_SIGNAL_POLL: virDomainProcessSignal = 29;
pub const VIR_DOMAIN_PROCESS_SIGNAL_PWR: virDomainProcessSignal = 30;
pub const VIR_DOMAIN_PROCESS_SIGNAL_SYS: virDomainProcessSignal = 31;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT0: virDomainProcessSignal = 32;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT1: virDomainProcessSignal = 33;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT2: virDomainProcessSignal = 34;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT3: virDomainProcessSignal = 35;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT4: virDomainProcessSignal = 36;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT5: virDomainProcessSignal = 37;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT6: virDomainProcessSignal = 38;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT7: virDomainProcessSignal = 39;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT8: virDomainProcessSignal = 40;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT9: virDomainProcessSignal = 41;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT10: virDomainProcessSignal = 42;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT11: virDomainProcessSignal = 43;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT12: virDomainProcessSignal = 44;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT13: virDomainProcessSignal = 45;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT14: virDomainProcessSignal = 46;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT15: virDomainProcessSignal = 47;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT16: virDomainProcessSignal = 48;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT17: virDomainProcessSignal = 49;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT18: virDomainProcessSignal = 50;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT19: virDomainProcessSignal = 51;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT20: virDomainProcessSignal = 52;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT21: virDomainProcessSignal = 53;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT22: virDomainProcessSignal = 54;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT23: virDomainProcessSignal = 55;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT24: virDomainProcessSignal = 56;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT25: virDomainProcessSignal = 57;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT26: virDomainProcessSignal = 58;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT27: virDomainProcessSignal = 59;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT28: virDomainProcessSignal = 60;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT29: virDomainProcessSignal = 61;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT30: virDomainProcessSignal = 62;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT31: virDomainProcessSignal = 63;
pub const VIR_DOMAIN_PROCESS_SIGNAL_RT32: virDomainProcessSignal = 64;
pub const VIR_DOMAIN_PROCESS_SIGNAL_LAST: virDomainProcessSignal = 65;

// virDomainEventType
pub type virDomainEventType = c_int;
pub const VIR_DOMAIN_EVENT_DEFINED: virDomainEventType = 0;
pub const VIR_DOMAIN_EVENT_UNDEFINED: virDomainEventType = 1;
pub const VIR_DOMAIN_EVENT_STARTED: virDomainEventType = 2;
pub const VIR_DOMAIN_EVENT_SUSPENDED: virDomainEventType = 3;
pub const VIR_DOMAIN_EVENT_RESUMED: virDomainEventType = 4;
pub const VIR_DOMAIN_EVENT_STOPPED: virDomainEventType = 5;
pub const VIR_DOMAIN_EVENT_SHUTDOWN: virDomainEventType = 6;
pub const VIR_DOMAIN_EVENT_PMSUSPENDED: virDomainEventType = 7;
pub const VIR_DOMAIN_EVENT_CRASHED: virDomainEventType = 8;
pub const VIR_DOMAIN_EVENT_LAST: virDomainEventType = 9;

// virDomainEventDefinedDetailType
pub type virDomainEventDefinedDetailType = c_int;
pub const VIR_DOMAIN_EVENT_DEFINED_ADDED: virDomainEventDefinedDetailType = 0;
pub const VIR_DOMAIN_EVENT_DEFINED_UPDATED: virDomainEventDefinedDetailType = 1;
pub const VIR_DOMAIN_EVENT_DEFINED_RENAMED: virDomainEventDefinedDetailType = 2;
pub const VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT: virDomainEventDefinedDetailType = 3;
pub const VIR_DOMAIN_EVENT_DEFINED_LAST: virDomainEventDefinedDetailType = 4;

// virDomainEventUndefinedDetailType
pub type virDomainEventUndefinedDetailType = c_int;
pub const VIR_DOMAIN_EVENT_UNDEFINED_REMOVED: virDomainEventUndefinedDetailType = 0;
pub const VIR_DOMAIN_EVENT_UNDEFINED_RENAMED: virDomainEventUndefinedDetailType = 1;
pub const VIR_DOMAIN_EVENT_UNDEFINED_LAST: virDomainEventUndefinedDetailType = 2;

// virDomainEventStartedDetailType
pub type virDomainEventStartedDetailType = c_int;
pub const VIR_DOMAIN_EVENT_STARTED_BOOTED: virDomainEventStartedDetailType = 0;
pub const VIR_DOMAIN_EVENT_STARTED_MIGRATED: virDomainEventStartedDetailType = 1;
pub const VIR_DOMAIN_EVENT_STARTED_RESTORED: virDomainEventStartedDetailType = 2;
pub const VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT: virDomainEventStartedDetailType = 3;
pub const VIR_DOMAIN_EVENT_STARTED_WAKEUP: virDomainEventStartedDetailType = 4;
pub const VIR_DOMAIN_EVENT_STARTED_LAST: virDomainEventStartedDetailType = 5;

// virDomainEventSuspendedDetailType
pub type virDomainEventSuspendedDetailType = c_int;
pub const VIR_DOMAIN_EVENT_SUSPENDED_PAUSED: virDomainEventSuspendedDetailType = 0;
pub const VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED: virDomainEventSuspendedDetailType = 1;
pub const VIR_DOMAIN_EVENT_SUSPENDED_IOERROR: virDomainEventSuspendedDetailType = 2;
pub const VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG: virDomainEventSuspendedDetailType = 3;
pub const VIR_DOMAIN_EVENT_SUSPENDED_RESTORED: virDomainEventSuspendedDetailType = 4;
pub const VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT: virDomainEventSuspendedDetailType = 5;
pub const VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR: virDomainEventSuspendedDetailType = 6;
pub const VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY: virDomainEventSuspendedDetailType = 7;
pub const VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED: virDomainEventSuspendedDetailType = 8;
pub const VIR_DOMAIN_EVENT_SUSPENDED_LAST: virDomainEventSuspendedDetailType = 9;

// virDomainEventResumedDetailType
pub type virDomainEventResumedDetailType = c_int;
pub const VIR_DOMAIN_EVENT_RESUMED_UNPAUSED: virDomainEventResumedDetailType = 0;
pub const VIR_DOMAIN_EVENT_RESUMED_MIGRATED: virDomainEventResumedDetailType = 1;
pub const VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT: virDomainEventResumedDetailType = 2;
pub const VIR_DOMAIN_EVENT_RESUMED_POSTCOPY: virDomainEventResumedDetailType = 3;
pub const VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED: virDomainEventResumedDetailType = 4;
pub const VIR_DOMAIN_EVENT_RESUMED_LAST: virDomainEventResumedDetailType = 5;

// virDomainEventStoppedDetailType
pub type virDomainEventStoppedDetailType = c_int;
pub const VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN: virDomainEventStoppedDetailType = 0;
pub const VIR_DOMAIN_EVENT_STOPPED_DESTROYED: virDomainEventStoppedDetailType = 1;
pub const VIR_DOMAIN_EVENT_STOPPED_CRASHED: virDomainEventStoppedDetailType = 2;
pub const VIR_DOMAIN_EVENT_STOPPED_MIGRATED: virDomainEventStoppedDetailType = 3;
pub const VIR_DOMAIN_EVENT_STOPPED_SAVED: virDomainEventStoppedDetailType = 4;
pub const VIR_DOMAIN_EVENT_STOPPED_FAILED: virDomainEventStoppedDetailType = 5;
pub const VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT: virDomainEventStoppedDetailType = 6;
pub const VIR_DOMAIN_EVENT_STOPPED_LAST: virDomainEventStoppedDetailType = 7;

// virDomainEventShutdownDetailType
pub type virDomainEventShutdownDetailType = c_int;
pub const VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED: virDomainEventShutdownDetailType = 0;
pub const VIR_DOMAIN_EVENT_SHUTDOWN_GUEST: virDomainEventShutdownDetailType = 1;
pub const VIR_DOMAIN_EVENT_SHUTDOWN_HOST: virDomainEventShutdownDetailType = 2;
pub const VIR_DOMAIN_EVENT_SHUTDOWN_LAST: virDomainEventShutdownDetailType = 3;

// virDomainEventPMSuspendedDetailType
pub type virDomainEventPMSuspendedDetailType = c_int;
pub const VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY: virDomainEventPMSuspendedDetailType = 0;
pub const VIR_DOMAIN_EVENT_PMSUSPENDED_DISK: virDomainEventPMSuspendedDetailType = 1;
pub const VIR_DOMAIN_EVENT_PMSUSPENDED_LAST: virDomainEventPMSuspendedDetailType = 2;

// virDomainEventCrashedDetailType
pub type virDomainEventCrashedDetailType = c_int;
pub const VIR_DOMAIN_EVENT_CRASHED_PANICKED: virDomainEventCrashedDetailType = 0;
pub const VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED: virDomainEventCrashedDetailType = 1;
pub const VIR_DOMAIN_EVENT_CRASHED_LAST: virDomainEventCrashedDetailType = 2;

// virDomainMemoryFailureRecipientType
pub type virDomainMemoryFailureRecipientType = c_int;
pub const VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_HYPERVISOR: virDomainMemoryFailureRecipientType = 0;
pub const VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_GUEST: virDomainMemoryFailureRecipientType = 1;
pub const VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_LAST: virDomainMemoryFailureRecipientType = 2;

// virDomainMemoryFailureActionType
pub type virDomainMemoryFailureActionType = c_int;
pub const VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_IGNORE: virDomainMemoryFailureActionType = 0;
pub const VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_INJECT: virDomainMemoryFailureActionType = 1;
pub const VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_FATAL: virDomainMemoryFailureActionType = 2;
pub const VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_RESET: virDomainMemoryFailureActionType = 3;
pub const VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_LAST: virDomainMemoryFailureActionType = 4;

// virDomainMemoryFailureFlags
pub type virDomainMemoryFailureFlags = c_int;
pub const VIR_DOMAIN_MEMORY_FAILURE_ACTION_REQUIRED: virDomainMemoryFailureFlags = 1;
pub const VIR_DOMAIN_MEMORY_FAILURE_RECURSIVE: virDomainMemoryFailureFlags = 2;

// virDomainJobType
pub type virDomainJobType = c_int;
pub const VIR_DOMAIN_JOB_NONE: virDomainJobType = 0;
pub const VIR_DOMAIN_JOB_BOUNDED: virDomainJobType = 1;
pub const VIR_DOMAIN_JOB_UNBOUNDED: virDomainJobType = 2;
pub const VIR_DOMAIN_JOB_COMPLETED: virDomainJobType = 3;
pub const VIR_DOMAIN_JOB_FAILED: virDomainJobType = 4;
pub const VIR_DOMAIN_JOB_CANCELLED: virDomainJobType = 5;
pub const VIR_DOMAIN_JOB_LAST: virDomainJobType = 6;

// virDomainGetJobStatsFlags
pub type virDomainGetJobStatsFlags = c_int;
pub const VIR_DOMAIN_JOB_STATS_COMPLETED: virDomainGetJobStatsFlags = 1;
pub const VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED: virDomainGetJobStatsFlags = 2;

// virDomainAbortJobFlagsValues
pub type virDomainAbortJobFlagsValues = c_int;
pub const VIR_DOMAIN_ABORT_JOB_POSTCOPY: virDomainAbortJobFlagsValues = 1;

// virDomainJobOperation
pub type virDomainJobOperation = c_int;
pub const VIR_DOMAIN_JOB_OPERATION_UNKNOWN: virDomainJobOperation = 0;
pub const VIR_DOMAIN_JOB_OPERATION_START: virDomainJobOperation = 1;
pub const VIR_DOMAIN_JOB_OPERATION_SAVE: virDomainJobOperation = 2;
pub const VIR_DOMAIN_JOB_OPERATION_RESTORE: virDomainJobOperation = 3;
pub const VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN: virDomainJobOperation = 4;
pub const VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT: virDomainJobOperation = 5;
pub const VIR_DOMAIN_JOB_OPERATION_SNAPSHOT: virDomainJobOperation = 6;
pub const VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_REVERT: virDomainJobOperation = 7;
pub const VIR_DOMAIN_JOB_OPERATION_DUMP: virDomainJobOperation = 8;
pub const VIR_DOMAIN_JOB_OPERATION_BACKUP: virDomainJobOperation = 9;
pub const VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_DELETE: virDomainJobOperation = 10;
pub const VIR_DOMAIN_JOB_OPERATION_LAST: virDomainJobOperation = 11;

// virDomainEventWatchdogAction
pub type virDomainEventWatchdogAction = c_int;
pub const VIR_DOMAIN_EVENT_WATCHDOG_NONE: virDomainEventWatchdogAction = 0;
pub const VIR_DOMAIN_EVENT_WATCHDOG_PAUSE: virDomainEventWatchdogAction = 1;
pub const VIR_DOMAIN_EVENT_WATCHDOG_RESET: virDomainEventWatchdogAction = 2;
pub const VIR_DOMAIN_EVENT_WATCHDOG_POWEROFF: virDomainEventWatchdogAction = 3;
pub const VIR_DOMAIN_EVENT_WATCHDOG_SHUTDOWN: virDomainEventWatchdogAction = 4;
pub const VIR_DOMAIN_EVENT_WATCHDOG_DEBUG: virDomainEventWatchdogAction = 5;
pub const VIR_DOMAIN_EVENT_WATCHDOG_INJECTNMI: virDomainEventWatchdogAction = 6;
pub const VIR_DOMAIN_EVENT_WATCHDOG_LAST: virDomainEventWatchdogAction = 7;

// virDomainEventIOErrorAction
pub type virDomainEventIOErrorAction = c_int;
pub const VIR_DOMAIN_EVENT_IO_ERROR_NONE: virDomainEventIOErrorAction = 0;
pub const VIR_DOMAIN_EVENT_IO_ERROR_PAUSE: virDomainEventIOErrorAction = 1;
pub const VIR_DOMAIN_EVENT_IO_ERROR_REPORT: virDomainEventIOErrorAction = 2;
pub const VIR_DOMAIN_EVENT_IO_ERROR_LAST: virDomainEventIOErrorAction = 3;

// virDomainEventGraphicsPhase
pub type virDomainEventGraphicsPhase = c_int;
pub const VIR_DOMAIN_EVENT_GRAPHICS_CONNECT: virDomainEventGraphicsPhase = 0;
pub const VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE: virDomainEventGraphicsPhase = 1;
pub const VIR_DOMAIN_EVENT_GRAPHICS_DISCONNECT: virDomainEventGraphicsPhase = 2;
pub const VIR_DOMAIN_EVENT_GRAPHICS_LAST: virDomainEventGraphicsPhase = 3;

// virDomainEventGraphicsAddressType
pub type virDomainEventGraphicsAddressType = c_int;
pub const VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4: virDomainEventGraphicsAddressType = 0;
pub const VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV6: virDomainEventGraphicsAddressType = 1;
pub const VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_UNIX: virDomainEventGraphicsAddressType = 2;
pub const VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_LAST: virDomainEventGraphicsAddressType = 3;

// virConnectDomainEventBlockJobStatus
pub type virConnectDomainEventBlockJobStatus = c_int;
pub const VIR_DOMAIN_BLOCK_JOB_COMPLETED: virConnectDomainEventBlockJobStatus = 0;
pub const VIR_DOMAIN_BLOCK_JOB_FAILED: virConnectDomainEventBlockJobStatus = 1;
pub const VIR_DOMAIN_BLOCK_JOB_CANCELED: virConnectDomainEventBlockJobStatus = 2;
pub const VIR_DOMAIN_BLOCK_JOB_READY: virConnectDomainEventBlockJobStatus = 3;
pub const VIR_DOMAIN_BLOCK_JOB_LAST: virConnectDomainEventBlockJobStatus = 4;

// virConnectDomainEventDiskChangeReason
pub type virConnectDomainEventDiskChangeReason = c_int;
pub const VIR_DOMAIN_EVENT_DISK_CHANGE_MISSING_ON_START: virConnectDomainEventDiskChangeReason = 0;
pub const VIR_DOMAIN_EVENT_DISK_DROP_MISSING_ON_START: virConnectDomainEventDiskChangeReason = 1;
pub const VIR_DOMAIN_EVENT_DISK_CHANGE_LAST: virConnectDomainEventDiskChangeReason = 2;

// virDomainEventTrayChangeReason
pub type virDomainEventTrayChangeReason = c_int;
pub const VIR_DOMAIN_EVENT_TRAY_CHANGE_OPEN: virDomainEventTrayChangeReason = 0;
pub const VIR_DOMAIN_EVENT_TRAY_CHANGE_CLOSE: virDomainEventTrayChangeReason = 1;
pub const VIR_DOMAIN_EVENT_TRAY_CHANGE_LAST: virDomainEventTrayChangeReason = 2;

// virConnectDomainEventAgentLifecycleState
pub type virConnectDomainEventAgentLifecycleState = c_int;
pub const VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED: virConnectDomainEventAgentLifecycleState = 1;
pub const VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED: virConnectDomainEventAgentLifecycleState = 2;
pub const VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_LAST: virConnectDomainEventAgentLifecycleState = 3;

// virConnectDomainEventAgentLifecycleReason
pub type virConnectDomainEventAgentLifecycleReason = c_int;
pub const VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_UNKNOWN: virConnectDomainEventAgentLifecycleReason = 0;
pub const VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_DOMAIN_STARTED: virConnectDomainEventAgentLifecycleReason = 1;
pub const VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL: virConnectDomainEventAgentLifecycleReason = 2;
pub const VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_LAST: virConnectDomainEventAgentLifecycleReason = 3;

// virDomainEventID
pub type virDomainEventID = c_int;
pub const VIR_DOMAIN_EVENT_ID_LIFECYCLE: virDomainEventID = 0;
pub const VIR_DOMAIN_EVENT_ID_REBOOT: virDomainEventID = 1;
pub const VIR_DOMAIN_EVENT_ID_RTC_CHANGE: virDomainEventID = 2;
pub const VIR_DOMAIN_EVENT_ID_WATCHDOG: virDomainEventID = 3;
pub const VIR_DOMAIN_EVENT_ID_IO_ERROR: virDomainEventID = 4;
pub const VIR_DOMAIN_EVENT_ID_GRAPHICS: virDomainEventID = 5;
pub const VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON: virDomainEventID = 6;
pub const VIR_DOMAIN_EVENT_ID_CONTROL_ERROR: virDomainEventID = 7;
pub const VIR_DOMAIN_EVENT_ID_BLOCK_JOB: virDomainEventID = 8;
pub const VIR_DOMAIN_EVENT_ID_DISK_CHANGE: virDomainEventID = 9;
pub const VIR_DOMAIN_EVENT_ID_TRAY_CHANGE: virDomainEventID = 10;
pub const VIR_DOMAIN_EVENT_ID_PMWAKEUP: virDomainEventID = 11;
pub const VIR_DOMAIN_EVENT_ID_PMSUSPEND: virDomainEventID = 12;
pub const VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE: virDomainEventID = 13;
pub const VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK: virDomainEventID = 14;
pub const VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED: virDomainEventID = 15;
pub const VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2: virDomainEventID = 16;
pub const VIR_DOMAIN_EVENT_ID_TUNABLE: virDomainEventID = 17;
pub const VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE: virDomainEventID = 18;
pub const VIR_DOMAIN_EVENT_ID_DEVICE_ADDED: virDomainEventID = 19;
pub const VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION: virDomainEventID = 20;
pub const VIR_DOMAIN_EVENT_ID_JOB_COMPLETED: virDomainEventID = 21;
pub const VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED: virDomainEventID = 22;
pub const VIR_DOMAIN_EVENT_ID_METADATA_CHANGE: virDomainEventID = 23;
pub const VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD: virDomainEventID = 24;
pub const VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE: virDomainEventID = 25;
pub const VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE: virDomainEventID = 26;
pub const VIR_DOMAIN_EVENT_ID_LAST: virDomainEventID = 27;

// virDomainConsoleFlags
pub type virDomainConsoleFlags = c_int;
pub const VIR_DOMAIN_CONSOLE_FORCE: virDomainConsoleFlags = 1;
pub const VIR_DOMAIN_CONSOLE_SAFE: virDomainConsoleFlags = 2;

// virDomainChannelFlags
pub type virDomainChannelFlags = c_int;
pub const VIR_DOMAIN_CHANNEL_FORCE: virDomainChannelFlags = 1;

// virDomainOpenGraphicsFlags
pub type virDomainOpenGraphicsFlags = c_int;
pub const VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH: virDomainOpenGraphicsFlags = 1;

// virDomainSetTimeFlags
pub type virDomainSetTimeFlags = c_int;
pub const VIR_DOMAIN_TIME_SYNC: virDomainSetTimeFlags = 1;

// virSchedParameterType
pub type virSchedParameterType = c_int;
pub const VIR_DOMAIN_SCHED_FIELD_INT: virSchedParameterType = 1;
pub const VIR_DOMAIN_SCHED_FIELD_UINT: virSchedParameterType = 2;
pub const VIR_DOMAIN_SCHED_FIELD_LLONG: virSchedParameterType = 3;
pub const VIR_DOMAIN_SCHED_FIELD_ULLONG: virSchedParameterType = 4;
pub const VIR_DOMAIN_SCHED_FIELD_DOUBLE: virSchedParameterType = 5;
pub const VIR_DOMAIN_SCHED_FIELD_BOOLEAN: virSchedParameterType = 6;

// virBlkioParameterType
pub type virBlkioParameterType = c_int;
pub const VIR_DOMAIN_BLKIO_PARAM_INT: virBlkioParameterType = 1;
pub const VIR_DOMAIN_BLKIO_PARAM_UINT: virBlkioParameterType = 2;
pub const VIR_DOMAIN_BLKIO_PARAM_LLONG: virBlkioParameterType = 3;
pub const VIR_DOMAIN_BLKIO_PARAM_ULLONG: virBlkioParameterType = 4;
pub const VIR_DOMAIN_BLKIO_PARAM_DOUBLE: virBlkioParameterType = 5;
pub const VIR_DOMAIN_BLKIO_PARAM_BOOLEAN: virBlkioParameterType = 6;

// virMemoryParameterType
pub type virMemoryParameterType = c_int;
pub const VIR_DOMAIN_MEMORY_PARAM_INT: virMemoryParameterType = 1;
pub const VIR_DOMAIN_MEMORY_PARAM_UINT: virMemoryParameterType = 2;
pub const VIR_DOMAIN_MEMORY_PARAM_LLONG: virMemoryParameterType = 3;
pub const VIR_DOMAIN_MEMORY_PARAM_ULLONG: virMemoryParameterType = 4;
pub const VIR_DOMAIN_MEMORY_PARAM_DOUBLE: virMemoryParameterType = 5;
pub const VIR_DOMAIN_MEMORY_PARAM_BOOLEAN: virMemoryParameterType = 6;

// virDomainInterfaceAddressesSource
pub type virDomainInterfaceAddressesSource = c_int;
pub const VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE: virDomainInterfaceAddressesSource = 0;
pub const VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT: virDomainInterfaceAddressesSource = 1;
pub const VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP: virDomainInterfaceAddressesSource = 2;
pub const VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LAST: virDomainInterfaceAddressesSource = 3;

// virDomainSetUserPasswordFlags
pub type virDomainSetUserPasswordFlags = c_int;
pub const VIR_DOMAIN_PASSWORD_ENCRYPTED: virDomainSetUserPasswordFlags = 1;

// virDomainLifecycle
pub type virDomainLifecycle = c_int;
pub const VIR_DOMAIN_LIFECYCLE_POWEROFF: virDomainLifecycle = 0;
pub const VIR_DOMAIN_LIFECYCLE_REBOOT: virDomainLifecycle = 1;
pub const VIR_DOMAIN_LIFECYCLE_CRASH: virDomainLifecycle = 2;
pub const VIR_DOMAIN_LIFECYCLE_LAST: virDomainLifecycle = 3;

// virDomainLifecycleAction
pub type virDomainLifecycleAction = c_int;
pub const VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY: virDomainLifecycleAction = 0;
pub const VIR_DOMAIN_LIFECYCLE_ACTION_RESTART: virDomainLifecycleAction = 1;
pub const VIR_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME: virDomainLifecycleAction = 2;
pub const VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE: virDomainLifecycleAction = 3;
pub const VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY: virDomainLifecycleAction = 4;
pub const VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART: virDomainLifecycleAction = 5;
pub const VIR_DOMAIN_LIFECYCLE_ACTION_LAST: virDomainLifecycleAction = 6;

// virDomainGuestInfoTypes
pub type virDomainGuestInfoTypes = c_int;
pub const VIR_DOMAIN_GUEST_INFO_USERS: virDomainGuestInfoTypes = 1;
pub const VIR_DOMAIN_GUEST_INFO_OS: virDomainGuestInfoTypes = 2;
pub const VIR_DOMAIN_GUEST_INFO_TIMEZONE: virDomainGuestInfoTypes = 4;
pub const VIR_DOMAIN_GUEST_INFO_HOSTNAME: virDomainGuestInfoTypes = 8;
pub const VIR_DOMAIN_GUEST_INFO_FILESYSTEM: virDomainGuestInfoTypes = 16;
pub const VIR_DOMAIN_GUEST_INFO_DISKS: virDomainGuestInfoTypes = 32;
pub const VIR_DOMAIN_GUEST_INFO_INTERFACES: virDomainGuestInfoTypes = 64;

// virDomainAgentResponseTimeoutValues
pub type virDomainAgentResponseTimeoutValues = c_int;
pub const VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK: virDomainAgentResponseTimeoutValues = -2;
pub const VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_DEFAULT: virDomainAgentResponseTimeoutValues = -1;
pub const VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_NOWAIT: virDomainAgentResponseTimeoutValues = 0;

// virDomainBackupBeginFlags
pub type virDomainBackupBeginFlags = c_int;
pub const VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL: virDomainBackupBeginFlags = 1;

// virDomainAuthorizedSSHKeysSetFlags
pub type virDomainAuthorizedSSHKeysSetFlags = c_int;
pub const VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND: virDomainAuthorizedSSHKeysSetFlags = 1;
pub const VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE: virDomainAuthorizedSSHKeysSetFlags = 2;

// virDomainMessageType
pub type virDomainMessageType = c_int;
pub const VIR_DOMAIN_MESSAGE_DEPRECATION: virDomainMessageType = 1;
pub const VIR_DOMAIN_MESSAGE_TAINTING: virDomainMessageType = 2;

// virDomainDirtyRateStatus
pub type virDomainDirtyRateStatus = c_int;
pub const VIR_DOMAIN_DIRTYRATE_UNSTARTED: virDomainDirtyRateStatus = 0;
pub const VIR_DOMAIN_DIRTYRATE_MEASURING: virDomainDirtyRateStatus = 1;
pub const VIR_DOMAIN_DIRTYRATE_MEASURED: virDomainDirtyRateStatus = 2;
pub const VIR_DOMAIN_DIRTYRATE_LAST: virDomainDirtyRateStatus = 3;

// virDomainDirtyRateCalcFlags
pub type virDomainDirtyRateCalcFlags = c_int;
pub const VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING: virDomainDirtyRateCalcFlags = 0;
pub const VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP: virDomainDirtyRateCalcFlags = 1;
pub const VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING: virDomainDirtyRateCalcFlags = 2;

// virDomainFDAssociateFlags
pub type virDomainFDAssociateFlags = c_int;
pub const VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_RESTORE: virDomainFDAssociateFlags = 1;
pub const VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_WRITABLE: virDomainFDAssociateFlags = 2;

// virEventHandleType
pub type virEventHandleType = c_int;
pub const VIR_EVENT_HANDLE_READABLE: virEventHandleType = 1;
pub const VIR_EVENT_HANDLE_WRITABLE: virEventHandleType = 2;
pub const VIR_EVENT_HANDLE_ERROR: virEventHandleType = 4;
pub const VIR_EVENT_HANDLE_HANGUP: virEventHandleType = 8;

// virErrorLevel
pub type virErrorLevel = c_int;
pub const VIR_ERR_NONE: virErrorLevel = 0;
pub const VIR_ERR_WARNING: virErrorLevel = 1;
pub const VIR_ERR_ERROR: virErrorLevel = 2;

// virErrorDomain
pub type virErrorDomain = c_int;
pub const VIR_FROM_NONE: virErrorDomain = 0;
pub const VIR_FROM_XEN: virErrorDomain = 1;
pub const VIR_FROM_XEND: virErrorDomain = 2;
pub const VIR_FROM_XENSTORE: virErrorDomain = 3;
pub const VIR_FROM_SEXPR: virErrorDomain = 4;
pub const VIR_FROM_XML: virErrorDomain = 5;
pub const VIR_FROM_DOM: virErrorDomain = 6;
pub const VIR_FROM_RPC: virErrorDomain = 7;
pub const VIR_FROM_PROXY: virErrorDomain = 8;
pub const VIR_FROM_CONF: virErrorDomain = 9;
pub const VIR_FROM_QEMU: virErrorDomain = 10;
pub const VIR_FROM_NET: virErrorDomain = 11;
pub const VIR_FROM_TEST: virErrorDomain = 12;
pub const VIR_FROM_REMOTE: virErrorDomain = 13;
pub const VIR_FROM_OPENVZ: virErrorDomain = 14;
pub const VIR_FROM_XENXM: virErrorDomain = 15;
pub const VIR_FROM_STATS_LINUX: virErrorDomain = 16;
pub const VIR_FROM_LXC: virErrorDomain = 17;
pub const VIR_FROM_STORAGE: virErrorDomain = 18;
pub const VIR_FROM_NETWORK: virErrorDomain = 19;
pub const VIR_FROM_DOMAIN: virErrorDomain = 20;
pub const VIR_FROM_UML: virErrorDomain = 21;
pub const VIR_FROM_NODEDEV: virErrorDomain = 22;
pub const VIR_FROM_XEN_INOTIFY: virErrorDomain = 23;
pub const VIR_FROM_SECURITY: virErrorDomain = 24;
pub const VIR_FROM_VBOX: virErrorDomain = 25;
pub const VIR_FROM_INTERFACE: virErrorDomain = 26;
pub const VIR_FROM_ONE: virErrorDomain = 27;
pub const VIR_FROM_ESX: virErrorDomain = 28;
pub const VIR_FROM_PHYP: virErrorDomain = 29;
pub const VIR_FROM_SECRET: virErrorDomain = 30;
pub const VIR_FROM_CPU: virErrorDomain = 31;
pub const VIR_FROM_XENAPI: virErrorDomain = 32;
pub const VIR_FROM_NWFILTER: virErrorDomain = 33;
pub const VIR_FROM_HOOK: virErrorDomain = 34;
pub const VIR_FROM_DOMAIN_SNAPSHOT: virErrorDomain = 35;
pub const VIR_FROM_AUDIT: virErrorDomain = 36;
pub const VIR_FROM_SYSINFO: virErrorDomain = 37;
pub const VIR_FROM_STREAMS: virErrorDomain = 38;
pub const VIR_FROM_VMWARE: virErrorDomain = 39;
pub const VIR_FROM_EVENT: virErrorDomain = 40;
pub const VIR_FROM_LIBXL: virErrorDomain = 41;
pub const VIR_FROM_LOCKING: virErrorDomain = 42;
pub const VIR_FROM_HYPERV: virErrorDomain = 43;
pub const VIR_FROM_CAPABILITIES: virErrorDomain = 44;
pub const VIR_FROM_URI: virErrorDomain = 45;
pub const VIR_FROM_AUTH: virErrorDomain = 46;
pub const VIR_FROM_DBUS: virErrorDomain = 47;
pub const VIR_FROM_PARALLELS: virErrorDomain = 48;
pub const VIR_FROM_DEVICE: virErrorDomain = 49;
pub const VIR_FROM_SSH: virErrorDomain = 50;
pub const VIR_FROM_LOCKSPACE: virErrorDomain = 51;
pub const VIR_FROM_INITCTL: virErrorDomain = 52;
pub const VIR_FROM_IDENTITY: virErrorDomain = 53;
pub const VIR_FROM_CGROUP: virErrorDomain = 54;
pub const VIR_FROM_ACCESS: virErrorDomain = 55;
pub const VIR_FROM_SYSTEMD: virErrorDomain = 56;
pub const VIR_FROM_BHYVE: virErrorDomain = 57;
pub const VIR_FROM_CRYPTO: virErrorDomain = 58;
pub const VIR_FROM_FIREWALL: virErrorDomain = 59;
pub const VIR_FROM_POLKIT: virErrorDomain = 60;
pub const VIR_FROM_THREAD: virErrorDomain = 61;
pub const VIR_FROM_ADMIN: virErrorDomain = 62;
pub const VIR_FROM_LOGGING: virErrorDomain = 63;
pub const VIR_FROM_XENXL: virErrorDomain = 64;
pub const VIR_FROM_PERF: virErrorDomain = 65;
pub const VIR_FROM_LIBSSH: virErrorDomain = 66;
pub const VIR_FROM_RESCTRL: virErrorDomain = 67;
pub const VIR_FROM_FIREWALLD: virErrorDomain = 68;
pub const VIR_FROM_DOMAIN_CHECKPOINT: virErrorDomain = 69;
pub const VIR_FROM_TPM: virErrorDomain = 70;
pub const VIR_FROM_BPF: virErrorDomain = 71;
pub const VIR_FROM_CH: virErrorDomain = 72;
pub const VIR_ERR_DOMAIN_LAST: virErrorDomain = 73;

// virErrorNumber
pub type virErrorNumber = c_int;
pub const VIR_ERR_OK: virErrorNumber = 0;
pub const VIR_ERR_INTERNAL_ERROR: virErrorNumber = 1;
pub const VIR_ERR_NO_MEMORY: virErrorNumber = 2;
pub const VIR_ERR_NO_SUPPORT: virErrorNumber = 3;
pub const VIR_ERR_UNKNOWN_HOST: virErrorNumber = 4;
pub const VIR_ERR_NO_CONNECT: virErrorNumber = 5;
pub const VIR_ERR_INVALID_CONN: virErrorNumber = 6;
pub const VIR_ERR_INVALID_DOMAIN: virErrorNumber = 7;
pub const VIR_ERR_INVALID_ARG: virErrorNumber = 8;
pub const VIR_ERR_OPERATION_FAILED: virErrorNumber = 9;
pub const VIR_ERR_GET_FAILED: virErrorNumber = 10;
pub const VIR_ERR_POST_FAILED: virErrorNumber = 11;
pub const VIR_ERR_HTTP_ERROR: virErrorNumber = 12;
pub const VIR_ERR_SEXPR_SERIAL: virErrorNumber = 13;
pub const VIR_ERR_NO_XEN: virErrorNumber = 14;
pub const VIR_ERR_XEN_CALL: virErrorNumber = 15;
pub const VIR_ERR_OS_TYPE: virErrorNumber = 16;
pub const VIR_ERR_NO_KERNEL: virErrorNumber = 17;
pub const VIR_ERR_NO_ROOT: virErrorNumber = 18;
pub const VIR_ERR_NO_SOURCE: virErrorNumber = 19;
pub const VIR_ERR_NO_TARGET: virErrorNumber = 20;
pub const VIR_ERR_NO_NAME: virErrorNumber = 21;
pub const VIR_ERR_NO_OS: virErrorNumber = 22;
pub const VIR_ERR_NO_DEVICE: virErrorNumber = 23;
pub const VIR_ERR_NO_XENSTORE: virErrorNumber = 24;
pub const VIR_ERR_DRIVER_FULL: virErrorNumber = 25;
pub const VIR_ERR_CALL_FAILED: virErrorNumber = 26;
pub const VIR_ERR_XML_ERROR: virErrorNumber = 27;
pub const VIR_ERR_DOM_EXIST: virErrorNumber = 28;
pub const VIR_ERR_OPERATION_DENIED: virErrorNumber = 29;
pub const VIR_ERR_OPEN_FAILED: virErrorNumber = 30;
pub const VIR_ERR_READ_FAILED: virErrorNumber = 31;
pub const VIR_ERR_PARSE_FAILED: virErrorNumber = 32;
pub const VIR_ERR_CONF_SYNTAX: virErrorNumber = 33;
pub const VIR_ERR_WRITE_FAILED: virErrorNumber = 34;
pub const VIR_ERR_XML_DETAIL: virErrorNumber = 35;
pub const VIR_ERR_INVALID_NETWORK: virErrorNumber = 36;
pub const VIR_ERR_NETWORK_EXIST: virErrorNumber = 37;
pub const VIR_ERR_SYSTEM_ERROR: virErrorNumber = 38;
pub const VIR_ERR_RPC: virErrorNumber = 39;
pub const VIR_ERR_GNUTLS_ERROR: virErrorNumber = 40;
pub const VIR_WAR_NO_NETWORK: virErrorNumber = 41;
pub const VIR_ERR_NO_DOMAIN: virErrorNumber = 42;
pub const VIR_ERR_NO_NETWORK: virErrorNumber = 43;
pub const VIR_ERR_INVALID_MAC: virErrorNumber = 44;
pub const VIR_ERR_AUTH_FAILED: virErrorNumber = 45;
pub const VIR_ERR_INVALID_STORAGE_POOL: virErrorNumber = 46;
pub const VIR_ERR_INVALID_STORAGE_VOL: virErrorNumber = 47;
pub const VIR_WAR_NO_STORAGE: virErrorNumber = 48;
pub const VIR_ERR_NO_STORAGE_POOL: virErrorNumber = 49;
pub const VIR_ERR_NO_STORAGE_VOL: virErrorNumber = 50;
pub const VIR_WAR_NO_NODE: virErrorNumber = 51;
pub const VIR_ERR_INVALID_NODE_DEVICE: virErrorNumber = 52;
pub const VIR_ERR_NO_NODE_DEVICE: virErrorNumber = 53;
pub const VIR_ERR_NO_SECURITY_MODEL: virErrorNumber = 54;
pub const VIR_ERR_OPERATION_INVALID: virErrorNumber = 55;
pub const VIR_WAR_NO_INTERFACE: virErrorNumber = 56;
pub const VIR_ERR_NO_INTERFACE: virErrorNumber = 57;
pub const VIR_ERR_INVALID_INTERFACE: virErrorNumber = 58;
pub const VIR_ERR_MULTIPLE_INTERFACES: virErrorNumber = 59;
pub const VIR_WAR_NO_NWFILTER: virErrorNumber = 60;
pub const VIR_ERR_INVALID_NWFILTER: virErrorNumber = 61;
pub const VIR_ERR_NO_NWFILTER: virErrorNumber = 62;
pub const VIR_ERR_BUILD_FIREWALL: virErrorNumber = 63;
pub const VIR_WAR_NO_SECRET: virErrorNumber = 64;
pub const VIR_ERR_INVALID_SECRET: virErrorNumber = 65;
pub const VIR_ERR_NO_SECRET: virErrorNumber = 66;
pub const VIR_ERR_CONFIG_UNSUPPORTED: virErrorNumber = 67;
pub const VIR_ERR_OPERATION_TIMEOUT: virErrorNumber = 68;
pub const VIR_ERR_MIGRATE_PERSIST_FAILED: virErrorNumber = 69;
pub const VIR_ERR_HOOK_SCRIPT_FAILED: virErrorNumber = 70;
pub const VIR_ERR_INVALID_DOMAIN_SNAPSHOT: virErrorNumber = 71;
pub const VIR_ERR_NO_DOMAIN_SNAPSHOT: virErrorNumber = 72;
pub const VIR_ERR_INVALID_STREAM: virErrorNumber = 73;
pub const VIR_ERR_ARGUMENT_UNSUPPORTED: virErrorNumber = 74;
pub const VIR_ERR_STORAGE_PROBE_FAILED: virErrorNumber = 75;
pub const VIR_ERR_STORAGE_POOL_BUILT: virErrorNumber = 76;
pub const VIR_ERR_SNAPSHOT_REVERT_RISKY: virErrorNumber = 77;
pub const VIR_ERR_OPERATION_ABORTED: virErrorNumber = 78;
pub const VIR_ERR_AUTH_CANCELLED: virErrorNumber = 79;
pub const VIR_ERR_NO_DOMAIN_METADATA: virErrorNumber = 80;
pub const VIR_ERR_MIGRATE_UNSAFE: virErrorNumber = 81;
pub const VIR_ERR_OVERFLOW: virErrorNumber = 82;
pub const VIR_ERR_BLOCK_COPY_ACTIVE: virErrorNumber = 83;
pub const VIR_ERR_OPERATION_UNSUPPORTED: virErrorNumber = 84;
pub const VIR_ERR_SSH: virErrorNumber = 85;
pub const VIR_ERR_AGENT_UNRESPONSIVE: virErrorNumber = 86;
pub const VIR_ERR_RESOURCE_BUSY: virErrorNumber = 87;
pub const VIR_ERR_ACCESS_DENIED: virErrorNumber = 88;
pub const VIR_ERR_DBUS_SERVICE: virErrorNumber = 89;
pub const VIR_ERR_STORAGE_VOL_EXIST: virErrorNumber = 90;
pub const VIR_ERR_CPU_INCOMPATIBLE: virErrorNumber = 91;
pub const VIR_ERR_XML_INVALID_SCHEMA: virErrorNumber = 92;
pub const VIR_ERR_MIGRATE_FINISH_OK: virErrorNumber = 93;
pub const VIR_ERR_AUTH_UNAVAILABLE: virErrorNumber = 94;
pub const VIR_ERR_NO_SERVER: virErrorNumber = 95;
pub const VIR_ERR_NO_CLIENT: virErrorNumber = 96;
pub const VIR_ERR_AGENT_UNSYNCED: virErrorNumber = 97;
pub const VIR_ERR_LIBSSH: virErrorNumber = 98;
pub const VIR_ERR_DEVICE_MISSING: virErrorNumber = 99;
pub const VIR_ERR_INVALID_NWFILTER_BINDING: virErrorNumber = 100;
pub const VIR_ERR_NO_NWFILTER_BINDING: virErrorNumber = 101;
pub const VIR_ERR_INVALID_DOMAIN_CHECKPOINT: virErrorNumber = 102;
pub const VIR_ERR_NO_DOMAIN_CHECKPOINT: virErrorNumber = 103;
pub const VIR_ERR_NO_DOMAIN_BACKUP: virErrorNumber = 104;
pub const VIR_ERR_INVALID_NETWORK_PORT: virErrorNumber = 105;
pub const VIR_ERR_NETWORK_PORT_EXIST: virErrorNumber = 106;
pub const VIR_ERR_NO_NETWORK_PORT: virErrorNumber = 107;
pub const VIR_ERR_NO_HOSTNAME: virErrorNumber = 108;
pub const VIR_ERR_CHECKPOINT_INCONSISTENT: virErrorNumber = 109;
pub const VIR_ERR_MULTIPLE_DOMAINS: virErrorNumber = 110;
pub const VIR_ERR_NUMBER_LAST: virErrorNumber = 111;
