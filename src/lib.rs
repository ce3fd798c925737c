//! virtevent: libvirt's domain event and job API, implemented in Rust and shipped as a C library.
//!
//! The safe core (errors, domain model, event core, event loop, backends) knows nothing of C;
//! `ffi` is the only module with `extern "C"`, raw pointers and `unsafe`.

pub mod abi;
pub mod conn;
pub mod debuglog;
pub mod domains;
pub mod driver;
pub mod error;
pub mod eventloop;
pub mod fasthash;
pub mod jobs;
pub mod events;
pub mod ffi;
pub mod model;
pub mod objects;
pub mod sys;
