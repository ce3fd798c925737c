//! From domain XML to a QEMU command line. The backend honours a subset of libvirt's domain
//! XML; anything outside it is refused with VIR_ERR_CONFIG_UNSUPPORTED naming the element or
//! attribute, never dropped silently.

use crate::abi::*;
use crate::error::{Result, VirError};
use crate::model::def::DomainDef;
use crate::model::xml::{self, Element};
use serde_json::{json, Value};
use std::path::Path;

/// The emulator used when the XML names none, looked up on PATH.
pub const DEFAULT_EMULATOR: &str = "qemu-system-x86_64";
/// The machine type when `<os><type machine>` is absent (libvirt's x86_64 default family).
const DEFAULT_MACHINE: &str = "pc";

/// What a domain definition asks QEMU for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub emulator: String,
    pub machine: String,
    /// `kvm` or `tcg`.
    pub accel: &'static str,
    pub memory_kib: u64,
    pub vcpus: u32,
    pub disks: Vec<Disk>,
    /// The argument of `-vnc` for a `<graphics type='vnc'>`.
    pub vnc: Option<String>,
    /// QEMU waits for a saved state (`-incoming defer`, then `migrate-incoming`).
    pub incoming: bool,
}

/// A disk: a chain of image files as `-blockdev` nodes (index 0 the active image), attached
/// to a virtio-blk device unless the machine has no bus for one (`none`: the disk is a block
/// node only, for block jobs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    pub target: String,
    pub chain: Vec<Layer>,
    pub readonly: bool,
    /// QEMU's `werror` and `rerror` from `<driver error_policy rerror_policy>`.
    pub werror: Option<&'static str>,
    pub rerror: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub path: String,
    /// `raw` or `qcow2`.
    pub format: &'static str,
    /// The image's identity within its disk (`vda[N]`, its node names): the `index` attribute
    /// of its `<source>` or `<backingStore>` (libvirt's), else its position at first start.
    /// It stays with the image when a job takes others out of the chain.
    pub index: usize,
}

/// The node names of the image with `index` on disk `target`: its file node and its format node.
pub fn node_names(target: &str, index: usize) -> (String, String) {
    (format!("{target}-file{index}"), format!("{target}-fmt{index}"))
}

/// Where one running domain's files are.
pub struct RunFiles<'a> {
    pub monitor: &'a Path,
    pub pidfile: &'a Path,
}

fn unsupported(what: impl AsRef<str>) -> VirError {
    VirError::new(
        VIR_ERR_CONFIG_UNSUPPORTED,
        VIR_FROM_QEMU,
        format!("{} is not supported by the QEMU backend", what.as_ref()),
    )
}

/// Refuses attributes of `e` outside `allowed`.
fn only_attrs(e: &Element, path: &str, allowed: &[&str]) -> Result<()> {
    match e.attrs.iter().find(|(k, _)| !allowed.contains(&k.as_str()) && !k.starts_with("xmlns")) {
        Some((k, _)) => Err(unsupported(format!("attribute '{k}' of <{path}>"))),
        None => Ok(()),
    }
}

/// Refuses `<path>` unless its text is one of `values`.
fn only_values(e: &Element, path: &str, values: &[&str]) -> Result<()> {
    let text = e.text();
    if values.contains(&text.trim()) {
        Ok(())
    } else {
        Err(unsupported(format!("<{path}>{}</{path}>", xml::quoted(&text))))
    }
}

