pub mod qmp;
