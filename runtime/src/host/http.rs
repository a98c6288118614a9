//! The host side of the WIT `http` interface: a request goes out only to an origin the run's
//! [`HttpGrant`] holds, through the shared client (no redirects, no proxy, a timeout), and its
//! answer is read up to [`MAX_RESPONSE_BYTES`]. Secrets of the config never reach an error text.

use super::Bound;
use crate::bindings::phonefleet::script::http::{self, Header, HttpError, Request, Response};
use crate::net::{HttpGrant, MAX_RESPONSE_BYTES};
use crate::secrets::Redactor;

/// The `http` interface's context: what the run may reach, and the secrets to keep out of errors.
#[derive(Default)]
pub(crate) struct HttpCtx {
    grant: Bound<HttpGrant>,
    client: Bound<reqwest::Client>,
    redactor: Redactor,
}

impl HttpCtx {
    pub fn bound(grant: HttpGrant, redactor: Redactor) -> HttpCtx {
        HttpCtx {
            grant: Bound::new(grant),
            client: crate::net::client().map(Bound::new).unwrap_or_default(),
            redactor,
        }
    }

    async fn send(&self, request: Request) -> Result<Response, HttpError> {
        let Some(grant) = self.grant.as_ref() else {
            return Err(HttpError::Denied(
                "no HTTP is allowed while a script describes itself or plans a request".into(),
            ));
        };
        let Some(client) = self.client.as_ref() else {
            return Err(HttpError::Failed(
                "the host's HTTP client could not start (its TLS setup failed): see the host's log"
                    .into(),
            ));
        };
        let url = grant.check(&request.url).map_err(HttpError::Denied)?;
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            HttpError::Failed(format!("{:?} is not an HTTP method", request.method))
        })?;
        let mut builder = client.request(method, url);
        for Header { name, value } in request.headers {
            // The granted origin names the host; another Host header would reach another site
            // behind the same address.
            if name.trim().eq_ignore_ascii_case("host") {
                return Err(HttpError::Denied(
                    "a request may not set its Host header: the granted origin names the host"
                        .into(),
                ));
            }
            builder = builder.header(name, value);
        }
        let mut answer = builder.body(request.body).send().await.map_err(failure)?;
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some(Header {
                    name: name.to_string(),
                    value: value.to_str().ok()?.to_string(),
                })
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(failure)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(HttpError::TooLarge(format!(
                    "the answer is larger than the host's cap of {} KiB",
                    MAX_RESPONSE_BYTES >> 10
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// A client error as the guest sees it.
fn failure(e: reqwest::Error) -> HttpError {
    if e.is_timeout() {
        HttpError::Timeout(format!(
            "no whole answer within {} s",
            crate::net::HTTP_TIMEOUT.as_secs()
        ))
    } else {
        // Without the URL: it may carry a key in its query.
        HttpError::Failed(e.without_url().to_string())
    }
}

impl http::Host for HttpCtx {
    async fn send(&mut self, request: Request) -> wasmtime::Result<Result<Response, HttpError>> {
        Ok(HttpCtx::send(self, request).await.map_err(|e| match e {
            HttpError::Denied(m) => HttpError::Denied(self.redactor.redact(&m)),
            HttpError::Timeout(m) => HttpError::Timeout(self.redactor.redact(&m)),
            HttpError::TooLarge(m) => HttpError::TooLarge(self.redactor.redact(&m)),
            HttpError::Failed(m) => HttpError::Failed(self.redactor.redact(&m)),
        }))
    }
}