/// A machine type or emulator option value QEMU reads verbatim: no separators, no spaces.
fn plain_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Checks `def` against what this backend honours and works out its launch; `kvm` says
/// whether /dev/kvm is usable.
pub fn plan(def: &DomainDef, kvm: bool) -> Result<Launch> {
    let root = xml::parse(&def.to_xml(None, None)).map_err(|e| VirError::internal(format!("the domain XML does not parse again: {e}")))?;
    let accel = match def.virt_type() {
        "kvm" if kvm => "kvm",
        "kvm" => return Err(unsupported("domain type 'kvm' without a usable /dev/kvm")),
        // libvirt's type='qemu' is plain emulation; KVM, where usable, runs it faster.
        "qemu" if kvm => "kvm",
        "qemu" => "tcg",
        other => return Err(unsupported(format!("domain type {}", xml::quoted(other)))),
    };
    only_attrs(&root, "domain", &["type"])?;
    let mut machine = DEFAULT_MACHINE.to_string();
    let mut emulator = DEFAULT_EMULATOR.to_string();
    let mut disks = Vec::new();
    let mut vnc = None;
    for e in root.elements() {
        let name = e.name.as_str();
        match name {
            "name" | "uuid" | "title" | "description" | "metadata" => {}
            "memory" | "currentMemory" => only_attrs(e, name, &["unit"])?,
            "vcpu" => {
                only_attrs(e, name, &["placement"])?;
                if e.attr("placement") != Some("static") {
                    return Err(unsupported("<vcpu placement='auto'>"));
                }
            }
            "os" => {
                only_attrs(e, name, &[])?;
                for o in e.elements() {
                    if o.name != "type" {
                        return Err(unsupported(format!("<os><{}>", o.name)));
                    }
                    only_attrs(o, "os/type", &["arch", "machine"])?;
                    if let Some(arch) = o.attr("arch").filter(|a| *a != "x86_64") {
                        return Err(unsupported(format!("<os><type arch={}>", xml::quoted(arch))));
                    }
                    if o.text().trim() != "hvm" {
                        return Err(unsupported(format!("<os><type>{}</type>", xml::quoted(&o.text()))));
                    }
                    if let Some(m) = o.attr("machine") {
                        if !plain_token(m) {
                            return Err(unsupported(format!("<os><type machine={}>", xml::quoted(m))));
                        }
                        machine = m.to_string();
                    }
                }
            }
            // What QEMU does on its own: it exits on power-off and a crash, resets on reboot.
            "on_poweroff" => only_values(e, name, &["destroy"])?,
            "on_reboot" => only_values(e, name, &["restart"])?,
            "on_crash" => only_values(e, name, &["destroy"])?,
            "devices" => {
                only_attrs(e, name, &[])?;
                for d in e.elements() {
                    match d.name.as_str() {
                        "emulator" => {
                            let path = d.text().trim().to_string();
                            if !path.starts_with('/') || path.contains('\0') {
                                return Err(VirError::new(
                                    VIR_ERR_XML_ERROR,
                                    VIR_FROM_QEMU,
                                    format!("<emulator> must be an absolute path, not {}", xml::quoted(&path)),
                                ));
                            }
                            emulator = path;
                        }
                        "memballoon" if d.attr("model") == Some("none") => only_attrs(d, "memballoon", &["model"])?,
                        "disk" => disks.push(disk(d)?),
                        "graphics" if vnc.is_none() => vnc = Some(graphics(d)?),
                        "graphics" => return Err(unsupported("a second <graphics>")),
                        other => return Err(unsupported(format!("<devices><{other}>"))),
                    }
                }
            }
            other => return Err(unsupported(format!("<{other}>"))),
        }
    }
    if machine == "none" && def.vcpus() > 1 {
        return Err(unsupported(format!("<vcpu>{}</vcpu> with machine 'none' (it has at most one CPU)", def.vcpus())));
    }
    if machine == "none" {
        if let Some(d) = disks.iter().find(|d| d.werror.is_some()) {
            return Err(unsupported(format!("<driver error_policy> of disk '{}' with machine 'none' (no device to apply it to)", d.target)));
        }
    }
    Ok(Launch { emulator, machine, accel, memory_kib: def.memory_kib(), vcpus: def.vcpus(), disks, vnc, incoming: false })
}

