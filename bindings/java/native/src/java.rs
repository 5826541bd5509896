//! Conversions between Java values and the Rust host's, and the one way errors
//! reach Java: a thrown `dev.infwasi.InfWasiException` with the WIT case as code.

use inf_wasi::{Completion, Error, FinishReason, GenerateOptions, ModelInfo, Tool, ToolCall, ToolChoice};
use jni::objects::{JFloatArray, JLongArray, JObject, JObjectArray, JString, JValue};
use jni::JNIEnv;

pub type JniResult<T> = Result<T, Error>;

/// A failure inside JNI itself (a pending Java exception, a bad argument type).
pub fn jni_error(e: jni::errors::Error) -> Error {
    Error::InvalidInput(format!("bad argument from Java: {e}"))
}

pub fn string(env: &mut JNIEnv, s: &JString, what: &str) -> JniResult<String> {
    if s.is_null() {
        return Err(Error::InvalidInput(format!("{what} must not be null")));
    }
    Ok(env.get_string(s).map_err(jni_error)?.into())
}

pub fn optional_string(env: &mut JNIEnv, s: &JString) -> JniResult<Option<String>> {
    if s.is_null() {
        return Ok(None);
    }
    Ok(Some(env.get_string(s).map_err(jni_error)?.into()))
}

pub fn strings(env: &mut JNIEnv, array: &JObjectArray, what: &str) -> JniResult<Vec<String>> {
    if array.is_null() {
        return Err(Error::InvalidInput(format!("{what} must not be null")));
    }
    optional_strings(env, array, what)?
        .into_iter()
        .map(|item| item.ok_or_else(|| Error::InvalidInput(format!("{what} must not be null"))))
        .collect()
}

/// A Java `String[]` whose elements may be null.
pub fn optional_strings(env: &mut JNIEnv, array: &JObjectArray, what: &str) -> JniResult<Vec<Option<String>>> {
    if array.is_null() {
        return Err(Error::InvalidInput(format!("{what}s must not be null")));
    }
    let len = env.get_array_length(array).map_err(jni_error)?;
    (0..len)
        .map(|i| {
            let item = JString::from(env.get_object_array_element(array, i).map_err(jni_error)?);
            let value = optional_string(env, &item);
            // Freed now: a long array would otherwise outgrow the call's local references.
            env.delete_local_ref(item).map_err(jni_error)?;
            value
        })
        .collect()
}

/// A Java `byte[][][]`: for each element, its list of byte arrays.
pub fn byte_array_lists(env: &mut JNIEnv, array: &JObjectArray, what: &str) -> JniResult<Vec<Vec<Vec<u8>>>> {
    if array.is_null() {
        return Err(Error::InvalidInput(format!("{what} must not be null")));
    }
    let len = env.get_array_length(array).map_err(jni_error)?;
    let mut lists = Vec::with_capacity(len as usize);
    for i in 0..len {
        let list = JObjectArray::from(env.get_object_array_element(array, i).map_err(jni_error)?);
        if list.is_null() {
            return Err(Error::InvalidInput(format!("{what} must not hold null")));
        }
        let n = env.get_array_length(&list).map_err(jni_error)?;
        let mut items = Vec::with_capacity(n as usize);
        for j in 0..n {
            let bytes = jni::objects::JByteArray::from(env.get_object_array_element(&list, j).map_err(jni_error)?);
            if bytes.is_null() {
                return Err(Error::InvalidInput(format!("{what} must not hold null")));
            }
            items.push(env.convert_byte_array(&bytes).map_err(jni_error)?);
            env.delete_local_ref(bytes).map_err(jni_error)?;
        }
        env.delete_local_ref(list).map_err(jni_error)?;
        lists.push(items);
    }
    Ok(lists)
}

/// A Java `long[]`; null is an invalid-input error naming `what`.
pub fn longs(env: &mut JNIEnv, array: &JLongArray, what: &str) -> JniResult<Vec<i64>> {
    if array.is_null() {
        return Err(Error::InvalidInput(format!("{what} must not be null")));
    }
    let len = env.get_array_length(array).map_err(jni_error)? as usize;
    let mut values = vec![0i64; len];
    env.get_long_array_region(array, 0, &mut values).map_err(jni_error)?;
    Ok(values)
}

/// `GenerateOptions` as the Java class flattens it: whole numbers (-1 = unset),
/// fractions (NaN = unset), stop strings, grammar and JSON schema (null = unset).
pub fn generate_options(
    env: &mut JNIEnv,
    whole: &JLongArray,
    fractions: &JFloatArray,
    stop: &JObjectArray,
    grammar: &JString,
    json_schema: &JString,
) -> JniResult<GenerateOptions> {
    let mut w = [0i64; 4];
    env.get_long_array_region(whole, 0, &mut w).map_err(jni_error)?;
    let mut f = [0f32; 4];
    env.get_float_array_region(fractions, 0, &mut f).map_err(jni_error)?;
    let u32_of = |v: i64| (v >= 0).then(|| u32::try_from(v).unwrap_or(u32::MAX));
    let f32_of = |v: f32| (!v.is_nan()).then_some(v);
    Ok(GenerateOptions {
        max_tokens: u32_of(w[0]),
        top_k: u32_of(w[1]),
        repeat_last_n: u32_of(w[2]),
        seed: u32_of(w[3]),
        temperature: f32_of(f[0]),
        top_p: f32_of(f[1]),
        min_p: f32_of(f[2]),
        repeat_penalty: f32_of(f[3]),
        stop: strings(env, stop, "stop")?,
        grammar: optional_string(env, grammar)?,
        json_schema: optional_string(env, json_schema)?,
        ..GenerateOptions::default()
    })
}

