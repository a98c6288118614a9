//! phonefleet-runtime: runs phonefleet scripts as sandboxed WebAssembly components (wasmtime,
//! component model) and implements the host side of the `phonefleet:script` WIT world.
//!
//! The one design decision that matters: **a script can reach the world only through what one
//! run's store holds, and everything it pushes into the host is bounded.** Each run gets a fresh
//! store with a memory and table cap, an epoch deadline, a pace on its phone calls, and a bounded
//! report channel for its logs and progress ([`report`]); each WIT interface is implemented on its
//! own small context (`host::{device, ui, host, materials, http}`), the way wasmtime-wasi splits
//! WASI. A script's own HTTP goes only where its task's config grants ([`HttpGrant`]). This crate
//! knows nothing of the API server, tasks or storage: the caller injects a [`MaterialStore`] and
//! reads a run's [`report::Reports`].

mod bindings;
mod cancel;
mod capture;
mod engine;
mod file_roots;
mod grants;
mod host;
mod marks;
mod net;
mod pace;
mod permits;
mod plugin;
mod registry;
pub mod report;
mod secrets;
mod state;
mod world;

pub use bindings::TaskInfo;
pub use cancel::Cancel;
pub use engine::{Allocation, CALL_SLOTS, Runtime, RuntimeError, WORLD};
pub use file_roots::FileRoots;
pub use grants::{Grants, HostPath, HostPathKind, host_paths};
pub use host::materials::{LibraryFile, MaterialStore, NoMaterials, SharedMaterialStore};
pub use net::HttpGrant;
pub use permits::Permits;
pub use plugin::{ConfigViolation, Limits, Plugin, RunError, RunRequest, ScriptMeta};
pub use registry::{Builtin, Origin, PluginDir, PluginWatcher, Registry, Reload, Script};
pub use report::{Level, Reporter, Reports};
pub use secrets::{Redactor, redact_config, secrets};
pub use world::Needs;
