//! Domain definitions: parsed from libvirt domain XML, validated, summarised into the fields
//! the backends use, and written back out with everything the application gave us kept.

use super::name::DomainName;
use super::xml::{self, Element, Node};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub enum DefError {
    /// Not well-formed XML.
    Syntax(String),
    /// Well-formed, but not a `<domain>` document.
    WrongRoot(String),
    MissingName,
    /// A `<domain>` that is missing something or holds a value that makes no sense.
    Invalid(String),
}

impl std::fmt::Display for DefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DefError::Syntax(m) | DefError::WrongRoot(m) | DefError::Invalid(m) => f.write_str(m),
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
    name: DomainName,
    uuid: Uuid,
    memory_kib: u64,
    current_memory_kib: u64,
    vcpus: u32,
    disks: Box<[DiskDef]>,
    interfaces: Box<[InterfaceDef]>,
    graphics: Box<[GraphicsDef]>,
    watchdog: Option<Box<WatchdogDef>>,
    resource_version: Option<u64>,
}

/// Order of the leading children libvirt writes; new elements are placed by it.
const HEAD_ORDER: [&str; 8] = ["name", "uuid", "title", "description", "metadata", "memory", "currentMemory", "vcpu"];

fn after(name: &str) -> &'static [&'static str] {
    let i = HEAD_ORDER.iter().position(|n| *n == name).unwrap_or(0);
    &HEAD_ORDER[..i]
}

/// Converts a libvirt memory amount with its unit to KiB, rounding up.
fn to_kib(value: &str, unit: Option<&str>, what: &str) -> Result<u64, DefError> {
    let n: u64 = value
        .trim()
        .parse()
        .map_err(|_| DefError::Invalid(format!("invalid value '{value}' for <{what}>: expected a non-negative integer")))?;
    let bytes_per_unit: u128 = match unit.unwrap_or("KiB") {
        "b" | "bytes" => 1,
        "KB" => 1000,
        "k" | "K" | "KiB" => 1024,
        "MB" => 1_000_000,
        "M" | "MiB" => 1 << 20,
        "GB" => 1_000_000_000,
        "G" | "GiB" => 1 << 30,
        "TB" => 1_000_000_000_000,
        "T" | "TiB" => 1 << 40,
        "PB" => 1_000_000_000_000_000,
        "P" | "PiB" => 1 << 50,
        other => return Err(DefError::Invalid(format!("unknown unit '{other}' for <{what}>"))),
    };
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
    })
}

