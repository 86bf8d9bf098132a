#!/usr/bin/env python3
"""Checks that tools which read PNG metadata without decoding the image see what `semantic-draw`
writes, and records it (Tests/Fixtures/png-metadata).

    swift build --product semantic-draw
    .venv-reference/bin/python Tools/check_png_metadata.py --semantic-draw .build/debug/semantic-draw

For each case in CASES it runs the CLI on the built-in tiny-random model, then opens the PNG with
Pillow (`Image.open(path).info`, which reads the chunks before the image data and nothing after,
as galleries and image sites do) and requires:
- `info` has the A1111 `parameters` text and, for `generate`, the `semantic-draw` palette (for
  `panorama`, `semantic-draw-panorama`), without `load()`;
- `parameters` splits as AUTOMATIC1111's `parse_generation_parameters` splits it (its regular
  expression and rules, restated below): the prompt, the negative prompt, and the settings line
  with Steps, Sampler, CFG scale, Seed, Size and Model, every value recovered (JSON-quoted ones
  unquoted);
- the palette JSON in `info` parses;
- as a control, the same file with its text chunks moved after IDAT (where they used to be)
  shows Pillow neither chunk.
It writes `<case>.png` (the checked image), `cases.json` (each case's command line) and
`pillow.json` (per case: the `info` keys Pillow saw, in order, and the parsed parameters).
Tests/SemanticDrawCLITests/PNGMetadataTests.swift reruns the commands and requires the same text
chunks, in the same order and before IDAT, as in these files, so Pillow's verdict still applies.

Pinned versions: the reference environment's Pillow (Tools/setup-reference-env.sh).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile

import PIL
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "png-metadata")
GENERATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "generate")

CASES = {
    "regions": (["generate", "--model", "tiny-random", "--mask-std", "2",
                 "--prompt", "a red apple", "--mask", "disc.png", "--prompt-strength", "0.8",
                 "--prompt", "blue sky, clouds: high", "--negative-prompt", "birds", "--mask", "half.png",
                 "--background-prompt", "a wooden table", "--guidance", "2", "--seed", "3"], "semantic-draw"),
    "text_to_image": (["generate", "--model", "tiny-random", "--prompt", "a café at night", "--negative-prompt", "blurry",
                       "--width", "64", "--height", "48", "--seed", "4"], "semantic-draw"),
    "panorama": (["panorama", "--model", "tiny-random", "--prompt", "a mountain range", "--width", "128", "--height", "64",
                  "--seed", "5"], "semantic-draw-panorama"),
}
MASKS = ("disc.png", "half.png")

# AUTOMATIC1111 stable-diffusion-webui, modules/infotext_utils.py (parse_generation_parameters).
RE_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')


def parse_generation_parameters(text):
    """A1111's split of a `parameters` text: prompt lines until "Negative prompt:", negative lines,
    and the last line's `Key: value` pairs when it has at least three."""
    result = {}
    prompt, negative, done_with_prompt = "", "", False
    *lines, lastline = text.strip().split("\n")
    if len(RE_PARAM.findall(lastline)) < 3:
        lines.append(lastline)
        lastline = ""
    for line in lines:
        line = line.strip()
        if line.startswith("Negative prompt:"):
            done_with_prompt = True
            line = line[16:].strip()
        if done_with_prompt:
            negative += ("" if negative == "" else "\n") + line
        else:
            prompt += ("" if prompt == "" else "\n") + line
    for key, value in RE_PARAM.findall(lastline):
        if value and value[0] == '"' and value[-1] == '"':
            value = json.loads(value)
        result[key] = value
    result["Prompt"] = prompt
    result["Negative prompt"] = negative
    return result


def chunks(data):
    """(type, whole chunk bytes) of a PNG stream after the signature."""
    offset, result = 8, []
    while offset < len(data):
        length = int.from_bytes(data[offset:offset + 4], "big")
        result.append((data[offset + 4:offset + 8].decode("ascii"), data[offset:offset + 12 + length]))
        offset += 12 + length
    return result


def info_with_text_after_image_data(path):
    """Pillow's `info` for the same PNG with its text chunks moved after IDAT (where semantic-draw
    wrote them before): the control that shows why the order matters."""
    with open(path, "rb") as handle:
        data = handle.read()
    parts = chunks(data)
    text = [whole for kind, whole in parts if kind in ("tEXt", "iTXt", "zTXt")]
    rest = [whole for kind, whole in parts if kind not in ("tEXt", "iTXt", "zTXt")]
    moved = data[:8] + b"".join(rest[:-1]) + b"".join(text) + rest[-1]
    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        handle.write(moved)
        handle.flush()
        with Image.open(handle.name) as image:
            return dict(image.info)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--semantic-draw", required=True, help="the built semantic-draw executable")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    for mask in MASKS:
        shutil.copyfile(os.path.join(GENERATE, mask), os.path.join(OUT, mask))
    report, commands = {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, (command, palette_key) in CASES.items():
            resolved = [os.path.join(OUT, part) if part in MASKS else part for part in command]
            output = os.path.join(scratch, name + ".png")
            subprocess.run([args.semantic_draw] + resolved + ["--output", output], check=True, capture_output=True)
            with Image.open(output) as image:   # no load(): only the chunks before the image data
                info = dict(image.info)
            keys = [key for key in info if isinstance(info[key], str)]
            assert "parameters" in info and palette_key in info, (name, sorted(info))
            parsed = parse_generation_parameters(info["parameters"])
            for key in ("Steps", "Sampler", "CFG scale", "Seed", "Size", "Model"):
                assert key in parsed, (name, key, info["parameters"])
            json.loads(info[palette_key])
            late = info_with_text_after_image_data(output)
            assert "parameters" not in late and palette_key not in late, (name, "Pillow read text after IDAT", sorted(late))
            shutil.copyfile(output, os.path.join(OUT, name + ".png"))
            commands[name] = command
            report[name] = dict(info_keys=keys, parameters=info["parameters"], parsed=parsed)
            print("%s: Pillow %s sees %s without loading; A1111 parse: %s" % (name, PIL.__version__, keys, parsed))
    with open(os.path.join(OUT, "cases.json"), "w") as handle:
        json.dump(commands, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    with open(os.path.join(OUT, "pillow.json"), "w") as handle:
        json.dump(dict(pillow=PIL.__version__, cases=report), handle, indent=2, ensure_ascii=False)
        handle.write("\n")


if __name__ == "__main__":
    main()
