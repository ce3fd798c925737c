//! Domain states as libvirt numbers them, and what they imply.

use crate::abi::*;

/// A domain's state and the reason it is in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainState {
    pub state: virDomainState,
    pub reason: i32,
}

impl DomainState {
    pub const fn new(state: virDomainState, reason: i32) -> Self {
        DomainState { state, reason }
    }

    /// Running in the hypervisor's sense: it has a process and an ID.
    pub fn is_active(self) -> bool {
        !matches!(self.state, VIR_DOMAIN_SHUTOFF | VIR_DOMAIN_NOSTATE)
    }
}

/// libvirt's `virDomainGetState` names, for messages.
pub fn state_name(state: virDomainState) -> &'static str {
    match state {
        VIR_DOMAIN_NOSTATE => "no state",
        VIR_DOMAIN_RUNNING => "running",
        VIR_DOMAIN_BLOCKED => "blocked",
        VIR_DOMAIN_PAUSED => "paused",
        VIR_DOMAIN_SHUTDOWN => "in shutdown",
        VIR_DOMAIN_SHUTOFF => "shut off",
        VIR_DOMAIN_CRASHED => "crashed",
        VIR_DOMAIN_PMSUSPENDED => "pmsuspended",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_follows_state() {
        assert!(DomainState::new(VIR_DOMAIN_RUNNING, 1).is_active());
        assert!(DomainState::new(VIR_DOMAIN_PAUSED, 1).is_active());
        assert!(!DomainState::new(VIR_DOMAIN_SHUTOFF, 0).is_active());
        assert_eq!(state_name(VIR_DOMAIN_PAUSED), "paused");
    }
}
