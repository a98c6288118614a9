//! HTTP from a script, only to the origins its task's config grants (fields its schema marks
//! `x-http-origin`; HTTPS, plain HTTP to loopback only): the WIT `http` interface with a JSON helper.

use serde_json::Value;

use crate::bindings::phonefleet::script::http as wit;
pub use crate::bindings::phonefleet::script::http::{Header, HttpError, Request, Response};
use crate::{Error, Result};

/// Sends `request`; the host's refusals and failures become [`Error::Failed`] naming the URL.
pub fn send(request: Request) -> Result<Response> {
    let url = request.url.clone();
    wit::send(&request).map_err(|e| {
        let why = match e {
            HttpError::Denied(m) => format!("refused by the host: {m}"),
            HttpError::Timeout(m) => format!("timed out: {m}"),
            HttpError::TooLarge(m) => format!("answer too large: {m}"),
            HttpError::Failed(m) => m,
        };
        Error::failed(format!("HTTP request to {url} failed: {why}"))
    })
}

/// POSTs `body` as JSON with `headers` and returns the status and the answer read as JSON
/// (`Value::Null` when it is not JSON).
pub fn post_json(url: &str, headers: &[(&str, &str)], body: &Value) -> Result<(u16, Value)> {
    let mut all = vec![Header {
        name: "content-type".into(),
        value: "application/json".into(),
    }];
    all.extend(headers.iter().map(|(name, value)| Header {
        name: (*name).into(),
        value: (*value).into(),
    }));
    let response = send(Request {
        method: "POST".into(),
        url: url.into(),
        headers: all,
        body: body.to_string().into_bytes(),
    })?;
    let json = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    Ok((response.status, json))
}
