//! Messages as Session.java flattens them, both ways: `[roles, texts, images,
//! toolCalls, toolCallIds]`: `String[]`, `String[]`, each message's image bytes
//! (`byte[][][]`), each message's calls as id, name and arguments in turn
//! (`String[][]`) and each one's answered call id or null (`String[]`).

use crate::java::{self, jni_error, JniResult};
use inf_wasi::{ContentPart, Error, Message, Role, ToolCall};
use jni::objects::{JObject, JObjectArray};
use jni::JNIEnv;

const COLUMNS: i32 = 5;

/// The messages of a flattened table.
pub fn from_java(env: &mut JNIEnv, table: &JObjectArray) -> JniResult<Vec<Message>> {
    if table.is_null() || env.get_array_length(table).map_err(jni_error)? != COLUMNS {
        return Err(Error::InvalidInput(format!("messages must be a table of {COLUMNS} columns")));
    }
    let mut column = |i| env.get_object_array_element(table, i).map(JObjectArray::from).map_err(jni_error);
    let (roles, texts, images, calls, ids) = (column(0)?, column(1)?, column(2)?, column(3)?, column(4)?);
    let roles = java::strings(env, &roles, "role")?;
    let texts = java::strings(env, &texts, "content")?;
    let images = java::byte_array_lists(env, &images, "images")?;
    let calls = string_lists(env, &calls)?;
    let ids = java::optional_strings(env, &ids, "tool call id")?;
    let rows = roles.into_iter().zip(texts).zip(images).zip(calls).zip(ids);
    rows.map(|((((role, text), images), calls), id)| {
        let role = match role.as_str() {
            "system" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "tool" => Role::Tool,
            other => return Err(Error::InvalidInput(format!("unknown role {other:?}"))),
        };
        let mut message = Message::new(role, text);
        message.content.extend(images.into_iter().map(ContentPart::Image));
        message.tool_calls = calls_from_flat(calls)?;
        message.tool_call_id = id;
        Ok(message)
    })
    .collect()
}

/// Calls from each one's id, name and arguments in turn.
pub fn calls_from_flat(flat: Vec<String>) -> JniResult<Vec<ToolCall>> {
    if !flat.len().is_multiple_of(3) {
        return Err(Error::InvalidInput("tool calls must come as id, name and arguments".into()));
    }
    let mut items = flat.into_iter();
    let mut calls = Vec::new();
    while let (Some(id), Some(name), Some(arguments)) = (items.next(), items.next(), items.next()) {
        calls.push(ToolCall { id, name, arguments });
    }
    Ok(calls)
}

/// Each call's id, name and arguments in turn, as a `String[]`.
pub fn calls_to_java<'l>(env: &mut JNIEnv<'l>, calls: &[ToolCall]) -> jni::errors::Result<JObjectArray<'l>> {
    let array = env.new_object_array(calls.len() as i32 * 3, "java/lang/String", JObject::null())?;
    let fields = calls.iter().flat_map(|c| [&c.id, &c.name, &c.arguments]);
    for (i, field) in fields.enumerate() {
        let value = env.new_string(field)?;
        env.set_object_array_element(&array, i as i32, &value)?;
        env.delete_local_ref(value)?;
    }
    Ok(array)
}

/// A `String[][]`, each element a list of strings.
fn string_lists(env: &mut JNIEnv, array: &JObjectArray) -> JniResult<Vec<Vec<String>>> {
    if array.is_null() {
        return Err(Error::InvalidInput("tool calls must not be null".into()));
    }
    let len = env.get_array_length(array).map_err(jni_error)?;
    (0..len)
        .map(|i| {
            let item = JObjectArray::from(env.get_object_array_element(array, i).map_err(jni_error)?);
            let value = java::strings(env, &item, "a tool call field");
            env.delete_local_ref(item).map_err(jni_error)?;
            value
        })
        .collect()
}

/// `messages` as a flattened table.
pub fn to_java<'l>(env: &mut JNIEnv<'l>, messages: &[Message]) -> jni::errors::Result<JObjectArray<'l>> {
    let len = messages.len() as i32;
    let roles = env.new_object_array(len, "java/lang/String", JObject::null())?;
    let texts = env.new_object_array(len, "java/lang/String", JObject::null())?;
    let images = env.new_object_array(len, "[[B", JObject::null())?;
    let calls = env.new_object_array(len, "[Ljava/lang/String;", JObject::null())?;
    let ids = env.new_object_array(len, "java/lang/String", JObject::null())?;
    for (i, m) in messages.iter().enumerate() {
        let role = match m.role {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        };
        let parts: Vec<&[u8]> = m
            .content
            .iter()
            .filter_map(|p| match p {
                ContentPart::Image(bytes) => Some(bytes.as_slice()),
                ContentPart::Text(_) => None,
            })
            .collect();
        // One local frame per message: a long history would otherwise
        // outgrow the call's local references.
        env.with_local_frame(8, |env| -> jni::errors::Result<()> {
            let role = env.new_string(role)?;
            env.set_object_array_element(&roles, i as i32, role)?;
            let text = env.new_string(m.text())?;
            env.set_object_array_element(&texts, i as i32, text)?;
            let own = env.new_object_array(parts.len() as i32, "[B", JObject::null())?;
            for (j, bytes) in parts.iter().enumerate() {
                let array = env.byte_array_from_slice(bytes)?;
                env.set_object_array_element(&own, j as i32, &array)?;
                env.delete_local_ref(array)?;
            }
            env.set_object_array_element(&images, i as i32, own)?;
            let own_calls = calls_to_java(env, &m.tool_calls)?;
            env.set_object_array_element(&calls, i as i32, own_calls)?;
            if let Some(id) = &m.tool_call_id {
                let id = env.new_string(id)?;
                env.set_object_array_element(&ids, i as i32, id)?;
            }
            Ok(())
        })?;
    }
    let table = env.new_object_array(COLUMNS, "java/lang/Object", JObject::null())?;
    for (i, column) in [roles, texts, images, calls, ids].into_iter().enumerate() {
        env.set_object_array_element(&table, i as i32, column)?;
    }
    Ok(table)
}
