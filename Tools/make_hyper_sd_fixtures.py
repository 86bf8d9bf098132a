#!/usr/bin/env python3
"""Reference images for `semantic-draw generate --accelerator hyper-sd` (Tests/Fixtures/hyper-sd).

    swift build --product semantic-draw
    .venv-reference/bin/python Tools/make_hyper_sd_fixtures.py --semantic-draw .build/debug/semantic-draw

Modelled on Tools/make_generate_fixtures.py. The Hyper-SD SD1.5 preset (ByteDance/Hyper-SD model
card; docs/REFERENCE_PIPELINE.md R14): the step-count LoRA fused with diffusers
(`pipe.load_lora_weights(file)`, `pipe.fuse_lora()`, scale 1), 1 step with
`TCDScheduler.from_config(model scheduler config)` (eta 1.0 unless `--eta`), 2/4/8 steps with
`DDIMScheduler.from_config(model scheduler config, timestep_spacing="trailing")` (eta 0),
guidance 0 (no unconditional pass), the other settings as the LCM defaults of the reference.

The real Hyper-SD files are SD1.5-sized; here two tiny random UNet-only LoRAs for the tiny-random
UNet (`semantic-draw export tiny-random`) stand in for them, one per key layout the Swift loader
reads (the real files' layout was not available to check):

    hyper-sd15-kohya.safetensors  kohya: lora_unet_<diffusers module path, dots -> _>.lora_down.weight /
                                  .lora_up.weight / .alpha (F16, rank 4, alpha 2, one module 6)
    hyper-sd15-peft.safetensors   diffusers/PEFT: unet.<module path>.lora_A.weight / .lora_B.weight
                                  (F32, rank 4, no metadata: scale 1)

(written with Tools/make_lora_fixtures.py's helpers). Before use, every weight diffusers fused is
checked against W + (alpha / rank) * up @ down, and each case's image must move visibly away from
the same case without the LoRA. The reference's scheduler helpers are checked against diffusers'
own `step` (`check_scheduler_splits`) first.

For each case in CASES: the pinned reference (Tools/reference_semantic_draw.py `generate`) runs on
the fused tiny-random pipeline with the mask PNGs written here, text prompts through
transformers' CLIPTokenizer and noise from `torch.Generator().manual_seed(seed)`, and the image is
saved as `<case>.png` (uint8, round to nearest). `cases.json` holds each case's full
`semantic-draw generate` options (paths relative to the fixture folder);
Tests/SemanticDrawCLITests/HyperSDReproductionTests.swift runs the CLI with them and compares
pixels (at most 1 level of 255).

Pinned versions (asserted at import): torch 2.13.0, diffusers 0.42.1, transformers 5.24.0,
safetensors 0.8.0, numpy 2.4.6, peft 0.21.2. Deterministic: a rerun is byte-identical.
"""

import argparse
import os
import shlex
import sys
import tempfile

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_lora_fixtures as lora_tools  # noqa: E402  (pins checked, 1 thread, deterministic algorithms)
import fixture_support  # noqa: E402
import generate_fixture_support as fixtures  # noqa: E402
import reference_semantic_draw as ref  # noqa: E402

from diffusers import StableDiffusionPipeline  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "hyper-sd")
MAXIMUM_FIXTURE_BYTES = 400_000
MINIMUM_LORA_EFFECT = 16      # levels of 255: the LoRA must change each case's image at least this much
MINIMUM_MASK_MARGIN = 1e-5    # every blurred * alpha mask value this far from every threshold b_t
SENSITIVITY_SCALE = 0.9       # the LoRA fused at this scale must move each image by more than 1 level

