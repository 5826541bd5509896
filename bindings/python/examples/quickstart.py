import os

from inf_wasi import Engine, InfWasiError

model = os.environ.get("INF_WASI_MODEL", os.path.expanduser("~/.cache/inf-wasi/models/gemma-3-270m-q4_k_m.gguf"))

with Engine(models={"gemma": model}) as engine:
    session = engine.session("gemma")
    for piece in session.stream("Why is the sky blue?", max_tokens=32):
        print(piece, end="", flush=True)
    print()

    reply = session.chat([{"role": "user", "content": "Name three colours."}], temperature=0, max_tokens=24)
    print(reply.text, reply.finish_reason, reply.usage.completion_tokens)

    schema = {"type": "object", "properties": {"colour": {"type": "string", "maxLength": 20}}, "required": ["colour"]}
    print(session.complete("My favourite colour, as JSON:", temperature=0, json_schema=schema).text)

    print(len(engine.embed("gemma", "a sentence to embed")[0]), "dimensions")
    try:
        engine.session("no-such-model")
    except InfWasiError as e:
        print(e.code, e)
