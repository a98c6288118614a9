//! Comments written by an OpenAI-compatible chat model, as TikMatrix's `generate_by_chatgpt` and
//! `chatgpt_settings` ask: `POST {base_url}/chat/completions` (OpenAI's Chat Completions API, which
//! compatible servers also serve) with the key as a Bearer token. The key is a secret (`writeOnly`)
//! and `base_url` the only origin the task may reach (`x-http-origin`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Error, Result, http};

/// TikMatrix's `chatgpt_settings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatgptSettings {
    /// The API key, sent as a Bearer token; stored sealed and never shown back.
    #[serde(default)]
    #[schemars(extend("writeOnly" = true))]
    pub api_key: String,
    /// The model.
    #[serde(default = "default_model")]
    pub model: String,
    /// What to ask the model for (the system message); a plain default when empty.
    #[serde(default)]
    #[schemars(length(max = 4000))]
    pub prompt: String,
    /// Longest answer, in tokens.
    #[serde(default = "default_max_tokens")]
    #[schemars(range(min = 1, max = 4096))]
    pub max_tokens: u32,
    /// Sampling temperature, 0 to 2.
    #[serde(default = "default_temperature")]
    #[schemars(range(min = 0.0, max = 2.0))]
    pub temperature: f64,
    /// An OpenAI-compatible endpoint (`https://…/v1`); the only origin the task may reach.
    #[serde(default = "default_base_url")]
    #[schemars(extend("x-http-origin" = true))]
    pub base_url: String,
}

impl Default for ChatgptSettings {
    fn default() -> Self {
        ChatgptSettings {
            api_key: String::new(),
            model: default_model(),
            prompt: String::new(),
            max_tokens: default_max_tokens(),
            temperature: default_temperature(),
            base_url: default_base_url(),
        }
    }
}

fn default_model() -> String {
    "gpt-3.5-turbo".into()
}
fn default_max_tokens() -> u32 {
    100
}
fn default_temperature() -> f64 {
    0.7
}
fn default_base_url() -> String {
    "https://api.openai.com/v1".into()
}

/// The system message when the settings give no prompt.
pub const DEFAULT_PROMPT: &str = "Write one short, friendly comment for a social media video, like a real viewer would. \
     Answer with the comment only.";

/// Asks the model for a comment about `context` (what the video is: its creator, its caption);
/// returns the model's answer, trimmed of whitespace and wrapping quotes. Fails naming the
/// endpoint and the status when the model gives no answer.
pub fn write_comment(settings: &ChatgptSettings, context: &str) -> Result<String> {
    if settings.api_key.trim().is_empty() {
        return Err(Error::invalid_config(
            "generate_by_chatgpt needs chatgpt_settings.api_key",
        ));
    }
    let url = format!(
        "{}/chat/completions",
        settings.base_url.trim().trim_end_matches('/')
    );
    let prompt = if settings.prompt.trim().is_empty() {
        DEFAULT_PROMPT
    } else {
        settings.prompt.as_str()
    };
    let body = json!({
        "model": settings.model,
        "messages": [
            {"role": "system", "content": prompt},
            {"role": "user", "content": context},
        ],
        "max_tokens": settings.max_tokens,
        "temperature": settings.temperature,
    });
    let bearer = format!("Bearer {}", settings.api_key.trim());
    let (status, answer) = http::post_json(&url, &[("authorization", &bearer)], &body)?;
    let text = answer["choices"][0]["message"]["content"]
        .as_str()
        .map(|t| t.trim().trim_matches('"').trim().to_string())
        .filter(|t| !t.is_empty());
    match (status, text) {
        (200..=299, Some(text)) => Ok(text),
        _ => Err(Error::failed(format!(
            "the model at {url} gave no comment (HTTP {status}): {}",
            answer["error"]["message"]
                .as_str()
                .unwrap_or("no answer text")
        ))),
    }
}