# UNet modules of tiny-random (semantic-draw export tiny-random) given LoRAs: attention
# projections (self and cross), feed-forward, the 1x1-conv transformer projections and one
# resnet time projection; down, mid and up blocks.
TARGETS = [
    "down_blocks.0.attentions.0.proj_in",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_k",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_v",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_q",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k",
    "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj",
    "down_blocks.1.resnets.0.time_emb_proj",
    "mid_block.attentions.0.transformer_blocks.0.attn1.to_v",
    "mid_block.attentions.0.transformer_blocks.0.attn2.to_out.0",
    "mid_block.attentions.0.transformer_blocks.0.ff.net.2",
    "mid_block.attentions.0.proj_out",
    "up_blocks.1.attentions.1.transformer_blocks.0.attn1.to_out.0",
    "up_blocks.1.attentions.1.transformer_blocks.0.attn2.to_v",
    "up_blocks.1.attentions.1.transformer_blocks.0.ff.net.2",
]
RANK = 4
KOHYA_ALPHA = 2.0
# A per-module alpha: on a resnet time projection, where diffusers 0.42.1 applies it. (On
# `...attn1.to_q` diffusers applied the common alpha instead, 0.5 rather than 1.5 - measured while
# writing this script; kohya's rule, which the Swift loader follows, is the per-module alpha.)
KOHYA_ODD_MODULE = "down_blocks.1.resnets.0.time_emb_proj"
KOHYA_ODD_ALPHA = 6.0

LORAS = {
    "kohya": dict(file="hyper-sd15-kohya.safetensors", seed=71,
                  description="kohya layout: `lora_unet_<diffusers module path with underscores>.lora_down.weight` "
                              "/ `.lora_up.weight` / `.alpha`, stored as F16 (alpha too); rank %d, alpha %g (multiplier "
                              "%g), except alpha %g on `%s` (multiplier %g); UNet only." % (
                                  RANK, KOHYA_ALPHA, KOHYA_ALPHA / RANK, KOHYA_ODD_ALPHA,
                                  lora_tools.underscored(KOHYA_ODD_MODULE), KOHYA_ODD_ALPHA / RANK)),
    "peft": dict(file="hyper-sd15-peft.safetensors", seed=72,
                 description="diffusers/PEFT layout: `unet.<module path>.lora_A.weight` / `.lora_B.weight`, F32, rank "
                             "%d, no `lora_adapter_metadata` (diffusers: alpha = rank, multiplier 1); UNet only." % RANK),
}

PREFIX = ["--model", "tiny-random", "--accelerator", "hyper-sd"]

# name -> steps, LoRA, eta (None: the preset's default), brush options, reference arguments, seed
CASES = {
    "one_step_kohya": dict(
        steps=1, lora="kohya", eta=None,
        options=["--mask-std", "2", "--prompt", "a red apple", "--mask", "disc.png",
                 "--prompt", "blue sky", "--mask", "half.png", "--seed", "3"],
        brushes=[dict(prompt="a red apple", mask="disc.png", mask_std=2.0),
                 dict(prompt="blue sky", mask="half.png", mask_std=2.0)],
        kwargs=dict(), seed=3,
        note="TCD 1 step, eta 1.0 (default); case (d): white background latent, fill at the last slot with n = 0, "
             "blend with white"),
    "two_steps_peft": dict(
        steps=2, lora="peft", eta=None,
        options=["--prompt", "a tall tree", "--mask", "disc.png", "--mask-alpha", "0.9",
                 "--background-prompt", "a green meadow", "--seed", "11"],
        brushes=[dict(prompt="a tall tree", mask="disc.png", mask_alpha=0.9)],
        kwargs=dict(background_prompt="a green meadow"), seed=11,
        note="DDIM trailing 2 steps (999, 499); case (c): the background prompt is region 0, no fill, no blend"),
    "four_steps_background_image": dict(
        steps=4, lora="kohya", eta=None,
        options=["--prompt", "a boat", "--mask", "half.png", "--mask-std", "4",
                 "--background-image", "background.png", "--seed", "5"],
        brushes=[dict(prompt="a boat", mask="half.png", mask_std=4.0)],
        kwargs=dict(background_image="background.png"), seed=5,
        note="DDIM trailing 4 steps (999, 749, 499, 249); case (b): initial latent = the draw (first timestep 999), "
             "fill = the background noised to t' with the slot's draw, n = 0 at the last slot; pixel blend"),
    "one_step_eta": dict(
        steps=1, lora="peft", eta=0.3,
        options=["--prompt", "a cat", "--mask", "disc.png", "--prompt-strength", "0.7",
                 "--background-image", "background.png", "--background-prompt", "a sofa", "--seed", "7"],
        brushes=[dict(prompt="a cat", mask="disc.png", prompt_strength=0.7)],
        kwargs=dict(background_image="background.png", background_prompt="a sofa"), seed=7,
        note="TCD 1 step with `--eta 0.3`; case (a) with prompt strength 0.7. At one step eta changes nothing "
             "(s = floor((1 - eta) * 0) = 0 and the last slot has no noise part), so this checks the option and the "
             "TCD path with the PEFT file"),
}


