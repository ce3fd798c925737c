//! The domain model: XML documents, domain definitions, states.
pub mod def;
pub mod name;
pub mod state;
pub mod xml;
