"""The official `openai` Python client against `inf-wasi serve`."""

from __future__ import annotations

import json
import math
import pathlib

import openai
import pytest
from conftest import Server, running

QUESTION = [{"role": "user", "content": "Name three colours."}]


@pytest.fixture(scope="module")
def client(server: Server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=300)


def test_models_lists_the_served_model(client: openai.OpenAI, chat_model: str) -> None:
    assert [m.id for m in client.models.list()] == [chat_model]


def test_a_chat_answer_and_its_usage(client: openai.OpenAI, chat_model: str) -> None:
    reply = client.chat.completions.create(model=chat_model, messages=QUESTION, max_tokens=16, temperature=0)
    choice = reply.choices[0]
    assert choice.message.role == "assistant" and choice.message.content
    assert choice.finish_reason in ("stop", "length")
    assert reply.usage is not None and 0 < reply.usage.completion_tokens <= 16
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    assert reply.object == "chat.completion" and reply.id.startswith("chatcmpl-")


def test_stop_strings_and_the_newer_token_limit(client: openai.OpenAI, chat_model: str) -> None:
    free = client.chat.completions.create(model=chat_model, messages=QUESTION, max_completion_tokens=24, temperature=0)
    text = free.choices[0].message.content or ""
    assert free.usage is not None and free.usage.completion_tokens <= 24
    # Stopping before the second word of the free answer: that word never appears.
    words = text.split()
    assert len(words) >= 2, text
    stopped = client.chat.completions.create(model=chat_model, messages=QUESTION, max_tokens=24, temperature=0, stop=[" " + words[1]])
    assert stopped.choices[0].finish_reason == "stop"
    assert stopped.choices[0].message.content == text[: text.index(" " + words[1])]


def test_streaming_yields_the_same_greedy_answer(client: openai.OpenAI, chat_model: str) -> None:
    whole = client.chat.completions.create(model=chat_model, messages=QUESTION, max_tokens=24, temperature=0)
    chunks = list(
        client.chat.completions.create(
            model=chat_model,
            messages=QUESTION,
            max_tokens=24,
            temperature=0,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1, "the answer came in one piece"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == [whole.choices[0].finish_reason]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == whole.usage.completion_tokens


def test_a_raw_completion(client: openai.OpenAI, chat_model: str) -> None:
    reply = client.completions.create(model=chat_model, prompt="The capital of France is", max_tokens=8, temperature=0)
    assert reply.choices[0].text and reply.usage is not None and reply.usage.completion_tokens <= 8
    streamed = client.completions.create(model=chat_model, prompt="The capital of France is", max_tokens=8, temperature=0, stream=True)
    assert "".join(c.choices[0].text for c in streamed if c.choices) == reply.choices[0].text


def test_embeddings_in_both_encodings(client: openai.OpenAI, chat_model: str) -> None:
    # The client asks for base64 unless told otherwise.
    as_base64 = client.embeddings.create(model=chat_model, input=["a red apple", "the stock market"])
    as_floats = client.embeddings.create(model=chat_model, input=["a red apple", "the stock market"], encoding_format="float")
    assert [d.index for d in as_base64.data] == [0, 1]
    for a, b in zip(as_base64.data, as_floats.data):
        assert len(a.embedding) == 576
        assert a.embedding == pytest.approx(b.embedding, abs=1e-6)
        assert math.isclose(math.fsum(x * x for x in a.embedding), 1.0, rel_tol=1e-3)
    assert as_base64.usage.prompt_tokens > 4


def test_a_json_schema_answer_parses(client: openai.OpenAI, chat_model: str) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string", "maxLength": 20}, "age": {"type": "integer"}},
        "required": ["name", "age"],
        "additionalProperties": False,
    }
    reply = client.chat.completions.create(
        model=chat_model,
        messages=[{"role": "user", "content": "Describe a person as JSON."}],
        response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": schema}},
        max_tokens=64,
        seed=7,
    )
    person = json.loads(reply.choices[0].message.content or "")
    assert set(person) == {"name", "age"} and isinstance(person["age"], int)
    anything = client.chat.completions.create(
        model=chat_model, messages=QUESTION, response_format={"type": "json_object"}, max_tokens=48, seed=1
    )
    if anything.choices[0].finish_reason == "stop":
        assert isinstance(json.loads(anything.choices[0].message.content or ""), dict)


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "maxLength": 20}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"],
        },
    },
}
WEATHER_QUESTION = [{"role": "user", "content": "What is the weather in Paris?"}]


