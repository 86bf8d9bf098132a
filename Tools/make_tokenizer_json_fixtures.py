#!/usr/bin/env python3
"""Generate Tests/Fixtures/clip-tokenizer-json/: CLIP tokenizer folders as transformers 5 saves
them (`tokenizer.json` + `tokenizer_config.json`, no vocab.json / merges.txt), and the ids the
Swift `CLIPTokenizer` must reproduce when it reads them.

What it does:
  1. loads transformers' `CLIPTokenizer.from_pretrained("Tests/Fixtures/clip-tokenizer")` (the
     slow-file fixture: OpenAI's CLIP tables) and `save_pretrained`s it twice, into a pipeline-like
     folder: `tokenizer/` as SD1.5 (pad `<|endoftext|>`) and `tokenizer_2/` as SDXL's second
     tokenizer (`pad_token="!"`). transformers 5.24.0 writes only tokenizer.json and
     tokenizer_config.json.
  2. rewrites each tokenizer.json without indentation, to keep the fixture small (1.7 MB instead
     of 3.6 MB): `tokenizer/` with tokenizers' own compact writer (`Tokenizer.save(pretty=False)`,
     merges as ["left", "right"] pairs, the tokenizers >= 0.20 form); `tokenizer_2/` with merges
     as "left right" strings, the form older tokenizers versions wrote (and still read).
  3. loads each saved folder back with `CLIPTokenizer.from_pretrained` and records, for a list of
     prompts (truncation to 77, padding with the pad token, unicode, long words, typed special
     tokens, runs of `!`), the padded ids, their tokens and the unpadded count; it asserts that the
     ids equal those of the slow-file fixture loaded with the same pad token.

Pinned versions (asserted at start-up; .venv-reference/ from Tools/setup-reference-env.sh):
    transformers 5.24.0, tokenizers 0.23.3

Run from the repository root:
    .venv-reference/bin/python Tools/make_tokenizer_json_fixtures.py

The output is deterministic: running it twice gives byte-identical files.
"""

import json
import os
import shutil
import tempfile
import warnings

import tokenizers
import transformers
from transformers import CLIPTokenizer

from reference_pins import check as check_pins  # noqa: E402

MAX_LENGTH = 77
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLOW_FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "clip-tokenizer")
OUTPUT = os.path.join(ROOT, "Tests", "Fixtures", "clip-tokenizer-json")

# (subfolder, pad token, merge form of the written tokenizer.json)
FOLDERS = [
    ("tokenizer", None, "pairs"),
    ("tokenizer_2", "!", "strings"),
]

PROMPTS = [
    "a photo of a cat",
    "A photograph of an astronaut riding a horse",
    "",
    "!",
    "wow!!! hello! world!!",
    "what?! really!?",
    "<|startoftext|>x<|endoftext|>",
    "<|STARTOFTEXT|>x<|ENDOFTEXT|>",
    "a<|endoftext|>b !<|endoftext|>!",
    "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, cafe\u0301",
    "\u732b\u306e\u5199\u771f \u4e00\u53ea\u53ef\u7231\u7684\u732b\u54aa",
    "\u041a\u043e\u0448\u043a\u0430 \u043d\u0430 \u043a\u0440\u044b\u0448\u0435 \u0130stanbul",
    "a cat \U0001f431 and a family \U0001f468\u200d\U0001f469\u200d\U0001f467",
    "tab\tseparated\nnew line\u00a0nbsp\u3000ideographic",
    "it's don't I'LL we've they're",
    "(masterpiece:1.2), [blurry], {a|b}, <lora:detail:0.7>",
    "1920x1080 $19.99 3.14159 2nd",
    "pneumonoultramicroscopicsilicovolcanoconiosis supercalifragilisticexpialidocious",
    "a" * 300,
    "\U0001f431" * 60,
    ", ".join(["cat!"] * 50),
    "masterpiece, best quality, ultra detailed, 8k, photorealistic, a beautiful young woman with long flowing red "
    "hair standing in a field of sunflowers at golden hour, wearing a white summer dress, soft natural lighting, "
    "shallow depth of field, bokeh, film grain, shot on kodak portra 400, 85mm lens, f/1.8, award winning photograph",
    " ".join(str(i) for i in range(100)),
]