/// `<graphics type='vnc'>` on a unix socket (`socket`, or `<listen type='socket' socket>`) or
/// on a fixed port of 127.0.0.1 (`port` with `listen='127.0.0.1'`, or `<listen
/// type='address' address='127.0.0.1'>`): the argument of `-vnc`.
fn graphics(e: &Element) -> Result<String> {
    if e.attr("type") != Some("vnc") {
        return Err(unsupported(format!("<graphics type={}>", xml::quoted(e.attr("type").unwrap_or("")))));
    }
    only_attrs(e, "graphics", &["type", "socket", "port", "listen", "autoport"])?;
    let (mut socket, mut address) = (e.attr("socket").map(str::to_string), e.attr("listen").map(str::to_string));
    for c in e.elements() {
        if c.name != "listen" {
            return Err(unsupported(format!("<graphics><{}>", c.name)));
        }
        only_attrs(c, "graphics/listen", &["type", "socket", "address"])?;
        match c.attr("type") {
            Some("socket") => socket = socket.or_else(|| c.attr("socket").map(str::to_string)),
            Some("address") => address = address.or_else(|| c.attr("address").map(str::to_string)),
            other => return Err(unsupported(format!("<listen type={}> of <graphics>", xml::quoted(other.unwrap_or(""))))),
        }
    }
    if e.attr("autoport") == Some("yes") {
        return Err(unsupported("<graphics autoport='yes'> (give a socket, or a port on 127.0.0.1)"));
    }
    match (socket, e.attr("port").map(str::parse::<u32>)) {
        (Some(path), None) if path.starts_with('/') && !path.contains('\0') => Ok(format!("unix:{}", opt_value(&path))),
        (None, Some(Ok(port))) if (5900..=65535).contains(&port) && address.as_deref() == Some("127.0.0.1") => {
            Ok(format!("127.0.0.1:{}", port - 5900))
        }
        _ => Err(unsupported("<graphics type='vnc'> other than an absolute socket path or a port from 5900 on listen='127.0.0.1'")),
    }
}

/// The disks of a definition this backend accepted (none of one it would refuse).
pub fn disks(def: &DomainDef) -> Vec<Disk> {
    let Ok(root) = xml::parse(&def.to_xml(None, None)) else { return Vec::new() };
    let devices = root.child("devices").into_iter().flat_map(|d| d.elements());
    devices.filter(|e| e.name == "disk").filter_map(|e| disk(e).ok()).collect()
}

/// `def` with an `index` on every image of every disk that has none (on `<source>` for the
/// active image, on `<backingStore>` below it), as libvirt writes the running XML; None when
/// nothing was missing.
pub fn annotated(def: &DomainDef) -> Option<DomainDef> {
    let mut root = xml::parse(&def.to_xml(None, None)).ok()?;
    let mut added = false;
    for node in root.child_mut("devices")?.children.iter_mut() {
        let xml::Node::Element(disk) = node else { continue };
        if disk.name != "disk" {
            continue;
        }
        if let Some(source) = disk.child_mut("source").filter(|s| s.attr("index").is_none()) {
            source.set_attr("index", "0");
            added = true;
        }
        let mut position = 1;
        let mut layer = disk.child_mut("backingStore");
        while let Some(b) = layer.filter(|b| b.child("source").is_some()) {
            if b.attr("index").is_none() {
                b.set_attr("index", position.to_string());
                added = true;
            }
            position += 1;
            layer = b.child_mut("backingStore");
        }
    }
    added.then(|| DomainDef::parse(&root.to_xml()).ok()).flatten()
}

/// The disk and chain index a format node name stands for (`vda-fmt1`: `vda`, 1).
pub fn node_owner(node: &str) -> Option<(&str, usize)> {
    let (target, index) = node.rsplit_once("-fmt")?;
    Some((target, index.parse().ok()?))
}

/// QEMU's name for a libvirt error policy.
fn error_action(policy: &str, what: &str, target: &str) -> Result<&'static str> {
    Ok(match policy {
        "stop" => "stop",
        "report" => "report",
        "ignore" => "ignore",
        "enospace" => "enospc",
        other => return Err(unsupported(format!("{what}={} of disk '{target}'", xml::quoted(other)))),
    })
}

