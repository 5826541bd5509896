"""An inf-wasi plugin in Python (componentize-py): its one capability is the model.

Input, as JSON: ``{"model": NAME, "text": TEXT}``. The plugin completes TEXT
(greedy, 12 tokens), then asks the model, as a chat constrained by a JSON
schema, which topic the whole is about, parses that answer itself, and
returns ``{"completion": ..., "topic": ...}``: what examples/plugins/rust does.
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import inference, types

TOPICS = ["science", "cooking", "sports", "other"]


def greedy(max_tokens: int, json_schema: str | None = None) -> types.GenerateOptions:
    return types.GenerateOptions(
        max_tokens=max_tokens, stop=[], temperature=0.0, top_k=None, top_p=None, min_p=None,
        repeat_penalty=None, repeat_last_n=None, seed=None, grammar=None, json_schema=json_schema,
        tools=[], tool_choice=None, parallel_tool_calls=None)


def new_session(model: inference.Model) -> inference.Session:
    return model.new_session(types.SessionOptions(context_size=None, system_prompt=None))


class Handler(exports.Handler):
    def run(self, input: str) -> str:
        try:
            request = json.loads(input)
        except ValueError as e:
            raise Err(f"the input is not JSON: {e}")
        if not isinstance(request, dict) or not all(isinstance(request.get(k), str) for k in ("model", "text")):
            raise Err('the input needs string "model" and "text"')
        text = request["text"]
        try:
            model = inference.Model.open(request["model"])
            completion = new_session(model).complete(text, greedy(12)).text
            schema = {"type": "object", "properties": {"topic": {"enum": TOPICS}}, "required": ["topic"]}
            question = f"Which topic is this about: science, cooking, sports or other?\n\n{text}{completion}"
            asked = types.Message(role=types.Role.USER, content=[types.ContentPart_Text(question)],
                                  tool_calls=[], tool_call_id=None)
            answer = new_session(model).chat([asked], greedy(24, json.dumps(schema, separators=(",", ":"))))
        except Err as e:
            raise Err(f"the engine refused: {e.value!r}")
        return json.dumps({"completion": completion, "topic": json.loads(answer.text)["topic"]},
                          separators=(",", ":"), ensure_ascii=False)
