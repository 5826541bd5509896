//! The Rust host (wasmtime, the embedded component and the ggml backend) as a
//! JNI library for the `dev.infwasi` Java package. Each function converts its
//! arguments, calls the `inf-wasi` crate, and converts the answer; every error,
//! and every panic, becomes a thrown `InfWasiException`, never an abort.

mod handles;
mod java;
mod messages;
mod plugins;

use handles::{with_session, SessionEntry, ENGINES, SESSIONS};
use inf_wasi::{Batching, Engine, Error, SessionOptions, StreamEvent};
use java::{jni_error, JniResult};
use jni::objects::{JClass, JFloatArray, JIntArray, JLongArray, JObject, JObjectArray, JString};
use jni::sys::{jboolean, jint, jlong, jobject, jobjectArray, jstring};
use jni::JNIEnv;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

/// Runs `body`; an error or a panic is thrown into Java and `fallback` returned.
pub(crate) fn guard<'l, T>(env: &mut JNIEnv<'l>, fallback: T, body: impl FnOnce(&mut JNIEnv<'l>) -> JniResult<T>) -> T {
    match catch_unwind(AssertUnwindSafe(|| body(env))) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            java::throw(env, &error);
            fallback
        }
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            java::throw(env, &Error::Backend(format!("internal error: {message}")));
            fallback
        }
    }
}

fn positive(value: jint, what: &str) -> JniResult<Option<u32>> {
    match value {
        0 => Ok(None),
        v if v > 0 => Ok(Some(v as u32)),
        v => Err(Error::InvalidInput(format!("{what} must be positive, got {v}"))),
    }
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_engineOpen<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    names: JObjectArray<'l>,
    paths: JObjectArray<'l>,
    projectors: JObjectArray<'l>,
    packed: JObjectArray<'l>,
    threads: jint,
    context_size: jint,
    parallel: jint,
    batching: JString<'l>,
    limits: JLongArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let names = java::strings(env, &names, "model name")?;
        let paths = java::strings(env, &paths, "model path")?;
        let projectors = java::optional_strings(env, &projectors, "projector")?;
        let packed = java::strings(env, &packed, "packed file")?;
        let mut builder = Engine::builder();
        for path in packed {
            builder = builder.packed_file(path);
        }
        for ((name, path), projector) in names.into_iter().zip(paths).zip(projectors) {
            builder = match projector {
                Some(projector) => builder.model_with_projector(name, path, projector),
                None => builder.model(name, path),
            };
        }
        if let Some(threads) = positive(threads, "threads")? {
            builder = builder.threads(threads);
        }
        if let Some(tokens) = positive(context_size, "contextSize")? {
            builder = builder.context_size(tokens);
        }
        if let Some(sessions) = positive(parallel, "parallel")? {
            builder = builder.parallel(sessions);
        }
        if !batching.is_null() {
            let batching = java::string(env, &batching, "batching")?;
            builder = builder.batching(batching.parse::<Batching>().map_err(|e| Error::InvalidInput(e.message))?);
        }
        // Engine.Builder's limits, in its order; 0 keeps the default.
        let limits = java::longs(env, &limits, "limits")?;
        let [max_context, max_output, max_image, memory, millis, max_audio] = limits[..] else {
            return Err(Error::InvalidInput("limits must hold six values".into()));
        };
        let u32_limit = |v: i64, what: &str| {
            u32::try_from(v).map_err(|_| Error::InvalidInput(format!("{what} must be at most {}, got {v}", u32::MAX)))
        };
        if max_context > 0 {
            builder = builder.max_context_size(u32_limit(max_context, "maxContextSize")?);
        }
        if max_output > 0 {
            builder = builder.max_output_tokens(u32_limit(max_output, "maxOutputTokens")?);
        }
        if max_image > 0 {
            builder = builder.max_image_bytes(max_image as u64);
        }
        if max_audio > 0 {
            builder = builder.max_audio_seconds(u32_limit(max_audio, "maxAudioSeconds")?);
        }
        if memory > 0 {
            builder = builder.guest_memory_limit(usize::try_from(memory).unwrap_or(usize::MAX));
        }
        if millis > 0 {
            builder = builder.guest_time_limit(Duration::from_millis(millis as u64));
        }
        Ok(ENGINES.insert(builder.build()?))
    })
}

