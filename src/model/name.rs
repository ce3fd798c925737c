//! Domain names as the library keeps them.

use std::sync::Arc;

/// A domain name, stored once with a trailing NUL so that Rust reads it as a `str` and C as a
/// string, and every event and handle shares it instead of copying it.
#[derive(Clone, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(Arc<str>);

impl PartialEq for DomainName {
    /// Shared names are equal without reading their bytes (a cold cache line when an event's
    /// name is checked against a handle's, with thousands of domains).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl DomainName {
    /// `name` without any NUL inside (domain XML cannot carry one anyway).
    pub fn new(name: &str) -> Self {
        let mut stored = String::with_capacity(name.len() + 1);
        stored.extend(name.chars().filter(|&c| c != '\0'));
        stored.push('\0');
        DomainName(Arc::from(stored))
    }

    pub fn as_str(&self) -> &str {
        &self.0[..self.0.len() - 1]
    }

    /// The name's bytes followed by its NUL terminator.
    pub fn as_bytes_with_nul(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::ops::Deref for DomainName {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for DomainName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for DomainName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_by_content_whether_shared_or_not() {
        let a = DomainName::new("guest");
        assert!(a == a.clone(), "shared");
        assert!(a == DomainName::new("guest"), "separate copies of one name");
        assert!(a != DomainName::new("guest2"));
        assert!(a != DomainName::new("gues"));
    }
}