/// An image file path as the XML gives it: absolute.
fn image_path(e: &Element, target: &str) -> Result<String> {
    let source = e.child("source").ok_or_else(|| unsupported(format!("disk '{target}' without a <source file>")))?;
    only_attrs(source, "disk/source", &["file", "index"])?;
    match source.attr("file") {
        Some(p) if p.starts_with('/') && !p.contains('\0') => Ok(p.to_string()),
        _ => Err(unsupported(format!("<source> of disk '{target}' other than an absolute file path"))),
    }
}

fn image_format(value: Option<&str>, target: &str) -> Result<&'static str> {
    match value.unwrap_or("raw") {
        "raw" => Ok("raw"),
        "qcow2" => Ok("qcow2"),
        other => Err(unsupported(format!("image format {} of disk '{target}'", xml::quoted(other)))),
    }
}

fn disk(e: &Element) -> Result<Disk> {
    let target_el = e.child("target");
    let target = target_el.and_then(|t| t.attr("dev")).unwrap_or_default().to_string();
    let valid_target = (1..=16).contains(&target.len())
        && target.starts_with(|c: char| c.is_ascii_lowercase())
        && target.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !valid_target {
        return Err(unsupported(format!("disk target {} (a name like vda)", xml::quoted(&target))));
    }
    only_attrs(e, "disk", &["type", "device"])?;
    if e.attr("type") != Some("file") {
        return Err(unsupported(format!("<disk type={}> of '{target}'", xml::quoted(e.attr("type").unwrap_or("")))));
    }
    if e.attr("device").is_some_and(|d| d != "disk") {
        return Err(unsupported(format!("<disk device={}> of '{target}'", xml::quoted(e.attr("device").unwrap_or("")))));
    }
    let (mut format, mut werror, mut rerror, mut readonly) = (None, None, None, false);
    for c in e.elements() {
        match c.name.as_str() {
            "source" | "backingStore" | "alias" => {}
            "target" => {
                only_attrs(c, "disk/target", &["dev", "bus"])?;
                if c.attr("bus").is_some_and(|b| b != "virtio") {
                    return Err(unsupported(format!("<target bus={}> of disk '{target}'", xml::quoted(c.attr("bus").unwrap_or("")))));
                }
            }
            "driver" => {
                only_attrs(c, "disk/driver", &["name", "type", "error_policy", "rerror_policy"])?;
                if c.attr("name").is_some_and(|n| n != "qemu") {
                    return Err(unsupported(format!("<driver name={}> of disk '{target}'", xml::quoted(c.attr("name").unwrap_or("")))));
                }
                format = c.attr("type");
                werror = c.attr("error_policy").map(|p| error_action(p, "error_policy", &target)).transpose()?;
                rerror = c.attr("rerror_policy").map(|p| error_action(p, "rerror_policy", &target)).transpose()?;
                // As libvirt: reads follow the write policy unless told otherwise (no ENOSPC on a read).
                if rerror.is_none() && werror != Some("enospc") {
                    rerror = werror;
                }
            }
            "readonly" => readonly = true,
            other => return Err(unsupported(format!("<disk><{other}> of '{target}'"))),
        }
    }
    let index_of = |e: &Element, position: usize| -> Result<usize> {
        match e.attr("index").or_else(|| e.child("source").and_then(|s| s.attr("index"))) {
            None => Ok(position),
            Some(i) => i.parse().ok().filter(|i| *i < 1 << 16).ok_or_else(|| unsupported(format!("image index {} of disk '{target}'", xml::quoted(i)))),
        }
    };
    let mut chain = vec![Layer { path: image_path(e, &target)?, format: image_format(format, &target)?, index: index_of(e, 0)? }];
    let mut layer = e.child("backingStore").filter(|b| b.child("source").is_some());
    while let Some(b) = layer {
        if chain.last().is_some_and(|l| l.format == "raw") {
            return Err(unsupported(format!("a backing store under a raw image of disk '{target}'")));
        }
        only_attrs(b, "backingStore", &["type", "index"])?;
        if b.attr("type").is_some_and(|t| t != "file") {
            return Err(unsupported(format!("<backingStore type={}> of disk '{target}'", xml::quoted(b.attr("type").unwrap_or("")))));
        }
        let format = b.child("format").and_then(|f| f.attr("type"));
        let index = index_of(b, chain.len())?;
        if chain.iter().any(|l| l.index == index) {
            return Err(unsupported(format!("two images with index {index} on disk '{target}'")));
        }
        chain.push(Layer { path: image_path(b, &target)?, format: image_format(format, &target)?, index });
        if chain.len() > 64 {
            return Err(unsupported(format!("a backing chain deeper than 64 images on disk '{target}'")));
        }
        layer = b.child("backingStore").filter(|b| b.child("source").is_some());
    }
    Ok(Disk { target, chain, readonly, werror, rerror })
}