/// Panics inside the guard, so the tests can see a Rust panic arrive as an exception.
#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_panicForTests(mut env: JNIEnv, _: JClass) {
    guard(&mut env, (), |_| panic!("a panic on purpose"))
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_engineClose(mut env: JNIEnv, _: JClass, engine: jlong) {
    guard(&mut env, (), |_| {
        ENGINES.remove(engine);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_sessionOpen<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    engine: jlong,
    model: JString<'l>,
    context_size: jint,
    system_prompt: JString<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let engine = ENGINES.get(engine)?;
        let model = java::string(env, &model, "model name")?;
        let mut options = SessionOptions::default();
        // -1: the engine's default. Anything else goes to the component, which
        // refuses 0 as every binding does.
        if context_size >= 0 {
            options = options.context_size(context_size as u32);
        }
        if let Some(text) = java::optional_string(env, &system_prompt)? {
            options = options.system_prompt(text);
        }
        let session = engine.session_with(&model, &options)?;
        Ok(SESSIONS.insert(SessionEntry::new(session)))
    })
}

/// Cancels the session's running generation; callable while another thread is inside it.
#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_sessionCancel(mut env: JNIEnv, _: JClass, session: jlong) {
    guard(&mut env, (), |_| {
        // A closed session runs nothing: there is nothing to cancel.
        if let Ok(entry) = SESSIONS.get(session) {
            entry.cancel.cancel();
        }
        Ok(())
    })
}

/// Asks the host to instantiate a component that imports a filesystem, for the
/// capability test; it throws the refusal.
#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_instantiateCapabilityProbe(mut env: JNIEnv, _: JClass) {
    guard(&mut env, (), |_| inf_wasi::instantiate_capability_probe())
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_sessionClose(mut env: JNIEnv, _: JClass, session: jlong) {
    guard(&mut env, (), |_| {
        SESSIONS.remove(session);
        Ok(())
    })
}

/// `complete` (stream = false) or the start of a stream, over a prompt or messages.
#[allow(clippy::too_many_arguments)]
#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_generate<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    session: jlong,
    prompt: JString<'l>,
    messages: JObjectArray<'l>,
    whole: JLongArray<'l>,
    fractions: JFloatArray<'l>,
    stop: JObjectArray<'l>,
    grammar: JString<'l>,
    json_schema: JString<'l>,
    tools: JObjectArray<'l>,
    tool_choice: JObjectArray<'l>,
    parallel_tool_calls: jint,
    stream: jboolean,
) -> jobject {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let mut options = java::generate_options(env, &whole, &fractions, &stop, &grammar, &json_schema)?;
        java::add_tools(env, &mut options, &tools, &tool_choice, parallel_tool_calls)?;
        let messages = if prompt.is_null() { Some(messages::from_java(env, &messages)?) } else { None };
        let prompt = if prompt.is_null() { None } else { Some(java::string(env, &prompt, "prompt")?) };
        let done = with_session(session, |slot| {
            if let Some(old) = slot.stream.take() {
                slot.session.end_stream(old);
            }
            slot.finished = None;
            let s = &mut slot.session;
            match (&prompt, &messages, stream != 0) {
                (Some(p), _, false) => s.complete(p, &options).map(Some),
                (None, Some(m), false) => s.chat(m, &options).map(Some),
                (Some(p), _, true) => s.start_stream(p, &options).map(|h| slot.stream = Some(h)).map(|_| None),
                (None, Some(m), true) => s.start_chat_stream(m, &options).map(|h| slot.stream = Some(h)).map(|_| None),
                (None, None, _) => unreachable!("a prompt or messages"),
            }
        })?;
        match done {
            Some(c) => Ok(java::completion(env, &c).map_err(jni_error)?.into_raw()),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

/// The session's stream's next item as `step` reads it; at its end (or on an
/// error) the stream is released and its outcome kept for `streamCompletion`.
fn advance_stream<T>(
    session: jlong,
    step: impl FnOnce(&mut inf_wasi::Session, &inf_wasi::StreamHandle) -> inf_wasi::Result<Option<T>>,
) -> JniResult<Option<T>> {
    with_session(session, |slot| {
        let Some(stream) = slot.stream.as_ref() else { return Ok(None) };
        let next = step(&mut slot.session, stream);
        if !matches!(next, Ok(Some(_))) {
            let stream = slot.stream.take().expect("checked above");
            slot.finished = slot.session.stream_outcome(&stream);
            slot.session.end_stream(stream);
        }
        next
    })
}

/// The next piece of the session's stream, or null at its end.
#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_streamNext<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    session: jlong,
) -> jstring {
    guard(&mut env, std::ptr::null_mut(), |env| match advance_stream(session, inf_wasi::Session::next_piece)? {
        Some(p) => Ok(env.new_string(p).map_err(jni_error)?.into_raw()),
        None => Ok(std::ptr::null_mut()),
    })
}

/// The next piece (`String`) or tool call (`ToolCall`) of the session's stream, or null at its end.
#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_streamNextEvent<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    session: jlong,
) -> jobject {
    guard(&mut env, std::ptr::null_mut(), |env| match advance_stream(session, inf_wasi::Session::next_event)? {
        Some(StreamEvent::Text(piece)) => Ok(env.new_string(piece).map_err(jni_error)?.into_raw()),
        Some(StreamEvent::ToolCall(call)) => Ok(java::tool_call(env, &call).map_err(jni_error)?.into_raw()),
        None => Ok(std::ptr::null_mut()),
    })
}

