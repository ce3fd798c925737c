//! `test:///PATH.xml`: a test hypervisor read from one of libvirt's custom test-driver
//! configuration files, so that fixtures written for libvirt work here. The file is a `<node>`
//! holding the host (`<cpu>` with `nodes`, `sockets`, `cores`, `threads`, `active`, `mhz`,
//! `model`; `<memory>` in KiB), domains, networks, storage pools (with volumes) and node
//! devices; each of those may be inline or a `file='…'` reference, relative to the
//! configuration's directory. Domains take libvirt's test namespace
//! (`http://libvirt.org/schemas/domain/test/1.0`): `<test:runstate>` (a virDomainState, running
//! if absent), `<test:transient/>`, `<test:hasmanagedsave/>`.
//!
//! What libvirt's configuration can say and this backend has no API for is refused, not
//! dropped: `<auth>` users (connections here never authenticate) and domain snapshots
//! (`<test:domainsnapshot>`). `<interface>` elements are read past: the virInterface API is not
//! implemented, so nothing could observe them.

use super::host::{default_node, Host};
use super::objects::POOL_CAPACITY;
use super::TestDriver;
use crate::abi::*;
use crate::domains::{def_error, DomainObj};
use crate::error::{Result, VirError};
use crate::events::family::Family;
use crate::model::def::{unit_bytes, DomainDef};
use crate::model::state::DomainState;
use crate::model::xml::{self, Element, MAX_DOCUMENT_BYTES};
use crate::objects::ObjectDef;
use std::io::Read;
use std::path::{Path, PathBuf};

const TEST_NAMESPACE: &str = "http://libvirt.org/schemas/domain/test/1.0";


fn xml_error(message: impl AsRef<str>) -> VirError {
    VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_TEST, message)
}

fn unsupported(message: impl AsRef<str>) -> VirError {
    VirError::new(VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_TEST, message)
}

