//! Device layer of phonefleet: a small tokio client for the ADB host protocol, a live device table,
//! and uiautomator dump parsing with selector matching. Knows nothing of tasks, HTTP or WebAssembly.

#![warn(missing_docs)]

pub mod adb;
pub mod quote;
pub mod tracker;
pub mod ui;
