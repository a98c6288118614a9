//! phonefleet-rules: the rules the host and the scripts must agree on — shell quoting, selector and
//! resource-id matching, media kinds, script names — written once so the two sides of the WIT
//! boundary cannot disagree.
//!
//! The host (`phonefleet-device`, the runtime) and the guest SDK (`phonefleet-sdk`, built for
//! wasm32-wasip2) both depend on this crate and convert their own node types at the edge through
//! [`selector::NodeFields`]. It does no I/O, so it builds and behaves the same on both sides.

#![deny(missing_docs)]

pub mod media;
pub mod quote;
pub mod relation;
pub mod script_name;
pub mod selector;

pub use media::MediaKind;
pub use quote::{QuoteError, quote};
pub use relation::{Placed, Rect, Relation};
pub use selector::{BadRegex, CompiledSelector, NodeFields, Selector, resource_id_matches};

/// How the host's error for a failed UI dump begins, on both sides of the WIT boundary: the WIT
/// `device-error` has no case of its own for it, and a failed dump is transient (a later dump of
/// the same screen may succeed), so polls in the host and in the SDK retry errors that start so.
pub const DUMP_FAILED: &str = "the UI dump failed";
