import os

from inf_wasi import Audio, Engine

# A speech model's GGUF, its audio projector (mmproj GGUF), and a recording (WAV, FLAC or MP3).
model, projector, recording = (os.environ[k] for k in ("INF_WASI_MODEL", "INF_WASI_PROJECTOR", "INF_WASI_AUDIO"))

with Engine(models={"speech": {"path": model, "projector": projector}}) as engine:
    session = engine.session("speech")
    question = {"role": "user", "content": ["What is said in this recording?", Audio(recording)]}
    for piece in session.chat_stream([question], max_tokens=32):
        print(piece, end="", flush=True)
    print("\naudio:", engine.model_info("speech").audio)
