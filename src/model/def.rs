// TEMPORARY STUB, replaced by helper
#[derive(Debug, Clone, PartialEq)]
pub enum DefError { Syntax(String), WrongRoot(String), MissingName, Invalid(String) }
pub const DEFAULT_TEST_DOMAIN_XML: &str = "";
pub struct DiskDef { pub target_dev: String }
#[derive(Clone)]
pub struct DomainDef;
impl DomainDef {
    pub fn parse(_x: &str) -> Result<DomainDef, DefError> { todo!() }
    pub fn name(&self) -> &str { todo!() }
    pub fn uuid(&self) -> uuid::Uuid { todo!() }
    pub fn memory_kib(&self) -> u64 { todo!() }
    pub fn current_memory_kib(&self) -> u64 { todo!() }
    pub fn vcpus(&self) -> u32 { todo!() }
    pub fn find_disk(&self, _k: &str) -> Option<&DiskDef> { todo!() }
    pub fn set_title(&mut self, _t: Option<&str>) { todo!() }
    pub fn set_description(&mut self, _t: Option<&str>) { todo!() }
    pub fn set_metadata_element(&mut self, _u: &str, _k: &str, _x: Option<&str>) -> Result<(), DefError> { todo!() }
    pub fn to_xml(&self, _id: Option<i32>, _rv: Option<u64>) -> String { todo!() }
}