impl DomainDef {
    pub fn parse(text: &str) -> Result<DomainDef, DefError> {
        let mut root = xml::parse(text).map_err(|e| DefError::Syntax(e.to_string()))?;
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
                DefError::Invalid(format!("invalid resourceVersion '{v}': expected a non-negative integer"))
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
            return Err(DefError::Invalid(format!("name '{}' cannot contain '/' or a newline", name.escape_debug())));
        }
        let uuid = match root.child("uuid").map(Element::text) {
            Some(text) => Uuid::parse_str(&text).map_err(|_| DefError::Invalid(format!("malformed uuid element '{text}'")))?,
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
                DefError::Invalid(format!("invalid vcpu count '{}': expected a positive integer", v.text()))
            })?,
            None => 1,
        };
        let mut vcpu = root.child("vcpu").cloned().unwrap_or_else(|| Element::new("vcpu"));
        vcpu.set_text(vcpus.to_string());
        if vcpu.attr("placement").is_none() {
            vcpu.set_attr("placement", "static");
        }
        root.put_child(vcpu, after("vcpu"));

        let os = root.child("os").ok_or_else(|| DefError::Invalid("missing os element".into()))?;
        let os_type = os.child("type").map(Element::text).unwrap_or_default();
        if os_type.is_empty() {
            return Err(DefError::Invalid("an os <type> must be specified".into()));
        }
        if !matches!(os_type.as_str(), "hvm" | "xen" | "linux" | "exe" | "xenpvh") {
            return Err(DefError::Invalid(format!("unknown OS type '{os_type}'")));
        }

        let (mut disks, mut interfaces, mut graphics, mut watchdog) = (Vec::new(), Vec::new(), Vec::new(), None);
        if let Some(devices) = root.child("devices") {
            for dev in devices.elements() {
                match dev.name.as_str() {
                    "disk" => {
                        let disk = parse_disk(dev)?;
                        if disks.iter().any(|d: &DiskDef| d.target_dev == disk.target_dev) {
                            return Err(DefError::Invalid(format!("target '{}' duplicated for disk sources", disk.target_dev)));
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
                        listen: dev.attr("listen").map(str::to_string),
                    }),
                    "watchdog" => {
                        let action = dev.attr("action").unwrap_or("reset");
                        if !matches!(action, "reset" | "shutdown" | "poweroff" | "pause" | "none" | "dump" | "inject-nmi") {
                            return Err(DefError::Invalid(format!("unknown watchdog action '{action}'")));
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

        let (xml, after_type) = canonical(&root, &virt_type);
        Ok(DomainDef {
            xml,
            after_type,
            virt_type: virt_type.into(),
            name: DomainName::new(&name),
            uuid,
            memory_kib,
            current_memory_kib,
            vcpus,
            disks: disks.into(),
            interfaces: interfaces.into(),
            graphics: graphics.into(),
            watchdog: watchdog.map(Box::new),
            resource_version,
        })
    }

    /// The document as an element tree, for an edit.
    fn tree(&self) -> Element {
        xml::parse(&self.xml).expect("the canonical document parses")
    }

    /// Takes an edited tree as the new document (the typed fields are not edited).
    fn set_tree(&mut self, root: &Element) {
        let (xml, after_type) = canonical(root, &self.virt_type);
        self.xml = xml;
        self.after_type = after_type;
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

    pub fn title(&self) -> Option<String> {
        self.tree().child("title").map(Element::text)
    }

    pub fn set_title(&mut self, title: Option<&str>) {
        let mut root = self.tree();
        match title {
            Some(t) => root.put_child(Element::with_text("title", t), after("title")),
            None => root.remove_children("title"),
        }
        self.set_tree(&root);
    }

    pub fn set_description(&mut self, description: Option<&str>) {
        let mut root = self.tree();
        match description {
            Some(t) => root.put_child(Element::with_text("description", t), after("description")),
            None => root.remove_children("description"),
        }
        self.set_tree(&root);
    }

    /// Sets (Some) or removes (None) the application metadata element of namespace `uri`,
    /// written with prefix `key`. Another element of that namespace is replaced.
    pub fn set_metadata_element(&mut self, uri: &str, key: &str, element_xml: Option<&str>) -> Result<(), DefError> {
        let new = match element_xml {
            Some(text) => {
                let mut e = xml::parse(text).map_err(|e| DefError::Syntax(format!("metadata: {e}")))?;
                if key.is_empty() || key.contains(':') || key.contains(char::is_whitespace) {
                    return Err(DefError::Invalid(format!("invalid metadata key '{key}'")));
                }
                let local = e.name.rsplit(':').next().unwrap_or_default().to_string();
                e.name = format!("{key}:{local}");
                e.attrs.retain(|(k, _)| k != "xmlns" && !k.starts_with("xmlns:"));
                e.attrs.insert(0, (format!("xmlns:{key}"), uri.to_string()));
                Some(e)
            }
            None => None,
        };
        let mut root = self.tree();
        let mut metadata = root.child("metadata").cloned().unwrap_or_else(|| Element::new("metadata"));
        let in_namespace = |n: &Node| matches!(n, Node::Element(e) if e.attrs.iter().any(|(k, v)| k.starts_with("xmlns") && v == uri));
        let at = metadata.children.iter().position(in_namespace);
        metadata.children.retain(|n| !in_namespace(n));
        if let Some(e) = new {
            metadata.children.insert(at.unwrap_or(metadata.children.len()), Node::Element(e));
        }
        if metadata.children.is_empty() {
            root.remove_children("metadata");
        } else {
            root.put_child(metadata, after("metadata"));
        }
        self.set_tree(&root);
        Ok(())
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

/// The document libvirt's way, with `type` first on the root, and where the attributes after
/// `type` begin.
fn canonical(root: &Element, virt_type: &str) -> (Box<str>, usize) {
    let mut attrs = Vec::with_capacity(root.attrs.len() + 1);
    attrs.push(("type".to_string(), virt_type.to_string()));
    attrs.extend(root.attrs.iter().filter(|(k, _)| k != "type").cloned());
    let text = root.to_xml_with_attrs(&attrs);
    let after_type = "<domain type='".len() + xml::escaped_attribute_len(virt_type) + 1;
    debug_assert_eq!(&text[after_type - 1..after_type], "'");
    (text.into_boxed_str(), after_type)
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
        def.set_title(Some("T"));
        def.set_description(Some("D & more"));
        def.set_metadata_element("http://example.org/a", "app", Some("<item>1</item>")).unwrap();
        def.set_metadata_element("http://example.org/a", "app", Some("<other x='y'/>")).unwrap();
        let xml = def.to_xml(None, None);
        assert!(xml.contains("<title>T</title>\n  <description>D &amp; more</description>\n  <metadata>\n    <app:other xmlns:app='http://example.org/a' x='y'/>\n  </metadata>\n  <memory"), "{xml}");
        assert_eq!(def.title().as_deref(), Some("T"));
        assert!(def.set_metadata_element("http://example.org/a", "app", Some("<unclosed>")).is_err());
        def.set_metadata_element("http://example.org/a", "app", None).unwrap();
        def.set_title(None);
        assert!(!def.to_xml(None, None).contains("metadata"));
        assert!(!def.to_xml(None, None).contains("title"));
    }

    #[test]
    fn default_test_domain_parses() {
        let def = DomainDef::parse(DEFAULT_TEST_DOMAIN_XML).unwrap();
        assert_eq!(def.name(), "test");
        assert_eq!(def.uuid().to_string(), "6695eb01-f6a4-8304-79aa-97f2502e193f");
        assert_eq!(def.vcpus(), 2);
    }
}
