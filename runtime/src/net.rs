//! Outgoing HTTP a run may make: only to the origins its task's config grants through fields the
//! script's schema marks `x-http-origin` (an OpenAI-compatible `base_url`, say); HTTPS only, plain
//! HTTP only to loopback; each request bounded in time and in the size of its answer; redirects
//! not followed and no proxy used, so no other destination is reachable.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;
use serde_json::Value;

use crate::plugin::ConfigViolation;

/// How long one request may take, connecting and reading the whole answer.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest answer a script gets, in bytes; a larger one fails the request.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// Where requests may go: scheme, host and port, as a URL's origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpOrigin {
    scheme: String,
    host: String,
    port: u16,
}

impl HttpOrigin {
    /// The origin of `url`, if it may be granted: `https://…`, or `http://` to a loopback host
    /// (`127.0.0.0/8`, `::1`, `localhost`). The error is a sentence for the user.
    pub fn of(url: &str) -> Result<HttpOrigin, String> {
        let parsed = Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("{url:?} names no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(format!(
                    "{url:?} is plain HTTP to another host: use https:// (plain HTTP is allowed to loopback only)"
                ));
            }
            other => return Err(format!("{url:?} is not HTTP ({other}://)")),
        }
        let port = parsed
            .port_or_known_default()
            .ok_or_else(|| format!("{url:?} has no port"))?;
        Ok(HttpOrigin {
            scheme: parsed.scheme().to_string(),
            host,
            port,
        })
    }
}

impl std::fmt::Display for HttpOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The origins one run may reach.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpGrant {
    origins: Vec<HttpOrigin>,
}

impl HttpGrant {
    /// The origins `config` names in fields its `schema` marks `x-http-origin` (empty ones skip).
    /// Errs with one violation per field that names no grantable origin.
    pub fn for_config(schema: &Value, config: &Value) -> Result<HttpGrant, Vec<ConfigViolation>> {
        let mut origins = Vec::new();
        let mut violations = Vec::new();
        for m in crate::marks::marked(schema, config, "x-http-origin") {
            let Some(url) = m.value.as_str().filter(|u| !u.trim().is_empty()) else {
                continue;
            };
            match HttpOrigin::of(url.trim()) {
                Ok(origin) => origins.push(origin),
                Err(message) => violations.push(ConfigViolation {
                    path: m.pointer,
                    message,
                }),
            }
        }
        if violations.is_empty() {
            Ok(HttpGrant { origins })
        } else {
            Err(violations)
        }
    }

    /// `url` parsed, when its origin was granted; a sentence saying why not otherwise.
    pub fn check(&self, url: &str) -> Result<Url, String> {
        let origin = HttpOrigin::of(url)?;
        if !self.origins.contains(&origin) {
            let granted: Vec<String> = self.origins.iter().map(ToString::to_string).collect();
            return Err(if granted.is_empty() {
                format!("{origin} was not granted: this task's config grants no HTTP origin")
            } else {
                format!(
                    "{origin} was not granted: this task may reach only {}",
                    granted.join(", ")
                )
            });
        }
        Url::parse(url).map_err(|e| e.to_string())
    }
}

/// The client every run's requests go through (one connection pool for the process): no
/// redirects, no proxy, [`HTTP_TIMEOUT`]. `None` when it cannot be built (its TLS backend failed
/// to start; logged once): never a client with other settings.
pub(crate) fn client() -> Option<reqwest::Client> {
    static CLIENT: std::sync::LazyLock<Option<reqwest::Client>> = std::sync::LazyLock::new(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(HTTP_TIMEOUT)
            .build()
            .inspect_err(|e| tracing::error!("scripts' HTTP client cannot start: {e}"))
            .ok()
    });
    CLIENT.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grant(base_url: &str) -> HttpGrant {
        let schema = json!({"properties": {"base_url": {"x-http-origin": true}}});
        HttpGrant::for_config(&schema, &json!({"base_url": base_url})).expect("grantable")
    }

    #[test]
    fn only_the_granted_origin_is_reachable() {
        let g = grant("https://api.openai.com/v1");
        assert!(
            g.check("https://api.openai.com/v1/chat/completions")
                .is_ok()
        );
        assert!(g.check("https://api.openai.com:443/v1/models").is_ok());
        let refused = g.check("https://example.com/v1").unwrap_err();
        assert!(
            refused.contains("only https://api.openai.com:443"),
            "{refused}"
        );
        assert!(g.check("http://api.openai.com/v1").is_err());
        assert!(g.check("https://api.openai.com:8443/v1").is_err());
    }

    #[test]
    fn plain_http_is_granted_to_loopback_only() {
        assert!(HttpOrigin::of("http://127.0.0.1:8080/v1").is_ok());
        assert!(HttpOrigin::of("http://localhost/v1").is_ok());
        assert!(HttpOrigin::of("http://[::1]:9/").is_ok());
        let refused = HttpOrigin::of("http://10.0.0.5/v1").unwrap_err();
        assert!(refused.contains("use https://"), "{refused}");
        assert!(HttpOrigin::of("ftp://127.0.0.1/").is_err());
    }

    #[test]
    fn a_config_granting_plain_http_elsewhere_is_a_violation() {
        let schema =
            json!({"properties": {"s": {"properties": {"base_url": {"x-http-origin": true}}}}});
        let violations =
            HttpGrant::for_config(&schema, &json!({"s": {"base_url": "http://evil.test/"}}))
                .unwrap_err();
        assert_eq!(violations[0].path, "/s/base_url");
    }

    #[test]
    fn no_marked_field_grants_nothing() {
        let g = HttpGrant::default();
        assert!(
            g.check("https://api.openai.com/v1")
                .unwrap_err()
                .contains("grants no HTTP origin")
        );
    }
}
