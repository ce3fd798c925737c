//! Domain definitions: parsed from libvirt domain XML, validated, summarised into the fields
//! the backends use, and written back out with everything the application gave us kept.

use super::name::DomainName;
use super::xml::{self, Element, Node, XmlError, XmlErrorKind, MAX_DOCUMENT_BYTES, MAX_NAME_BYTES};
use std::collections::HashSet;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub enum DefError {
    /// Not well-formed XML.
    Syntax(String),
    /// Beyond one of the limits on untrusted XML (`xml::MAX_*`); the message names it.
    Limit(String),
    /// Well-formed, but not a `<domain>` document.
    WrongRoot(String),
    MissingName,
    /// A `<domain>` that is missing something or holds a value that makes no sense.
    Invalid(String),
    /// A bad argument to an edit (title, description, metadata key, namespace or element).
    InvalidArgument(String),
    /// The stored document no longer parses: a bug here, never the application's doing.
    Internal(String),
}

impl From<XmlError> for DefError {
    fn from(e: XmlError) -> Self {
        match e.kind {
            XmlErrorKind::NotWellFormed => DefError::Syntax(e.message),
            XmlErrorKind::OverLimit => DefError::Limit(e.message),
        }
    }
}

impl std::fmt::Display for DefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DefError::Syntax(m)
            | DefError::Limit(m)
            | DefError::WrongRoot(m)
            | DefError::Invalid(m)
            | DefError::InvalidArgument(m)
            | DefError::Internal(m) => f.write_str(m),
            DefError::MissingName => f.write_str("missing name information"),
        }
    }
}

/// The domain `test:///default` starts with, as libvirt's test driver has it.
pub const DEFAULT_TEST_DOMAIN_XML: &str = "<domain type='test'>
  <name>test</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory unit='KiB'>8388608</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='i686'>hvm</type>
    <boot dev='hd'/>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/guest/diskimage1'/>
      <target dev='vda' bus='virtio'/>
      <alias name='virtio-disk0'/>
    </disk>
    <interface type='network'>
      <mac address='aa:bb:cc:dd:ee:ff'/>
      <source network='default'/>
      <target dev='testnet0'/>
      <alias name='net0'/>
    </interface>
    <memballoon model='virtio'/>
  </devices>
</domain>";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskDef {
    /// Guest device name (`vda`), the disk's key in libvirt's block APIs.
    pub target_dev: String,
    pub bus: Option<String>,
    /// `disk`, `cdrom`, `floppy`, `lun`.
    pub device: String,
    /// The file, block device or volume behind it, if any.
    pub source: Option<String>,
    pub alias: Option<String>,
    /// `<driver error_policy>`: what the hypervisor does on an I/O error (stop, report,
    /// ignore, enospace); None: QEMU's default, which stops on ENOSPC and reports the rest.
    pub error_policy: Option<String>,
}

