#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Fuzz/Corpus/<target>/): small valid inputs of each
parser, so libFuzzer starts from the formats' structure. Python standard library only; run from
the repository root: python3 Tools/make_fuzz_seeds.py. Deterministic (no randomness)."""
import base64
import json
import os
import struct
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(data)


def safetensors(tensors, metadata=None):
    """tensors: name -> (dtype, shape, raw bytes); laid out back to back as the format does."""
    header, payload, offset = {}, b"", 0
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in sorted(tensors.items()):
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        payload += raw
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + payload


def safetensors_header(path):
    with open(path, "rb") as handle:
        length = struct.unpack("<Q", handle.read(8))[0]
        return json.loads(handle.read(length))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, color_type, rows, bit_depth=8, extra=()):
    """rows: the filtered scanlines' bytes (filter byte 0 added here)."""
    raw = b"".join(b"\x00" + row for row in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    body = chunk(b"IHDR", ihdr)
    for kind, data in extra:
        body += chunk(kind, data)
    body += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def grey_mask(width, height, inside):
    return png(width, height, 0, [bytes(255 if inside(x, y) else 0 for x in range(width)) for y in range(height)])


def main():
    # safetensors: every dtype the reader converts, metadata, an empty tensor, unaligned data.
    write("safetensors", "f32", safetensors({"weight": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4))}))
    write("safetensors", "mixed", safetensors({
        "a": ("F16", [3], struct.pack("<3e", 0.5, -1, 2)),
        "b": ("BF16", [1, 2], b"\x80\x3f\x00\x40"),
        "c": ("F64", [1], struct.pack("<d", 3.25)),
        "d": ("I64", [2], struct.pack("<2q", 7, -7)),
        "e": ("I32", [1], struct.pack("<i", 5)),
        "f": ("U8", [3], b"\x01\x02\x03"),
        "g": ("F32", [0, 4], b""),
    }, metadata={"format": "pt"}))
    write("safetensors", "unaligned", safetensors({"x": ("U8", [1], b"\x09"), "y": ("F32", [2], struct.pack("<2f", 1.5, 2.5))}))

    # PNG: grey, RGB, RGBA, grey + alpha, palette with transparency, 16-bit, 1-bit, text chunks.
    write("png", "grey", grey_mask(4, 3, lambda x, y: x > 1))
    write("png", "rgb", png(2, 2, 2, [bytes([255, 0, 0, 0, 255, 0]), bytes([0, 0, 255, 9, 9, 9])]))
    write("png", "rgba", png(2, 1, 6, [bytes([1, 2, 3, 0, 4, 5, 6, 255])]))
    write("png", "grey-alpha", png(2, 1, 4, [bytes([10, 0, 20, 255])]))
    write("png", "palette", png(2, 2, 3, [bytes([0, 1]), bytes([1, 0])],
                                extra=[(b"PLTE", bytes([255, 0, 0, 0, 0, 255])), (b"tRNS", bytes([128]))]))
    write("png", "sixteen-bit", png(1, 2, 0, [b"\x12\x34", b"\xff\xff"], bit_depth=16, extra=[(b"gAMA", struct.pack(">I", 45455))]))
    write("png", "one-bit", png(9, 1, 0, [bytes([0b10101010, 0b10000000])], bit_depth=1))
    write("png", "text", png(1, 1, 0, [b"\x80"], extra=[
        (b"tEXt", b"semantic-draw\x00{\"version\": 3}"),
        (b"zTXt", b"parameters\x00\x00" + zlib.compress(b"a cat\nSteps: 4")),
        (b"iTXt", "Comment\x00\x00\x00en\x00\x00caf\u00e9".encode("utf-8")),
        (b"iTXt", b"Packed\x00\x01\x00\x00\x00" + zlib.compress("\u00fcber".encode("utf-8"))),
    ]))

    # JPEG encoding: [width byte, height byte, channels selector, quality + 20, samples...].
    write("jpeg", "grey", bytes([7, 7, 0, 110]) + bytes(range(64)))
    write("jpeg", "rgb", bytes([15, 9, 1, 60]) + bytes(range(0, 256, 3)))
    write("jpeg", "rgba", bytes([2, 30, 2, 120, 255, 0, 0, 128]))

    # Palettes: the example (file masks), embedded masks, version 3 fields, a brush without a mask.
    with open(os.path.join(ROOT, "Tests", "Fixtures", "palette", "example.json"), "rb") as handle:
        write("palette", "example", handle.read())
    mask = "data:image/png;base64," + base64.b64encode(grey_mask(8, 8, lambda x, y: x < 4)).decode()
    write("palette", "embedded", json.dumps({
        "version": 3, "width": 16, "height": 16, "seed": 1, "model": "tiny-random", "accelerator": "lcm",
        "schedule": {"scheduler": "lcm", "slots": [0, 25]}, "background": {"prompt": "a field", "image": {"data": mask}},
        "brushes": [{"name": "A", "color": "#112233", "prompt": "a cat", "mask": {"data": mask}, "mask_blur": 2},
                    {"name": "B", "color": "#445566", "prompt": "a dog", "negative_prompt": "blur", "prompt_strength": 0.5}],
    }))
    write("palette", "text-to-image", json.dumps({"version": 3, "width": 16, "height": 8, "model": "tiny-random",
                                                  "brushes": [{"name": "A", "color": "#000000", "prompt": "a cat"}]}))
    write("palette", "ddim", json.dumps({"version": 2, "width": 8, "height": 8, "model": "tiny-random",
                                         "schedule": {"scheduler": "ddim", "steps": 3}, "guidance": 7.5,
                                         "brushes": [{"name": "A", "color": "#000000", "prompt": "x", "mask": {"file": "masks/sky.png"}}]}))

    # LoRA key sets: the keys of the committed LoRA fixtures, each layout once.
    lora = os.path.join(ROOT, "Tests", "Fixtures", "lora")
    for layout in ("kohya-ldm", "kohya-diffusers", "peft", "peft-metadata", "diffusers-old"):
        header = safetensors_header(os.path.join(lora, layout, "lora.safetensors"))
        lines = []
        if "lora_adapter_metadata" in header.get("__metadata__", {}):
            lines.append(header["__metadata__"]["lora_adapter_metadata"].replace("\n", " "))
        lines += sorted(key for key in header if key != "__metadata__")[:64]
        write("lora-keys", layout, "\n".join(lines))

    # Single-file detection: the SD1 fixture's names and shapes, and its UNet alone.
    header = safetensors_header(os.path.join(ROOT, "Tests", "Fixtures", "single-file", "sd1.safetensors"))
    lines = [f"{key} {','.join(str(d) for d in value['shape'])}" for key, value in sorted(header.items()) if key != "__metadata__"]
    write("single-file", "sd1", "\n".join(lines))
    write("single-file", "sd1-unet", "\n".join(line for line in lines if line.startswith("model.diffusion_model.")))
    write("single-file", "sdxl", "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight 49408,768\n"
          "conditioner.embedders.1.model.token_embedding.weight 49408,1280\nmodel.diffusion_model.input_blocks.0.0.weight 320,4,3,3\n"
          "model.diffusion_model.label_emb.0.0.weight 1280,2816")

    # WebSocket messages, one per line, as a session sends them.
    messages = [
        {"type": "brush", "id": "b1", "prompt": "a cat", "negative_prompt": "dog", "prompt_strength": 0.8, "mask_alpha": 1,
         "mask_blur": 4, "name": "Cat", "color": "#FFAA00"},
        {"type": "mask", "id": "b1", "mask": mask},
        {"type": "brush", "id": "b2", "prompt": "a dog"},
        {"type": "order", "ids": ["b2", "b1"]},
        {"type": "background", "prompt": "a meadow", "image": mask},
        {"type": "seed", "seed": 42},
        {"type": "remove_brush", "id": "b2"},
        {"type": "play"}, {"type": "pause"}, {"type": "save"},
    ]
    write("client-message", "session", "\n".join(json.dumps(message) for message in messages))
    palette = json.loads(open(os.path.join(CORPUS, "palette", "embedded")).read())
    write("client-message", "palette", json.dumps({"type": "palette", "palette": palette}))
    write("client-message", "errors", '{"type":"seed","seed":true}\n{"type":"brush","id":"bad id!"}\nnot json\n[1]')

    # HTTP paths.
    for index, path in enumerate(["/", "/index.html", "/app.js", "/api/info", "/api/history",
                                  "/api/history/20260101-000000-abcdef12.png", "/../Package.swift",
                                  "/api/history/..%2F..%2Fetc%2Fpasswd.png", "/%2e%2e/index.html?x=1#y"]):
        write("http-path", f"path-{index}", path)


if __name__ == "__main__":
    main()
