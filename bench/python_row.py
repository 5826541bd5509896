"""A benchmark child for the Python rows, measured at the same boundaries as
the Rust rows (bench/src/): prints one JSON sample on stdout.

    python python_row.py inf-wasi | llama-cpp-python

Settings come from the driver's environment: INF_WASI_MODEL, BENCH_PROMPT,
BENCH_THREADS, BENCH_GEN_TOKENS, BENCH_CONTEXT, and the sampling setting:
BENCH_TEMPERATURE, BENCH_SEED, BENCH_JSON_SCHEMA (absent: the package's default).
"""

import json
import os
import resource
import statistics
import sys
import time

MODEL = os.environ["INF_WASI_MODEL"]
PROMPT = os.environ["BENCH_PROMPT"]
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
GEN = int(os.environ.get("BENCH_GEN_TOKENS", "64"))
CONTEXT = int(os.environ.get("BENCH_CONTEXT", "2048"))
SAMPLING: dict = {}
if "BENCH_TEMPERATURE" in os.environ:
    SAMPLING["temperature"] = float(os.environ["BENCH_TEMPERATURE"])
if "BENCH_SEED" in os.environ:
    SAMPLING["seed"] = int(os.environ["BENCH_SEED"])
if "BENCH_JSON_SCHEMA" in os.environ:
    SAMPLING["json_schema"] = os.environ["BENCH_JSON_SCHEMA"]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def inf_wasi_row() -> dict:
    from inf_wasi import Engine

    engine = Engine(models={"m": MODEL}, threads=THREADS, context_size=CONTEXT)
    engine.model_info("m")  # load the weights before timing, as every row does
    engine.session("m").close()
    session_ms = []
    for _ in range(10):
        t = time.perf_counter()
        s = engine.session("m")
        session_ms.append((time.perf_counter() - t) * 1e3)
        s.close()
    session = engine.session("m")
    start = time.perf_counter()
    stream = session.stream(PROMPT, max_tokens=GEN, **SAMPLING)  # evaluates the prompt
    prompt_done = time.perf_counter() - start
    first = None
    for _piece in stream:
        if first is None:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    c = stream.completion
    assert c is not None
    n = c.usage.completion_tokens
    return dict(prompt_tokens=c.usage.prompt_tokens, generated=n, pp=c.usage.prompt_tokens / prompt_done,
                tg=(n - 1) / (total - first), ttft_ms=first * 1e3, session_ms=statistics.median(session_ms))


def llama_cpp_python_row() -> dict:
    from llama_cpp import Llama

    llm = Llama(model_path=MODEL, n_ctx=CONTEXT, n_threads=THREADS, n_threads_batch=THREADS, n_batch=512,
                verbose=False)
    tokens = llm.tokenize(PROMPT.encode(), add_bos=True, special=True)
    # Prompt processing alone, through the library's own eval.
    llm.reset()
    t = time.perf_counter()
    llm.eval(tokens)
    prompt_done = time.perf_counter() - t
    llm.reset()
    start = time.perf_counter()
    first, n = None, 0
    for chunk in llm.create_completion(PROMPT, max_tokens=GEN, temperature=0.0, stream=True):
        if chunk["choices"][0]["finish_reason"] is not None:
            continue  # the closing chunk carries no token
        n += 1
        if first is None:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    return dict(prompt_tokens=len(tokens), generated=n, pp=len(tokens) / prompt_done,
                tg=(n - 1) / (total - first), ttft_ms=first * 1e3, session_ms=None)  # no sessions: one context per Llama


if __name__ == "__main__":
    row = {"inf-wasi": inf_wasi_row, "llama-cpp-python": llama_cpp_python_row}[sys.argv[1]]()
    row["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(row))
