//! libvirt-style errors: a code, the part of the library that raised it, and a message.

use crate::abi::*;

/// An error as libvirt reports it: `message` is the full text (prefix for the code, then detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirError {
    pub code: virErrorNumber,
    pub domain: virErrorDomain,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, VirError>;

/// The generic description libvirt puts in front of the detail for each code.
fn code_prefix(code: virErrorNumber) -> &'static str {
    match code {
        VIR_ERR_INTERNAL_ERROR => "internal error",
        VIR_ERR_NO_MEMORY => "out of memory",
        VIR_ERR_NO_SUPPORT => "this function is not supported by the connection driver",
        VIR_ERR_NO_CONNECT => "no connection driver available",
        VIR_ERR_INVALID_CONN => "invalid connection pointer in",
        VIR_ERR_INVALID_DOMAIN => "invalid domain pointer in",
        VIR_ERR_INVALID_STREAM => "invalid stream pointer in",
        VIR_ERR_INVALID_ARG => "invalid argument",
        VIR_ERR_OPERATION_FAILED => "operation failed",
        VIR_ERR_NO_NAME => "missing name information",
        VIR_ERR_XML_ERROR => "XML description is invalid or not well formed",
        VIR_ERR_XML_DETAIL => "XML error",
        VIR_ERR_NO_DOMAIN => "Domain not found",
        VIR_ERR_NO_NETWORK => "Network not found",
        VIR_ERR_NO_STORAGE_POOL => "Storage pool not found",
        VIR_ERR_NO_NODE_DEVICE => "Node device not found",
        VIR_ERR_NO_SECRET => "Secret not found",
        VIR_ERR_INVALID_NETWORK => "invalid network pointer in",
        VIR_ERR_INVALID_STORAGE_POOL => "invalid storage pool pointer in",
        VIR_ERR_INVALID_NODE_DEVICE => "invalid node device pointer in",
        VIR_ERR_INVALID_SECRET => "Invalid secret",
        VIR_ERR_OPERATION_INVALID => "Requested operation is not valid",
        VIR_ERR_OPERATION_DENIED => "operation forbidden",
        VIR_ERR_SYSTEM_ERROR => "system error",
        VIR_ERR_NO_DOMAIN_METADATA => "metadata not found",
        VIR_ERR_DOM_EXIST => "operation failed: domain already exists",
        VIR_ERR_RESOURCE_VERSION_CONFLICT => "resource version conflict",
        VIR_ERR_RESOURCE_VERSION_EXPIRED => "resource version expired",
        VIR_ERR_NO_DOMAIN_JOB => "no domain job",
        VIR_ERR_OPERATION_ABORTED => "operation aborted",
        _ => "error",
    }
}

impl VirError {
    /// An error whose message is the code's usual prefix followed by `detail`.
    pub fn new(code: virErrorNumber, domain: virErrorDomain, detail: impl AsRef<str>) -> Self {
        let detail = detail.as_ref();
        let prefix = code_prefix(code);
        let message = if detail.is_empty() {
            prefix.to_string()
        } else if matches!(
            code,
            VIR_ERR_INVALID_CONN | VIR_ERR_INVALID_DOMAIN | VIR_ERR_INVALID_NETWORK | VIR_ERR_INVALID_STORAGE_POOL | VIR_ERR_INVALID_NODE_DEVICE
                | VIR_ERR_INVALID_STREAM
        ) {
            format!("{prefix} {detail}")
        } else {
            format!("{prefix}: {detail}")
        };
        VirError { code, domain, message }
    }

    /// An argument the public API refuses; libvirt reports those in VIR_FROM_DOMAIN, the part
    /// of the library that checks the arguments of the domain and host calls.
    pub fn invalid_arg(detail: impl AsRef<str>) -> Self {
        Self::new(VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, detail)
    }
    pub fn internal(detail: impl AsRef<str>) -> Self {
        Self::new(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE, detail)
    }
    pub fn system(detail: impl AsRef<str>) -> Self {
        Self::new(VIR_ERR_SYSTEM_ERROR, VIR_FROM_NONE, detail)
    }
}

impl std::fmt::Display for VirError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VirError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_carries_prefix_and_detail() {
        let e = VirError::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, "domain is not running");
        assert_eq!(e.code, VIR_ERR_OPERATION_INVALID);
        assert_eq!(e.message, "Requested operation is not valid: domain is not running");
        let e = VirError::new(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOMAIN, "virDomainSuspend");
        assert_eq!(e.message, "invalid domain pointer in virDomainSuspend");
    }
}