impl DiskDef {
    /// The name events give the disk: its alias, else its target.
    pub fn event_alias(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.target_dev)
    }

    /// A CD-ROM or floppy: it has a tray and media that change.
    pub fn is_removable(&self) -> bool {
        matches!(self.device.as_str(), "cdrom" | "floppy")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceDef {
    pub kind: String,
    pub mac: Option<String>,
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphicsDef {
    /// `vnc`, `spice`, …
    pub kind: String,
    pub port: Option<i32>,
    /// The address it listens on: the `listen` attribute or the first `<listen address>`.
    pub listen: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchdogDef {
    pub model: String,
    /// libvirt's `<watchdog action>`: reset, shutdown, poweroff, pause, none, dump, inject-nmi.
    pub action: String,
}

/// A parsed domain definition. It keeps the document as libvirt would write it (one compact
/// string: every domain is defined, snapshotted and dumped far more often than edited) plus the
/// typed fields the backends use, read once at parse time. Edits parse the text again.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainDef {
    /// The canonical document, without runtime attributes; `type` is the root's first attribute.
    xml: Box<str>,
    /// Where the root's attributes after `type` start, where runtime ones are inserted.
    after_type: usize,
    virt_type: Box<str>,
    /// The `<os><type>`: one of OS_TYPES.
    os_type: &'static str,
    name: DomainName,
    uuid: Uuid,
    memory_kib: u64,
    current_memory_kib: u64,
    vcpus: u32,
    disks: Box<[DiskDef]>,
    interfaces: Box<[InterfaceDef]>,
    graphics: Box<[GraphicsDef]>,
    watchdog: Option<Box<WatchdogDef>>,
    /// `<on_crash>`: destroy (the default), restart, preserve, rename-restart,
    /// coredump-destroy, coredump-restart.
    on_crash: Option<Box<str>>,
    /// The `<memballoon model>` (libvirt adds a virtio balloon when there is none).
    memballoon: Option<Box<str>>,
    has_agent_channel: bool,
    /// Every `<alias name>` of a device.
    device_aliases: Box<[String]>,
    resource_version: Option<u64>,
}

/// The `<os><type>`s libvirt knows.
const OS_TYPES: [&str; 5] = ["hvm", "xen", "linux", "exe", "xenpvh"];
/// libvirt's `<on_crash>` actions.
const ON_CRASH_ACTIONS: [&str; 6] = ["destroy", "restart", "rename-restart", "preserve", "coredump-destroy", "coredump-restart"];

/// Order of the leading children libvirt writes; new elements are placed by it.
const HEAD_ORDER: [&str; 8] = ["name", "uuid", "title", "description", "metadata", "memory", "currentMemory", "vcpu"];

fn after(name: &str) -> &'static [&'static str] {
    let i = HEAD_ORDER.iter().position(|n| *n == name).unwrap_or(0);
    &HEAD_ORDER[..i]
}

/// The bytes in one of libvirt's size units (`unit='…'` on memory and storage sizes).
pub fn unit_bytes(unit: &str) -> Option<u128> {
    Some(match unit {
        "b" | "byte" | "bytes" => 1,
        "KB" => 1000,
        "k" | "K" | "KiB" => 1 << 10,
        "MB" => 1_000_000,
        "M" | "MiB" => 1 << 20,
        "GB" => 1_000_000_000,
        "G" | "GiB" => 1 << 30,
        "TB" => 1_000_000_000_000,
        "T" | "TiB" => 1 << 40,
        "PB" => 1_000_000_000_000_000,
        "P" | "PiB" => 1 << 50,
        _ => return None,
    })
}

/// Converts a libvirt memory amount with its unit to KiB, rounding up.
fn to_kib(value: &str, unit: Option<&str>, what: &str) -> Result<u64, DefError> {
    let n: u64 = value
        .trim()
        .parse()
        .map_err(|_| DefError::Invalid(format!("invalid value {} for <{what}>: expected a non-negative integer", xml::quoted(value))))?;
    let unit = unit.unwrap_or("KiB");
    let bytes_per_unit =
        unit_bytes(unit).ok_or_else(|| DefError::Invalid(format!("unknown unit {} for <{what}>", xml::quoted(unit))))?;
    let kib = (n as u128 * bytes_per_unit).div_ceil(1024);
    u64::try_from(kib).map_err(|_| DefError::Invalid(format!("<{what}> is too large")))
}

fn memory_element(name: &str, kib: u64) -> Element {
    let mut e = Element::with_text(name, kib.to_string());
    e.set_attr("unit", "KiB");
    e
}

fn alias_of(e: &Element) -> Option<String> {
    e.child("alias").and_then(|a| a.attr("name")).map(str::to_string)
}

fn parse_disk(e: &Element) -> Result<DiskDef, DefError> {
    let target = e.child("target").ok_or_else(|| DefError::Invalid("missing target element in disk".into()))?;
    let target_dev = target
        .attr("dev")
        .filter(|d| !d.is_empty())
        .ok_or_else(|| DefError::Invalid("missing target device in disk".into()))?;
    let source = e.child("source").and_then(|s| {
        ["file", "dev", "volume", "name", "dir"].iter().find_map(|k| s.attr(k)).map(str::to_string)
    });
    Ok(DiskDef {
        target_dev: target_dev.to_string(),
        bus: target.attr("bus").map(str::to_string),
        device: e.attr("device").unwrap_or("disk").to_string(),
        source,
        alias: alias_of(e),
        error_policy: e.child("driver").and_then(|d| d.attr("error_policy")).map(str::to_string),
    })
}

/// The guest agent's channel: `<channel><target type='virtio' name='org.qemu.guest_agent.0'/>`.
fn is_agent_channel(e: &Element) -> bool {
    e.name == "channel"
        && e.child("target").is_some_and(|t| t.attr("type") == Some("virtio") && t.attr("name") == Some(GUEST_AGENT_CHANNEL))
}

/// The channel name QEMU's guest agent speaks on.
pub const GUEST_AGENT_CHANNEL: &str = "org.qemu.guest_agent.0";

impl DomainDef {
    pub fn parse(text: &str) -> Result<DomainDef, DefError> {
        let mut root = xml::parse(text)?;
        if root.name != "domain" {
            return Err(DefError::WrongRoot(format!("unexpected root element <{}>, expecting <domain>", root.name)));
        }
        let virt_type = root
            .attr("type")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| DefError::Invalid("missing domain type attribute".into()))?
            .to_string();
        let resource_version = match root.attr("resourceVersion") {
            None => None,
            Some(v) => Some(v.trim().parse::<u64>().map_err(|_| {
                DefError::Invalid(format!("invalid resourceVersion {}: expected a non-negative integer", xml::quoted(v)))
            })?),
        };
        // Runtime-only attributes are not part of a definition.
        root.remove_attr("id");
        root.remove_attr("resourceVersion");

        let name = root.child("name").map(Element::text).unwrap_or_default();
        if name.is_empty() {
            return Err(DefError::MissingName);
        }
        if name.contains('/') || name.contains('\n') {
            return Err(DefError::Invalid(format!("name {} cannot contain '/' or a newline", xml::quoted(&name))));
        }
        let uuid = match root.child("uuid").map(Element::text) {
            Some(text) => Uuid::parse_str(&text).map_err(|_| DefError::Invalid(format!("malformed uuid element {}", xml::quoted(&text))))?,
            None => Uuid::new_v4(),
        };
        root.put_child(Element::with_text("uuid", uuid.hyphenated().to_string()), after("uuid"));
        if let Some(title) = root.child("title") {
            if title.text().contains('\n') {
                return Err(DefError::Invalid("title can't contain newlines".into()));
            }
        }

        let memory = root.child("memory").ok_or_else(|| DefError::Invalid("missing memory element".into()))?;
        let memory_kib = to_kib(&memory.text(), memory.attr("unit"), "memory")?;
        if memory_kib == 0 {
            return Err(DefError::Invalid("memory size must be greater than zero".into()));
        }
        let current_memory_kib = match root.child("currentMemory") {
            Some(c) => to_kib(&c.text(), c.attr("unit"), "currentMemory")?.min(memory_kib),
            None => memory_kib,
        };
        root.put_child(memory_element("memory", memory_kib), after("memory"));
        root.put_child(memory_element("currentMemory", current_memory_kib), after("currentMemory"));

        let vcpus = match root.child("vcpu") {
            Some(v) => v.text().parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                DefError::Invalid(format!("invalid vcpu count {}: expected a positive integer", xml::quoted(&v.text())))
            })?,
            None => 1,
        };
        if root.child("vcpu").is_none() {
            root.put_child(Element::new("vcpu"), after("vcpu"));
        }
        let vcpu = root.child_mut("vcpu").expect("put just above");
        vcpu.set_text(vcpus.to_string());
        if vcpu.attr("placement").is_none() {
            vcpu.set_attr("placement", "static");
        }

        let os = root.child("os").ok_or_else(|| DefError::Invalid("missing os element".into()))?;
        let os_type = os.child("type").map(Element::text).unwrap_or_default();
        if os_type.is_empty() {
            return Err(DefError::Invalid("an os <type> must be specified".into()));
        }
        let os_type = OS_TYPES
            .iter()
            .copied()
            .find(|t| *t == os_type)
            .ok_or_else(|| DefError::Invalid(format!("unknown OS type {}", xml::quoted(&os_type))))?;

        let (mut disks, mut interfaces, mut graphics, mut watchdog) = (Vec::new(), Vec::new(), Vec::new(), None);
        let (mut memballoon, mut has_agent_channel, mut device_aliases) = (None, false, Vec::new());
        // A set: there may be tens of thousands of disks, and comparing each pair takes seconds.
        let mut disk_targets = HashSet::new();
        if let Some(devices) = root.child("devices") {
            for dev in devices.elements() {
                device_aliases.extend(alias_of(dev));
                match dev.name.as_str() {
                    "disk" => {
                        let disk = parse_disk(dev)?;
                        if !disk_targets.insert(disk.target_dev.clone()) {
                            return Err(DefError::Invalid(format!("target {} duplicated for disk sources", xml::quoted(&disk.target_dev))));
                        }
                        disks.push(disk);
                    }
                    "interface" => interfaces.push(InterfaceDef {
                        kind: dev.attr("type").unwrap_or("user").to_string(),
                        mac: dev.child("mac").and_then(|m| m.attr("address")).map(str::to_string),
                        alias: alias_of(dev),
                    }),
                    "graphics" => graphics.push(GraphicsDef {
                        kind: dev
                            .attr("type")
                            .ok_or_else(|| DefError::Invalid("missing graphics device type".into()))?
                            .to_string(),
                        port: dev.attr("port").and_then(|p| p.parse().ok()),
                        listen: dev
                            .attr("listen")
                            .or_else(|| dev.elements().filter(|l| l.name == "listen").find_map(|l| l.attr("address")))
                            .map(str::to_string),
                    }),
                    "memballoon" => memballoon = Some(dev.attr("model").unwrap_or("virtio").into()),
                    "channel" if is_agent_channel(dev) => has_agent_channel = true,
                    "watchdog" => {
                        let action = dev.attr("action").unwrap_or("reset");
                        if !matches!(action, "reset" | "shutdown" | "poweroff" | "pause" | "none" | "dump" | "inject-nmi") {
                            return Err(DefError::Invalid(format!("unknown watchdog action {}", xml::quoted(action))));
                        }
                        watchdog = Some(WatchdogDef {
                            model: dev
                                .attr("model")
                                .ok_or_else(|| DefError::Invalid("watchdog must contain model name".into()))?
                                .to_string(),
                            action: action.to_string(),
                        });
                    }
                    _ => {}
                }
            }
        }

        let on_crash = match root.child("on_crash").map(Element::text) {
            Some(action) if !ON_CRASH_ACTIONS.contains(&action.as_str()) => {
                return Err(DefError::Invalid(format!("unknown on_crash action {}", xml::quoted(&action))))
            }
            other => other.map(String::into_boxed_str),
        };
        let (xml, after_type) = canonical(&root, &virt_type)?;
        Ok(DomainDef {
            xml,
            after_type,
            virt_type: virt_type.into(),
            os_type,
            name: DomainName::new(&name),
            uuid,
            memory_kib,
            current_memory_kib,
            vcpus,
            disks: disks.into(),
            interfaces: interfaces.into(),
            graphics: graphics.into(),
            watchdog: watchdog.map(Box::new),
            on_crash,
            memballoon,
            has_agent_channel,
            device_aliases: device_aliases.into(),
            resource_version,
        })
    }

    /// The document as an element tree, for an edit.
    fn tree(&self) -> Result<Element, DefError> {
        xml::parse(&self.xml).map_err(|e| DefError::Internal(format!("the stored domain XML does not parse: {e}")))
    }

    /// Takes a tree with an edit of `what` as the new document (the typed fields are not
    /// edited), unless it would not parse again: then the edit's argument is refused.
    fn set_tree(&mut self, root: &Element, what: &str) -> Result<(), DefError> {
        let (xml, after_type) = canonical(root, &self.virt_type).map_err(|e| match e {
            DefError::Syntax(m) | DefError::Limit(m) => DefError::InvalidArgument(format!("{what}: {m}")),
            other => other,
        })?;
        self.xml = xml;
        self.after_type = after_type;
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn domain_name(&self) -> &DomainName {
        &self.name
    }
    pub fn uuid(&self) -> Uuid {
        self.uuid
    }
    pub fn virt_type(&self) -> &str {
        &self.virt_type
    }
    /// The length of the canonical document: what keeping this definition costs.
    pub fn xml_len(&self) -> usize {
        self.xml.len()
    }

    /// The guest's OS type (`hvm`, `xen`, …).
    pub fn os_type(&self) -> &'static str {
        self.os_type
    }
    pub fn memory_kib(&self) -> u64 {
        self.memory_kib
    }
    pub fn current_memory_kib(&self) -> u64 {
        self.current_memory_kib
    }
    pub fn vcpus(&self) -> u32 {
        self.vcpus
    }
    pub fn disks(&self) -> &[DiskDef] {
        &self.disks
    }
    pub fn interfaces(&self) -> &[InterfaceDef] {
        &self.interfaces
    }
    pub fn graphics(&self) -> &[GraphicsDef] {
        &self.graphics
    }
    pub fn watchdog(&self) -> Option<&WatchdogDef> {
        self.watchdog.as_deref()
    }
    /// The `<on_crash>` action, "destroy" when not given.
    pub fn on_crash(&self) -> &str {
        self.on_crash.as_deref().unwrap_or("destroy")
    }
    /// Whether the guest has a memory balloon (libvirt's default virtio one unless
    /// `<memballoon model='none'/>`).
    pub fn has_balloon(&self) -> bool {
        self.memballoon.as_deref() != Some("none")
    }
    pub fn has_agent_channel(&self) -> bool {
        self.has_agent_channel
    }
    pub fn has_device_alias(&self, alias: &str) -> bool {
        self.device_aliases.iter().any(|a| a == alias)
    }

    /// A copy with the device whose `<alias name>` is `alias` removed (None: no such device).
    pub fn without_device(&self, alias: &str) -> Result<Option<DomainDef>, DefError> {
        let mut root = self.tree()?;
        let Some(devices) = root.child_mut("devices") else { return Ok(None) };
        let before = devices.children.len();
        devices.children.retain(|n| !matches!(n, Node::Element(e) if alias_of(e).as_deref() == Some(alias)));
        if devices.children.len() == before {
            return Ok(None);
        }
        self.reparsed(&root).map(Some)
    }

    /// A copy where disk `target` has `source` as its medium (None: no medium, ejected).
    pub fn with_disk_source(&self, target: &str, source: Option<&str>) -> Result<DomainDef, DefError> {
        let mut root = self.tree()?;
        let disk = root.child_mut("devices").and_then(|devices| {
            devices.children.iter_mut().find_map(|n| match n {
                Node::Element(e) if e.name == "disk" && e.child("target").and_then(|t| t.attr("dev")) == Some(target) => Some(e),
                _ => None,
            })
        });
        let disk = disk.ok_or_else(|| DefError::InvalidArgument(format!("no disk {}", xml::quoted(target))))?;
        disk.remove_children("source");
        if let Some(path) = source {
            let key = if disk.attr("type") == Some("block") { "dev" } else { "file" };
            let mut e = Element::new("source");
            e.set_attr(key, path);
            disk.put_child(e, &["driver"]);
        }
        self.reparsed(&root)
    }

    /// A copy whose current memory (the balloon's size) is `kib`.
    pub fn with_current_memory(&self, kib: u64) -> Result<DomainDef, DefError> {
        let mut root = self.tree()?;
        root.put_child(memory_element("currentMemory", kib), after("currentMemory"));
        self.reparsed(&root)
    }

    /// The definition an edited tree makes, with every typed field read again.
    fn reparsed(&self, root: &Element) -> Result<DomainDef, DefError> {
        let (xml, _) = canonical(root, &self.virt_type).map_err(|e| match e {
            DefError::Syntax(m) | DefError::Limit(m) => DefError::InvalidArgument(m),
            other => other,
        })?;
        DomainDef::parse(&xml)
    }

    /// The `resourceVersion` the submitted XML carried (a compare-and-swap precondition).
    pub fn resource_version(&self) -> Option<u64> {
        self.resource_version
    }

    /// The disk with target `key` (`vda`), or with alias `key`, or with source path `key`.
    pub fn find_disk(&self, key: &str) -> Option<&DiskDef> {
        self.disks
            .iter()
            .find(|d| d.target_dev == key)
            .or_else(|| self.disks.iter().find(|d| d.alias.as_deref() == Some(key) || d.source.as_deref() == Some(key)))
    }

    pub fn title(&self) -> Result<Option<String>, DefError> {
        Ok(self.tree()?.child("title").map(Element::text))
    }

    /// Sets (Some) or removes (None) the one-line title.
    pub fn set_title(&mut self, title: Option<&str>) -> Result<(), DefError> {
        if title.is_some_and(|t| t.contains('\n')) {
            return Err(DefError::InvalidArgument("title can't contain newlines".into()));
        }
        self.set_text_child("title", title)
    }

    pub fn set_description(&mut self, description: Option<&str>) -> Result<(), DefError> {
        self.set_text_child("description", description)
    }

    fn set_text_child(&mut self, name: &str, text: Option<&str>) -> Result<(), DefError> {
        let mut root = self.tree()?;
        match text {
            Some(t) => {
                check_argument_size(t, name)?;
                xml::check_chars(t, name).map_err(DefError::InvalidArgument)?;
                root.put_child(Element::with_text(name, t), after(name));
            }
            None => root.remove_children(name),
        }
        self.set_tree(&root, name)
    }

    /// Sets (Some) or removes (None) the application metadata element of namespace `uri`,
    /// written with prefix `key`. Another element of that namespace is replaced. Refuses, with
    /// `InvalidArgument` and changing nothing, a key that is not an NCName, a namespace that is
    /// not an absolute URI, and an element that is not one well-formed element within the limits.
    pub fn set_metadata_element(&mut self, uri: &str, key: &str, element_xml: Option<&str>) -> Result<(), DefError> {
        let invalid = DefError::InvalidArgument;
        check_argument_size(uri, "metadata namespace URI")?;
        xml::check_namespace_uri(uri).map_err(invalid)?;
        let new = match element_xml {
            Some(text) => {
                if key.len() > MAX_NAME_BYTES || !xml::is_ncname(key) {
                    return Err(invalid(format!(
                        "metadata key {} is not an XML name without a colon (an NCName) of at most {MAX_NAME_BYTES} bytes",
                        xml::quoted(key)
                    )));
                }
                let mut e = xml::parse(text).map_err(|e| invalid(format!("metadata element: {e}")))?;
                let local = match e.name.split_once(':') {
                    Some((prefix, local)) if xml::is_ncname(prefix) && xml::is_ncname(local) => local,
                    None => e.name.as_str(),
                    Some(_) => {
                        return Err(invalid(format!("metadata element name {} has more than one colon", xml::quoted(&e.name))))
                    }
                };
                e.name = format!("{key}:{local}");
                // The element's other declarations stay: its descendants may use them.
                let own = format!("xmlns:{key}");
                e.attrs.retain(|(k, _)| *k != own);
                e.attrs.insert(0, (own, uri.to_string()));
                Some(e)
            }
            None => None,
        };
        let mut root = self.tree()?;
        if root.child("metadata").is_none() {
            root.put_child(Element::new("metadata"), after("metadata"));
        }
        let metadata = root.child_mut("metadata").expect("put just above");
        // An element is in `uri` by its own prefix's declaration, not by what it declares for its
        // descendants.
        let in_namespace = |n: &Node| {
            matches!(n, Node::Element(e) if e.name.split_once(':').is_some_and(|(prefix, _)| {
                e.attr(&format!("xmlns:{prefix}")) == Some(uri)
            }))
        };
        let at = metadata.children.iter().position(in_namespace);
        metadata.children.retain(|n| !in_namespace(n));
        if let Some(e) = new {
            metadata.children.insert(at.unwrap_or(metadata.children.len()), Node::Element(e));
        }
        if metadata.children.is_empty() {
            root.remove_children("metadata");
        }
        self.set_tree(&root, "metadata element")
    }

    /// The domain XML: with `id` for a running domain, with `resourceVersion` when asked.
    pub fn to_xml(&self, id: Option<i32>, resource_version: Option<u64>) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(self.xml.len() + 48);
        out.push_str(&self.xml[..self.after_type]);
        if let Some(id) = id {
            let _ = write!(out, " id='{id}'");
        }
        if let Some(rv) = resource_version {
            let _ = write!(out, " resourceVersion='{rv}'");
        }
        out.push_str(&self.xml[self.after_type..]);
        out
    }
}

