#!/usr/bin/env python3
"""Generate Tests/Fixtures/blip2/: a tiny random BLIP-2 captioner (transformers
`Blip2ForConditionalGeneration` with an OPT language model, as Salesforce/blip2-opt-2.7b) and what
the Swift captioner must reproduce.

What it makes:

- model/: the tiny captioner as `save_pretrained` writes it: `config.json`, `generation_config.json`,
  sharded safetensors (`model-0000N-of-0000M.safetensors` + `model.safetensors.index.json`, forced
  by a small `max_shard_size` so the index loading path is exercised), the processor
  (`processor_config.json`, `BlipImageProcessorPil` at 224 x 224 bicubic with the CLIP mean/std)
  and the OPT tokenizer (`tokenizer.json` + `tokenizer_config.json`, with the `<image>` token that
  `Blip2Processor` adds). The shapes follow blip2-opt-2.7b scaled down: vision transformer (patch
  conv, class token, pre-norm layers with the fused `qkv` and its q/v biases, post layer norm),
  Q-Former (query tokens, self-attention, cross-attention every second layer, query feed-forward,
  post-norm BERT layers), language projection, OPT decoder (learned positions with offset 2,
  pre-norm, ReLU, final layer norm, lm_head tied to the embedding). Every parameter is drawn from
  a seeded normal (weights 0.1 sigma, layer-norm weights 1 + 0.1 sigma) so no test can pass on
  zeros or ones.
  The tokenizer is a byte-level BPE trained here with `tokenizers` on a few sentences (OPT's
  special tokens `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3 first, then GPT-2's 256 byte symbols,
  then the merges), because no GPT-2/OPT vocabulary is available offline. The generation config's
  eos is the newline token `Ċ`, as blip2-opt-2.7b's is (50118).
- images/: PNG inputs: RGB larger than 224 (downscale, antialiased), RGB smaller (upscale), RGB
  exactly 224 x 224 (no resampling), a non-square RGBA with varying alpha (composited on white),
  a grey image.
- reference.json: per image, the processor's input ids (image tokens + bos + prompt) and, per case
  (image, prompt or none, max_new_tokens, optional eos override), the new ids of greedy
  `generate` (transformers 5 returns the prompt first; only the new ids are kept) and their text
  decoded with special tokens skipped and stripped, as the SemanticDraw authors' app does. The
  smallest top-1/top-2 logit margin seen during each generation is recorded and must exceed
  1e-3, so float32 rounding differences cannot flip a greedy choice.
- outputs.safetensors: per image `pixel_values.N` (the processor's output), `vision.N` (vision
  transformer last hidden state, post layer norm), `qformer.N` (Q-Former last hidden state),
  `projection.N` (language projection), and `logits.N` (the language model's logits for the
  whole prompt "Question: What are in the image? Answer:" with the image embeddings).
- tokenizer-corpus.json: OPT/GPT-2 BPE parity corpus for the same tokenizer: `encode` entries (text,
  ids with the bos the post-processor adds, tokens, the ids decoded with and without special tokens)
  and `decode` entries (id lists, among them invalid UTF-8 and special tokens, decoded both ways).

Pinned versions (asserted at start-up; see Tools/setup-reference-env.sh):
    torch 2.13.0 (+cpu), transformers 5.24.0, tokenizers 0.23.3, safetensors 0.8.0, numpy 2.4.6,
    Pillow 13.0.0 (the resampling the image processor uses)

Run from the repository root (writes Tests/Fixtures/blip2/):
    .venv-reference/bin/python Tools/make_blip2_fixtures.py

The output is deterministic (seeded, one CPU thread): running it twice gives identical files.
"""

import json
import os
import shutil
import warnings

import numpy as np
import PIL
import torch
from PIL import Image
from safetensors.torch import save_file

from reference_pins import check as check_pins, describe

check_pins("torch", "transformers", "tokenizers", "safetensors", "numpy")
assert PIL.__version__ == "13.0.0", "Pillow %s (pinned 13.0.0)" % PIL.__version__

