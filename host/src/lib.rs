//! phonefleet: runs automation scripts, as sandboxed WebAssembly components, on a fleet of
//! Android phones driven through ADB, behind a TikMatrix-compatible REST API.

pub mod accounts;
pub mod api;
pub mod check;
pub mod config;
pub mod events;
pub mod materials;
pub mod runtime;
mod server;
pub mod store;
pub mod tasks;

pub use config::Config;
pub use server::{Server, StartError, start};
