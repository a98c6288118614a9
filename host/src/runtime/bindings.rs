//! Host-side bindings generated from `wit/` (package phonefleet:script@0.1.0).
//! Imports are async on the host (plain calls for the guest) and may trap; exports are async.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "script",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub use self::phonefleet::script::host::Level;
pub use self::phonefleet::script::types::{
    Bounds, DeviceError, Node, Selector, ShellOutput, TaskInfo,
};
