//! phonefleet: runs automation scripts, as sandboxed WebAssembly components, on a fleet of
//! Android phones driven through ADB, behind a TikMatrix-compatible REST API.
//!
//! Dependencies point one way: `api → tasks → (phonefleet-runtime → phonefleet-device)`, and
//! `api, tasks → store`. The runtime and the device layer are crates of their own, so the compiler
//! keeps them free of HTTP and tasks.

pub mod accounts;
pub mod api;
pub mod apps;
pub mod artifacts;
pub mod check;
pub mod clock;
pub mod config;
pub mod control;
pub mod events;
pub mod fleet;
pub mod groups;
pub mod materials;
pub mod media_sniff;
pub mod phones;
pub mod script_try;
pub mod scripts;
mod server;
pub mod store;
pub mod tasks;
pub mod thumbnails;

pub use config::Config;
pub use server::{Server, StartError, assemble, start};
