//! A cancel handle for one run that remembers why it was cancelled ("stopped by user",
//! "device offline"), so the task's error can say so.

use std::sync::{Arc, OnceLock};

use tokio_util::sync::CancellationToken;

/// Cloneable; the first `cancel` wins and its reason sticks.
#[derive(Clone, Debug, Default)]
pub struct Cancel {
    token: CancellationToken,
    reason: Arc<OnceLock<String>>,
}

impl Cancel {
    /// A handle not yet cancelled.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Cancels the run; the reason becomes the task's error.
    pub fn cancel(&self, reason: &str) {
        let _ = self.reason.set(reason.to_string());
        self.token.cancel();
    }

    /// Resolves once `cancel` has been called.
    pub async fn cancelled(&self) {
        self.token.cancelled().await
    }

    /// Whether `cancel` has been called.
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Why the run was cancelled ("cancelled" if no reason was given).
    pub fn reason(&self) -> String {
        self.reason
            .get()
            .cloned()
            .unwrap_or_else(|| "cancelled".to_string())
    }
}
