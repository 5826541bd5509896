"""Greedy completion through the installed wheel: greedy.py MODEL PROMPT TOKENS."""
import sys

from inf_wasi import Engine

model, prompt, tokens = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Engine(models={"m": model}, threads=1) as engine:
    print(engine.session("m").complete(prompt, temperature=0, max_tokens=tokens).text, end="")
