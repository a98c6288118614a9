//! The ADB device transport: TCP server and connection loop (`server`), per-stream flow control
//! (`stream`), and the services a stream can open (`services`, `sync`).

pub mod server;
mod services;
mod stream;
mod sync;
