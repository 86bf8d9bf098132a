#!/usr/bin/env python3
"""Check an exported tiny-random model against diffusers/transformers (see docs/TINY_RANDOM.md).

    semantic-draw export tiny-random /tmp/tiny-random
    .venv-reference/bin/python Tools/check_tiny_random.py /tmp/tiny-random \
        --work /tmp/tiny-random-check --semantic-draw .build/debug/semantic-draw

What it checks, failing (exit 1) on any mismatch:
1. loading: `StableDiffusionPipeline.from_pretrained(DIR)` and `AutoencoderTiny.from_pretrained
   (DIR/taesd)` load with no missing or unexpected keys, and the pipeline runs 2 LCM steps;
2. the weight stream: every weights file equals the weights regenerated here from `torch.rand`
   (one generator per network, seeded 0 text_encoder, 1 unet, 2 vae, 3 taesd; parameters in
   sorted key order; matrices (2u-1)/sqrt(fan_in), norm scales 1+0.1(2u-1), biases 0.05(2u-1));
3. the tokenizer: transformers' CLIPTokenizer gives the ids `semantic-draw tokenize` gives, for
   prompts in many scripts, and never the unknown token for a byte;
4. the networks: text encoder, UNet (one step), VAE encode/decode and TAESD encode/decode on
   fixed inputs, PyTorch against `semantic-draw forward` on the same inputs (max abs error).

Without --semantic-draw only 1-3 (minus the Swift side of 3) run, and the PyTorch outputs are
written to WORK/<component>-python.safetensors next to the inputs.

Pinned versions (asserted): torch 2.13.0 (+cpu), diffusers 0.42.1, transformers 5.24.0.
"""

import argparse
import json
import math
import os
import subprocess
import sys

import torch
from diffusers import AutoencoderKL, AutoencoderTiny, StableDiffusionPipeline, UNet2DConditionModel
from safetensors.torch import load_file, save_file
from transformers import CLIPTextModel, CLIPTokenizer

from reference_pins import check as check_pins  # noqa: E402

SEEDS = {"text_encoder": 0, "unet": 1, "vae": 2, "taesd": 3}
WEIGHT_FILES = {"text_encoder": "model.safetensors", "unet": "diffusion_pytorch_model.safetensors",
                "vae": "diffusion_pytorch_model.safetensors", "taesd": "diffusion_pytorch_model.safetensors"}
PROMPTS = [
    "a photograph of an astronaut riding a horse",
    "Hello, wörld! Ünïcödé ÀÉÎ ß",
    "猫が好き 🐱🐶 中文 한국어 العربية עברית हिन्दी ไทย",
    "tabs\tand\nnewlines, control \u0001 \u007f chars, emoji 👩‍👩‍👧 and combining e\u0301",
    "<|startoftext|> typed special tokens <|endoftext|> stay single",
]
# Tolerances for float32 CPU implementations of the same networks.
TOLERANCE = 1e-4
failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


def check_versions():
    check_pins("torch", "diffusers", "transformers")


def regenerate(path, seed):
    """The weights of `path`'s keys and shapes, drawn as TinyRandomWeights draws them."""
    stored = load_file(path)
    generator = torch.Generator().manual_seed(seed)
    expected = {}
    for key in sorted(stored):
        shape = stored[key].shape
        signed = torch.rand(shape, generator=generator, dtype=torch.float32) * 2 - 1
        if len(shape) >= 2:
            fan_in = math.prod(shape[1:])
            expected[key] = signed * (1 / math.sqrt(fan_in))
        elif key.endswith(".weight"):
            expected[key] = 1 + signed * 0.1
        else:
            expected[key] = signed * 0.05
    return stored, expected


