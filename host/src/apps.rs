//! The apps phonefleet drives (TikTok and Instagram): their names in the API, their Android
//! packages, and the order in which a task's app is decided.

use std::fmt;

/// TikTok's package (global build).
pub const TIKTOK_PACKAGE: &str = "com.zhiliaoapp.musically";
/// Instagram's package.
pub const INSTAGRAM_PACKAGE: &str = "com.instagram.android";

/// An app a task drives, as the API names it (`tiktok`, `instagram`).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    sqlx::Type,
    utoipa::ToSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum App {
    /// TikTok (`com.zhiliaoapp.musically` unless the account names a clone).
    #[default]
    Tiktok,
    /// Instagram (`com.instagram.android` unless the account names a clone).
    Instagram,
}

impl App {
    /// Every app, in the order messages list them.
    pub const ALL: [App; 2] = [App::Tiktok, App::Instagram];

    /// The app's name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            App::Tiktok => "tiktok",
            App::Instagram => "instagram",
        }
    }

    /// The app's own package (an account in a clone app names its own).
    pub fn package(self) -> &'static str {
        match self {
            App::Tiktok => TIKTOK_PACKAGE,
            App::Instagram => INSTAGRAM_PACKAGE,
        }
    }

    /// The app `name` names (`"tiktok"`, `"instagram"`, any case); the error lists the supported
    /// ones.
    pub fn parse(name: &str) -> Result<App, String> {
        App::ALL
            .into_iter()
            .find(|app| app.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                let names: Vec<String> = App::ALL
                    .iter()
                    .map(|a| format!("\"{}\"", a.as_str()))
                    .collect();
                format!(
                    "app {name:?} is not supported; use one of {}",
                    names.join(", ")
                )
            })
    }
}

impl fmt::Display for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_parse_by_name_in_any_case() {
        assert_eq!(App::parse("tiktok"), Ok(App::Tiktok));
        assert_eq!(App::parse(" Instagram "), Ok(App::Instagram));
    }

    #[test]
    fn an_unknown_app_is_refused_naming_the_supported_ones() {
        assert_eq!(
            App::parse("snapchat"),
            Err("app \"snapchat\" is not supported; use one of \"tiktok\", \"instagram\"".into())
        );
    }
}
