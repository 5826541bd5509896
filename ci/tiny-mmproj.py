#!/usr/bin/env python3
"""Writes a tiny random-weight Gemma 3 vision projector ("mmproj") GGUF.

    python3 ci/tiny-mmproj.py OUT.gguf [N_EMBD_TEXT]

The image tests need an mmproj that llama.cpp's multimodal library (mtmd,
clip.cpp) loads next to the Gemma 3 270M text model, but no real Gemma 3
mmproj is small enough to fetch in CI (the SigLIP tower is ~800 MB), and the
270M model has none. This script makes one from nothing, in a few hundred
milliseconds, with the Python standard library only (like template-model.py):
a seeded PRNG fills every tensor, so the file is byte-for-byte the same on
every run. The weights mean nothing; the output is noise that has the right
shape, which is all a test of the plumbing (bitmap -> chunks -> encode ->
decode) needs.

What it makes, as clip.cpp reads it (projector type "gemma3", the
clip_graph_siglip graph):
  - image_size 32, patch_size 4: any input image is letterboxed (bilinear,
    black padding) to 32x32, cut into 8x8 = 64 patches;
  - a SigLIP-style ViT of one pre-norm block, width 128, 2 heads of 64
    (64 so that every backend's flash attention takes it), FFN 256 with GELU,
    learned position embeddings, post-LayerNorm;
  - the Gemma 3 projector: 4x4 average pooling (clip.vision.projector.
    scale_factor, the "n_merge" of clip.cpp) -> 2x2 = 4 tokens, RMS norm
    times mm.soft_emb_norm.weight, then mm.input_projection.weight up to
    N_EMBD_TEXT (default 640, gemma3.embedding_length of Gemma 3 270M;
    mtmd refuses an mmproj whose output width differs from the text model's).
So every image costs exactly 4 embedding tokens, wrapped by mtmd in
<start_of_image> ... <end_of_image>.

Metadata types matter: clip.cpp reads each key with gguf_get_val_<type>,
which aborts the process on a type mismatch, so every integer here is UINT32,
eps is FLOAT32, the flags BOOL, mean/std FLOAT32 arrays. Tensors are F32; the
shapes below are numpy order (GGUF/ggml stores them reversed, ne[0] last).
"""

import random
import struct
import sys

N_EMBD_TEXT = 640   # gemma3.embedding_length of gemma-3-270m
IMAGE_SIZE = 32     # clip.vision.image_size: inputs are resized to this square
PATCH_SIZE = 4      # clip.vision.patch_size
N_MERGE = 4         # clip.vision.projector.scale_factor: avg-pool kernel per side
N_EMBD = 128        # ViT width
N_HEAD = 2          # head dim 64
N_FF = 256          # must differ from N_EMBD (clip.cpp swaps up/down otherwise)
N_LAYER = 1
EPS = 1e-6
SEED = 20250101