def max_abs(a, b):
    assert a.shape == b.shape, "shape %r vs %r" % (tuple(a.shape), tuple(b.shape))
    return (a.double() - b.double()).abs().max().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="the folder written by `semantic-draw export tiny-random`")
    parser.add_argument("--work", default="/tmp/tiny-random-check", help="folder for inputs and outputs")
    parser.add_argument("--semantic-draw", dest="binary", help="the semantic-draw executable to compare with")
    arguments = parser.parse_args()
    check_versions()
    torch.set_num_threads(1)
    model, work = arguments.model, arguments.work
    os.makedirs(work, exist_ok=True)

    # 1. Loading, strictly.
    text_encoder, info = CLIPTextModel.from_pretrained(os.path.join(model, "text_encoder"), output_loading_info=True)
    check(not info["missing_keys"] and not info["unexpected_keys"], "text_encoder loads with no missing/unexpected keys %r" % info)
    networks = {"text_encoder": text_encoder}
    for name, cls in [("unet", UNet2DConditionModel), ("vae", AutoencoderKL), ("taesd", AutoencoderTiny)]:
        network, info = cls.from_pretrained(os.path.join(model, name), output_loading_info=True)
        check(not info["missing_keys"] and not info["unexpected_keys"], "%s loads with no missing/unexpected keys %r" % (name, info))
        networks[name] = network.eval()
    pipeline = StableDiffusionPipeline.from_pretrained(model)
    check(type(pipeline.scheduler).__name__ == "LCMScheduler", "pipeline scheduler is LCMScheduler")
    image = pipeline("a cat", num_inference_steps=2, guidance_scale=1.0, height=64, width=64, output_type="np",
                     generator=torch.Generator().manual_seed(0)).images
    check(image.shape == (1, 64, 64, 3), "StableDiffusionPipeline runs 2 LCM steps at 64x64 -> %r" % (image.shape,))

    # 2. The weight stream.
    for name, seed in SEEDS.items():
        stored, expected = regenerate(os.path.join(model, name, WEIGHT_FILES[name]), seed)
        worst = max(max_abs(stored[key], expected[key]) for key in stored)
        state = {k for k in networks[name].state_dict() if not k.endswith("position_ids")}
        check(set(stored) == state, "%s: file keys == PyTorch state_dict keys (%d)" % (name, len(stored)))
        check(worst == 0, "%s: weights == torch.rand stream (seed %d, sorted keys), max abs %g" % (name, seed, worst))

    # 3. The tokenizer.
    tokenizer = CLIPTokenizer.from_pretrained(os.path.join(model, "tokenizer"))
    check(len(tokenizer) == 514, "tokenizer has 514 tokens")
    for prompt in PROMPTS:
        ids = tokenizer(prompt, truncation=True, max_length=77).input_ids
        inner = ids[1:-1]
        check(tokenizer.unk_token_id not in inner or "<|endoftext|>" in prompt, "no unknown token in %r" % prompt)
        if arguments.binary:
            swift = json.loads(subprocess.run([arguments.binary, "tokenize", "--model", model, "--json", prompt],
                                              check=True, capture_output=True, text=True).stdout)["ids"]
            check(swift == ids, "semantic-draw tokenize == transformers for %r (%d ids)" % (prompt, len(ids)))

    # 4. The networks on fixed inputs.
    generator = torch.Generator().manual_seed(1234)
    input_ids = torch.tensor(tokenizer(PROMPTS[:2], padding="max_length", max_length=77, truncation=True).input_ids)
    with torch.no_grad():
        encoded = text_encoder(input_ids=input_ids)
    context = encoded.last_hidden_state.detach()
    images = torch.rand([1, 3, 64, 64], generator=generator) * 2 - 1
    latents = torch.randn([2, 4, 8, 8], generator=generator)
    cases = {
        "text-encoder": ({"input_ids": input_ids}, None),
        "unet": ({"sample": latents, "timestep": torch.tensor([999.0, 259.0]), "encoder_hidden_states": context}, "unet"),
        "vae-encode": ({"images": images}, "vae"),
        "vae-decode": ({"latents": latents[:1]}, "vae"),
        "taesd-encode": ({"images": images}, "taesd"),
        "taesd-decode": ({"latents": latents[:1]}, "taesd"),
    }
    with torch.no_grad():
        for component, (inputs, network) in cases.items():
            if component == "text-encoder":
                outputs = {"last_hidden_state": encoded.last_hidden_state, "pooler_output": encoded.pooler_output}
            elif component == "unet":
                outputs = {"sample": networks["unet"](inputs["sample"], inputs["timestep"], inputs["encoder_hidden_states"]).sample}
            elif component == "vae-encode":
                outputs = {"latent_dist_mean": networks["vae"].encode(images).latent_dist.mean}
            elif component == "vae-decode":
                outputs = {"sample": networks["vae"].decode(inputs["latents"]).sample}
            elif component == "taesd-encode":
                outputs = {"latents": networks["taesd"].encode(images).latents}
            else:
                outputs = {"sample": networks["taesd"].decode(inputs["latents"]).sample}
            input_path = os.path.join(work, component + "-inputs.safetensors")
            python_path = os.path.join(work, component + "-python.safetensors")
            save_file({k: v.contiguous() for k, v in inputs.items()}, input_path)
            save_file({k: v.contiguous() for k, v in outputs.items()}, python_path)
            if not arguments.binary:
                continue
            swift_path = os.path.join(work, component + "-swift.safetensors")
            folder = os.path.join(model, "taesd") if network == "taesd" else model
            subprocess.run([arguments.binary, "forward", component, "--model", folder, "--input", input_path,
                            "--output", swift_path], check=True, capture_output=True)
            swift = load_file(swift_path)
            for key, value in outputs.items():
                error = max_abs(swift[key], value)
                scale = value.abs().max().item()
                check(error <= TOLERANCE * max(1.0, scale),
                      "%s %s %s: max abs error %.3g (max |value| %.3g)" % (component, key, tuple(value.shape), error, scale))

    print("\n%d failure(s)" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
