//! The server's shared state and its routes.

use super::error::ApiError;
use super::metrics::{Gauges, Metrics};
use super::pool::{Pool, Work};
use super::request::{self, ChatRequest, CompletionRequest, EmbeddingRequest, Sampling};
use super::respond::{self, Header, Kind};
use super::worker;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub struct App {
    /// Served models by name, in the order given.
    pub pools: Vec<Arc<Pool>>,
    pub api_key: Option<String>,
    pub metrics: Arc<Metrics>,
    pub stopping: AtomicBool,
}

type Shared = State<Arc<App>>;
type Body = Result<Bytes, BytesRejection>;

pub fn router(app: Arc<App>, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat))
        .route("/v1/completions", post(completions))
        .route("/v1/embeddings", post(embeddings))
        .fallback(|uri: Uri| async move { ApiError::not_found(uri.path()) })
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(app)
}

impl App {
    fn pool(&self, model: &str) -> Result<&Arc<Pool>, ApiError> {
        self.pools.iter().find(|p| p.model == model).ok_or_else(|| {
            ApiError::model_not_found(model, &self.pools.iter().map(|p| p.model.clone()).collect::<Vec<_>>())
        })
    }

    /// With a key set, every `/v1` and metrics request must carry it.
    fn authorize(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(key) = &self.api_key else { return Ok(()) };
        let sent =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        // Compared in constant time: the key must not leak through timing.
        let equal = sent
            .is_some_and(|s| s.len() == key.len() && s.bytes().zip(key.bytes()).fold(0, |d, (a, b)| d | (a ^ b)) == 0);
        if equal {
            Ok(())
        } else {
            Err(ApiError::unauthorized())
        }
    }

    /// Checks the key and the body; refuses new work while shutting down.
    fn accept(&self, headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
        self.authorize(headers)?;
        if self.stopping.load(Ordering::SeqCst) {
            return Err(ApiError::shutting_down());
        }
        body.map_err(|rejection| {
            let status = rejection.status();
            let mut error = ApiError::bad_request(rejection.body_text());
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                error.status = status;
                error.message = "the request body is larger than the server accepts (--max-body-bytes)".into();
            }
            error
        })
    }
}

async fn page() -> Html<&'static str> {
    Html(include_str!("page/index.html"))
}

async fn health(State(app): Shared) -> Response {
    if app.stopping.load(Ordering::SeqCst) {
        return ApiError::shutting_down().into_response();
    }
    axum::Json(json!({ "status": "ok" })).into_response()
}

async fn metrics(State(app): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    app.authorize(&headers)?;
    let gauges: Vec<Gauges> =
        app.pools.iter().map(|p| Gauges { model: &p.model, running: p.running_now(), queued: p.queued() }).collect();
    let text = app.metrics.render(&gauges);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

async fn models(State(app): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    app.authorize(&headers)?;
    let data: Vec<_> = app
        .pools
        .iter()
        .map(|p| json!({ "id": p.model, "object": "model", "created": 0, "owned_by": "inf-wasi" }))
        .collect();
    Ok(axum::Json(json!({ "object": "list", "data": data })).into_response())
}

async fn chat(State(app): Shared, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let request: ChatRequest = request::parse(&app.accept(&headers, body)?)?;
    let pool = app.pool(&request.model)?.clone();
    let messages = request::messages(&request)?;
    generate(pool, Work::Chat(messages), &request.sampling, Header::new(Kind::Chat, &request.model)).await
}

async fn completions(State(app): Shared, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let request: CompletionRequest = request::parse(&app.accept(&headers, body)?)?;
    let pool = app.pool(&request.model)?.clone();
    if request.echo == Some(true) || request.suffix.is_some() || request.best_of.is_some_and(|n| n != 1) {
        return Err(ApiError::bad_request("`echo`, `suffix` and `best_of` are not supported"));
    }
    let mut prompts = request.prompt.texts();
    if prompts.len() != 1 {
        return Err(ApiError::bad_param("prompt", "send one prompt per request"));
    }
    generate(pool, Work::Complete(prompts.remove(0)), &request.sampling, Header::new(Kind::Text, &request.model)).await
}

/// Runs `work` and answers as the request asked: streamed or whole.
async fn generate(pool: Arc<Pool>, work: Work, sampling: &Sampling, header: Header) -> Result<Response, ApiError> {
    let running = worker::start(pool, work, sampling.options()?).await?;
    if sampling.stream {
        Ok(respond::streamed(header, running, sampling.include_usage()))
    } else {
        respond::whole(header, running).await
    }
}

async fn embeddings(State(app): Shared, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let request: EmbeddingRequest = request::parse(&app.accept(&headers, body)?)?;
    let pool = app.pool(&request.model)?.clone();
    if request.dimensions.is_some() {
        return Err(ApiError::bad_param("dimensions", "`dimensions` is not supported: the model's own size is used"));
    }
    let base64 = match request.encoding_format.as_deref() {
        None | Some("float") => false,
        Some("base64") => true,
        Some(other) => return Err(ApiError::bad_param("encoding_format", format!("unknown encoding `{other}`"))),
    };
    let texts = request.input.texts();
    app.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let engine = pool.engine().clone();
    let model = request.model.clone();
    let embedded = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = engine.embed(&model, &refs)?;
        let mut tokens = 0;
        for text in &texts {
            tokens += engine.tokenize(&model, text, true)?.len();
        }
        Ok::<_, inf_wasi::Error>((vectors, tokens))
    })
    .await
    .map_err(|e| ApiError::from(inf_wasi::Error::Backend(format!("embedding failed: {e}"))))?;
    let (vectors, tokens) = embedded.inspect_err(|_| {
        app.metrics.failed.fetch_add(1, Ordering::Relaxed);
    })?;
    let data: Vec<_> = vectors
        .iter()
        .enumerate()
        .map(|(index, v)| {
            let embedding = if base64 {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                json!(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else {
                json!(v)
            };
            json!({ "object": "embedding", "index": index, "embedding": embedding })
        })
        .collect();
    let usage = json!({ "prompt_tokens": tokens, "total_tokens": tokens });
    Ok(axum::Json(json!({ "object": "list", "data": data, "model": request.model, "usage": usage })).into_response())
}