def test_a_tool_round_trip(client: openai.OpenAI, chat_model: str) -> None:
    messages: list = list(WEATHER_QUESTION)
    called = client.chat.completions.create(
        model=chat_model, messages=messages, tools=[WEATHER], tool_choice="required", parallel_tool_calls=False,
        max_tokens=64, temperature=0,
    )
    choice = called.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.type == "function" and call.function.name == "get_weather" and call.id
    arguments = json.loads(call.function.arguments)
    assert set(arguments) == {"city", "unit"} and arguments["unit"] in ("celsius", "fahrenheit")
    # The application runs the function and answers by the call's id; the model replies in text.
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature": 18})}]
    reply = client.chat.completions.create(model=chat_model, messages=messages, tools=[WEATHER], tool_choice="none",
                                           max_tokens=24, temperature=0)
    assert reply.choices[0].message.content and not reply.choices[0].message.tool_calls
    assert reply.usage is not None and reply.usage.prompt_tokens_details is not None
    # The conversation so far came from the slot's cache, up to the call as the template renders it.
    assert (reply.usage.prompt_tokens_details.cached_tokens or 0) > called.usage.prompt_tokens // 2


def test_a_named_tool_streams_its_call_as_deltas(client: openai.OpenAI, chat_model: str) -> None:
    time_tool = {"type": "function", "function": {"name": "get_time", "parameters": {
        "type": "object", "properties": {"zone": {"type": "string", "maxLength": 12}}, "required": ["zone"]}}}
    whole = client.chat.completions.create(
        model=chat_model, messages=WEATHER_QUESTION, tools=[WEATHER, time_tool],
        tool_choice={"type": "function", "function": {"name": "get_time"}}, parallel_tool_calls=False, max_tokens=64,
        temperature=0)
    chunks = list(client.chat.completions.create(
        model=chat_model, messages=WEATHER_QUESTION, tools=[WEATHER, time_tool],
        tool_choice={"type": "function", "function": {"name": "get_time"}}, parallel_tool_calls=False, max_tokens=64,
        temperature=0, stream=True))
    deltas = [d for c in chunks if c.choices for d in (c.choices[0].delta.tool_calls or [])]
    assert [(d.index, d.id, d.function.name, d.function.arguments) for d in deltas] == [
        (i, t.id, t.function.name, t.function.arguments) for i, t in enumerate(whole.choices[0].message.tool_calls or [])]
    assert deltas and all(d.function.name == "get_time" for d in deltas)
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["tool_calls"]


def test_bad_tools_are_refused(client: openai.OpenAI, chat_model: str) -> None:
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=chat_model, messages=WEATHER_QUESTION, tools=[WEATHER],
                                       tool_choice={"type": "function", "function": {"name": "launch"}})
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=chat_model, messages=WEATHER_QUESTION,
                                       tools=[{"type": "function", "function": {"name": "bad name"}}])
    with pytest.raises(openai.BadRequestError):
        client.completions.create(model=chat_model, prompt="Hi", extra_body={"tools": [WEATHER]})


def test_a_growing_conversation_reuses_the_cache(client: openai.OpenAI, chat_model: str) -> None:
    messages = [{"role": "system", "content": "You answer briefly."}, {"role": "user", "content": "What is a cat?"}]
    first = client.chat.completions.create(model=chat_model, messages=messages, max_tokens=12, temperature=0)
    messages += [{"role": "assistant", "content": first.choices[0].message.content}, {"role": "user", "content": "And a dog?"}]
    second = client.chat.completions.create(model=chat_model, messages=messages, max_tokens=12, temperature=0)
    assert first.usage is not None and second.usage is not None and second.usage.prompt_tokens_details is not None
    cached = second.usage.prompt_tokens_details.cached_tokens or 0
    # Everything up to the new turn came from the slot's cache.
    assert cached >= first.usage.prompt_tokens, (cached, first.usage.prompt_tokens)


def test_errors_are_the_clients_exception_classes(client: openai.OpenAI, chat_model: str) -> None:
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert unknown.value.code == "model_not_found" and chat_model in unknown.value.message
    with pytest.raises(openai.BadRequestError) as several:
        client.chat.completions.create(model=chat_model, messages=QUESTION, n=2)
    assert several.value.param == "n"
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=chat_model, messages=QUESTION, temperature=-1)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=chat_model, messages=QUESTION, max_tokens=10**9)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model=chat_model, messages=QUESTION, response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"if": {}}}}
        )
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=chat_model, messages=[])
    # After every refusal the server still answers.
    assert client.chat.completions.create(model=chat_model, messages=QUESTION, max_tokens=2).choices[0].message.content is not None


def test_a_key_is_required_when_set(chat_model: str, tmp_path: pathlib.Path) -> None:
    with running(tmp_path, "--model", chat_model, "--api-key", "s3cret", "--parallel", "1") as keyed:
        wrong = openai.OpenAI(base_url=keyed.url + "/v1", api_key="guess", max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            wrong.models.list()
        right = openai.OpenAI(base_url=keyed.url + "/v1", api_key="s3cret", max_retries=0)
        assert [m.id for m in right.models.list()] == [chat_model]