N_PATCHES = (IMAGE_SIZE // PATCH_SIZE) ** 2
N_IMAGE_TOKENS = N_PATCHES // (N_MERGE * N_MERGE)

# GGUF value types
U32, F32, BOOL, STRING, ARRAY = 4, 6, 7, 8, 9
GGML_TYPE_F32 = 0
ALIGNMENT = 32


def metadata(n_embd_text):
    return [
        ("general.architecture", STRING, "clip"),
        ("general.name", STRING, "inf-wasi tiny gemma3 mmproj (random weights)"),
        ("general.description", STRING, "test fixture made by ci/tiny-mmproj.py; not a real model"),
        ("general.file_type", U32, 0),  # all F32
        ("clip.has_vision_encoder", BOOL, True),
        ("clip.has_audio_encoder", BOOL, False),
        ("clip.projector_type", STRING, "gemma3"),
        ("clip.use_gelu", BOOL, True),  # as the real Gemma 3 mmproj (gelu_pytorch_tanh)
        ("clip.vision.image_size", U32, IMAGE_SIZE),
        ("clip.vision.patch_size", U32, PATCH_SIZE),
        ("clip.vision.embedding_length", U32, N_EMBD),
        ("clip.vision.feed_forward_length", U32, N_FF),
        ("clip.vision.block_count", U32, N_LAYER),
        ("clip.vision.projection_dim", U32, n_embd_text),
        ("clip.vision.attention.head_count", U32, N_HEAD),
        ("clip.vision.attention.layer_norm_epsilon", F32, EPS),
        ("clip.vision.image_mean", (ARRAY, F32), [0.5, 0.5, 0.5]),
        ("clip.vision.image_std", (ARRAY, F32), [0.5, 0.5, 0.5]),
        ("clip.vision.projector.scale_factor", U32, N_MERGE),
    ]


def tensors(n_embd_text):
    """(name, numpy-order shape, init) with init one of: ('w', fan_in), ('one',), ('small',)."""
    t = [
        ("v.patch_embd.weight", (N_EMBD, 3, PATCH_SIZE, PATCH_SIZE), ("w", 3 * PATCH_SIZE * PATCH_SIZE)),
        ("v.patch_embd.bias", (N_EMBD,), ("small",)),
        ("v.position_embd.weight", (N_PATCHES, N_EMBD), ("small",)),
    ]
    for il in range(N_LAYER):
        p = f"v.blk.{il}."
        t += [
            (p + "ln1.weight", (N_EMBD,), ("one",)),
            (p + "ln1.bias", (N_EMBD,), ("small",)),
        ]
        for name in ("attn_q", "attn_k", "attn_v", "attn_out"):
            t += [
                (p + name + ".weight", (N_EMBD, N_EMBD), ("w", N_EMBD)),
                (p + name + ".bias", (N_EMBD,), ("small",)),
            ]
        t += [
            (p + "ln2.weight", (N_EMBD,), ("one",)),
            (p + "ln2.bias", (N_EMBD,), ("small",)),
            (p + "ffn_up.weight", (N_FF, N_EMBD), ("w", N_EMBD)),
            (p + "ffn_up.bias", (N_FF,), ("small",)),
            (p + "ffn_down.weight", (N_EMBD, N_FF), ("w", N_FF)),
            (p + "ffn_down.bias", (N_EMBD,), ("small",)),
        ]
    t += [
        ("v.post_ln.weight", (N_EMBD,), ("one",)),
        ("v.post_ln.bias", (N_EMBD,), ("small",)),
        ("mm.soft_emb_norm.weight", (N_EMBD,), ("one",)),
        # x @ W, as in HF Gemma3MultiModalProjector: ggml ne = [n_embd_text, N_EMBD]
        ("mm.input_projection.weight", (N_EMBD, n_embd_text), ("w", N_EMBD)),
    ]
    return t


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def encode_value(vtype, value):
    if vtype == STRING:
        return gguf_string(value)
    if vtype == U32:
        return struct.pack("<I", value)
    if vtype == F32:
        return struct.pack("<f", value)
    if vtype == BOOL:
        return struct.pack("<?", value)
    raise ValueError(vtype)


def fill(rng, count, init):
    # Uniform with the variance of the usual init; uniform is much faster than gauss.
    if init[0] == "w":
        a = (3.0 / init[1]) ** 0.5  # var = 1/fan_in
        return [rng.uniform(-a, a) for _ in range(count)]
    if init[0] == "one":
        return [1.0 + rng.uniform(-0.1, 0.1) for _ in range(count)]
    return [rng.uniform(-0.02, 0.02) for _ in range(count)]


def write(path, n_embd_text=N_EMBD_TEXT):
    rng = random.Random(SEED)
    kvs = metadata(n_embd_text)
    specs = tensors(n_embd_text)

    header = bytearray(b"GGUF")
    header += struct.pack("<IQQ", 3, len(specs), len(kvs))
    for key, vtype, value in kvs:
        header += gguf_string(key)
        if isinstance(vtype, tuple):
            _, item = vtype
            header += struct.pack("<IIQ", ARRAY, item, len(value))
            for v in value:
                header += encode_value(item, v)
        else:
            header += struct.pack("<I", vtype) + encode_value(vtype, value)

    blobs = []
    offset = 0
    for name, shape, init in specs:
        count = 1
        for d in shape:
            count *= d
        data = struct.pack(f"<{count}f", *fill(rng, count, init))
        header += gguf_string(name)
        header += struct.pack("<I", len(shape))
        header += struct.pack(f"<{len(shape)}Q", *reversed(shape))  # ggml ne order
        header += struct.pack("<IQ", GGML_TYPE_F32, offset)
        pad = -len(data) % ALIGNMENT
        blobs.append(data + b"\0" * pad)
        offset += len(data) + pad

    header += b"\0" * (-len(header) % ALIGNMENT)
    with open(path, "wb") as f:
        f.write(header)
        for blob in blobs:
            f.write(blob)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__.split("\n\n")[1])
    write(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else N_EMBD_TEXT)
