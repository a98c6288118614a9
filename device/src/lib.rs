//! Device layer of phonefleet: a small tokio client for the ADB host protocol, a live device table,
//! the Android commands scripts need as typed methods, and uiautomator dump parsing with selector
//! matching. Knows nothing of tasks, HTTP or WebAssembly.

#![warn(missing_docs)]

pub mod adb;
pub mod android;
pub mod tracker;
pub mod ui;

pub use phonefleet_rules as rules;
