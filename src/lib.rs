//! dataarts-jobs: export Huawei Cloud DataArts Studio (DataArts Factory, `DLF`)
//! job definitions and unpack them safely into a `jobs/<job>/` tree.

pub mod api;
pub mod archive;
pub mod auth;
pub mod cli;
pub mod credentials;
pub mod download;
pub mod env;
pub mod exit;
pub mod names;
pub mod regions;
pub mod settings;
