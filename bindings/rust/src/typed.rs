//! Typed structured output: a type's JSON schema (from `schemars`) in, a value
//! of that type (through `serde`) out. The schema goes to the component like any
//! `json_schema`, so its grammar is the one every language uses.

use crate::bindings::{Completion, FinishReason, GenerateOptions, Message};
use crate::{Error, Result, Session};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

impl Session {
    /// Completes `prompt` under `T`'s JSON schema and returns the answer as a `T`.
    /// An answer cut short (`max_tokens`, a full context) is an [`Error::InvalidInput`].
    pub fn complete_as<T: JsonSchema + DeserializeOwned>(
        &mut self,
        prompt: &str,
        options: &GenerateOptions,
    ) -> Result<T> {
        let completion = self.complete(prompt, &with_schema_of::<T>(options))?;
        parsed(&completion)
    }

    /// Like [`Session::chat`], under `T`'s JSON schema, returning the reply as a `T`.
    pub fn chat_as<T: JsonSchema + DeserializeOwned>(
        &mut self,
        messages: &[Message],
        options: &GenerateOptions,
    ) -> Result<T> {
        let completion = self.chat(messages, &with_schema_of::<T>(options))?;
        parsed(&completion)
    }
}

fn with_schema_of<T: JsonSchema>(options: &GenerateOptions) -> GenerateOptions {
    options.clone().json_schema(schemars::schema_for!(T).as_value().to_string())
}

fn parsed<T: DeserializeOwned>(completion: &Completion) -> Result<T> {
    if completion.finish_reason != FinishReason::Stop {
        return Err(Error::InvalidInput(format!(
            "the answer ended ({:?}) before its JSON did, after {} tokens: raise max_tokens",
            completion.finish_reason, completion.usage.completion_tokens
        )));
    }
    // The grammar admits only answers that follow the schema: a failure here is a fault.
    serde_json::from_str(&completion.text)
        .map_err(|e| Error::Backend(format!("the answer does not deserialise as {}: {e}", std::any::type_name::<T>())))
}
