//! Definitions of networks, storage pools, node devices and secrets: parsed with the XML element
//! tree of `model::xml`, validated (root element, name, UUID, a secret's usage) and kept whole.

use crate::abi::*;
use crate::error::{Result, VirError};
use crate::events::family::{Family, SecretUsage};
use crate::model::xml::{self, Element};
use std::ffi::CString;
use uuid::Uuid;

/// The longest definition accepted.
pub const MAX_OBJECT_XML: usize = 1 << 20;
/// The longest name accepted.
const MAX_NAME: usize = 1024;

/// A definition (the element tree has no derived traits: they would recurse over its depth).
pub struct ObjectDef {
    /// The name; a secret's is its UUID.
    pub name: String,
    pub uuid: Uuid,
    pub usage: Option<SecretUsage>,
    /// The whole definition, with its `<uuid>` filled in.
    pub root: Element,
}

fn root_element(family: Family) -> &'static str {
    match family {
        Family::Domain => "domain",
        Family::Network => "network",
        Family::StoragePool => "pool",
        Family::NodeDevice => "device",
        Family::Secret => "secret",
    }
}

/// libvirt's usage types by their XML name, and the element holding each one's usage ID.
const SECRET_USAGES: [(&str, i32, &str); 5] = [
    ("volume", VIR_SECRET_USAGE_TYPE_VOLUME, "volume"),
    ("ceph", VIR_SECRET_USAGE_TYPE_CEPH, "name"),
    ("iscsi", VIR_SECRET_USAGE_TYPE_ISCSI, "target"),
    ("tls", VIR_SECRET_USAGE_TYPE_TLS, "name"),
    ("vtpm", VIR_SECRET_USAGE_TYPE_VTPM, "name"),
];

fn secret_usage(root: &Element) -> Result<SecretUsage> {
    let Some(usage) = root.child("usage") else {
        return Ok(SecretUsage { usage_type: VIR_SECRET_USAGE_TYPE_NONE, usage_id: CString::default() });
    };
    let kind = usage.attr("type").unwrap_or_default();
    let (_, usage_type, id_element) = SECRET_USAGES
        .iter()
        .find(|(name, _, _)| *name == kind)
        .ok_or_else(|| VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_SECRET, format!("unknown secret usage type '{kind}'")))?;
    let id = usage.child(id_element).map(Element::text).unwrap_or_default();
    if id.is_empty() {
        return Err(VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_SECRET, format!("{kind} usage specified, but {id_element} is missing")));
    }
    let usage_id = CString::new(id).map_err(|_| VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_SECRET, "secret usage contains a NUL"))?;
    Ok(SecretUsage { usage_type: *usage_type, usage_id })
}