/// The finish reason and usage of the session's last stream, once it has ended.
#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_streamCompletion<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    session: jlong,
) -> jobject {
    guard(&mut env, std::ptr::null_mut(), |env| match with_session(session, |slot| Ok(slot.finished.clone()))? {
        Some(c) => Ok(java::completion(env, &c).map_err(jni_error)?.into_raw()),
        None => Ok(std::ptr::null_mut()),
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_sessionReset(mut env: JNIEnv, _: JClass, session: jlong) {
    guard(&mut env, (), |_| with_session(session, |slot| slot.session.reset()))
}

/// The conversation as a flattened table (messages.rs).
#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_sessionHistory<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    session: jlong,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let history = with_session(session, |slot| slot.session.history())?;
        Ok(messages::to_java(env, &history).map_err(jni_error)?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_modelInfo<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    engine: jlong,
    model: JString<'l>,
) -> jobject {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let model = java::string(env, &model, "model name")?;
        let info = ENGINES.get(engine)?.model_info(&model)?;
        Ok(java::model_info(env, &info).map_err(jni_error)?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_tokenize<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    engine: jlong,
    model: JString<'l>,
    text: JString<'l>,
    add_special: jboolean,
) -> jni::sys::jintArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let model = java::string(env, &model, "model name")?;
        let text = java::string(env, &text, "text")?;
        let tokens = ENGINES.get(engine)?.tokenize(&model, &text, add_special != 0)?;
        int_array(env, &tokens)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_tokenizeChat<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    engine: jlong,
    model: JString<'l>,
    messages: JObjectArray<'l>,
) -> jni::sys::jintArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let model = java::string(env, &model, "model name")?;
        let messages = messages::from_java(env, &messages)?;
        let tokens = ENGINES.get(engine)?.tokenize_chat(&model, &messages)?;
        int_array(env, &tokens)
    })
}

fn int_array(env: &mut JNIEnv, tokens: &[u32]) -> JniResult<jni::sys::jintArray> {
    let ints: Vec<i32> = tokens.iter().map(|&t| t as i32).collect();
    let array = env.new_int_array(ints.len() as i32).map_err(jni_error)?;
    env.set_int_array_region(&array, 0, &ints).map_err(jni_error)?;
    Ok(array.into_raw())
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_detokenize<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    engine: jlong,
    model: JString<'l>,
    tokens: JIntArray<'l>,
) -> jstring {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let model = java::string(env, &model, "model name")?;
        if tokens.is_null() {
            return Err(Error::InvalidInput("tokens must not be null".into()));
        }
        let n = env.get_array_length(&tokens).map_err(jni_error)?;
        let mut ints = vec![0i32; n as usize];
        env.get_int_array_region(&tokens, 0, &mut ints).map_err(jni_error)?;
        if ints.iter().any(|&t| t < 0) {
            return Err(Error::InvalidInput("token ids are never negative".into()));
        }
        let ids: Vec<u32> = ints.iter().map(|&t| t as u32).collect();
        let text = ENGINES.get(engine)?.detokenize(&model, &ids)?;
        Ok(env.new_string(text).map_err(jni_error)?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_infwasi_Native_embed<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    engine: jlong,
    model: JString<'l>,
    texts: JObjectArray<'l>,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let model = java::string(env, &model, "model name")?;
        let texts = java::strings(env, &texts, "text")?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = ENGINES.get(engine)?.embed(&model, &refs)?;
        let rows = (|| -> jni::errors::Result<JObjectArray<'l>> {
            let rows = env.new_object_array(vectors.len() as i32, "[F", JObject::null())?;
            for (i, v) in vectors.iter().enumerate() {
                let row = env.new_float_array(v.len() as i32)?;
                env.set_float_array_region(&row, 0, v)?;
                env.set_object_array_element(&rows, i as i32, &row)?;
                env.delete_local_ref(row)?;
            }
            Ok(rows)
        })();
        Ok(rows.map_err(jni_error)?.into_raw())
    })
}
