//! The simulated host of the test hypervisor, answering as libvirt's test driver does (facts
//! read from libvirt 9.0's test:///default): hypervisor version 2, an i686 machine with 16 CPUs
//! at 1400 MHz in 2 NUMA cells of 2 sockets × 2 cores × 2 threads, 3 GiB of memory (cell 0:
//! 2 GiB in 4 KiB pages, cell 1: 4 GiB in 8 KiB pages), at most 32 vCPUs per guest. A host read
//! from a configuration file (`test:///PATH.xml`) has the node figures the file gives and, as in
//! libvirt, no NUMA cells.

use crate::driver::NodeInfo;
use std::fmt::Write as _;

pub(super) const HYPERVISOR_VERSION: u64 = 2;
pub(super) const MAX_VCPUS: i32 = 32;
/// The host's security model (with no domain of interpretation) and the label it gives every
/// running domain.
pub(super) const SECURITY_MODEL: &str = "testSecurity";
pub(super) const SECURITY_LABEL: &str = "libvirt-test";

/// One simulated host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Host {
    pub node: NodeInfo,
    /// Whether the capabilities show the NUMA cells of libvirt's default host.
    pub numa_cells: bool,
}

impl Default for Host {
    fn default() -> Self {
        Host { node: default_node(), numa_cells: true }
    }
}

impl Host {
    /// The capabilities XML of the host: its CPU, NUMA topology and security model, and the
    /// guests it runs (hvm and xen, i686, type 'test').
    pub fn capabilities_xml(&self) -> String {
        capabilities_xml(if self.numa_cells { &CELLS } else { &[] })
    }
}

pub(super) fn default_node() -> NodeInfo {
    NodeInfo { model: "i686".into(), memory_kib: 3 * 1024 * 1024, cpus: 16, mhz: 1400, nodes: 2, sockets: 2, cores: 2, threads: 2 }
}

/// Each NUMA cell: its memory in KiB and the size of its pages in KiB.
const CELLS: [(u64, u64); 2] = [(2 * 1024 * 1024, 4), (4 * 1024 * 1024, 8)];
const CPUS_PER_CELL: u32 = 8;

fn capabilities_xml(cells: &[(u64, u64)]) -> String {
    let mut x = String::from("<capabilities>\n\n  <host>\n    <cpu>\n      <arch>i686</arch>\n      <features>\n        <pae/>\n        <nonpae/>\n      </features>\n");
    for size in [4, 8, 2048, 1048576] {
        let _ = writeln!(x, "      <pages unit='KiB' size='{size}'/>");
    }
    x.push_str("    </cpu>\n    <power_management/>\n    <iommu support='no'/>\n    <topology>\n");
    let _ = writeln!(x, "      <cells num='{}'>", cells.len());
    for (cell, (memory, page)) in cells.iter().enumerate() {
        let _ = writeln!(x, "        <cell id='{cell}'>\n          <memory unit='KiB'>{memory}</memory>");
        let _ = writeln!(x, "          <pages unit='KiB' size='{page}'>{}</pages>", memory / page);
        x.push_str("          <pages unit='KiB' size='2048'>0</pages>\n          <pages unit='KiB' size='1048576'>0</pages>\n");
        let _ = writeln!(x, "          <cpus num='{CPUS_PER_CELL}'>");
        for core in 0..CPUS_PER_CELL {
            let id = cell as u32 * CPUS_PER_CELL + core;
            let _ = writeln!(x, "            <cpu id='{id}' socket_id='{cell}' die_id='0' core_id='{core}' siblings='{id}'/>");
        }
        x.push_str("          </cpus>\n        </cell>\n");
    }
    let _ = write!(x, "      </cells>\n    </topology>\n    <secmodel>\n      <model>{SECURITY_MODEL}</model>\n      <doi></doi>\n    </secmodel>\n  </host>\n\n");
    for os in ["hvm", "xen"] {
        let _ = write!(
            x,
            "  <guest>\n    <os_type>{os}</os_type>\n    <arch name='i686'>\n      <wordsize>32</wordsize>\n      \
             <emulator>/usr/bin/test-hv</emulator>\n      <domain type='test'/>\n    </arch>\n    <features>\n      \
             <pae/>\n      <nonpae/>\n    </features>\n  </guest>\n\n"
        );
    }
    x.push_str("</capabilities>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_agree_with_node_info_and_parse() {
        let xml = Host::default().capabilities_xml();
        let node = default_node();
        let root = crate::model::xml::parse(&xml).unwrap();
        let cells = root.child("host").and_then(|h| h.child("topology")).and_then(|t| t.child("cells")).unwrap();
        assert_eq!(cells.elements().count() as u32, node.nodes);
        let cpus: usize = cells.elements().map(|c| c.child("cpus").unwrap().elements().count()).sum();
        assert_eq!(cpus as u32, node.cpus);
        assert_eq!(node.nodes * node.sockets * node.cores * node.threads, node.cpus);
        assert!(xml.contains("<cpu id='15' socket_id='1' die_id='0' core_id='7' siblings='15'/>"));
        let bare = Host { numa_cells: false, ..Host::default() }.capabilities_xml();
        assert!(bare.contains("<cells num='0'>\n      </cells>"), "{bare}");
    }
}