/// Reads and parses one XML file, refusing more than a document's limit before reading it all.
fn read_document(path: &Path) -> Result<Element> {
    let failed = |why: String| xml_error(format!("failed to parse xml document '{}': {why}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| failed(e.to_string()))?;
    let mut text = String::new();
    file.take(MAX_DOCUMENT_BYTES as u64 + 1).read_to_string(&mut text).map_err(|e| failed(e.to_string()))?;
    xml::parse(&text).map_err(|e| failed(e.to_string()))
}

/// The configuration and the files it refers to.
struct Config {
    dir: PathBuf,
    root: Element,
}

impl Config {
    /// The element `e` stands for: itself, or the root of the file its `file` attribute names
    /// (which must be a `<name>` too).
    fn resolve<'a>(&self, e: &'a Element, loaded: &'a mut Option<Element>) -> Result<&'a Element> {
        let Some(file) = e.attr("file") else { return Ok(e) };
        let path = self.dir.join(file);
        let root = read_document(&path)?;
        if root.name != e.name {
            return Err(VirError::new(
                VIR_ERR_XML_ERROR,
                VIR_FROM_XML,
                format!("expecting root element of '{}', not '{}' in '{}'", e.name, root.name, path.display()),
            ));
        }
        Ok(loaded.insert(root))
    }

    /// The prefixes bound to libvirt's test namespace on `<node>` or on `e`.
    fn test_prefixes(&self, e: &Element) -> Vec<String> {
        self.root
            .attrs
            .iter()
            .chain(e.attrs.iter())
            .filter(|(k, v)| k.starts_with("xmlns:") && v == TEST_NAMESPACE)
            .map(|(k, _)| k["xmlns:".len()..].to_string())
            .collect()
    }
}

/// A `<cpu>` or `<memory>` figure: absent, or a number.
fn node_figure(root: &Element, path: &[&str], what: &str) -> Result<Option<u64>> {
    let mut e = root;
    for name in path {
        match e.child(name) {
            Some(c) => e = c,
            None => return Ok(None),
        }
    }
    let text = e.text();
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim().parse::<u32>().map(|n| Some(n as u64)).or_else(|_| {
        if what == "memory" {
            text.trim().parse::<u64>().map(Some).map_err(|_| ())
        } else {
            Err(())
        }
    })
    .map_err(|_| xml_error(format!("invalid node {what} value")))
}

/// The host a configuration describes: libvirt's default figures, overridden by the file's.
fn parse_host(root: &Element) -> Result<Host> {
    let mut node = default_node();
    let figure = |name: &str| node_figure(root, &["cpu", name], &format!("cpu {name}"));
    if let Some(n) = figure("nodes")? {
        node.nodes = n as u32;
    }
    if let Some(n) = figure("sockets")? {
        node.sockets = n as u32;
    }
    if let Some(n) = figure("cores")? {
        node.cores = n as u32;
    }
    if let Some(n) = figure("threads")? {
        node.threads = n as u32;
    }
    node.cpus = node.cores.saturating_mul(node.threads).saturating_mul(node.sockets).saturating_mul(node.nodes);
    if let Some(active) = figure("active")? {
        node.cpus = node.cpus.min(active as u32);
    }
    if let Some(mhz) = figure("mhz")? {
        node.mhz = mhz as u32;
    }
    if let Some(model) = root.child("cpu").and_then(|c| c.child("model")).map(Element::text) {
        // virNodeInfo's model is a 32-byte C string.
        if model.len() > 31 {
            return Err(VirError::new(VIR_ERR_INTERNAL_ERROR, VIR_FROM_TEST, format!("Model {model} too big for destination")));
        }
        node.model = model;
    }
    if let Some(memory) = node_figure(root, &["memory"], "memory")? {
        node.memory_kib = memory;
    }
    Ok(Host { node, numa_cells: false })
}

/// A domain of the configuration: its definition, with libvirt's test namespace taken out,
/// and what that namespace said.
struct ConfigDomain {
    def: DomainDef,
    runstate: i32,
    transient: bool,
    managed_save: bool,
}

fn parse_domain(config: &Config, e: &Element) -> Result<ConfigDomain> {
    let mut loaded = None;
    let e = config.resolve(e, &mut loaded)?;
    let prefixes = config.test_prefixes(e);
    let ours = |name: &str, local: &str| prefixes.iter().any(|p| name.strip_prefix(p.as_str()).and_then(|n| n.strip_prefix(':')) == Some(local));
    let mut domain = Element::new(e.name.clone());
    domain.attrs = e.attrs.iter().filter(|(k, v)| !(k.starts_with("xmlns:") && v == TEST_NAMESPACE)).cloned().collect();
    let (mut runstate, mut transient, mut managed_save) = (VIR_DOMAIN_RUNNING, false, false);
    for child in e.elements() {
        if ours(&child.name, "runstate") {
            let text = child.text();
            runstate = text.trim().parse::<i32>().ok().filter(|s| (VIR_DOMAIN_NOSTATE..VIR_DOMAIN_PMSUSPENDED + 1).contains(s)).ok_or_else(|| xml_error(format!("runstate '{text}' out of range'")))?;
        } else if ours(&child.name, "transient") {
            transient = true;
        } else if ours(&child.name, "hasmanagedsave") {
            managed_save = true;
        } else if ours(&child.name, "domainsnapshot") {
            return Err(unsupported("domain snapshots (<test:domainsnapshot>) are not supported"));
        } else if prefixes.iter().any(|p| child.name.starts_with(&format!("{p}:"))) {
            return Err(xml_error(format!("unknown element <{}> in libvirt's test namespace", child.name)));
        } else {
            domain.children.push(xml::Node::Element(xml::parse(&child.to_xml()).map_err(|e| xml_error(e.to_string()))?));
        }
    }
    if runstate == VIR_DOMAIN_NOSTATE {
        return Err(unsupported("runstate '0' (no state) is not supported: a domain here is running or not"));
    }
    if transient && runstate == VIR_DOMAIN_SHUTOFF {
        return Err(xml_error("transient domain cannot have runstate 'shutoff'"));
    }
    if managed_save && runstate != VIR_DOMAIN_SHUTOFF {
        return Err(xml_error("domain with managed save image cannot be running"));
    }
    let def = DomainDef::parse(&domain.to_xml()).map_err(def_error)?;
    Ok(ConfigDomain { def, runstate, transient, managed_save })
}

/// A storage pool of the configuration as libvirt's test driver loads it: running, its size
/// the default one, its allocation what its volumes hold (the volumes themselves are not kept:
/// the virStorageVol API is not implemented).
fn parse_pool(config: &Config, e: &Element) -> Result<ObjectDef> {
    let mut loaded = None;
    let e = config.resolve(e, &mut loaded)?;
    let mut pool = Element::new(e.name.clone());
    pool.attrs = e.attrs.clone();
    let mut allocation: u64 = 0;
    for child in e.elements() {
        if child.name == "volume" {
            let mut volume_file = None;
            let volume = config.resolve(child, &mut volume_file)?;
            let bytes = match volume.child("allocation") {
                Some(a) => size_in_bytes(a)?,
                None => volume.child("capacity").map(size_in_bytes).transpose()?.unwrap_or(0),
            };
            allocation = allocation.saturating_add(bytes);
        } else if !matches!(child.name.as_str(), "capacity" | "allocation" | "available") {
            pool.children.push(xml::Node::Element(xml::parse(&child.to_xml()).map_err(|e| xml_error(e.to_string()))?));
        }
    }
    let mut def = ObjectDef::parse(Family::StoragePool, &pool.to_xml())?;
    def.set_pool_size(POOL_CAPACITY, allocation);
    Ok(def)
}

/// A volume's size element in bytes (libvirt's scaled units).
fn size_in_bytes(e: &Element) -> Result<u64> {
    let text = e.text();
    let n: u64 = text.trim().parse().map_err(|_| xml_error(format!("malformed size '{text}' of volume")))?;
    let unit = e.attr("unit").unwrap_or("bytes");
    let scale = unit_bytes(unit).ok_or_else(|| xml_error(format!("unknown storage size unit '{unit}'")))?;
    u64::try_from(n as u128 * scale).map_err(|_| xml_error(format!("size '{text}' of volume is too large")))
}

impl TestDriver {
    /// A private test hypervisor holding what the configuration file at `path` (absolute)
    /// describes.
    pub fn from_config_file(path: &str) -> Result<TestDriver> {
        let path = Path::new(path);
        let root = read_document(path)?;
        if root.name != "node" {
            return Err(VirError::new(VIR_ERR_XML_ERROR, VIR_FROM_XML, format!("expecting root element of 'node', not '{}'", root.name)));
        }
        if root.child("auth").is_some() {
            return Err(unsupported("authentication (<auth>) in a test driver configuration is not supported"));
        }
        let config = Config { dir: path.parent().map(Path::to_path_buf).unwrap_or_default(), root };
        let driver = TestDriver::on_host(parse_host(&config.root)?);
        let mut domains = Vec::new();
        let mut objects = Vec::new();
        for e in config.root.elements() {
            match e.name.as_str() {
                "domain" => domains.push(parse_domain(&config, e)?),
                "network" => {
                    let mut loaded = None;
                    objects.push((Family::Network, ObjectDef::parse(Family::Network, &config.resolve(e, &mut loaded)?.to_xml())?));
                }
                "pool" => objects.push((Family::StoragePool, parse_pool(&config, e)?)),
                "device" => {
                    let mut loaded = None;
                    let def = ObjectDef::parse(Family::NodeDevice, &config.resolve(e, &mut loaded)?.to_xml())?;
                    if def.name.is_empty() {
                        return Err(VirError::new(VIR_ERR_NO_NAME, VIR_FROM_NODEDEV, "a node device of the configuration has no name"));
                    }
                    objects.push((Family::NodeDevice, def));
                }
                _ => {}
            }
        }
        driver.inner.store.commit(|txn| {
            for d in domains {
                if txn.existing_for(&d.def)?.is_some() {
                    return Err(VirError::new(
                        VIR_ERR_OPERATION_FAILED,
                        VIR_FROM_DOMAIN,
                        format!("domain '{}' already exists with uuid {}", d.def.name(), d.def.uuid()),
                    ));
                }
                let mut obj = DomainObj::new(d.def, !d.transient);
                obj.managed_save = d.managed_save;
                let uuid = txn.insert(obj);
                match d.runstate {
                    VIR_DOMAIN_SHUTOFF => {}
                    VIR_DOMAIN_PAUSED => {
                        txn.start_as(&uuid, DomainState::new(VIR_DOMAIN_RUNNING, 0), VIR_DOMAIN_EVENT_STARTED_BOOTED);
                        txn.pause(&uuid, 0, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
                    }
                    VIR_DOMAIN_CRASHED | VIR_DOMAIN_PMSUSPENDED => {
                        txn.start_as(&uuid, DomainState::new(VIR_DOMAIN_RUNNING, 0), VIR_DOMAIN_EVENT_STARTED_BOOTED);
                        txn.set_state(&uuid, d.runstate, 0);
                        let (event, detail) = if d.runstate == VIR_DOMAIN_CRASHED {
                            (VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED)
                        } else {
                            (VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY)
                        };
                        txn.lifecycle(&uuid, event, detail);
                    }
                    state => {
                        txn.start_as(&uuid, DomainState::new(state, 0), VIR_DOMAIN_EVENT_STARTED_BOOTED);
                    }
                }
            }
            for (family, def) in objects {
                txn.preload_object(family, def, true)?;
            }
            Ok(())
        })?;
        Ok(driver)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::Driver;

    fn write(dir: &Path, name: &str, text: &str) -> String {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("virtevent-config-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const NS: &str = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'";

    #[test]
    fn a_configuration_gives_its_host_domains_and_objects() {
        let dir = temp_dir("full");
        write(&dir, "dom.xml", "<domain type='test'><name>fromfile</name><memory>524288</memory><os><type>hvm</type></os></domain>");
        let path = write(
            &dir,
            "node.xml",
            &format!(
                "<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>2</threads><active>6</active>\
                 <mhz>2000</mhz><model>x86_64</model></cpu><memory>8388608</memory>\
                 <domain type='test' {NS}><name>running1</name><uuid>11111111-2222-3333-4444-555555555555</uuid>\
                 <memory>1048576</memory><vcpu>2</vcpu><os><type>hvm</type></os></domain>\
                 <domain type='test' {NS}><name>paused</name><memory>1048576</memory><os><type>hvm</type></os>\
                 <test:runstate>3</test:runstate><test:transient/></domain>\
                 <domain type='test' {NS}><name>off</name><memory>1048576</memory><os><type>hvm</type></os>\
                 <test:runstate>5</test:runstate><test:hasmanagedsave/></domain>\
                 <domain file='dom.xml'/>\
                 <network><name>net1</name><bridge name='virbr1'/></network>\
                 <pool type='dir'><name>pool1</name><capacity>100000</capacity><target><path>/pool1</path></target>\
                 <volume type='file'><name>v1</name><capacity>1000</capacity><allocation>500</allocation></volume></pool>\
                 <interface type='ethernet' name='eth1'/></node>"
            ),
        );
        let d = TestDriver::from_config_file(&path).unwrap();
        let node = d.node_info();
        assert_eq!((node.model.as_str(), node.memory_kib, node.cpus, node.mhz, node.nodes, node.sockets, node.cores, node.threads), ("x86_64", 8388608, 6, 2000, 1, 1, 4, 2));
        assert!(d.capabilities_xml().contains("<cells num='0'>"));
        let ids: Vec<(String, i32, (i32, i32), bool)> = ["running1", "paused", "fromfile", "off"]
            .iter()
            .map(|n| {
                let dom = d.lookup_by_name(n).unwrap();
                (n.to_string(), dom.id, d.state(&dom).unwrap(), d.is_persistent(&dom).unwrap())
            })
            .collect();
        assert_eq!(
            ids,
            vec![
                ("running1".into(), 1, (VIR_DOMAIN_RUNNING, 0), true),
                ("paused".into(), 2, (VIR_DOMAIN_PAUSED, 0), false),
                ("fromfile".into(), 3, (VIR_DOMAIN_RUNNING, 0), true),
                ("off".into(), -1, (VIR_DOMAIN_SHUTOFF, 0), true),
            ]
        );
        let paused_xml = d.xml_desc(&d.lookup_by_name("paused").unwrap(), 0).unwrap();
        assert!(!paused_xml.contains("test:") && !paused_xml.contains("xmlns"), "{paused_xml}");
        let off = d.lookup_by_name("off").unwrap();
        assert_eq!(d.undefine(&off, 0).unwrap_err().code, VIR_ERR_OPERATION_INVALID, "a managed save image blocks undefine");
        let objects = d.objects();
        assert_eq!(objects.list_objects(Family::Network).len(), 1);
        let pool = objects.lookup_object_by_name(Family::StoragePool, "pool1").unwrap();
        let pool_xml = objects.object_xml(&pool, 0).unwrap();
        assert!(pool_xml.contains("<capacity unit='bytes'>107374182400</capacity>"), "{pool_xml}");
        assert!(pool_xml.contains("<allocation unit='bytes'>500</allocation>") && pool_xml.contains("<available unit='bytes'>107374181900</available>"), "{pool_xml}");
        assert!(!pool_xml.contains("volume"), "{pool_xml}");
        assert!(objects.list_objects(Family::NodeDevice).is_empty(), "only the devices the file lists");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn broken_configurations_are_refused_as_libvirt_refuses_them() {
        let dir = temp_dir("broken");
        let domain = |name: &str, extra: &str| format!("<domain type='test' {NS}><name>{name}</name><memory>1024</memory><os><type>hvm</type></os>{extra}</domain>");
        let cases = [
            ("missing.xml", None, VIR_ERR_XML_ERROR, VIR_FROM_TEST, "failed to parse xml document"),
            ("truncated.xml", Some("<node><domain type='test'>".to_string()), VIR_ERR_XML_ERROR, VIR_FROM_TEST, "failed to parse xml document"),
            ("badcpu.xml", Some("<node><cpu><nodes>abc</nodes></cpu></node>".into()), VIR_ERR_XML_ERROR, VIR_FROM_TEST, "invalid node cpu nodes value"),
            ("other.xml", Some("<other/>".into()), VIR_ERR_XML_ERROR, VIR_FROM_XML, "expecting root element of 'node', not 'other'"),
            ("missref.xml", Some("<node><domain file='nowhere.xml'/></node>".into()), VIR_ERR_XML_ERROR, VIR_FROM_TEST, "nowhere.xml"),
            ("dup.xml", Some(format!("<node>{}{}</node>", domain("a", ""), domain("a", ""))), VIR_ERR_OPERATION_FAILED, VIR_FROM_DOMAIN, "domain 'a' already exists"),
            ("state.xml", Some(format!("<node>{}</node>", domain("a", "<test:runstate>9</test:runstate>"))), VIR_ERR_XML_ERROR, VIR_FROM_TEST, "runstate '9' out of range"),
            ("auth.xml", Some("<node><auth><user>admin</user></auth></node>".into()), VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_TEST, "<auth>"),
            ("snap.xml", Some(format!("<node>{}</node>", domain("a", "<test:domainsnapshot/>"))), VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_TEST, "snapshots"),
            ("nodom.xml", Some("<node><domain type='test'><name>x</name></domain></node>".into()), VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, "memory"),
        ];
        for (name, text, code, from, message) in cases {
            let path = match text {
                Some(t) => write(&dir, name, &t),
                None => dir.join(name).to_str().unwrap().to_string(),
            };
            let err = TestDriver::from_config_file(&path).err().unwrap_or_else(|| panic!("{name} accepted"));
            assert_eq!((err.code, err.domain), (code, from), "{name}: {}", err.message);
            assert!(err.message.contains(message), "{name}: {}", err.message);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
