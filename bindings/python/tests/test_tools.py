"""Tool calling in Python beyond the shared cases (tests/conformance/cases.json):
the Python shapes of tools, choices and calls, asyncio events, and bad values."""

import asyncio
import json

import pytest

from inf_wasi import AsyncEngine, Engine, InvalidInputError, Message, Tool, ToolCall

TIME = Tool("get_time", "The time in a zone.", {"type": "object", "properties": {"zone": {"enum": ["UTC", "CET"]}},
                                               "required": ["zone"]})
QUESTION = [{"role": "user", "content": "What time is it?"}]
NAMED = {"type": "function", "function": {"name": "get_time"}}


@pytest.fixture(scope="module")
def chat(chat_model: str) -> Engine:
    return Engine({"chat": chat_model}, threads=1, context_size=1024)


def test_openai_shaped_tools_and_choices_work_like_ours(chat: Engine) -> None:
    openai_tool = {"type": "function", "function": {"name": TIME.name, "description": TIME.description,
                                                    "parameters": TIME.parameters}}
    ours = chat.session("chat").chat(QUESTION, tools=[TIME], tool_choice={"function": "get_time"},
                                     parallel_tool_calls=False, temperature=0, max_tokens=48)
    theirs = chat.session("chat").chat(QUESTION, tools=[openai_tool], tool_choice=NAMED,
                                       parallel_tool_calls=False, temperature=0, max_tokens=48)
    assert ours == theirs and ours.finish_reason == "tool-calls"
    (call,) = ours.tool_calls
    assert call.name == "get_time" and call.args()["zone"] in ("UTC", "CET")


def test_a_conversation_with_calls_replays_from_dicts_or_messages(chat: Engine) -> None:
    call = ToolCall("call00001", "get_time", json.dumps({"zone": "UTC"}))
    as_dicts = [*QUESTION, {"role": "assistant", "content": "", "tool_calls": [
        {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": {"zone": "UTC"}}}]},
        {"role": "tool", "tool_call_id": call.id, "content": "12:00"}]
    as_messages = [Message("user", "What time is it?"), Message("assistant", "", (call,)),
                   Message("tool", "12:00", tool_call_id=call.id)]
    assert chat.tokenize_chat("chat", as_dicts) == chat.tokenize_chat("chat", as_messages)
    session = chat.session("chat")
    session.chat(as_messages, temperature=0, max_tokens=4)
    assert session.history[1].tool_calls == (call,) and session.history[2].tool_call_id == call.id


def test_asyncio_streams_text_and_calls(chat_model: str) -> None:
    async def main() -> list:
        async with AsyncEngine({"chat": chat_model}, threads=1, context_size=1024) as engine:
            session = await engine.session("chat")
            stream = session.chat_events(QUESTION, tools=[TIME], tool_choice="required", parallel_tool_calls=False,
                                         temperature=0, max_tokens=48)
            events = [e async for e in stream]
            assert stream.completion is not None and stream.completion.finish_reason == "tool-calls"
            assert [e for e in events if isinstance(e, ToolCall)] == list(stream.completion.tool_calls)
            return events

    assert any(isinstance(e, ToolCall) for e in asyncio.run(main()))


@pytest.mark.parametrize("options", [
    {"tools": TIME},
    {"tools": ["get_time"]},
    {"tools": [{"description": "no name"}]},
    {"tools": [TIME], "tool_choice": "sometimes"},
    {"tools": [TIME], "tool_choice": {"function": 3}},
    {"tools": [TIME], "parallel_tool_calls": "yes"},
    {"tools": [Tool("get time")]},
    {"tools": [Tool("f", parameters="{not json")]},
    {"tool_choice": "required"},
])
def test_bad_tool_options_are_invalid_input_and_the_session_goes_on(chat: Engine, options: dict) -> None:
    session = chat.session("chat")
    with pytest.raises(InvalidInputError):
        session.chat(QUESTION, max_tokens=4, **options)
    assert session.chat(QUESTION, temperature=0, max_tokens=2).usage.completion_tokens == 2
