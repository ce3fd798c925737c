//! Numbers and names of the C ABI, shared by the safe core and the FFI layer.
pub mod consts;
pub mod ext;
pub mod families;
pub mod jobs;
pub use consts::*;
pub use ext::*;
pub use families::*;
pub use jobs::*;
