#!/usr/bin/env python3
"""Generate Tests/Fixtures/blip2-slow-tokenizer/: the tiny BLIP-2 fixture's OPT tokenizer
(Tests/Fixtures/blip2/model/tokenizer.json, made by Tools/make_blip2_fixtures.py) as the "slow"
files older OPT and BLIP-2 snapshots ship instead of tokenizer.json, and what transformers 5.24
reads from them.

What it makes:

- vocab.json and merges.txt: the BPE model of tokenizer.json (`model.vocab`, `model.merges`,
  merges as "left right" lines after a `#version: 0.2` header, as GPT-2's merges.txt);
- tokenizer_config.json in the layout transformers 4.x saved for Salesforce/blip2-opt-2.7b:
  `add_bos_token: true` (OPT's `</s>` first), bos/eos `</s>`, pad `<pad>`, unk `<unk>`, and
  `added_tokens_decoder` with `<pad>` 1, `</s>` 2, `<unk>` 3 and `<image>` (the id after
  vocab.json's last, which vocab.json does not hold);
- legacy/: the same tables in the older layout (transformers < 4.34): tokenizer_config.json without
  `added_tokens_decoder`, special_tokens_map.json naming the special tokens, and added_tokens.json
  (`{"<image>": id}`; transformers makes an added token special only when a special token names it,
  so `<image>` is a plain added token here and stays in decoded text);
- reference.json (and legacy/reference.json): `AutoTokenizer.from_pretrained` of that folder (transformers 5.24 builds a
  `GPT2Tokenizer` from the slow files): its class, `len(tokenizer)`, and for every text of
  Tests/Fixtures/blip2/tokenizer-corpus.json the ids, tokens and decoded text (both ways), and
  the corpus's decode cases; plus whether every one equals the tokenizer.json result (it must).

Pinned versions (asserted at start-up; see Tools/setup-reference-env.sh):
    transformers 5.24.0, tokenizers 0.23.3

Run from the repository root: .venv-reference/bin/python Tools/make_blip2_slow_tokenizer_fixture.py
The output is deterministic.
"""

import json
import os
import shutil

from reference_pins import check as check_pins, describe

check_pins("transformers", "tokenizers")

import transformers  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

transformers.logging.set_verbosity_error()

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "Tests", "Fixtures", "blip2")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "blip2-slow-tokenizer")


def write_json(path, value):
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(value, handle, ensure_ascii=True, indent=1)
        handle.write("\n")


def record(folder, corpus, fast):
    """What transformers reads from `folder`, and whether the ids equal tokenizer.json's."""
    slow = AutoTokenizer.from_pretrained(folder)
    assert not os.path.exists(os.path.join(folder, "tokenizer.json"))
    encode, same_ids = [], True
    for entry in corpus["encode"]:
        text = entry["text"]
        ids = slow(text).input_ids
        encode.append({"text": text, "ids": ids, "tokens": slow.convert_ids_to_tokens(ids),
                       "decoded": slow.decode(ids, skip_special_tokens=True),
                       "decoded_with_special": slow.decode(ids, skip_special_tokens=False)})
        same_ids = same_ids and ids == fast(text).input_ids == entry["ids"]
    decode = [{"ids": entry["ids"], "decoded": slow.decode(entry["ids"], skip_special_tokens=True),
               "decoded_with_special": slow.decode(entry["ids"], skip_special_tokens=False)} for entry in corpus["decode"]]
    write_json(os.path.join(folder, "reference.json"), {
        "versions": describe("transformers", "tokenizers"), "class": type(slow).__name__, "length": len(slow),
        "image_token_id": slow.convert_tokens_to_ids("<image>"), "same_ids_as_tokenizer_json": same_ids,
        "encode": encode, "decode": decode,
    })
    print("wrote %s: %s, %d tokens, %d texts, %d decode cases, same ids as tokenizer.json: %s"
          % (folder, type(slow).__name__, len(slow), len(encode), len(decode), same_ids))
    return same_ids


def write_tables(folder, model):
    write_json(os.path.join(folder, "vocab.json"), model["vocab"])
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8", newline="\n") as handle:
        handle.write("#version: 0.2\n")
        for merge in model["merges"]:
            handle.write((" ".join(merge) if isinstance(merge, list) else merge) + "\n")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "legacy"))
    with open(os.path.join(SOURCE, "model", "tokenizer.json"), encoding="utf-8") as handle:
        fast = json.load(handle)
    model = fast["model"]
    assert model["type"] == "BPE" and not model.get("end_of_word_suffix") and not model.get("continuing_subword_prefix")
    write_tables(OUT, model)
    write_tables(os.path.join(OUT, "legacy"), model)
    image_id = len(model["vocab"])
    added = {str(token["id"]): {"content": token["content"], "lstrip": False, "normalized": True, "rstrip": False,
                                "single_word": False, "special": True}
             for token in fast["added_tokens"]}
    assert added[str(image_id)]["content"] == "<image>", "the <image> token follows vocab.json's ids"
    write_json(os.path.join(OUT, "tokenizer_config.json"), {
        "add_bos_token": True, "add_prefix_space": False, "added_tokens_decoder": added, "bos_token": "</s>",
        "clean_up_tokenization_spaces": False, "eos_token": "</s>", "errors": "replace", "pad_token": "<pad>",
        "processor_class": "Blip2Processor", "tokenizer_class": "GPT2Tokenizer", "unk_token": "<unk>",
    })

    legacy = os.path.join(OUT, "legacy")
    write_json(os.path.join(legacy, "tokenizer_config.json"), {
        "add_bos_token": True, "add_prefix_space": False, "errors": "replace", "tokenizer_class": "GPT2Tokenizer",
    })
    write_json(os.path.join(legacy, "special_tokens_map.json"),
               {"bos_token": "</s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"})
    write_json(os.path.join(legacy, "added_tokens.json"), {"<image>": image_id})

    fast = AutoTokenizer.from_pretrained(os.path.join(SOURCE, "model"))
    with open(os.path.join(SOURCE, "tokenizer-corpus.json"), encoding="utf-8") as handle:
        corpus = json.load(handle)
    assert record(OUT, corpus, fast), "the slow files must give tokenizer.json's ids"
    assert record(legacy, corpus, fast), "the legacy files must give tokenizer.json's ids"


if __name__ == "__main__":
    main()
