//! Errors in OpenAI's JSON shape, `{"error": {"message", "type", "param", "code"}}`,
//! with the status codes OpenAI's clients turn into their exception classes.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub code: Option<&'static str>,
    pub param: Option<String>,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, code: Option<&'static str>, message: impl Into<String>) -> Self {
        Self { status, kind, code, param: None, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", None, message)
    }

    /// A request field the server does not accept, named the way OpenAI names it.
    pub fn bad_param(param: &str, message: impl Into<String>) -> Self {
        Self { param: Some(param.to_string()), ..Self::bad_request(message) }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            Some("invalid_api_key"),
            "a valid API key is required: send it as `Authorization: Bearer KEY`",
        )
    }

    pub fn model_not_found(model: &str, served: &[String]) -> Self {
        let message = format!("the model `{model}` is not served here; served: {}", served.join(", "));
        Self {
            param: Some("model".into()),
            ..Self::new(StatusCode::NOT_FOUND, "invalid_request_error", Some("model_not_found"), message)
        }
    }

    pub fn not_found(path: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "invalid_request_error", None, format!("no such endpoint: {path}"))
    }

    /// Every slot is busy and the queue is full: come back in a second.
    pub fn busy() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_error",
            Some("server_busy"),
            "every slot is busy and the queue is full; retry after the time in Retry-After",
        )
    }

    pub fn shutting_down() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "server_error", Some("shutting_down"), "the server is shutting down")
    }

    /// The JSON body of this error, also sent as an event inside a stream that fails midway.
    pub fn body(&self) -> serde_json::Value {
        json!({ "error": { "message": self.message, "type": self.kind, "param": self.param, "code": self.code } })
    }
}

/// The engine's typed errors, each with the status a client can act on.
impl From<inf_wasi::Error> for ApiError {
    fn from(error: inf_wasi::Error) -> Self {
        use inf_wasi::Error as E;
        let message = error.to_string();
        match error {
            E::ModelNotFound(_) => {
                Self::new(StatusCode::NOT_FOUND, "invalid_request_error", Some("model_not_found"), message)
            }
            E::InvalidInput(_) => {
                Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", Some("invalid_input"), message)
            }
            E::ContextOverflow(_) => {
                Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", Some("context_length_exceeded"), message)
            }
            E::Unsupported(_) => {
                Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", Some("unsupported"), message)
            }
            E::Cancelled(_) => Self::new(StatusCode::SERVICE_UNAVAILABLE, "server_error", Some("cancelled"), message),
            E::InvalidModel(_) | E::Backend(_) => {
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", Some(error.code()), message)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE || self.status == StatusCode::TOO_MANY_REQUESTS {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
