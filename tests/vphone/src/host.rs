//! A minimal client of the adb server's host protocol, just enough for `host:connect:ADDR`,
//! so the `vphone` binary and tests can attach phones without shelling out to the adb CLI.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn read_hex4_body(socket: &mut TcpStream) -> io::Result<String> {
    let mut len = [0u8; 4];
    socket.read_exact(&mut len).await?;
    let len = std::str::from_utf8(&len)
        .ok()
        .and_then(|hex| usize::from_str_radix(hex, 16).ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad hex4 length"))?;
    let mut body = vec![0u8; len];
    socket.read_exact(&mut body).await?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Asks the adb server at `adb_server` to connect to `phone_addr` (`host:port`). Returns the server's
/// message (`connected to X` or `already connected to X`); any other answer is an error.
pub async fn adb_connect(adb_server: SocketAddr, phone_addr: &str) -> io::Result<String> {
    let mut socket = TcpStream::connect(adb_server).await?;
    let request = format!("host:connect:{phone_addr}");
    socket
        .write_all(format!("{:04x}{request}", request.len()).as_bytes())
        .await?;
    let mut status = [0u8; 4];
    socket.read_exact(&mut status).await?;
    let body = read_hex4_body(&mut socket).await?;
    match &status {
        b"OKAY" if body.starts_with("connected to") || body.starts_with("already connected to") => {
            Ok(body)
        }
        b"OKAY" | b"FAIL" => Err(io::Error::other(body)),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unexpected status {:?}", String::from_utf8_lossy(&status)),
        )),
    }
}