import transformers  # noqa: E402
from tokenizers import Tokenizer, models, pre_tokenizers, trainers  # noqa: E402
from transformers import (Blip2Config, Blip2ForConditionalGeneration, Blip2Processor,  # noqa: E402
                          BlipImageProcessorPil, GPT2Tokenizer)

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
transformers.logging.set_verbosity_error()

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "blip2")
PROMPT = "Question: What are in the image? Answer:"
NUM_QUERY_TOKENS = 8
PERTURB_SEED = int(os.environ.get("BLIP2_SEED", "4"))  # chosen so every greedy margin exceeds 1e-3

TRAINING_SENTENCES = [
    "Question: What are in the image? Answer: a cat on a sofa, two dogs in the park.",
    "a photo of a red apple on a wooden table\n",
    "the quick brown fox jumps over the lazy dog.\n",
    "Question: how many cats are there? Answer: two\n",
    "a painting of a mountain lake at sunset, with trees and a small boat",
    "an astronaut riding a horse on the moon 1969",
]

VISION = dict(hidden_size=40, intermediate_size=72, num_hidden_layers=2, num_attention_heads=4, image_size=224,
              patch_size=16, hidden_act="gelu", layer_norm_eps=1e-6, qkv_bias=True)
QFORMER = dict(hidden_size=32, num_hidden_layers=3, num_attention_heads=4, intermediate_size=48, hidden_act="gelu",
               layer_norm_eps=1e-12, cross_attention_frequency=2, encoder_hidden_size=40)
OPT = dict(hidden_size=48, num_hidden_layers=2, ffn_dim=96, max_position_embeddings=128, num_attention_heads=4,
           do_layer_norm_before=True, word_embed_proj_dim=48, activation_function="relu", enable_bias=True,
           pad_token_id=1, bos_token_id=2, eos_token_id=2, tie_word_embeddings=True)

CORPUS = [
    "", " ", "a", "Question: What are in the image? Answer:", "Hello world", " Hello world", "hello  world",
    "a photo of a cat\n", "line one\nline two\r\n", "tabs\tand   spaces   ", "trailing space ",
    "it's don't I'LL we've they're you'd", "123 4567 89.5 $19.99 3rd", "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e",
    "\u732b\u306e\u5199\u771f", "\u041a\u043e\u0448\u043a\u0430 \u043d\u0430 \u043a\u0440\u044b\u0448\u0435",
    "a cat \U0001f431 and a family \U0001f468\u200d\U0001f469\u200d\U0001f467", "</s>", "a</s>b <pad> <unk>x",
    "<image><image> what", "<s> not special", "(masterpiece:1.2), [blurry], {a|b}", "!!!???...", "   leading",
    "the quick brown fox jumps over the lazy dog", "supercalifragilisticexpialidocious",
    "\u00a0nbsp\u3000ideographic\u2028sep", "mixedCASE Words", "x" * 100,
    "a , b . c ! d ? e n't f 's g 'm h do not i 've 're",
]

# Id sequences decoded both ways: special tokens among text, lone bytes of a multi-byte character
# (invalid UTF-8, replaced by U+FFFD), the image token.
DECODE_CASES = [[68, 2, 69, 410, 1], [131], [131, 68, 255], [410, 410, 2, 224, 90], [0, 3, 202, 224]]


def build_tokenizer(folder):
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=420, special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(TRAINING_SENTENCES, trainer)
    model = json.loads(tokenizer.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model["merges"]]
    gpt2 = GPT2Tokenizer(vocab=model["vocab"], merges=merges, bos_token="</s>", eos_token="</s>",
                         pad_token="<pad>", unk_token="<unk>", add_bos_token=True)
    return gpt2