def load(folder, pad_token=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if pad_token is None:
            return CLIPTokenizer.from_pretrained(folder)
        return CLIPTokenizer.from_pretrained(folder, pad_token=pad_token)


def rewrite_compact(path, merge_form):
    if merge_form == "pairs":
        tokenizers.Tokenizer.from_file(path).save(path, pretty=False)
        with open(path, encoding="utf-8") as handle:
            merges = json.load(handle)["model"]["merges"]
        assert all(isinstance(merge, list) and len(merge) == 2 for merge in merges), "expected [left, right] merges"
        return
    with open(path, encoding="utf-8") as handle:
        content = json.load(handle)
    merges = content["model"]["merges"]
    assert all(" " not in left and " " not in right for left, right in merges)
    content["model"]["merges"] = [left + " " + right for left, right in merges]
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(content, handle, ensure_ascii=False, separators=(",", ":"))


def cases(tokenizer, slow):
    result = []
    for text in PROMPTS:
        padded = tokenizer(text, truncation=True, max_length=MAX_LENGTH, padding="max_length").input_ids
        unpadded = tokenizer(text, truncation=True, max_length=MAX_LENGTH).input_ids
        expected = slow(text, truncation=True, max_length=MAX_LENGTH, padding="max_length").input_ids
        assert padded == expected, "tokenizer.json and slow files differ on %r" % text
        result.append({
            "text": text,
            "ids": padded,
            "tokens": tokenizer.convert_ids_to_tokens(padded),
            "count": len(unpadded),
            "untruncated_length": len(tokenizer(text).input_ids),
        })
    return result


def dumps_compact(value):
    return json.dumps(value, ensure_ascii=True, separators=(", ", ": "))


def main():
    check_pins("transformers", "tokenizers")
    transformers.logging.set_verbosity_error()  # the over-length warnings are expected
    os.makedirs(OUTPUT, exist_ok=True)
    entries = []
    scratch = tempfile.mkdtemp(prefix="clip-tokenizer-json-")
    try:
        for subfolder, pad_token, merge_form in FOLDERS:
            target = os.path.join(OUTPUT, subfolder)
            shutil.rmtree(target, ignore_errors=True)
            saved = os.path.join(scratch, subfolder)
            load(SLOW_FIXTURE, pad_token).save_pretrained(saved)
            assert sorted(os.listdir(saved)) == ["tokenizer.json", "tokenizer_config.json"], sorted(os.listdir(saved))
            os.makedirs(target)
            for name in ["tokenizer.json", "tokenizer_config.json"]:
                shutil.copy(os.path.join(saved, name), target)
            rewrite_compact(os.path.join(target, "tokenizer.json"), merge_form)
            tokenizer = load(target)
            slow = load(SLOW_FIXTURE, pad_token)
            entries.append({
                "subfolder": subfolder,
                "merge_form": merge_form,
                "pad_token_id": tokenizer.pad_token_id,
                "model_max_length": tokenizer.model_max_length,
                "cases": cases(tokenizer, slow),
            })
    finally:
        shutil.rmtree(scratch)
    lines = ["{"]
    lines.append('  "generator": %s,' % json.dumps(
        "Tools/make_tokenizer_json_fixtures.py: transformers CLIPTokenizer.from_pretrained(<subfolder>); "
        "ids with start/end tokens, truncation=True, max_length=77, padding=max_length"))
    lines.append('  "versions": %s,' % dumps_compact({"transformers": transformers.__version__, "tokenizers": tokenizers.__version__}))
    lines.append('  "folders": [')
    for index, entry in enumerate(entries):
        head = {key: value for key, value in entry.items() if key != "cases"}
        body = dumps_compact(head)[:-1] + ', "cases": [\n'
        body += ",\n".join("      " + dumps_compact(case) for case in entry["cases"])
        body += "\n    ]}" + ("," if index + 1 < len(entries) else "")
        lines.append("    " + body)
    lines.append("  ]")
    lines.append("}")
    path = os.path.join(OUTPUT, "reference.json")
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines) + "\n")
    with open(path, encoding="utf-8") as handle:
        assert json.load(handle)["folders"] == entries, "reference.json does not read back identically"
    print("wrote %s: %d folders, %d prompts each" % (os.path.relpath(OUTPUT, ROOT), len(entries), len(PROMPTS)))


if __name__ == "__main__":
    main()
