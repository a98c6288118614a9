//! Host-side bindings generated from `wit/` (package phonefleet:script@0.1.0).
//! Imports are async on the host (plain calls for the guest), may trap, and get a tracing span each;
//! the WIT `device-error` is carried as [`crate::host::HostError`] so host functions use `?`.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "script",
    imports: { default: async | trappable | tracing },
    exports: { default: async },
    trappable_error_type: {
        "phonefleet:script/types.device-error" => crate::host::HostError,
    },
});

pub use self::phonefleet::script::types::{
    Bounds, DeviceError, Node, Selector, ShellOutput, TaskInfo,
};
