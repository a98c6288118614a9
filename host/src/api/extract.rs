//! Request extractors that answer bad input inside the envelope, never with a bare-text framework
//! rejection. Path ids are axum's extractor with our rejection (derived); JSON bodies are read as
//! JSON first, integral numbers such as `1.0` are made integers (JSON Schema calls them integers);
//! in bodies and query strings a type error names its field by JSON Pointer, in plain words.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use phonefleet_runtime::ConfigViolation;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::BODY_LIMIT;
use super::envelope::ApiError;

/// A query string; a parameter of the wrong type is 40001 naming it (`/page`), in plain words.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs = form_urlencoded::parse(query.as_bytes());
        serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs))
            .map(Query)
            .map_err(|e| type_error(&e.path().to_string(), &e.inner().to_string()))
    }
}

/// A path parameter, rejected as 40001.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// A multipart form, rejected as 40001.
pub struct Form(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Ok(Form(
            axum::extract::Multipart::from_request(req, state).await?,
        ))
    }
}

impl From<PathRejection> for ApiError {
    /// An id in the URL that is not a whole number, in plain words (named like a body field when
    /// the route has several).
    fn from(e: PathRejection) -> ApiError {
        use axum::extract::path::ErrorKind;
        let PathRejection::FailedToDeserializePathParams(failed) = &e else {
            return ApiError::invalid(format!("invalid path: {}", e.body_text()));
        };
        let (path, value) = match failed.kind() {
            ErrorKind::ParseErrorAtKey { key, value, .. } => (format!("/{key}"), value.clone()),
            ErrorKind::ParseErrorAtIndex { value, .. } | ErrorKind::ParseError { value, .. } => {
                (String::new(), value.clone())
            }
            _ => return ApiError::invalid(format!("invalid path: {}", e.body_text())),
        };
        invalid_at(
            path,
            format!("the id in the URL must be a whole number, not {value:?}"),
        )
    }
}

impl From<axum::extract::multipart::MultipartRejection> for ApiError {
    fn from(e: axum::extract::multipart::MultipartRejection) -> ApiError {
        ApiError::invalid(format!(
            "send the upload as multipart/form-data: {}",
            e.body_text()
        ))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> ApiError {
        match e {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::invalid("send the body as JSON with Content-Type: application/json")
            }
            e if e.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(BODY_LIMIT),
            e => ApiError::invalid(format!("the body is not valid JSON: {}", e.body_text())),
        }
    }
}

/// A JSON object body read as `T`.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(mut value) = axum::Json::<Value>::from_request(req, state).await?;
        // Every body of this API is an object (serde would also read a struct from a list).
        if !value.is_object() {
            return Err(type_error(".", "expected a JSON object"));
        }
        integral_floats_to_integers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(Body)
            .map_err(|e| type_error(&e.path().to_string(), &e.inner().to_string()))
    }
}

/// A value of the wrong type at serde_path_to_error's `path`, as 40001 naming it by JSON Pointer.
fn type_error(path: &str, serde: &str) -> ApiError {
    invalid_at(pointer(path), plain_words(serde))
}

/// 40001 for one value at the JSON Pointer `path` (empty: the whole request).
fn invalid_at(path: String, message: String) -> ApiError {
    ApiError::Invalid {
        message: if path.is_empty() {
            message.clone()
        } else {
            format!("{path}: {message}")
        },
        errors: vec![ConfigViolation { path, message }],
    }
}

/// Turns every number with an integral value written as a float (`1.0`, `5e2`) into an integer, as
/// JSON Schema reads it ("integer" is any number with a zero fractional part).
pub fn integral_floats_to_integers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.007_199_254_740_992e15
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// serde_path_to_error's `serials[0].name` as a JSON Pointer (`/serials/0/name`); `.` is the root.
fn pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    let mut out = String::new();
    for part in path.split('.') {
        let mut rest = part;
        while let Some(open) = rest.find('[') {
            if open > 0 {
                out.push('/');
                out.push_str(&rest[..open]);
            }
            let close = rest[open..].find(']').map_or(rest.len(), |c| open + c);
            out.push('/');
            out.push_str(&rest[open + 1..close]);
            rest = rest.get(close + 1..).unwrap_or("");
        }
        if !rest.is_empty() {
            out.push('/');
            out.push_str(rest);
        }
    }
    out
}

/// serde's words for a type error, in the words of someone writing JSON.
fn plain_words(serde: &str) -> String {
    let expected = [
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected i64", "expected a whole number"),
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected a boolean", "expected true or false"),
        ("expected a string", "expected a string"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected a JSON object"),
        ("invalid digit found in string", "expected a whole number"),
        (
            "cannot parse integer from empty string",
            "expected a whole number",
        ),
        (
            "number too large to fit in target type",
            "the number is too large",
        ),
    ];
    let mut words = serde.to_owned();
    for (theirs, ours) in expected {
        if let Some(at) = words.find(theirs) {
            words = format!("{}{ours}", &words[..at]);
            break;
        }
    }
    if let Some(at) = words.find("expected struct") {
        words = format!("{}expected a JSON object", &words[..at]);
    }
    words
        .replace("invalid type: ", "")
        .replace("invalid value: ", "")
        .replace('`', "\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_json_pointers() {
        assert_eq!(pointer("."), "");
        assert_eq!(pointer("min_interval"), "/min_interval");
        assert_eq!(pointer("serials[1]"), "/serials/1");
        assert_eq!(pointer("a.b[0][2].c"), "/a/b/0/2/c");
    }

    #[test]
    fn integral_floats_become_integers_and_others_stay() {
        let mut v = serde_json::json!({"n": 5.0, "list": [1.0, 2.5], "big": 1e300});
        integral_floats_to_integers(&mut v);
        assert_eq!(v["n"], serde_json::json!(5));
        assert!(v["n"].is_i64());
        assert_eq!(v["list"], serde_json::json!([1, 2.5]));
        assert!(v["big"].is_f64());
    }

    #[test]
    fn serde_words_are_made_plain() {
        assert_eq!(
            plain_words("invalid type: string \"abc\", expected u32"),
            "string \"abc\", expected a whole number from 0 to 4294967295"
        );
        assert_eq!(
            plain_words("invalid type: integer `5`, expected struct CreateTask"),
            "integer \"5\", expected a JSON object"
        );
    }
}
