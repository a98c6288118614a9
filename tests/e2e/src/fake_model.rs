//! An OpenAI-compatible chat endpoint on loopback for tests: `POST /v1/chat/completions` answers
//! one fixed comment in the Chat Completions shape and keeps every request (head and JSON body)
//! for the test to read. Plain HTTP/1.1 over a tokio listener; stops when dropped.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Received {
    /// The request line and headers, as sent.
    pub head: String,
    pub body: Value,
}

/// The running fake.
pub struct FakeModel {
    /// `http://127.0.0.1:PORT/v1`, the `base_url` to give a task.
    pub base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeModel {
    /// Starts the fake; every completion answers `reply`.
    pub async fn start(reply: &str) -> std::io::Result<FakeModel> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}/v1", listener.local_addr()?);
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer = json!({
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
        })
        .to_string();
        let server = tokio::spawn({
            let received = received.clone();
            async move {
                while let Ok((mut stream, _)) = listener.accept().await {
                    let received = received.clone();
                    let answer = answer.clone();
                    tokio::spawn(async move {
                        if let Some(request) = read_request(&mut stream).await {
                            received
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(request);
                        }
                        let response = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                            answer.len()
                        );
                        let _ = stream.write_all(response.as_bytes()).await;
                    });
                }
            }
        });
        Ok(FakeModel {
            base_url,
            received,
            server,
        })
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for FakeModel {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Reads one request: the head up to the blank line, then `content-length` bytes of JSON body.
async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buf[..n]);
        if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    let body = serde_json::from_slice(&bytes[head_end..]).unwrap_or(Value::Null);
    Some(Received { head, body })
}
