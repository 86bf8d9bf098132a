#!/usr/bin/env python3
"""Reference fixture for prompt encoding (Tests/Fixtures/prompt-encoder/).

A tiny CLIPTextModel with the real CLIP vocabulary size (49408 tokens, hidden size 8, so the
fixture stays small; weights stored as an fp16 variant) is placed in a StableDiffusionPipeline
together with the real CLIP tokenizer tables (Tests/Fixtures/clip-tokenizer), the tiny UNet and
VAE fixtures, and an LCM scheduler; `pipe.encode_prompt(...)` with classifier-free guidance
gives the conditional and unconditional embeddings the Swift PromptEncoder must reproduce.
Only `text_encoder/` and `reference.safetensors` are written; the Swift test assembles the
pipeline folder from this and the tokenizer fixture.

Pinned versions (asserted): torch 2.13.0 (+cpu), diffusers 0.42.1, transformers 5.24.0.
Run from the repository root:
    .venv-reference/bin/python Tools/make_prompt_fixtures.py
Deterministic: seeded weights, float32 reference computed from the fp16-rounded weights.
"""

import json
import os
import shutil
import tempfile

import torch
from diffusers import AutoencoderKL, LCMScheduler, StableDiffusionPipeline, UNet2DConditionModel
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

from reference_pins import check as check_pins  # noqa: E402

check_pins("torch", "diffusers", "transformers")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures")
OUT = os.path.join(ROOT, "prompt-encoder")

PROMPTS = [
    "a photo of a cat sitting on a red sofa, soft light",
    "Ein Fuchs im Schnee — 雪の中の狐 🦊!!",
    " ".join(["a very long prompt about mountains and rivers"] * 12),  # more than 77 tokens
]
NEGATIVES = ["blurry, low quality", "", "text, watermark"]


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    config = CLIPTextConfig(vocab_size=49408, hidden_size=8, intermediate_size=16, num_hidden_layers=2,
                            num_attention_heads=2, max_position_embeddings=77, hidden_act="quick_gelu",
                            eos_token_id=2, bos_token_id=0, pad_token_id=1, projection_dim=8,
                            attn_implementation="eager")
    encoder = CLIPTextModel(config).eval()
    with torch.no_grad():
        for name, parameter in encoder.named_parameters():
            if parameter.ndim == 1:
                parameter.add_(0.1 * torch.randn_like(parameter))
            else:
                parameter.add_(torch.randn_like(parameter) / parameter.shape[-1] ** 0.5)
        # Reference computed from the fp16-rounded weights that the fixture stores.
        for parameter in encoder.parameters():
            parameter.copy_(parameter.half().float())

    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    encoder.half().save_pretrained(os.path.join(OUT, "text_encoder"), safe_serialization=True, variant="fp16")
    encoder.float()
    for extra in ("generation_config.json",):
        path = os.path.join(OUT, "text_encoder", extra)
        if os.path.exists(path):
            os.remove(path)

    with tempfile.TemporaryDirectory() as scratch:
        tokenizer_folder = os.path.join(scratch, "tokenizer")
        shutil.copytree(os.path.join(ROOT, "clip-tokenizer"), tokenizer_folder,
                        ignore=shutil.ignore_patterns("reference.json", "README.md"))
        tokenizer = CLIPTokenizer.from_pretrained(tokenizer_folder)
        pipe = StableDiffusionPipeline(
            vae=AutoencoderKL.from_pretrained(os.path.join(ROOT, "vae")),
            text_encoder=CLIPTextModel.from_pretrained(os.path.join(OUT, "text_encoder"), variant="fp16",
                                                       torch_dtype=torch.float32, attn_implementation="eager"),
            tokenizer=tokenizer,
            unet=UNet2DConditionModel.from_pretrained(os.path.join(ROOT, "unet-sd1")),
            scheduler=LCMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear"),
            safety_checker=None, feature_extractor=None, requires_safety_checker=False,
        )
        with torch.no_grad():
            conditional, unconditional = pipe.encode_prompt(
                PROMPTS, device="cpu", num_images_per_prompt=1, do_classifier_free_guidance=True,
                negative_prompt=NEGATIVES)
            ids = tokenizer(PROMPTS + NEGATIVES, padding="max_length", max_length=77, truncation=True,
                            return_tensors="pt").input_ids
    save_file({"conditional": conditional.contiguous(), "unconditional": unconditional.contiguous(),
               "input_ids": ids.to(torch.int64).contiguous()},
              os.path.join(OUT, "reference.safetensors"),
              metadata={"prompts": json.dumps(PROMPTS, ensure_ascii=False),
                        "negative_prompts": json.dumps(NEGATIVES, ensure_ascii=False)})
    print("prompt-encoder: conditional", tuple(conditional.shape), "std %.3f" % conditional.std().item(),
          "unconditional std %.3f" % unconditional.std().item())


if __name__ == "__main__":
    main()
