//! Everything a run may use beyond its phone, read from the marks of its script's schema on the
//! task's config: host files (`x-host-path`), HTTP origins (`x-http-origin`) and the secrets kept
//! out of what it reports (`writeOnly`). One place, so every caller grants a run the same way.

use serde_json::Value;

use crate::FileRoots;
use crate::grants::Grants;
use crate::net::HttpGrant;
use crate::secrets::{Redactor, secrets};

/// What one run may use.
#[derive(Clone, Debug, Default)]
pub struct Permits {
    /// Host files it may push.
    pub grants: Grants,
    /// Origins its HTTP may reach.
    pub http: HttpGrant,
    /// Its config's secrets, cut out of its logs, progress, errors and result.
    pub redactor: Redactor,
}

impl Permits {
    /// The permits of `config` (its secrets in the clear) under `schema`; host files must lie in
    /// `roots`. A config whose origins cannot be granted gets none (task creation refuses it).
    pub fn for_config(schema: &Value, config: &Value, roots: FileRoots) -> Permits {
        Permits {
            grants: Grants::for_config(schema, config, roots),
            http: HttpGrant::for_config(schema, config).unwrap_or_default(),
            redactor: Redactor::new(secrets(schema, config).into_iter().map(|(_, v)| v)),
        }
    }
}