def load_pipeline(folder):
    pipe, _ = lora_tools.quiet(StableDiffusionPipeline.from_pretrained, folder, safety_checker=None,
                               requires_safety_checker=False)
    pipe.unet.eval()
    pipe.text_encoder.eval()
    pipe.vae.eval()
    return pipe


def write_loras(folder):
    """Writes both LoRA files into OUT; returns {name: {module: (down, up, multiplier)}} with the
    factors as stored (F16-rounded for kohya), for the fused-weight check."""
    pipe = load_pipeline(folder)
    shapes = lora_tools.layer_shapes(pipe.unet, TARGETS)
    expected = {}
    for name, spec in LORAS.items():
        path = os.path.join(OUT, spec["file"])
        style = lora_tools.Style(name, spec["description"])
        layers = lora_tools.make_layers(spec["seed"], shapes, lambda m: RANK)
        if name == "kohya":
            style.unet = lora_tools.rounded(layers, torch.float16)
            alpha = lambda m: KOHYA_ODD_ALPHA if m == KOHYA_ODD_MODULE else KOHYA_ALPHA  # noqa: E731
            tensors = lora_tools.kohya_tensors(style, lambda m: m, alpha, lambda m: None, torch.float16)
            expected[name] = {m: (d, u, alpha(m) / RANK) for m, (d, u) in style.unet.items()}
        else:
            tensors = {}
            for module, (down, up) in layers.items():
                tensors["unet.%s.lora_A.weight" % module] = down
                tensors["unet.%s.lora_B.weight" % module] = up
            expected[name] = {m: (d, u, 1.0) for m, (d, u) in layers.items()}
        save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata={"format": "pt"})
        lora_tools.canonicalize(path)
        os.chmod(path, 0o644)
    return expected


def check_fusion(folder, expected):
    """diffusers' fused UNet weights against W + multiplier * up @ down (float64)."""
    worst = {}
    for name, spec in LORAS.items():
        pipe = load_pipeline(folder)
        base = lora_tools.weights_of(pipe.unet)
        lora_tools.quiet(ref.fuse_lora, pipe, os.path.join(OUT, spec["file"]))
        fused = lora_tools.weights_of(pipe.unet)
        worst[name] = lora_tools.check_fused(name, base, fused, expected[name])
        changed = {k[:-len(".weight")] for k, v in fused.items() if not torch.equal(v, base[k])}
        assert changed == set(TARGETS), (name, sorted(changed ^ set(TARGETS)))
        print("  %s: diffusers fused %d modules; fused weights vs formula max %.2g" % (name, len(changed), worst[name]))
    return worst


def run_case(folder, case, lora_scale=1.0):
    """The reference on the tiny-random pipeline with the case's LoRA fused at lora_scale (None: no LoRA)."""
    pipe = load_pipeline(folder)
    if lora_scale is not None:
        lora_tools.quiet(ref.fuse_lora, pipe, os.path.join(OUT, LORAS[case["lora"]]["file"]), lora_scale)
    brushes, kwargs = fixtures.reference_arguments(OUT, case)
    kind, scheduler = ref.hyper_sd_scheduler(pipe.scheduler.config, case["steps"])
    eta = ref.HYPER_SD_ETA if case["eta"] is None else case["eta"]
    return ref.generate(pipe.unet, pipe.vae, pipe.text_encoder, pipe.tokenizer, kind, scheduler,
                        steps=case["steps"], eta=eta, guidance=0.0, brushes=brushes,
                        height=fixtures.HEIGHT, width=fixtures.WIDTH,
                        generator=torch.Generator().manual_seed(case["seed"]), **kwargs), kind