def perturb(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in sorted(model.named_parameters()):
            noise = torch.randn(parameter.shape, generator=generator, dtype=torch.float32)
            if "layer_norm" in name.lower() or "layernorm" in name.lower():
                parameter.copy_((1.0 + 0.1 * noise) if name.endswith("weight") else 0.1 * noise)
            elif name.startswith("language_projection") or name == "query_tokens":
                parameter.copy_(0.5 * noise)  # so that the image, not the prompt alone, steers the ids
            else:
                parameter.copy_(0.1 * noise)


def make_images(folder):
    os.makedirs(folder)
    rng = np.random.RandomState(7)

    def smooth(height, width, channels):
        y, x = np.mgrid[0:height, 0:width].astype(np.float64)
        base = np.stack([127 + 120 * np.sin(x / (7 + 3 * c) + y / (11 + 2 * c) + c) for c in range(channels)], -1)
        return np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)

    images = {}
    images["rgb-large.png"] = Image.fromarray(smooth(300, 417, 3), "RGB")
    images["rgb-small.png"] = Image.fromarray(smooth(100, 161, 3), "RGB")
    images["rgb-224.png"] = Image.fromarray(smooth(224, 224, 3), "RGB")
    rgba = smooth(260, 250, 4)
    rgba[..., 3] = np.clip(np.linspace(0, 300, 250)[None, :] + rng.normal(0, 10, (260, 250)), 0, 255).astype(np.uint8)
    rgba[:20, :, 3] = 0
    images["rgba.png"] = Image.fromarray(rgba, "RGBA")
    images["grey.png"] = Image.fromarray(smooth(301, 97, 1)[..., 0], "L")
    names = sorted(images)
    for name in names:
        images[name].save(os.path.join(folder, name))
    return names