/// A value in a QEMU option list, where a comma is written twice.
fn opt_value(s: &str) -> String {
    s.replace(',', ",,")
}

/// The arguments after the emulator's name. QEMU starts with its CPUs stopped (`-S`) and
/// daemonizes once its monitor listens and its pid file is written.
pub fn arguments(def: &DomainDef, launch: &Launch, files: &RunFiles) -> Vec<String> {
    let monitor = files.monitor.to_string_lossy();
    let pidfile = files.pidfile.to_string_lossy();
    [
        "-name".into(),
        format!("guest={}", opt_value(def.name())),
        "-uuid".into(),
        def.uuid().hyphenated().to_string(),
        "-machine".into(),
        format!("{},accel={}", launch.machine, launch.accel),
        "-m".into(),
        format!("size={}k", launch.memory_kib),
        "-smp".into(),
        launch.vcpus.to_string(),
        "-no-user-config".into(),
        "-nodefaults".into(),
        "-display".into(),
        "none".into(),
        "-chardev".into(),
        format!("socket,id=monitor,path={},server=on,wait=off", opt_value(&monitor)),
        "-mon".into(),
        "chardev=monitor,mode=control".into(),
        "-pidfile".into(),
        pidfile.into_owned(),
        "-no-shutdown".into(),
        "-S".into(),
        "-daemonize".into(),
    ]
    .into_iter()
    .chain(launch.disks.iter().flat_map(|d| disk_arguments(d, launch.machine != "none")))
    .chain(launch.vnc.iter().flat_map(|v| ["-vnc".to_string(), v.clone()]))
    .chain(launch.incoming.then(|| ["-incoming".to_string(), "defer".to_string()]).into_iter().flatten())
    .collect()
}

