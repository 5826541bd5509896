use inf_wasi::{Engine, FinishReason, GenerateOptions, Message, Tool, ToolChoice};

/// The function the model may call; the application runs it.
fn get_weather(city: &str) -> String {
    format!(r#"{{"city": "{city}", "temperature": 18, "unit": "celsius"}}"#)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // An instruct model: here SmolLM2-135M-Instruct, which `inf-wasi models pull` fetches.
    let model = inf_wasi::cached_model_path(&inf_wasi::default_chat_model().name);
    let engine = Engine::builder().model("chat", model).build()?;
    let mut session = engine.session("chat")?;
    let weather = Tool::function("get_weather").description("The current weather in a city.").parameters(
        r#"{"type": "object", "properties": {"city": {"type": "string", "maxLength": 30}}, "required": ["city"]}"#,
    );
    let options = GenerateOptions::greedy().max_tokens(64).tool(weather).parallel_tool_calls(false);

    // `Required`: the model calls a tool, with arguments that match its schema.
    let question = [Message::user("What is the weather in Paris?")];
    let asked = session.chat(&question, &options.clone().tool_choice(ToolChoice::Required))?;
    assert_eq!(asked.finish_reason, FinishReason::ToolCalls);
    let mut results = Vec::new();
    for call in &asked.tool_calls {
        println!("{}({})", call.name, call.arguments);
        let arguments: serde_json::Value = serde_json::from_str(&call.arguments)?;
        results.push(Message::tool_result(&call.id, get_weather(arguments["city"].as_str().unwrap_or_default())));
    }
    // The session remembers the calls; the results answer them by id, and the model replies.
    let reply = session.chat(&results, &options.tool_choice(ToolChoice::None))?;
    println!("{}", reply.text);
    Ok(())
}