def greedy(model, inputs, max_new_tokens, eos_token_id):
    """transformers' greedy generate; returns the new ids and the smallest top-1/top-2 margin."""
    kwargs = dict(max_new_tokens=max_new_tokens, do_sample=False, num_beams=1, output_scores=True,
                  return_dict_in_generate=True)
    if eos_token_id is not None:
        kwargs["eos_token_id"] = eos_token_id
    result = model.generate(**inputs, **kwargs)
    prompt_length = inputs["input_ids"].shape[1]
    sequence = result.sequences[0]
    assert torch.equal(sequence[:prompt_length], inputs["input_ids"][0]), "generate must return the prompt first"
    new_ids = sequence[prompt_length:].tolist()
    margins = []
    for scores in result.scores:
        top = torch.topk(scores[0], 2).values
        margins.append(float(top[0] - top[1]))
    return new_ids, min(margins)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    model_folder = os.path.join(OUT, "model")

    tokenizer = build_tokenizer(model_folder)
    image_processor = BlipImageProcessorPil(size={"height": 224, "width": 224})
    processor = Blip2Processor(image_processor=image_processor, tokenizer=tokenizer, num_query_tokens=NUM_QUERY_TOKENS)
    image_token_id = processor.tokenizer.convert_tokens_to_ids("<image>")
    newline_id = processor.tokenizer.convert_tokens_to_ids("\u010a")
    vocab_size = len(processor.tokenizer)

    config = Blip2Config(vision_config=VISION, qformer_config=QFORMER, text_config=dict(OPT, vocab_size=vocab_size),
                         num_query_tokens=NUM_QUERY_TOKENS, image_token_index=image_token_id)
    torch.manual_seed(0)
    model = Blip2ForConditionalGeneration(config).eval()
    perturb(model, PERTURB_SEED)
    model.generation_config.eos_token_id = newline_id
    model.generation_config.pad_token_id = 1
    model.generation_config.bos_token_id = 2
    model.save_pretrained(model_folder, max_shard_size="200KB")
    processor.save_pretrained(model_folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Blip2ForConditionalGeneration.from_pretrained(model_folder).eval()
        processor = Blip2Processor.from_pretrained(model_folder)
    assert type(processor.image_processor).__name__ == "BlipImageProcessorPil", type(processor.image_processor)
    assert os.path.exists(os.path.join(model_folder, "model.safetensors.index.json")), "expected sharded weights"

    names = make_images(os.path.join(OUT, "images"))
    tensors = {}
    entries = []
    cases = []
    with torch.no_grad():
        for index, name in enumerate(names):
            image = Image.open(os.path.join(OUT, "images", name))
            inputs = processor(images=image, text=PROMPT, return_tensors="pt")
            pixel_values = inputs["pixel_values"]
            vision = model.vision_model(pixel_values, return_dict=True).last_hidden_state
            query_tokens = model.query_tokens.expand(1, -1, -1)
            qformer = model.qformer(query_embeds=query_tokens, encoder_hidden_states=vision,
                                    encoder_attention_mask=torch.ones(vision.shape[:-1], dtype=torch.long),
                                    return_dict=True).last_hidden_state
            projection = model.language_projection(qformer)
            logits = model(**inputs).logits
            tensors["pixel_values.%d" % index] = pixel_values.contiguous()
            tensors["vision.%d" % index] = vision.contiguous()
            tensors["qformer.%d" % index] = qformer.contiguous()
            tensors["projection.%d" % index] = projection.contiguous()
            tensors["logits.%d" % index] = logits.contiguous()
            entries.append({"image": name, "index": index, "input_ids": inputs["input_ids"][0].tolist()})

        plans = [(0, PROMPT, 12, None), (1, PROMPT, 12, None), (2, None, 10, None), (3, "a photo of", 9, None),
                 (4, PROMPT, 15, None)]
        for index, prompt, max_new_tokens, _ in plans:
            image = Image.open(os.path.join(OUT, "images", names[index]))
            inputs = processor(images=image, text=prompt, return_tensors="pt") if prompt is not None else \
                processor(images=image, return_tensors="pt")
            if prompt is None:
                # No text: generate builds image tokens + bos itself; the processor gives no input_ids.
                inputs = {"pixel_values": inputs["pixel_values"]}
                input_ids = [image_token_id] * NUM_QUERY_TOKENS + [2]
                inputs["input_ids"] = torch.tensor([input_ids])
            new_ids, margin = greedy(model, inputs, max_new_tokens, None)
            cases.append((index, prompt, max_new_tokens, None, inputs, new_ids, margin))
        # An eos override equal to the 4th new id of the first case: generation must stop there.
        first = cases[0]
        stop_id = first[5][3]
        new_ids, margin = greedy(model, first[4], 12, stop_id)
        assert new_ids == first[5][:first[5].index(stop_id) + 1], (new_ids, first[5])
        cases.append((first[0], first[1], 12, stop_id, first[4], new_ids, margin))

    generations = []
    for index, prompt, max_new_tokens, eos, inputs, new_ids, margin in cases:
        assert margin > 1e-3, "greedy margin %g too small for image %d" % (margin, index)
        generations.append({
            "image": names[index], "prompt": prompt, "max_new_tokens": max_new_tokens, "eos_token_id": eos,
            "input_ids": inputs["input_ids"][0].tolist(), "new_ids": new_ids,
            "text": processor.tokenizer.decode(new_ids, skip_special_tokens=True).strip(),
            "minimum_margin": round(margin, 6),
        })

    corpus = []
    plain = processor.tokenizer
    for text in CORPUS:
        ids = plain(text).input_ids
        corpus.append({"text": text, "ids": ids, "tokens": plain.convert_ids_to_tokens(ids),
                       "decoded": plain.decode(ids, skip_special_tokens=True),
                       "decoded_with_special": plain.decode(ids, skip_special_tokens=False)})

    decoded = [{"ids": ids, "decoded": plain.decode(ids, skip_special_tokens=True),
                "decoded_with_special": plain.decode(ids, skip_special_tokens=False)} for ids in DECODE_CASES]
    corpus = {"encode": corpus, "decode": decoded}

    save_file(tensors, os.path.join(OUT, "outputs.safetensors"))
    reference = {
        "versions": describe("torch", "transformers", "tokenizers", "safetensors", "numpy") + ", Pillow " + PIL.__version__,
        "prompt": PROMPT, "image_token_id": image_token_id, "num_query_tokens": NUM_QUERY_TOKENS,
        "eos_token_id": newline_id, "images": entries, "generations": generations,
    }
    with open(os.path.join(OUT, "reference.json"), "w", encoding="utf-8", newline="\n") as handle:
        json.dump(reference, handle, ensure_ascii=True, indent=1)
        handle.write("\n")
    with open(os.path.join(OUT, "tokenizer-corpus.json"), "w", encoding="utf-8", newline="\n") as handle:
        json.dump(corpus, handle, ensure_ascii=True, indent=1)
        handle.write("\n")
    print("wrote %s: %d images, %d generations, %d corpus entries" % (OUT, len(names), len(generations), len(corpus)))
    for generation in generations:
        print(generation["image"], generation["prompt"], generation["new_ids"], repr(generation["text"]),
              generation["minimum_margin"])


if __name__ == "__main__":
    main()
