//! Sets the shared library's soname and generates the C header with cbindgen into OUT_DIR;
//! `make` compares it with the committed `include/virtevent.h` and fails when that is stale.

use std::path::PathBuf;

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libvirtevent.so.0");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");

    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("virtevent.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("the C header generates")
        .write_to_file(&out);
    // A stable place for the Makefile to find the freshly generated header.
    let target_dir = out.ancestors().nth(4).expect("OUT_DIR is inside the target directory").to_path_buf();
    std::fs::copy(&out, target_dir.join("virtevent.h")).expect("copy generated header");
}
