//! From domain XML to a QEMU command line. The backend honours a subset of libvirt's domain
//! XML; anything outside it is refused with VIR_ERR_CONFIG_UNSUPPORTED naming the element or
//! attribute, never dropped silently.

use crate::abi::*;
use crate::error::{Result, VirError};
use crate::model::def::DomainDef;
use crate::model::xml::{self, Element};
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
    Ok(Launch { emulator, machine, accel, memory_kib: def.memory_kib(), vcpus: def.vcpus() })
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
        "-S".into(),
        "-daemonize".into(),
    ]
    .into()
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
            Launch { emulator: "/opt/qemu".into(), machine: "none".into(), accel: "tcg", memory_kib: 65536, vcpus: 1 }
        );
        assert_eq!(plan(&d, true).unwrap().accel, "kvm");
        let args = arguments(&d, &launch, &RunFiles { monitor: Path::new("/r,x/vm.qmp"), pidfile: Path::new("/r/vm.pid") });
        let line = args.join(" ");
        assert!(line.contains("-name guest=vm,,1 "), "{line}");
        assert!(line.contains("-machine none,accel=tcg -m size=65536k -smp 1 "), "{line}");
        assert!(line.contains("path=/r,,x/vm.qmp,server=on"), "{line}");
        assert!(line.ends_with("-pidfile /r/vm.pid -S -daemonize"), "{line}");
        assert_eq!(plan(&def("", "<type>hvm</type>"), false).unwrap().emulator, DEFAULT_EMULATOR);
    }

    #[test]
    fn what_the_backend_cannot_honour_is_refused_by_name() {
        let hvm = "<type machine='none'>hvm</type>";
        assert!(refused(&def("<devices><disk type='file'><target dev='vda'/></disk></devices>", hvm)).contains("<devices><disk>"));
        assert!(refused(&def("<features><acpi/></features>", hvm)).contains("<features>"));
        assert!(refused(&def("<on_crash>restart</on_crash>", hvm)).contains("<on_crash>"));
        assert!(refused(&def("", "<type machine='none'>hvm</type><boot dev='hd'/>")).contains("<os><boot>"));
        assert!(refused(&def("", "<type machine='pc,accel=xen'>hvm</type>")).contains("machine="));
        assert!(refused(&def("", "<type arch='aarch64'>hvm</type>")).contains("arch="));
        assert!(refused(&def("<vcpu>2</vcpu>", hvm)).contains("machine 'none'"));
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
