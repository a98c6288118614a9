//! The app a script drives, as a config's `app` field names it: the host writes the task's app
//! (its account's, else the request's, else the server's default) into that field when a script's
//! schema has one, and refuses tasks for apps the field's values leave out.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An app a script's config may name; a script that drives only some apps declares its own enum
/// with those. [`crate::host::app`] answers the task's app to scripts without such a field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum App {
    /// TikTok.
    #[default]
    Tiktok,
    /// Instagram.
    Instagram,
}
