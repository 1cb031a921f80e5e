//! dataarts-jobs: export Huawei Cloud DataArts Studio (DataArts Factory, `DLF`)
//! job definitions and unpack them safely into a `jobs/<job>/` tree.

pub mod archive;
pub mod auth;
pub mod emulator;
pub mod exit;