/// Room `to_xml` needs for ` id='…' resourceVersion='…'` at their longest.
const RUNTIME_ATTRIBUTES_MAX_BYTES: usize = 64;

/// Refuses an edit's text argument that could never fit in a document, before copying it.
fn check_argument_size(text: &str, what: &str) -> Result<(), DefError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(DefError::InvalidArgument(format!(
            "{what} is {} bytes, more than the limit of {MAX_DOCUMENT_BYTES} bytes for a whole document",
            text.len()
        )));
    }
    Ok(())
}

/// The document libvirt's way, with `type` first on the root, and where the attributes after
/// `type` begin. Refused unless it parses again, with the runtime attributes too, so that what
/// is stored can always be edited and what `to_xml` gives can always be defined.
fn canonical(root: &Element, virt_type: &str) -> Result<(Box<str>, usize), DefError> {
    let mut attrs = Vec::with_capacity(root.attrs.len() + 1);
    attrs.push(("type".to_string(), virt_type.to_string()));
    attrs.extend(root.attrs.iter().filter(|(k, _)| k != "type").map(|(k, v)| (k.clone(), v.clone())));
    root.check_writable(&attrs)?;
    let text = root.to_xml_with_attrs(&attrs);
    let room = MAX_DOCUMENT_BYTES - RUNTIME_ATTRIBUTES_MAX_BYTES;
    if text.len() > room {
        return Err(DefError::Limit(format!(
            "the domain XML would be {} bytes written out, more than the limit of {room} bytes \
             ({MAX_DOCUMENT_BYTES} less room for the id and resourceVersion attributes)",
            text.len()
        )));
    }
    let after_type = "<domain type='".len() + xml::escaped_attribute_len(virt_type) + 1;
    debug_assert_eq!(&text[after_type - 1..after_type], "'");
    Ok((text.into_boxed_str(), after_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "<domain type='test'><name>vm</name><memory>1024</memory><os><type>hvm</type></os></domain>";

    #[test]
    fn minimal_definition_gets_libvirt_defaults() {
        let def = DomainDef::parse(MINIMAL).unwrap();
        assert_eq!(def.name(), "vm");
        assert_eq!(def.memory_kib(), 1024);
        assert_eq!(def.current_memory_kib(), 1024);
        assert_eq!(def.vcpus(), 1);
        let xml = def.to_xml(Some(3), Some(42));
        assert!(xml.starts_with("<domain type='test' id='3' resourceVersion='42'>\n  <name>vm</name>\n  <uuid>"), "{xml}");
        assert!(xml.contains("<memory unit='KiB'>1024</memory>\n  <currentMemory unit='KiB'>1024</currentMemory>\n  <vcpu placement='static'>1</vcpu>"), "{xml}");
        assert!(!def.to_xml(None, None).contains(" id="));
    }

    #[test]
    fn round_trips_what_it_does_not_interpret() {
        let text = "<domain type='test' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
            <name>vm</name><uuid>11111111-2222-3333-4444-555555555555</uuid>
            <memory unit='MiB'>2</memory><vcpu>4</vcpu><os><type>hvm</type><boot dev='hd'/></os>
            <features><acpi/></features>
            <devices>
              <disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/><alias name='ua-a'/></disk>
              <interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>
              <graphics type='vnc' port='5900' listen='127.0.0.1'/>
              <watchdog model='i6300esb' action='pause'/>
            </devices></domain>";
        let def = DomainDef::parse(text).unwrap();
        assert_eq!(def.memory_kib(), 2048);
        assert_eq!(def.vcpus(), 4);
        assert_eq!(def.find_disk("vda").unwrap().source.as_deref(), Some("/a.img"));
        assert_eq!(def.find_disk("ua-a").unwrap().target_dev, "vda");
        assert_eq!(def.watchdog().unwrap().action, "pause");
        assert_eq!(def.graphics()[0].port, Some(5900));
        let out = def.to_xml(None, None);
        assert!(out.contains("<features>\n    <acpi/>\n  </features>"), "{out}");
        assert!(out.contains("xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"), "{out}");
        let again = DomainDef::parse(&out).unwrap();
        assert_eq!(again, def, "output parses back to the same definition");
        assert_eq!(again.to_xml(None, None), out);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let err = |t: &str| DomainDef::parse(t).unwrap_err();
        assert!(matches!(err("<domain type='test'><name>x</name>"), DefError::Syntax(_)));
        assert!(matches!(err("<network><name>n</name></network>"), DefError::WrongRoot(_)));
        assert_eq!(err("<domain type='test'><memory>1</memory><os><type>hvm</type></os></domain>"), DefError::MissingName);
        assert!(matches!(err("<domain type='test'><name>x</name><os><type>hvm</type></os></domain>"), DefError::Invalid(m) if m.contains("memory")));
        assert!(matches!(err("<domain type='test'><name>x</name><memory>1</memory></domain>"), DefError::Invalid(m) if m.contains("os")));
        assert!(matches!(err(&MINIMAL.replace("<memory>1024", "<memory>lots")), DefError::Invalid(_)));
        assert!(matches!(err(&MINIMAL.replace("<name>vm</name>", "<name>vm</name><uuid>nope</uuid>")), DefError::Invalid(_)));
        assert!(matches!(err(&MINIMAL.replace(" type='test'", "")), DefError::Invalid(_)));
        assert!(matches!(err(&MINIMAL.replace("<domain type='test'>", "<domain type='test' resourceVersion='x'>")), DefError::Invalid(_)));
    }

    #[test]
    fn resource_version_is_read_and_not_kept() {
        let def = DomainDef::parse(&MINIMAL.replace("type='test'", "type='test' id='7' resourceVersion='12'")).unwrap();
        assert_eq!(def.resource_version(), Some(12));
        assert!(!def.to_xml(None, None).contains("resourceVersion"));
    }

    #[test]
    fn metadata_title_and_description_edit_in_place() {
        let mut def = DomainDef::parse(MINIMAL).unwrap();
        def.set_title(Some("T")).unwrap();
        def.set_description(Some("D & more")).unwrap();
        def.set_metadata_element("http://example.org/a", "app", Some("<item>1</item>")).unwrap();
        def.set_metadata_element("http://example.org/a", "app", Some("<other x='y'/>")).unwrap();
        let xml = def.to_xml(None, None);
        assert!(xml.contains("<title>T</title>\n  <description>D &amp; more</description>\n  <metadata>\n    <app:other xmlns:app='http://example.org/a' x='y'/>\n  </metadata>\n  <memory"), "{xml}");
        assert_eq!(def.title().unwrap().as_deref(), Some("T"));
        assert!(def.set_metadata_element("http://example.org/a", "app", Some("<unclosed>")).is_err());
        def.set_metadata_element("http://example.org/a", "app", None).unwrap();
        def.set_title(None).unwrap();
        assert!(!def.to_xml(None, None).contains("metadata"));
        assert!(!def.to_xml(None, None).contains("title"));

        // The element keeps the declarations its descendants use, and only its own prefix's
        // declaration says which metadata it is: setting the namespace it declares for a
        // child leaves it alone.
        def.set_metadata_element("http://k/", "k", Some("<a:foo xmlns:a='http://a/' xmlns:x='http://x/'><a:bar/><x:baz/></a:foo>")).unwrap();
        def.set_metadata_element("http://x/", "other", Some("<y/>")).unwrap();
        let xml = def.to_xml(None, None);
        assert!(xml.contains("<k:foo xmlns:k='http://k/' xmlns:a='http://a/' xmlns:x='http://x/'>\n      <a:bar/>\n      <x:baz/>\n    </k:foo>"), "{xml}");
        assert!(xml.contains("<other:y xmlns:other='http://x/'/>"), "{xml}");
    }

    /// Every edit either keeps a document that parses back to the same definition, or is
    /// refused with `InvalidArgument` and changes nothing.
    fn assert_unchanged_on_refusal(def: &mut DomainDef, edit: impl FnOnce(&mut DomainDef) -> Result<(), DefError>) -> String {
        let before = def.to_xml(None, None);
        let err = edit(def).expect_err("refused");
        assert!(matches!(err, DefError::InvalidArgument(_)), "{err:?}");
        assert_eq!(def.to_xml(None, None), before);
        DomainDef::parse(&before).unwrap();
        err.to_string()
    }

    #[test]
    fn metadata_key_namespace_and_element_are_validated() {
        let mut def = DomainDef::parse(MINIMAL).unwrap();
        let uri = "http://u/";
        for key in ["a>b", "a:b", "", "1a", "a b", "a'", &"k".repeat(MAX_NAME_BYTES + 1)] {
            let m = assert_unchanged_on_refusal(&mut def, |d| d.set_metadata_element(uri, key, Some("<x/>")));
            assert!(m.contains("NCName"), "{m}");
        }
        for bad_uri in ["", "nouri", "1http://x/", "http://u/\"x", "http://u/<x>", "http://u/ x", "http://u/%zz", "http://u/\u{1}"] {
            let m = assert_unchanged_on_refusal(&mut def, |d| d.set_metadata_element(bad_uri, "app", Some("<x/>")));
            assert!(m.contains("namespace URI"), "{m}");
        }
        for element in ["<x>", "<x/><y/>", "text", "<a:b:c/>", "<x>\u{1}</x>", &format!("{}{}", "<x>".repeat(300), "</x>".repeat(300))] {
            assert_unchanged_on_refusal(&mut def, |d| d.set_metadata_element(uri, "app", Some(element)));
        }
        // Nested within the limit on its own, but not once under <domain><metadata>.
        let deep = format!("{}{}", "<x>".repeat(255), "</x>".repeat(255));
        let m = assert_unchanged_on_refusal(&mut def, |d| d.set_metadata_element(uri, "app", Some(&deep)));
        assert!(m.contains("256 levels"), "{m}");

        def.set_metadata_element("urn:x:a&b'c", "app", Some("<x a='&apos;'/>")).unwrap();
        let xml = def.to_xml(None, None);
        assert!(xml.contains("<app:x xmlns:app='urn:x:a&amp;b&apos;c' a='&apos;'/>"), "{xml}");
        assert_eq!(DomainDef::parse(&xml).unwrap().to_xml(None, None), xml);
    }

    #[test]
    fn title_and_description_are_escaped_or_refused() {
        let mut def = DomainDef::parse(MINIMAL).unwrap();
        def.set_title(Some("<b>&amp; ]]> '\"")).unwrap();
        def.set_description(Some("</description><name>evil</name>\r\n&x;")).unwrap();
        let xml = def.to_xml(None, None);
        let again = DomainDef::parse(&xml).unwrap();
        assert_eq!(again.name(), "vm");
        assert_eq!(again.title().unwrap().as_deref(), Some("<b>&amp; ]]> '\""));
        assert_eq!(again.to_xml(None, None), xml);
        assert_unchanged_on_refusal(&mut def, |d| d.set_title(Some("a\nb")));
        assert_unchanged_on_refusal(&mut def, |d| d.set_title(Some("bell\u{7}")));
        assert_unchanged_on_refusal(&mut def, |d| d.set_description(Some("\u{FFFF}")));
        let huge = "x".repeat(MAX_DOCUMENT_BYTES + 1);
        assert_unchanged_on_refusal(&mut def, |d| d.set_description(Some(&huge)));
        let m = assert_unchanged_on_refusal(&mut def, |d| d.set_description(Some(&huge[..MAX_DOCUMENT_BYTES - 100])));
        assert!(m.contains("bytes written out"), "{m}");
    }

    #[test]
    fn definitions_are_refused_beyond_the_limits() {
        let with_metadata = |inner: &str| MINIMAL.replace("</os>", &format!("</os><metadata>{inner}</metadata>"));
        let nested = |n: usize| format!("{}{}", "<x>".repeat(n), "</x>".repeat(n));
        assert!(DomainDef::parse(&with_metadata(&nested(200))).is_ok());
        assert!(matches!(DomainDef::parse(&with_metadata(&nested(100_000))), Err(DefError::Limit(m)) if m.contains("256 levels")));
        let attrs: String = (0..100_000).map(|i| format!(" a{i}='1'")).collect();
        assert!(matches!(DomainDef::parse(&with_metadata(&format!("<x{attrs}/>"))), Err(DefError::Limit(m)) if m.contains("attributes")));
        // Indentation makes the stored document larger than what was given: refused when the
        // result could not be defined again.
        let wide = format!("{}{}{}", "<x>".repeat(250), "<y/>".repeat(20_000), "</x>".repeat(250));
        assert!(matches!(DomainDef::parse(&with_metadata(&wide)), Err(DefError::Limit(m)) if m.contains("written out")));
    }

    #[test]
    fn many_disks_are_checked_for_duplicates_in_linear_time() {
        let disks: String = (0..49_000).map(|i| format!("<disk><target dev='d{i}'/></disk>")).collect();
        let started = std::time::Instant::now();
        let def = DomainDef::parse(&MINIMAL.replace("</os>", &format!("</os><devices>{disks}</devices>"))).unwrap();
        assert_eq!(def.disks().len(), 49_000);
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
        let twice = MINIMAL.replace("</os>", "</os><devices><disk><target dev='a'/></disk><disk><target dev='a'/></disk></devices>");
        assert!(matches!(DomainDef::parse(&twice), Err(DefError::Invalid(m)) if m.contains("duplicated")));
    }

    #[test]
    fn default_test_domain_parses() {
        let def = DomainDef::parse(DEFAULT_TEST_DOMAIN_XML).unwrap();
        assert_eq!(def.name(), "test");
        assert_eq!(def.uuid().to_string(), "6695eb01-f6a4-8304-79aa-97f2502e193f");
        assert_eq!(def.vcpus(), 2);
    }
}