/// A disk's `-blockdev` nodes, deepest backing image first (JSON: no option escaping), and
/// its device.
fn disk_arguments(disk: &Disk, with_device: bool) -> Vec<String> {
    let mut args = Vec::new();
    for (i, layer) in disk.chain.iter().enumerate().rev() {
        let (file, fmt) = node_names(&disk.target, layer.index);
        // Backing images open read-only until a job needs to write them (a commit into its
        // base): QEMU switches such a file node to read-write on its own.
        let mut file_node = json!({ "driver": "file", "filename": layer.path, "node-name": file, "read-only": disk.readonly });
        if i > 0 && !disk.readonly {
            file_node["auto-read-only"] = Value::Bool(true);
        }
        let mut fmt_node = json!({ "driver": layer.format, "file": file, "node-name": fmt, "read-only": disk.readonly });
        if layer.format == "qcow2" {
            // The chain is the XML's: QEMU must not open what the image header names.
            fmt_node["backing"] = disk.chain.get(i + 1).map_or(Value::Null, |b| Value::String(node_names(&disk.target, b.index).1));
        }
        args.extend(["-blockdev".to_string(), file_node.to_string(), "-blockdev".to_string(), fmt_node.to_string()]);
    }
    if with_device {
        let mut device = format!("virtio-blk-pci,drive={},id={}", node_names(&disk.target, disk.chain[0].index).1, disk.target);
        if let Some(w) = disk.werror {
            device.push_str(&format!(",werror={w}"));
        }
        if let Some(r) = disk.rerror {
            device.push_str(&format!(",rerror={r}"));
        }
        args.extend(["-device".to_string(), device]);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(extra: &str, os: &str) -> DomainDef {
        DomainDef::parse(&format!(
            "<domain type='qemu'><name>vm,1</name><uuid>11111111-2222-3333-4444-555555555555</uuid>\
             <memory unit='MiB'>64</memory><os>{os}</os>{extra}</domain>"
        ))
        .unwrap()
    }

    fn refused(d: &DomainDef) -> String {
        let err = plan(d, false).unwrap_err();
        assert_eq!(err.code, VIR_ERR_CONFIG_UNSUPPORTED, "{}", err.message);
        err.message
    }

    #[test]
    fn the_supported_subset_becomes_a_command_line() {
        let d = def(
            "<on_poweroff>destroy</on_poweroff><devices><emulator>/opt/qemu</emulator><memballoon model='none'/></devices>",
            "<type arch='x86_64' machine='none'>hvm</type>",
        );
        let launch = plan(&d, false).unwrap();
        assert_eq!(
            launch,
            Launch { emulator: "/opt/qemu".into(), machine: "none".into(), accel: "tcg", memory_kib: 65536, vcpus: 1, disks: vec![], vnc: None, incoming: false }
        );
        assert_eq!(plan(&d, true).unwrap().accel, "kvm");
        let args = arguments(&d, &launch, &RunFiles { monitor: Path::new("/r,x/vm.qmp"), pidfile: Path::new("/r/vm.pid") });
        let line = args.join(" ");
        assert!(line.contains("-name guest=vm,,1 "), "{line}");
        assert!(line.contains("-machine none,accel=tcg -m size=65536k -smp 1 "), "{line}");
        assert!(line.contains("path=/r,,x/vm.qmp,server=on"), "{line}");
        assert!(line.ends_with("-pidfile /r/vm.pid -no-shutdown -S -daemonize"), "{line}");
        assert_eq!(plan(&def("", "<type>hvm</type>"), false).unwrap().emulator, DEFAULT_EMULATOR);
    }

    #[test]
    fn disks_become_blockdev_chains_and_devices() {
        let d = def(
            "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2' error_policy='stop'/>\
             <source file='/i/top.qcow2'/><backingStore type='file'><format type='qcow2'/><source file='/i/mid.qcow2'/>\
             <backingStore type='file'><format type='raw'/><source file='/i/base.raw'/></backingStore></backingStore>\
             <target dev='vda' bus='virtio'/></disk></devices>",
            "<type machine='pc'>hvm</type>",
        );
        let launch = plan(&d, false).unwrap();
        let disk = &launch.disks[0];
        assert_eq!((disk.werror, disk.rerror), (Some("stop"), Some("stop")));
        assert_eq!(disk.chain.iter().map(|l| (l.path.as_str(), l.format)).collect::<Vec<_>>(), [
            ("/i/top.qcow2", "qcow2"),
            ("/i/mid.qcow2", "qcow2"),
            ("/i/base.raw", "raw")
        ]);
        let args = disk_arguments(disk, true);
        let nodes: Vec<Value> = args.iter().skip(1).step_by(2).take(6).map(|a| serde_json::from_str(a).unwrap()).collect();
        assert_eq!(nodes[0], json!({"driver": "file", "filename": "/i/base.raw", "node-name": "vda-file2", "read-only": false, "auto-read-only": true}));
        assert_eq!(nodes[3]["backing"], "vda-fmt2");
        assert_eq!(nodes[5], json!({"driver": "qcow2", "file": "vda-file0", "node-name": "vda-fmt0", "read-only": false, "backing": "vda-fmt1"}));
        assert_eq!(args[args.len() - 1], "virtio-blk-pci,drive=vda-fmt0,id=vda,werror=stop,rerror=stop");
        assert!(!disk_arguments(disk, false).contains(&"-device".to_string()), "machine none: a node only");
        assert_eq!(disks(&d), launch.disks);
        let marked = annotated(&d).unwrap();
        assert_eq!(disks(&marked), launch.disks, "the indexes written are the positions");
        assert!(annotated(&marked).is_none(), "nothing left to add");
        let xml = marked.to_xml(None, None);
        assert!(xml.contains("<source file=\"/i/top.qcow2\" index=\"0\"/>") || xml.contains("<source file='/i/top.qcow2' index='0'/>"), "{xml}");
        assert_eq!(node_owner(&node_names("vdb", 2).1), Some(("vdb", 2)));
        assert_eq!(node_owner("vdb-file2"), None);
    }

    #[test]
    fn what_the_backend_cannot_honour_is_refused_by_name() {
        let hvm = "<type machine='none'>hvm</type>";
        assert!(refused(&def("<devices><disk type='block'><target dev='vda'/></disk></devices>", hvm)).contains("<disk type='block'>"));
        let disk = |inner: &str| def(&format!("<devices><disk type='file'><source file='/a.img'/>{inner}<target dev='vda'/></disk></devices>"), hvm);
        assert!(refused(&disk("<driver type='vmdk'/>")).contains("'vmdk'"));
        assert!(refused(&disk("<driver type='raw' error_policy='stop'/>")).contains("machine 'none'"));
        assert!(refused(&disk("<driver cache='none'/>")).contains("'cache'"));
        assert!(refused(&disk("<shareable/>")).contains("<disk><shareable>"));
        assert!(refused(&disk("<backingStore type='file'><source file='/b.img'/></backingStore>")).contains("raw image"));
        assert!(refused(&def("<features><acpi/></features>", hvm)).contains("<features>"));
        assert!(refused(&def("<on_crash>restart</on_crash>", hvm)).contains("<on_crash>"));
        assert!(refused(&def("", "<type machine='none'>hvm</type><boot dev='hd'/>")).contains("<os><boot>"));
        assert!(refused(&def("", "<type machine='pc,accel=xen'>hvm</type>")).contains("machine="));
        assert!(refused(&def("", "<type arch='aarch64'>hvm</type>")).contains("arch="));
        assert!(refused(&def("<vcpu>2</vcpu>", hvm)).contains("machine 'none'"));
        let vnc = |g: &str| plan(&def(&format!("<devices>{g}</devices>"), hvm), false).map(|l| l.vnc.unwrap());
        assert_eq!(vnc("<graphics type='vnc' socket='/r,x/vnc'/>").unwrap(), "unix:/r,,x/vnc");
        assert_eq!(vnc("<graphics type='vnc'><listen type='socket' socket='/r/v'/></graphics>").unwrap(), "unix:/r/v");
        assert_eq!(vnc("<graphics type='vnc' port='5901' autoport='no' listen='127.0.0.1'/>").unwrap(), "127.0.0.1:1");
        assert_eq!(vnc("<graphics type='vnc' port='5902'><listen type='address' address='127.0.0.1'/></graphics>").unwrap(), "127.0.0.1:2");
        for bad in [
            "<graphics type='vnc' port='5901' listen='0.0.0.0'/>",
            "<graphics type='vnc' autoport='yes'/>",
            "<graphics type='vnc'/>",
            "<graphics type='vnc' socket='rel'/>",
            "<graphics type='spice' socket='/s'/>",
            "<graphics type='vnc' socket='/s' passwd='x'/>",
            "<graphics type='vnc' socket='/a'/><graphics type='vnc' socket='/b'/>",
        ] {
            assert_eq!(vnc(bad).unwrap_err().code, VIR_ERR_CONFIG_UNSUPPORTED, "{bad}");
        }
        assert!(refused(&def("<vcpu current='1'>2</vcpu>", hvm)).contains("'current'"));
        let kvm = DomainDef::parse("<domain type='kvm'><name>k</name><memory>1024</memory><os><type>hvm</type></os></domain>").unwrap();
        assert!(refused(&kvm).contains("/dev/kvm"));
        assert_eq!(plan(&kvm, true).unwrap().accel, "kvm");
        let test = DomainDef::parse("<domain type='test'><name>t</name><memory>1024</memory><os><type>hvm</type></os></domain>").unwrap();
        assert!(refused(&test).contains("'test'"));
        let relative = def("<devices><emulator>qemu</emulator></devices>", hvm);
        assert_eq!(plan(&relative, false).unwrap_err().code, VIR_ERR_XML_ERROR);
    }
}
