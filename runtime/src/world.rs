//! The `phonefleet:script` world this host serves, and what a plugin's imports say about the host
//! it needs: a newer world is refused naming its version, and the oldest host it loads on is known.

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// The world this host serves.
pub const WORLD: &str = "phonefleet:script@0.1.0";

/// Functions added to the world after its first release (`docs/wit-versioning.md` rule 1), with
/// the phonefleet version that first serves them: `(interface, function, version)`.
const ADDED: &[(&str, &str, &str)] = &[
    ("host", "set-failure-kind", "0.1.0"),
    ("host", "app", "0.1.0"),
    ("host", "attempt", "0.1.0"),
    ("http", "send", "0.1.0"),
];

/// The first phonefleet version, which serves the world's first functions.
const FIRST_HOST: &str = "0.1.0";

/// What a component's imports of `phonefleet:script` say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needs {
    /// The world it was built against (`phonefleet:script@0.1.0`).
    pub world: String,
    /// The oldest phonefleet version that serves every function it imports.
    pub oldest_host: String,
}

/// What `component` needs of the host; `None` when it imports nothing of `phonefleet:script`.
pub fn needs(engine: &Engine, component: &Component) -> Option<Needs> {
    let mut world = None;
    let mut oldest_host = FIRST_HOST.to_string();
    for (name, item) in component.component_type().imports(engine) {
        let Some((interface, version)) = name
            .strip_prefix("phonefleet:script/")
            .and_then(|rest| rest.split_once('@'))
        else {
            continue;
        };
        // The newest version any import names is the world it was built for.
        if world
            .as_deref()
            .is_none_or(|w: &str| version_key(version) > version_key(w))
        {
            world = Some(version.to_string());
        }
        let ComponentItem::ComponentInstance(instance) = item.ty else {
            continue;
        };
        for (function, _) in instance.exports(engine) {
            if let Some((_, _, since)) = ADDED
                .iter()
                .find(|(i, f, _)| *i == interface && *f == function)
                && version_key(since) > version_key(&oldest_host)
            {
                oldest_host = (*since).to_string();
            }
        }
    }
    Some(Needs {
        world: format!("phonefleet:script@{}", world?),
        oldest_host,
    })
}

/// Whether `world` (`phonefleet:script@0.2.0`) is a newer package version than [`WORLD`]:
/// within one `major.minor` changes are additive, so only a newer one cannot load.
pub fn is_newer(world: &str) -> bool {
    let minor = |w: &str| {
        let (major, minor, _) = version_key(w.rsplit('@').next().unwrap_or_default());
        (major, minor)
    };
    minor(world) > minor(WORLD)
}

/// `major.minor.patch` as numbers (missing or unreadable parts are 0).
fn version_key(version: &str) -> (u64, u64, u64) {
    let mut parts = version
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u64>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_newer_minor_or_major_world_is_newer() {
        assert!(!is_newer("phonefleet:script@0.1.0"));
        assert!(!is_newer("phonefleet:script@0.1.7"));
        assert!(!is_newer("phonefleet:script@0.0.9"));
        assert!(is_newer("phonefleet:script@0.2.0"));
        assert!(is_newer("phonefleet:script@1.0.0"));
    }
}