impl ObjectDef {
    /// Parses and checks a definition of `family`. A node device may come without a name (its
    /// backend names it); every other definition needs one.
    pub fn parse(family: Family, text: &str) -> Result<ObjectDef> {
        let from = family.error_domain();
        let root_name = root_element(family);
        if text.len() > MAX_OBJECT_XML {
            return Err(VirError::new(VIR_ERR_XML_ERROR, from, format!("{root_name} definition is {} bytes, longer than the {MAX_OBJECT_XML} accepted", text.len())));
        }
        let mut root = xml::parse(text)
            .map_err(|e| VirError::new(VIR_ERR_XML_DETAIL, from, format!("({}_definition):{e}", root_name.replace("device", "nodedev"))))?;
        if root.name != root_name {
            return Err(VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_XML, format!("unexpected root element <{}>, expecting <{root_name}>", root.name)));
        }
        let uuid = match root.child("uuid").map(Element::text) {
            Some(text) => Uuid::parse_str(text.trim()).map_err(|_| VirError::new(VIR_ERR_XML_ERROR, from, format!("malformed uuid element '{text}'")))?,
            None => Uuid::new_v4(),
        };
        let (name, usage) = match family {
            Family::Secret => (uuid.hyphenated().to_string(), Some(secret_usage(&root)?)),
            _ => (root.child("name").map(Element::text).unwrap_or_default(), None),
        };
        if name.is_empty() && family != Family::NodeDevice {
            return Err(VirError::new(VIR_ERR_NO_NAME, from, "missing name information"));
        }
        if name.len() > MAX_NAME || name.contains(['/', '\n', '\0']) {
            return Err(VirError::new(VIR_ERR_XML_ERROR, from, format!("name '{}' is longer than {MAX_NAME} bytes or contains '/' or a newline", name.escape_debug())));
        }
        if family != Family::NodeDevice {
            root.put_child(Element::with_text("uuid", uuid.hyphenated().to_string()), &["name"]);
        }
        Ok(ObjectDef { name, uuid, usage, root })
    }

    /// Gives a node device defined without one its name.
    pub fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
        self.root.put_child(Element::with_text("name", name), &[]);
    }

    pub fn to_xml(&self) -> String {
        self.root.to_xml()
    }

    /// A storage pool's size as libvirt's test driver gives every pool it defines or loads:
    /// `capacity` bytes, `allocation` of them used, whatever the definition said.
    pub fn set_pool_size(&mut self, capacity: u64, allocation: u64) {
        let allocation = allocation.min(capacity);
        for (name, value) in [("capacity", capacity), ("allocation", allocation), ("available", capacity - allocation)] {
            let mut size = Element::with_text(name, value.to_string());
            size.set_attr("unit", "bytes");
            self.root.put_child(size, &["name", "uuid", "capacity", "allocation"]);
        }
        if self.root.child("source").is_none() {
            self.root.put_child(Element::new("source"), &["name", "uuid", "capacity", "allocation", "available"]);
        }
    }

    /// A storage pool's capacity, allocation and available bytes (as `set_pool_size` wrote them).
    pub fn pool_size(&self) -> (u64, u64, u64) {
        let bytes = |name: &str| self.root.child(name).and_then(|e| e.text().trim().parse().ok()).unwrap_or(0);
        (bytes("capacity"), bytes("allocation"), bytes("available"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_checked_and_round_trip() {
        let net = ObjectDef::parse(Family::Network, "<network><name>n1</name><bridge name='vb1'/></network>").unwrap();
        assert_eq!(net.name, "n1");
        assert!(net.to_xml().contains(&format!("<uuid>{}</uuid>", net.uuid)), "{}", net.to_xml());
        assert!(net.to_xml().contains("<bridge name='vb1'/>"));
        assert_eq!(ObjectDef::parse(Family::Network, "<network/>").err().expect("refused").code, VIR_ERR_NO_NAME);
        let err = ObjectDef::parse(Family::Network, "<network>").err().expect("refused");
        assert_eq!((err.code, err.domain), (VIR_ERR_XML_DETAIL, VIR_FROM_NETWORK));
        assert_eq!(ObjectDef::parse(Family::StoragePool, "<network><name>x</name></network>").err().expect("refused").code, VIR_ERR_XML_ERROR);
        assert_eq!(ObjectDef::parse(Family::StoragePool, "<pool><name>a/b</name></pool>").err().expect("refused").code, VIR_ERR_XML_ERROR);
        assert_eq!(ObjectDef::parse(Family::Network, "<network><name>x</name><uuid>nope</uuid></network>").err().expect("refused").code, VIR_ERR_XML_ERROR);
        let big = format!("<network><name>{}</name></network>", "x".repeat(MAX_OBJECT_XML));
        assert_eq!(ObjectDef::parse(Family::Network, &big).err().expect("refused").code, VIR_ERR_XML_ERROR);

        let secret = ObjectDef::parse(Family::Secret, "<secret ephemeral='no' private='no'><usage type='ceph'><name>client.admin</name></usage></secret>").unwrap();
        let usage = secret.usage.clone().unwrap();
        assert_eq!((usage.usage_type, usage.usage_id.to_str().unwrap()), (VIR_SECRET_USAGE_TYPE_CEPH, "client.admin"));
        assert_eq!(secret.name, secret.uuid.to_string());
        assert_eq!(ObjectDef::parse(Family::Secret, "<secret><usage type='volume'/></secret>").err().expect("refused").code, VIR_ERR_XML_ERROR);
        assert_eq!(ObjectDef::parse(Family::Secret, "<secret><usage type='bogus'/></secret>").err().expect("refused").code, VIR_ERR_XML_ERROR);
        let plain = ObjectDef::parse(Family::Secret, "<secret/>").unwrap();
        assert_eq!(plain.usage.unwrap().usage_type, VIR_SECRET_USAGE_TYPE_NONE);

        let mut dev = ObjectDef::parse(Family::NodeDevice, "<device><parent>scsi_host1</parent></device>").unwrap();
        assert_eq!(dev.name, "");
        dev.set_name("scsi_host12");
        assert!(dev.to_xml().starts_with("<device>\n  <name>scsi_host12</name>"), "{}", dev.to_xml());
    }
}
