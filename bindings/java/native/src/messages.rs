//! Messages as Session.java flattens them, both ways: `[roles, texts, media,
//! toolCalls, toolCallIds, mediaKinds]`: `String[]`, `String[]`, each message's
//! media bytes (`byte[][][]`), each message's calls as id, name and arguments
//! in turn (`String[][]`), each one's answered call id or null (`String[]`) and
//! each one's media kinds, a character per part, `i` image or `a` audio (`String[]`).

use crate::java::{self, jni_error, JniResult};
use inf_wasi::{ContentPart, Error, Message, Role, ToolCall};
use jni::objects::{JObject, JObjectArray};
use jni::JNIEnv;

const COLUMNS: i32 = 6;

/// The messages of a flattened table.
pub fn from_java(env: &mut JNIEnv, table: &JObjectArray) -> JniResult<Vec<Message>> {
    if table.is_null() || env.get_array_length(table).map_err(jni_error)? != COLUMNS {
        return Err(Error::InvalidInput(format!("messages must be a table of {COLUMNS} columns")));
    }
    // Each column is read and its local reference let go before the next: the
    // caller's frame has room for only a few more.
    fn column<T>(
        env: &mut JNIEnv,
        table: &JObjectArray,
        i: i32,
        read: impl FnOnce(&mut JNIEnv, &JObjectArray) -> JniResult<T>,
    ) -> JniResult<T> {
        let array = JObjectArray::from(env.get_object_array_element(table, i).map_err(jni_error)?);
        let value = read(env, &array);
        env.delete_local_ref(array).map_err(jni_error)?;
        value
    }
    let roles = column(env, table, 0, |env, a| java::strings(env, a, "role"))?;
    let texts = column(env, table, 1, |env, a| java::strings(env, a, "content"))?;
    let media = column(env, table, 2, |env, a| java::byte_array_lists(env, a, "media"))?;
    let calls = column(env, table, 3, string_lists)?;
    let ids = column(env, table, 4, |env, a| java::optional_strings(env, a, "tool call id"))?;
    let kinds = column(env, table, 5, |env, a| java::strings(env, a, "media kinds"))?;
    let rows = roles.into_iter().zip(texts).zip(media).zip(calls).zip(ids).zip(kinds);
    rows.map(|(((((role, text), media), calls), id), kinds)| {
        let role = match role.as_str() {
            "system" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "tool" => Role::Tool,
            other => return Err(Error::InvalidInput(format!("unknown role {other:?}"))),
        };
        let mut message = Message::new(role, text);
        if kinds.len() != media.len() {
            return Err(Error::InvalidInput("a message's media and their kinds must agree".into()));
        }
        for (bytes, kind) in media.into_iter().zip(kinds.chars()) {
            message.content.push(match kind {
                'i' => ContentPart::Image(bytes),
                'a' => ContentPart::Audio(bytes),
                other => return Err(Error::InvalidInput(format!("unknown media kind {other:?}"))),
            });
        }
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
    let media = env.new_object_array(len, "[[B", JObject::null())?;
    let calls = env.new_object_array(len, "[Ljava/lang/String;", JObject::null())?;
    let ids = env.new_object_array(len, "java/lang/String", JObject::null())?;
    let kinds = env.new_object_array(len, "java/lang/String", JObject::null())?;
    for (i, m) in messages.iter().enumerate() {
        let role = match m.role {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        };
        let parts: Vec<(&[u8], char)> = m
            .content
            .iter()
            .filter_map(|p| match p {
                ContentPart::Image(bytes) => Some((bytes.as_slice(), 'i')),
                ContentPart::Audio(bytes) => Some((bytes.as_slice(), 'a')),
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
            for (j, (bytes, _)) in parts.iter().enumerate() {
                let array = env.byte_array_from_slice(bytes)?;
                env.set_object_array_element(&own, j as i32, &array)?;
                env.delete_local_ref(array)?;
            }
            env.set_object_array_element(&media, i as i32, own)?;
            let own_kinds = env.new_string(parts.iter().map(|(_, kind)| kind).collect::<String>())?;
            env.set_object_array_element(&kinds, i as i32, own_kinds)?;
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
    for (i, column) in [roles, texts, media, calls, ids, kinds].into_iter().enumerate() {
        env.set_object_array_element(&table, i as i32, column)?;
    }
    Ok(table)
}
