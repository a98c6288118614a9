//! Device groups: named sets of phones that tasks (`groups` in `POST /api/v1/task`) and the
//! dashboard target together. A phone may be in several groups; names are unique, any case.

use serde::Deserialize;

use crate::clock::now_ms;
use crate::store::{GroupRow, GroupUpdate, Store, StoreError};

/// Longest group name, in characters.
const NAME_MAX_CHARS: usize = 64;

/// Why a group request was refused.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error("{0}")]
    Invalid(String),
    #[error("group {0} not found")]
    NotFound(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The body of `POST /api/v1/group`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// Unique, any case; at most 64 characters.
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub name: String,
    /// Its phones' serials, as adb lists them (a phone not listed now may join).
    #[serde(default)]
    pub serials: Vec<String>,
}

/// The body of `PUT /api/v1/group/{id}`: absent fields stay.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupChange {
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub name: Option<String>,
    /// The phones, replacing the old ones.
    pub serials: Option<Vec<String>>,
}

pub struct Groups {
    store: Store,
}

impl Groups {
    pub fn new(store: Store) -> Groups {
        Groups { store }
    }

    pub async fn list(&self) -> Result<Vec<GroupRow>, GroupError> {
        Ok(self.store.groups().await?)
    }

    /// The group a request names (trimmed; names match in any case), if it exists.
    pub async fn by_name(&self, name: &str) -> Result<Option<GroupRow>, GroupError> {
        Ok(self.store.group_by_name(name.trim()).await?)
    }

    pub async fn create(&self, new: NewGroup) -> Result<GroupRow, GroupError> {
        let name = clean_name(&new.name)?;
        let serials = clean_serials(&new.serials)?;
        self.store
            .insert_group(&name, &serials, now_ms())
            .await?
            .ok_or_else(|| taken(&name))
    }

    pub async fn update(&self, id: i64, change: GroupChange) -> Result<GroupRow, GroupError> {
        let name = change.name.as_deref().map(clean_name).transpose()?;
        let serials = change.serials.as_deref().map(clean_serials).transpose()?;
        match self
            .store
            .update_group(id, name.as_deref(), serials.as_deref())
            .await?
        {
            GroupUpdate::Done(group) => Ok(group),
            GroupUpdate::NotFound => Err(GroupError::NotFound(id)),
            GroupUpdate::NameTaken => Err(taken(name.as_deref().unwrap_or_default())),
        }
    }

    pub async fn delete(&self, id: i64) -> Result<(), GroupError> {
        if self.store.delete_group(id).await? {
            Ok(())
        } else {
            Err(GroupError::NotFound(id))
        }
    }
}

fn taken(name: &str) -> GroupError {
    GroupError::Invalid(format!(
        "a group named {name:?} exists already: pick another name, or change that group with PUT"
    ))
}

fn clean_name(name: &str) -> Result<String, GroupError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        return Err(GroupError::Invalid(format!(
            "a group's name is 1 to {NAME_MAX_CHARS} characters"
        )));
    }
    Ok(name.to_string())
}

/// Serials trimmed, each once, none empty.
fn clean_serials(serials: &[String]) -> Result<Vec<String>, GroupError> {
    let mut clean: Vec<String> = Vec::new();
    for serial in serials.iter().map(|s| s.trim()) {
        if serial.is_empty() {
            return Err(GroupError::Invalid(
                "a group's serials must not be empty".into(),
            ));
        }
        if !clean.iter().any(|s| s == serial) {
            clean.push(serial.to_string());
        }
    }
    Ok(clean)
}
