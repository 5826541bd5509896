import json
import os
from typing import Any

from inf_wasi import Engine, Tool

# An instruct model: here SmolLM2-135M-Instruct, which `inf-wasi models pull` fetches.
model = os.path.expanduser("~/.cache/inf-wasi/models/smollm2-135m-instruct-q4_1.gguf")


def get_weather(city: str) -> str:
    """The function the model may call; the application runs it."""
    return json.dumps({"city": city, "temperature": 18, "unit": "celsius"})


weather = Tool("get_weather", "The current weather in a city.",
               {"type": "object", "properties": {"city": {"type": "string", "maxLength": 30}}, "required": ["city"]})

with Engine(models={"chat": os.environ.get("INF_WASI_CHAT_MODEL", model)}) as engine:
    session = engine.session("chat")
    options: dict[str, Any] = dict(tools=[weather], parallel_tool_calls=False, temperature=0, max_tokens=64)
    # "required": the model calls a tool, with arguments that match its schema.
    asked = session.chat([{"role": "user", "content": "What is the weather in Paris?"}], tool_choice="required", **options)
    assert asked.finish_reason == "tool-calls"
    results = []
    for call in asked.tool_calls:
        print(f"{call.name}({call.arguments})")
        results.append({"role": "tool", "tool_call_id": call.id, "content": get_weather(**call.args())})
    # The session remembers the calls; the results answer them by id, and the model replies.
    print(session.chat(results, tool_choice="none", **options).text)