/// The tools as GenerateOptions.java flattens them: each tool's name, description
/// and parameters in turn (the last two may be null); the choice as its kind and
/// function (null: unset); parallel calls -1 (unset), 0 or 1.
pub fn add_tools(
    env: &mut JNIEnv,
    options: &mut GenerateOptions,
    tools: &JObjectArray,
    choice: &JObjectArray,
    parallel: i32,
) -> JniResult<()> {
    let flat = optional_strings(env, tools, "tool")?;
    if !flat.len().is_multiple_of(3) {
        return Err(Error::InvalidInput("tools must come as name, description and parameters".into()));
    }
    for tool in flat.chunks(3) {
        let name = tool[0].clone().ok_or_else(|| Error::InvalidInput("a tool's name must not be null".into()))?;
        options.tools.push(Tool { name, description: tool[1].clone(), parameters: tool[2].clone() });
    }
    options.tool_choice = if choice.is_null() {
        None
    } else {
        match strings(env, choice, "tool choice")?.as_slice() {
            [kind] if kind == "auto" => Some(ToolChoice::Auto),
            [kind] if kind == "none" => Some(ToolChoice::None),
            [kind] if kind == "required" => Some(ToolChoice::Required),
            [kind, name] if kind == "function" => Some(ToolChoice::Function(name.clone())),
            other => return Err(Error::InvalidInput(format!("unknown tool choice {other:?}"))),
        }
    };
    options.parallel_tool_calls = (parallel >= 0).then_some(parallel != 0);
    Ok(())
}

pub fn tool_call<'l>(env: &mut JNIEnv<'l>, call: &ToolCall) -> jni::errors::Result<JObject<'l>> {
    let (id, name, arguments) =
        (env.new_string(&call.id)?, env.new_string(&call.name)?, env.new_string(&call.arguments)?);
    env.new_object(
        "dev/infwasi/ToolCall",
        "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V",
        &[JValue::Object(&id), JValue::Object(&name), JValue::Object(&arguments)],
    )
}

fn finish_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "STOP",
        FinishReason::Length => "LENGTH",
        FinishReason::ContextFull => "CONTEXT_FULL",
        FinishReason::ToolCalls => "TOOL_CALLS",
    }
}

pub fn completion<'l>(env: &mut JNIEnv<'l>, c: &Completion) -> jni::errors::Result<JObject<'l>> {
    let text = env.new_string(&c.text)?;
    let reason = env.new_string(finish_reason(c.finish_reason))?;
    let calls = crate::messages::calls_to_java(env, &c.tool_calls)?;
    env.new_object(
        "dev/infwasi/Completion",
        "(Ljava/lang/String;Ljava/lang/String;III[Ljava/lang/String;)V",
        &[
            JValue::Object(&text),
            JValue::Object(&reason),
            JValue::Int(c.usage.prompt_tokens as i32),
            JValue::Int(c.usage.cached_tokens as i32),
            JValue::Int(c.usage.completion_tokens as i32),
            JValue::Object(&calls),
        ],
    )
}

pub fn model_info<'l>(env: &mut JNIEnv<'l>, m: &ModelInfo) -> jni::errors::Result<JObject<'l>> {
    let name = env.new_string(&m.name)?;
    let architecture = env.new_string(&m.architecture)?;
    let template = match &m.chat_template {
        Some(t) => env.new_string(t)?.into(),
        None => JObject::null(),
    };
    env.new_object(
        "dev/infwasi/ModelInfo",
        "(Ljava/lang/String;Ljava/lang/String;IIIJJZZLjava/lang/String;)V",
        &[
            JValue::Object(&name),
            JValue::Object(&architecture),
            JValue::Int(m.context_length as i32),
            JValue::Int(m.vocab_size as i32),
            JValue::Int(m.embedding_size as i32),
            JValue::Long(m.parameters as i64),
            JValue::Long(m.size_bytes as i64),
            JValue::Bool(m.vision.into()),
            JValue::Bool(m.audio.into()),
            JValue::Object(&template),
        ],
    )
}

/// Throws `error` as an `InfWasiException` (unless a Java exception is already pending).
pub fn throw(env: &mut JNIEnv, error: &Error) {
    if env.exception_check().unwrap_or(true) {
        return;
    }
    let message = match error {
        Error::ModelNotFound(m)
        | Error::InvalidModel(m)
        | Error::InvalidInput(m)
        | Error::ContextOverflow(m)
        | Error::Unsupported(m)
        | Error::Cancelled(m)
        | Error::Backend(m) => m.as_str(),
    };
    let thrown = (|| -> jni::errors::Result<()> {
        let code = env.new_string(error.code())?;
        let message = env.new_string(message)?;
        let exception = env.new_object(
            "dev/infwasi/InfWasiException",
            "(Ljava/lang/String;Ljava/lang/String;)V",
            &[JValue::Object(&code), JValue::Object(&message)],
        )?;
        env.throw(jni::objects::JThrowable::from(exception))
    })();
    if thrown.is_err() && !env.exception_check().unwrap_or(true) {
        let _ = env.throw_new("java/lang/IllegalStateException", format!("{}: {message}", error.code()));
    }
}
