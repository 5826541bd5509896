"""Structured output against llama.cpp's own converter: the same schemas (as
Pydantic and Zod emit them, tests/fixtures/generated-schemas.json), turned into
grammars by inf-wasi's converter (in the component) and by llama.cpp's
`json_schema_to_grammar` (ci/llama-schema-to-grammar.sh, passed as a GBNF
grammar), sampled on the same seeds with the instruct test model, every answer
checked by the `jsonschema` validator with format checking. Every finished
answer of ours must validate; llama.cpp's results are reported beside them
(target/schema-differential.json), not asserted: its converter accepts some
keywords it does not enforce."""

import json
import os
import pathlib
import subprocess

import jsonschema
import pytest

from inf_wasi import Engine

REPO = pathlib.Path(__file__).resolve().parents[3]
SEEDS = [1, 2]
PROMPT = "Answer with one JSON object for a typical example:\n"


def their_grammar(schema: dict) -> "tuple[str | None, str]":
    """llama.cpp's grammar for `schema` (None when it refuses the schema), and what it said."""
    tool = os.environ.get("INF_WASI_LLAMA_SCHEMA_TOOL") or str(REPO / subprocess.run(
        [str(REPO / "ci" / "llama-schema-to-grammar.sh")], check=True, capture_output=True, text=True, cwd=REPO
    ).stdout.strip().splitlines()[-1])
    out = subprocess.run([tool], input=json.dumps(schema), capture_output=True, text=True)
    return (out.stdout if out.returncode == 0 else None), out.stderr.strip()


def valid(schema: dict, text: str) -> "str | None":
    """None when `text` is JSON that validates, else why not."""
    try:
        value = json.loads(text)
    except ValueError as e:
        return f"not JSON: {e}"
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(value)]
    return "; ".join(errors) or None


@pytest.fixture(scope="module")
def chat_engine(chat_model: str) -> Engine:
    return Engine({"chat": chat_model}, threads=1, context_size=2048)


def test_every_answer_validates_where_llama_cpp_grammars_may_not(chat_engine: Engine) -> None:
    fixture = json.loads((REPO / "tests" / "fixtures" / "generated-schemas.json").read_text())
    report = {}
    for name, schema in fixture["schemas"].items():
        grammar, said = their_grammar(schema)
        rows = []
        for seed in SEEDS:
            options = dict(max_tokens=300, temperature=0.8, seed=seed)
            messages = [{"role": "user", "content": PROMPT + json.dumps(schema)}]
            ours = chat_engine.session("chat").chat(messages, json_schema=schema, **options)
            row = {"seed": seed, "ours": {"finish": ours.finish_reason, "invalid": valid(schema, ours.text), "text": ours.text}}
            if grammar is None:
                row["llama.cpp"] = {"finish": "refused", "invalid": said, "text": ""}
            else:
                theirs = chat_engine.session("chat").chat(messages, grammar=grammar, **options)
                row["llama.cpp"] = {"finish": theirs.finish_reason, "invalid": valid(schema, theirs.text), "text": theirs.text, "warned": said}
            rows.append(row)
        report[name] = rows
        finished = [r["ours"] for r in rows if r["ours"]["finish"] == "stop"]
        assert finished, f"{name}: no answer of ours finished within 300 tokens"
        for r in finished:
            assert r["invalid"] is None, f"{name}: {r['invalid']}\n{r['text']}"
    summary = {
        side: sum(r[side]["finish"] == "stop" and r[side]["invalid"] is None for rows in report.values() for r in rows)
        for side in ["ours", "llama.cpp"]
    }
    out = REPO / "target" / "schema-differential.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"valid": summary, "of": len(SEEDS) * len(report), "schemas": report}, indent=1))
    print(f"valid answers: {summary} of {len(SEEDS) * len(report)} ({out})")