def mask_margin(result, case):
    alphas = torch.tensor([float(b.get("mask_alpha", 1.0)) for b in case["brushes"]])[:, None, None]
    values = (result.blurred * alphas).flatten()
    return min(float((values - b).abs().min()) for b in result.thresholds)


def options_of(case):
    options = PREFIX + ["--steps", str(case["steps"]), "--accelerator-lora", LORAS[case["lora"]]["file"]]
    if case["eta"] is not None:
        options += ["--eta", repr(case["eta"])]
    return options + case["options"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--semantic-draw", required=True, help="the built semantic-draw executable (for `export tiny-random`)")
    args = parser.parse_args()
    ref.check_versions()
    fixtures.write_inputs(OUT)
    with tempfile.TemporaryDirectory() as folder:
        fixtures.export_tiny_random(args.semantic_draw, folder)
        split_lines = ref.check_scheduler_splits(load_pipeline(folder).scheduler.config)
        for line in split_lines:
            print("  " + line)
        expected = write_loras(folder)
        fusion = check_fusion(folder, expected)
        index, rows = {}, []
        for name, case in CASES.items():
            result, kind = run_case(folder, case)
            pixels = fixtures.png_pixels(result.image)
            fixtures.save_image(OUT, name, pixels)
            plain, _ = run_case(folder, case, lora_scale=None)
            effect = np.abs(pixels.astype(int) - fixtures.png_pixels(plain.image).astype(int))
            scaled, _ = run_case(folder, case, lora_scale=SENSITIVITY_SCALE)
            sensitivity = int(np.abs(pixels.astype(int) - fixtures.png_pixels(scaled.image).astype(int)).max())
            margin = mask_margin(result, case)
            assert effect.max() >= MINIMUM_LORA_EFFECT, (name, "LoRA barely changes the image", effect.max())
            assert sensitivity > 1, (name, "a 10% LoRA scale error would pass the test", sensitivity)
            assert margin >= MINIMUM_MASK_MARGIN, (name, "a mask value sits on a threshold", margin)
            index[name] = options_of(case)
            rows.append((name, case, kind, result, effect, margin, sensitivity))
            print("%s done: %s %s, timesteps %s, case (%s); LoRA moves the image by up to %d levels (mean %.1f), "
                  "scale %g instead of 1 by %d; mask margin %.2g" % (
                      name, kind, case["steps"], result.timesteps, result.case, effect.max(), effect.mean(),
                      SENSITIVITY_SCALE, sensitivity, margin))
    fixtures.write_cases(OUT, index)
    write_readme(rows, fusion, split_lines)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("total size of Tests/Fixtures/hyper-sd: %d bytes" % total)
    assert total < MAXIMUM_FIXTURE_BYTES, total


def write_readme(rows, fusion, split_lines):
    lines = [
        "# `generate --accelerator hyper-sd` end-to-end fixtures",
        "",
        "Written by `Tools/make_hyper_sd_fixtures.py` (pinned reference environment, `Tools/setup-reference-env.sh`; "
        "this README is written by the script too):",
        "",
        "    swift build --product semantic-draw",
        "    .venv-reference/bin/python Tools/make_hyper_sd_fixtures.py --semantic-draw .build/debug/semantic-draw",
        "",
        "Versions: %s." % lora_tools.VERSIONS_LINE,
        "",
        "- `disc.png`, `half.png` (64 x 48 grey masks), `background.png` (64 x 48 RGB): the inputs (the same as "
        "`../generate`).",
        "- `hyper-sd15-kohya.safetensors`, `hyper-sd15-peft.safetensors`: tiny random UNet-only LoRAs for the "
        "tiny-random UNet standing in for `Hyper-SD15-{1step,2steps,4steps,8steps}-lora.safetensors`, one per key "
        "layout (below).",
        "- `cases.json`: each case's full `semantic-draw generate` options (paths relative to this folder; the test "
        "adds `--output`).",
        "- `<case>.png`: the image the pinned Python reference (`Tools/reference_semantic_draw.py` over diffusers "
        "0.42.1, docs/REFERENCE_PIPELINE.md R14) made on the tiny-random model (`semantic-draw export tiny-random`) "
        "with the LoRA fused by diffusers (`pipe.load_lora_weights(file)`, `pipe.fuse_lora()`, scale 1) from the same "
        "options, masks and seed (`torch.Generator().manual_seed(seed)`), rounded to 8 bits.",
        "",
        "The preset: 1 step `TCDScheduler.from_config(model scheduler config)`, eta 1.0 unless `--eta`; 2/4/8 steps "
        "`DDIMScheduler.from_config(model scheduler config, timestep_spacing=\"trailing\")`, eta 0; guidance 0 (no "
        "unconditional pass); bootstrap steps 1, mix 1.0, blur std 1.0, discrete quantisation, white prompt, tile 768, "
        "posterior samples in the authors' order (R13).",
        "",
        "`Tests/SemanticDrawCLITests/HyperSDReproductionTests.swift` runs the CLI with each case's options and "
        "compares pixels (at most 1 level of 255).",
        "",
        "## Cases",
        "",
        "| case | scheduler | LoRA | options after `--accelerator-lora <file>` | what it covers | LoRA effect: max / mean levels; max at scale %g |" % SENSITIVITY_SCALE,
        "|---|---|---|---|---|---|",
    ]
    for name, case, kind, result, effect, margin, sensitivity in rows:
        scheduler = ("TCD %d step, eta %g" % (case["steps"], ref.HYPER_SD_ETA if case["eta"] is None else case["eta"])
                     if kind == "tcd" else "DDIM trailing %d steps" % case["steps"])
        scheduler += ", timesteps %s" % result.timesteps
        extra = (["--eta", repr(case["eta"])] if case["eta"] is not None else []) + case["options"]
        lines.append("| `%s` | %s | `%s` | `%s` | %s | %d / %.1f; %d |" % (
            name, scheduler, LORAS[case["lora"]]["file"], shlex.join(extra), case["note"], effect.max(), effect.mean(),
            sensitivity))
    lines += [
        "",
        "Every case's options start with `%s --steps N --accelerator-lora <file>`. Every (blurred x alpha) mask value "
        "is at least %.1e away from every threshold b_t (smallest margin over the cases), so quantisation does not "
        "depend on blur round-off. The LoRA effect is the pixel difference from the same case run without the LoRA, "
        "and from the LoRA fused at scale %g (so a 10%% error in the LoRA's scale fails the test)." % (
            " ".join(PREFIX), min(r[5] for r in rows), SENSITIVITY_SCALE),
        "",
        "## LoRA files",
        "",
        "Targets (both files, rank %d): %s." % (RANK, ", ".join("`%s`" % m for m in TARGETS)),
        "",
        "The kohya file's one per-module alpha sits on `%s` because diffusers 0.42.1, given a kohya file with a "
        "different alpha on `...attn1.to_q`, fused that module with the common alpha (multiplier 0.5 instead of "
        "1.5; measured while writing the script). The Swift loader follows kohya's rule (each module's own alpha), "
        "which is what diffusers does on the module used here." % lora_tools.underscored(KOHYA_ODD_MODULE),
        "",
    ]
    for name, spec in LORAS.items():
        keys, _ = lora_tools.key_listing(os.path.join(OUT, spec["file"]))
        with safe_open(os.path.join(OUT, spec["file"]), framework="pt") as handle:
            dtypes = sorted({str(handle.get_slice(k).get_dtype()) for k in handle.keys()})
        lines += ["### `%s`" % spec["file"], "",
                  spec["description"] + " Tensor dtypes: %s. diffusers' fused weights match W + multiplier * up @ down "
                  "to %.2g." % (", ".join(dtypes), fusion[name]), "", "- Keys:"] + keys + [""]
    lines += [
        "## Scheduler helpers checked against diffusers",
        "",
        "`check_scheduler_splits` (run by the script on the tiny-random scheduler configuration):",
        "",
    ] + ["- " + line for line in split_lines] + [""]
    fixture_support.write_readme(OUT, lines)


if __name__ == "__main__":
    main()
