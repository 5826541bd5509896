import os

from inf_wasi import Engine, Image

# A vision model's GGUF, its multimodal projector (mmproj GGUF), and a picture.
model, projector, picture = (os.environ[k] for k in ("INF_WASI_MODEL", "INF_WASI_PROJECTOR", "INF_WASI_IMAGE"))

with Engine(models={"vision": {"path": model, "projector": projector}}) as engine:
    session = engine.session("vision")
    question = {"role": "user", "content": ["What is in this picture?", Image(picture)]}
    for piece in session.chat_stream([question], max_tokens=32):
        print(piece, end="", flush=True)
    print("\nvision:", engine.model_info("vision").vision)
