#!/usr/bin/env python3
"""Generate the SD3 fixtures in Tests/Fixtures/sd3/ for the Swift re-implementation.

What it makes (all tiny, randomly initialised and then perturbed, float32, CPU):

- transformer-sd3/: diffusers `SD3Transformer2DModel` shaped like Stable Diffusion 3 Medium
  (joint MMDiT blocks, the last one `context_pre_only`, no qk norm, no dual attention), with a
  `pos_embed_max_size` larger than the patch grid so the centred crop of the position embedding
  is exercised on a non-square latent.
- transformer-sd35-medium/: the same class shaped like SD3.5 Medium: `qk_norm="rms_norm"` and
  `dual_attention_layers` (the extra image-only `attn2` with `SD35AdaLayerNormZeroX`), including
  a dual-attention block that is also the context-only last block.
- transformer-sd35-large/: shaped like SD3.5 Large: `qk_norm="rms_norm"`, no dual attention.
- vae-sd3/: diffusers `AutoencoderKL` with SD3's latent layout: 16 latent channels,
  `use_quant_conv=False`, `use_post_quant_conv=False`, `scaling_factor=1.5305`,
  `shift_factor=0.0609`. Besides the raw module outputs it records the pipeline conversions of
  `StableDiffusion3Pipeline`: decode `latents / scaling_factor + shift_factor`, encode
  `(mean - shift_factor) * scaling_factor`.
- conditioning/: `StableDiffusion3Pipeline.encode_prompt` with `text_encoder_3=None` (no T5, as
  SemanticDraw and Flash SD3 run it) on two tiny `CLIPTextModelWithProjection` encoders and two
  tiny byte-level CLIP tokenizers (514 tokens, no merges; the second pads with "!" as SD3's
  `tokenizer_2`), with the `transformer-sd3` fixture supplying `joint_attention_dim`.
- schedulers/: `FlowMatchEulerDiscreteScheduler` (diffusers 0.42.1) timesteps, sigmas, steps
  and `scale_noise` for several configurations and step counts, and the same for the Flash
  Diffusion fork's `FlashFlowMatchEulerDiscreteScheduler` (initml/diffusers, branch
  clement/feature/flash_sd3, `src/diffusers/schedulers/scheduling_flash_flow_match_euler_discrete.py`),
  whose arithmetic is re-expressed below (`flash_set_timesteps`, `flash_step`) because that fork
  is not installable next to the pinned diffusers. Also the slot schedule the SemanticDraw
  authors' SD3 pipeline uses (Flash `set_timesteps(50)`, slots [0, 4, 12, 25, 37], mask noise
  levels sigma / sqrt(sigma^2 + 1)).

Each network folder holds `config.json`, the weights written by `save_pretrained(...,
safe_serialization=True)`, `inputs.safetensors` and `outputs.safetensors`. The script also
writes Tests/Fixtures/sd3/README.md. At the end every network folder is re-loaded with
`from_pretrained` and must reproduce its outputs bit for bit; the script fails otherwise.

Pinned versions (asserted at start-up; see Tools/setup-reference-env.sh):
    torch 2.13.0 (+cpu), diffusers 0.42.1, safetensors 0.8.0, numpy 2.4.6

Run from the repository root (writes Tests/Fixtures/sd3/):
    .venv-reference/bin/python Tools/make_sd3_fixtures.py

The output is deterministic: torch.manual_seed per model, fixed seeded inputs, float32,
one CPU thread. Running it twice gives byte-identical files.
"""

import json
import os
import shutil

import numpy as np
import torch

# First: importing fixture_support asserts the pinned versions (one CPU thread, deterministic).
from fixture_support import (FIXTURES_ROOT, VERSIONS_LINE, FixtureFolder, clip_text_model, diffusers_model, keep_only,
                             load_clip_text_model, save_tensors)
from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, SD3Transformer2DModel, StableDiffusion3Pipeline
from transformers import CLIPTextModelWithProjection, CLIPTokenizer

OUT = os.path.join(FIXTURES_ROOT, "sd3")
FIXTURES = FixtureFolder(OUT, column_widths=(26, 22, 16))
WEIGHTS = "diffusion_pytorch_model.safetensors"

# ----------------------------------------------------------------------------- configurations

# SD3 Medium: patch 2, 16 latent channels, 24 layers x 24 heads x 64, joint_attention_dim 4096,
# caption_projection_dim 1536, pooled_projection_dim 2048, pos_embed_max_size 192, sample 128.
# Scaled down; caption_projection_dim must equal heads x head_dim (the blocks' width).
TRANSFORMER_SD3 = dict(sample_size=16, patch_size=2, in_channels=16, num_layers=2, attention_head_dim=8,
                       num_attention_heads=2, joint_attention_dim=24, caption_projection_dim=16,
                       pooled_projection_dim=12, out_channels=16, pos_embed_max_size=10)
# SD3.5 Medium: dual_attention_layers 0..12 of 24, qk_norm rms_norm, pos_embed_max_size 384.
TRANSFORMER_SD35_MEDIUM = dict(TRANSFORMER_SD3, num_layers=3, dual_attention_layers=(0, 2), qk_norm="rms_norm",
                               pos_embed_max_size=12)
# SD3.5 Large: 38 layers x 38 heads x 64, qk_norm rms_norm, no dual attention.
TRANSFORMER_SD35_LARGE = dict(TRANSFORMER_SD3, num_attention_heads=3, caption_projection_dim=24, qk_norm="rms_norm",
                              pooled_projection_dim=20)
# SD3's VAE: 16 latent channels, no quant convs, scaling 1.5305, shift 0.0609 (here 2 levels).
VAE_SD3 = dict(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 2,
               up_block_types=("UpDecoderBlock2D",) * 2, block_out_channels=(8, 16), layers_per_block=1,
               latent_channels=16, norm_num_groups=4, sample_size=16, scaling_factor=1.5305, shift_factor=0.0609,
               use_quant_conv=False, use_post_quant_conv=False)

# Scheduler configurations: SD3 Medium's file (shift 3.0), SD3.5 Large's (every key written,
# nulls included) and the class defaults (shift 1.0).
SCHEDULER_CONFIGS = {
    "flow-match-sd3": {"_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": "0.29.0.dev0",
                       "num_train_timesteps": 1000, "shift": 3.0},
    "flow-match-sd35": {"_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": "0.31.0.dev0",
                        "base_image_seq_len": 256, "base_shift": 0.5, "invert_sigmas": False, "max_image_seq_len": 4096,
                        "max_shift": 1.15, "num_train_timesteps": 1000, "shift": 3.0, "shift_terminal": None,
                        "use_beta_sigmas": False, "use_dynamic_shifting": False, "use_exponential_sigmas": False,
                        "use_karras_sigmas": False},
    "flow-match-defaults": {"_class_name": "FlowMatchEulerDiscreteScheduler"},
}
# SD3's text_encoder (CLIP ViT-L, quick GELU) and text_encoder_2 (OpenCLIP bigG, GELU) are both
# CLIPTextModelWithProjection with legacy eos_token_id 2 (pooling at argmax(input_ids)); scaled
# down to the 514-token byte-level vocabulary below. 8 + 12 = 20 channels, zero-padded to the
# transformer fixture's joint_attention_dim 24.
TEXT_ENCODER_1 = dict(vocab_size=514, hidden_size=8, intermediate_size=16, num_hidden_layers=2, num_attention_heads=2,
                      max_position_embeddings=77, hidden_act="quick_gelu", bos_token_id=0, eos_token_id=2, pad_token_id=1,
                      projection_dim=8)
TEXT_ENCODER_2 = dict(TEXT_ENCODER_1, hidden_size=12, intermediate_size=20, hidden_act="gelu", projection_dim=12)
PROMPTS = ["a photo of a cat on a red sofa", "Ein Fuchs im Schnee -- " + "a very long prompt about rivers " * 4]
NEGATIVES = ["blurry, low quality", ""]

STEP_COUNTS = [1, 2, 3, 4, 8, 28, 50]
STEPPED = [1, 2, 4, 28]
AUTHORS_SLOTS = [0, 4, 12, 25, 37]

# ----------------------------------------------------------------------------- network runs


def transformer_run(model, inputs):
    with torch.no_grad():
        out = model(hidden_states=inputs["hidden_states"], encoder_hidden_states=inputs["encoder_hidden_states"],
                    pooled_projections=inputs["pooled_projections"], timestep=inputs["timestep"]).sample
        # The position embedding the patch embedding adds for this latent size (the centred crop
        # of the stored pos_embed.pos_embed buffer), for the Swift side's own sincos table.
        height, width = inputs["hidden_states"].shape[-2:]
        crop = model.pos_embed.cropped_pos_embed(height, width)
    return {"sample": out, "cropped_pos_embed": crop}


def vae_run(model, inputs):
    scaling, shift = model.config.scaling_factor, model.config.shift_factor
    with torch.no_grad():
        mean = model.encode(inputs["images"]).latent_dist.mean
        return {
            "sample": model.decode(inputs["latents"]).sample,
            "latent_dist_mean": mean,
            # StableDiffusion3Pipeline: decode(latents / scaling_factor + shift_factor).
            "pipeline_decoded": model.decode(inputs["latents"] / scaling + shift).sample,
            # StableDiffusion3 img2img/inpaint: (mean - shift_factor) * scaling_factor.
            "pipeline_encoded": (mean - shift) * scaling,
        }

# ----------------------------------------------------------------------------- inputs


def transformer_inputs(config, seed):
    g = torch.Generator().manual_seed(seed)
    return {
        # 8 x 12 latent: 4 x 6 patches, cropped from the pos_embed_max_size grid off-centre-free.
        "hidden_states": torch.randn(2, config["in_channels"], 8, 12, generator=g),
        "encoder_hidden_states": torch.randn(2, 7, config["joint_attention_dim"], generator=g),
        "pooled_projections": torch.randn(2, config["pooled_projection_dim"], generator=g),
        # Flow-matching timesteps: sigma * 1000, one per sample.
        "timestep": torch.tensor([1000.0, 291.5], dtype=torch.float32),
    }


def vae_inputs():
    g = torch.Generator().manual_seed(7007)
    return {"latents": torch.randn(2, 16, 4, 4, generator=g),
            "images": torch.rand(1, 3, 16, 16, generator=g) * 2 - 1}

# ----------------------------------------------------------------------------- re-load check

# name -> (load, run), in the order the folders are checked.
RELOAD = {
    "transformer-sd3": (SD3Transformer2DModel.from_pretrained, transformer_run),
    "transformer-sd35-medium": (SD3Transformer2DModel.from_pretrained, transformer_run),
    "transformer-sd35-large": (SD3Transformer2DModel.from_pretrained, transformer_run),
    "vae-sd3": (AutoencoderKL.from_pretrained, vae_run),
}


# ----------------------------------------------------------------------------- schedulers

# The Flash fork's scheduler, re-expressed (see the module docstring for the source). Its
# constructor builds the float32 training table exactly as diffusers' FlowMatchEulerDiscreteScheduler
# does without dynamic shifting; set_timesteps(n) spaces n timesteps with np.linspace (float64)
# between sigma_max * N and sigma_min * N, divides by N, applies the shift *again* (float64),
# rounds to float32, multiplies by N in float32 for the timesteps and appends sigma 0.


def flash_set_timesteps(shift, steps, train_steps=1000):
    table = torch.from_numpy(np.linspace(1, train_steps, train_steps, dtype=np.float32)[::-1].copy())
    table = table / train_steps
    table = shift * table / (1 + (shift - 1) * table)
    sigma_max, sigma_min = table[0].item(), table[-1].item()
    spaced = np.linspace(sigma_max * train_steps, sigma_min * train_steps, steps)
    sigmas = spaced / train_steps
    sigmas = shift * sigmas / (1 + (shift - 1) * sigmas)
    sigmas = torch.from_numpy(sigmas).to(dtype=torch.float32)
    timesteps = sigmas * train_steps
    return timesteps, torch.cat([sigmas, torch.zeros(1)])


def flash_step(sigmas, index, steps, model_output, sample, noise):
    """The fork's step at step index `index` with its noise draw replaced by `noise`:
    (denoised, prev_sample); no noise after the last step."""
    denoised = sample - model_output * sigmas[index]
    if index < steps - 1:
        sigma_next = sigmas[index + 1]
        return denoised, sigma_next * noise + (1.0 - sigma_next) * denoised
    return denoised, denoised


def scheduler_tensors(shape=(2, 4, 2, 4), seed=9009):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g), torch.randn(*shape, generator=g), torch.randn(*shape, generator=g))


def write_scheduler_config(folder, config):
    """Write `config` as the folder's scheduler_config.json (sorted keys, indent 2)."""
    with open(os.path.join(folder, "scheduler_config.json"), "w") as fh:
        json.dump(config, fh, indent=2, sort_keys=True)
        fh.write("\n")


def flow_match_fixture(name, config):
    folder = FIXTURES.fresh_folder(os.path.join("schedulers", name))
    scheduler = FlowMatchEulerDiscreteScheduler.from_config(config)
    scheduler.save_config(folder)
    with open(os.path.join(folder, "scheduler_config.json")) as fh:
        saved = json.load(fh)
    # save_config writes every key; keep the published file instead (absent keys = defaults).
    write_scheduler_config(folder, config)
    assert saved["shift"] == config.get("shift", 1.0)
    sample, model_output, noise = scheduler_tensors()
    tensors = {"sample": sample, "model_output": model_output, "noise": noise}
    for steps in STEP_COUNTS:
        scheduler = FlowMatchEulerDiscreteScheduler.from_config(config)
        scheduler.set_timesteps(steps)
        tensors["steps%d.timesteps" % steps] = scheduler.timesteps.clone()
        tensors["steps%d.sigmas" % steps] = scheduler.sigmas.clone()
        if steps in STEPPED:
            prev, scaled = [], []
            for t in scheduler.timesteps:
                prev.append(scheduler.step(model_output, t, sample).prev_sample)
            for t in scheduler.timesteps:
                fresh = FlowMatchEulerDiscreteScheduler.from_config(config)
                fresh.set_timesteps(steps)
                scaled.append(fresh.scale_noise(sample, t[None], noise))
            tensors["steps%d.prev_sample" % steps] = torch.stack(prev)
            tensors["steps%d.scale_noise" % steps] = torch.stack(scaled)
        # The Flash fork spaces timesteps exactly as diffusers does without dynamic shifting.
        flash_timesteps, flash_sigmas = flash_set_timesteps(config.get("shift", 1.0), steps,
                                                            config.get("num_train_timesteps", 1000))
        assert torch.equal(flash_timesteps, scheduler.timesteps) and torch.equal(flash_sigmas, scheduler.sigmas), name
    metadata = {"fixture": json.dumps({"class": "FlowMatchEulerDiscreteScheduler", "step_counts": STEP_COUNTS,
                                       "stepped": STEPPED})}
    save_tensors(os.path.join(folder, "reference.safetensors"), tensors, metadata)
    print("  schedulers/%-20s steps %s" % (name, STEP_COUNTS))


def flash_fixture(name, config):
    folder = FIXTURES.fresh_folder(os.path.join("schedulers", name))
    write_scheduler_config(folder, config)
    shift, train_steps = config.get("shift", 1.0), config.get("num_train_timesteps", 1000)
    sample, model_output, noise = scheduler_tensors()
    tensors = {"sample": sample, "model_output": model_output, "noise": noise}
    for steps in STEP_COUNTS:
        timesteps, sigmas = flash_set_timesteps(shift, steps, train_steps)
        tensors["steps%d.timesteps" % steps] = timesteps
        tensors["steps%d.sigmas" % steps] = sigmas
        if steps in STEPPED:
            denoised, prev = zip(*(flash_step(sigmas, i, steps, model_output, sample, noise) for i in range(steps)))
            tensors["steps%d.denoised" % steps] = torch.stack(denoised)
            tensors["steps%d.prev_sample" % steps] = torch.stack(prev)
    # The SemanticDraw authors' SD3 set-up: set_timesteps(50), slots AUTHORS_SLOTS, each slot's
    # noise part to the next slot's sigma (0 after the last), mask levels sigma / sqrt(sigma^2 + 1).
    timesteps, sigmas = flash_set_timesteps(shift, 50, train_steps)
    index = torch.tensor(AUTHORS_SLOTS)
    slot_sigmas = sigmas[index]
    tensors["slots.timesteps"] = timesteps[index]
    tensors["slots.sigmas"] = slot_sigmas
    tensors["slots.noise_levels"] = slot_sigmas * (slot_sigmas ** 2 + 1) ** (-0.5)
    next_sigmas = torch.cat([slot_sigmas, slot_sigmas.new_zeros(1)])[1:]
    denoised = [sample - model_output * s for s in slot_sigmas]
    tensors["slots.denoised"] = torch.stack(denoised)
    tensors["slots.prev_sample"] = torch.stack([(1.0 - n) * d + n * noise if n > 0 else d
                                                for d, n in zip(denoised, next_sigmas)])
    metadata = {"fixture": json.dumps({"class": "FlashFlowMatchEulerDiscreteScheduler", "step_counts": STEP_COUNTS,
                                       "stepped": STEPPED, "slots": AUTHORS_SLOTS})}
    save_tensors(os.path.join(folder, "reference.safetensors"), tensors, metadata)
    print("  schedulers/%-20s steps %s, slots %s" % (name, STEP_COUNTS, AUTHORS_SLOTS))

# ----------------------------------------------------------------------------- conditioning


def bytes_to_unicode():
    """GPT-2's byte-to-symbol table (as transformers' CLIP tokenizer builds it), in its order."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    symbols, extra = printable[:], 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            symbols.append(256 + extra)
            extra += 1
    return [chr(c) for c in symbols]


def tiny_tokenizer(folder, pad_token):
    """A byte-level CLIP tokenizer without merges: the 256 byte symbols (ids 0-255), the same with
    `</w>` (256-511), `<|startoftext|>` 512, `<|endoftext|>` 513 (the first 512 ids in OpenAI
    CLIP's order, like the Swift tiny-random vocabulary)."""
    symbols = bytes_to_unicode()
    vocab = {token: i for i, token in enumerate(symbols + [s + "</w>" for s in symbols] + ["<|startoftext|>", "<|endoftext|>"])}
    scratch = folder + ".tables"
    os.makedirs(scratch)
    with open(os.path.join(scratch, "vocab.json"), "w", encoding="utf-8") as fh:
        json.dump(vocab, fh, ensure_ascii=False)
    with open(os.path.join(scratch, "merges.txt"), "w", encoding="utf-8") as fh:
        fh.write("#version: 0.2\n")
    tokenizer = CLIPTokenizer(os.path.join(scratch, "vocab.json"), os.path.join(scratch, "merges.txt"), pad_token=pad_token,
                              model_max_length=77)
    shutil.rmtree(scratch)
    tokenizer.save_pretrained(folder)
    return CLIPTokenizer.from_pretrained(folder)


def conditioning_fixture():
    folder = FIXTURES.fresh_folder("conditioning")
    tokenizer_1 = tiny_tokenizer(os.path.join(folder, "tokenizer"), "<|endoftext|>")
    tokenizer_2 = tiny_tokenizer(os.path.join(folder, "tokenizer_2"), "!")
    encoders = []
    for index, (name, config) in enumerate([("text_encoder", TEXT_ENCODER_1), ("text_encoder_2", TEXT_ENCODER_2)]):
        encoder = clip_text_model(CLIPTextModelWithProjection, config, 71 + index)
        encoder.save_pretrained(os.path.join(folder, name), safe_serialization=True)
        keep_only(os.path.join(folder, name), ["config.json", "model.safetensors"])
        encoders.append(load_clip_text_model(CLIPTextModelWithProjection, os.path.join(folder, name)).eval())
    transformer = SD3Transformer2DModel.from_pretrained(os.path.join(OUT, "transformer-sd3")).eval()
    vae = AutoencoderKL.from_pretrained(os.path.join(OUT, "vae-sd3")).eval()
    pipe = StableDiffusion3Pipeline(transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0), vae=vae,
                                    text_encoder=encoders[0], tokenizer=tokenizer_1, text_encoder_2=encoders[1],
                                    tokenizer_2=tokenizer_2, text_encoder_3=None, tokenizer_3=None)
    with torch.no_grad():
        embeds, negative_embeds, pooled, negative_pooled = pipe.encode_prompt(
            prompt=PROMPTS, prompt_2=None, prompt_3=None, device="cpu", num_images_per_prompt=1,
            do_classifier_free_guidance=True, negative_prompt=NEGATIVES)
    ids = lambda tokenizer, texts: tokenizer(texts, padding="max_length", max_length=77, truncation=True,
                                             return_tensors="pt").input_ids
    outputs = {"prompt_embeds": embeds, "negative_prompt_embeds": negative_embeds, "pooled_prompt_embeds": pooled,
               "negative_pooled_prompt_embeds": negative_pooled,
               "input_ids_1": ids(tokenizer_1, PROMPTS), "input_ids_2": ids(tokenizer_2, PROMPTS),
               "negative_input_ids_1": ids(tokenizer_1, NEGATIVES), "negative_input_ids_2": ids(tokenizer_2, NEGATIVES)}
    assert embeds.shape == (len(PROMPTS), 77 + 256, TRANSFORMER_SD3["joint_attention_dim"]), embeds.shape
    assert torch.all(embeds[:, 77:] == 0) and torch.all(embeds[:, :, 20:] == 0)
    metadata = {"fixture": json.dumps({"prompts": PROMPTS, "negative_prompts": NEGATIVES, "max_sequence_length": 256})}
    save_tensors(os.path.join(folder, "reference.safetensors"), outputs, metadata)
    print("  conditioning               prompt_embeds %s, pooled %s" % (list(embeds.shape), list(pooled.shape)))

# ----------------------------------------------------------------------------- README

DESCRIPTIONS = {
    "transformer-sd3": "diffusers `SD3Transformer2DModel` shaped like SD3 Medium: `patch_size=2`, `in_channels=16`, "
                       "`num_layers=2` (block 1 is `context_pre_only`), 2 heads x 8, `joint_attention_dim=24`, "
                       "`caption_projection_dim=16`, `pooled_projection_dim=12`, `sample_size=16` (base size 8), "
                       "`pos_embed_max_size=10`: the 8 x 12 latent (4 x 6 patches) takes rows 3..6 and columns "
                       "2..7 of the 10 x 10 position grid. `pos_embed.pos_embed` [1, 100, 16] is a persistent "
                       "buffer, saved with the weights. Per-sample float timesteps (1000, 291.5).",
    "transformer-sd35-medium": "As `transformer-sd3` with SD3.5 Medium's features: `num_layers=3`, "
                               "`dual_attention_layers=(0, 2)` (block 2 is both dual and `context_pre_only`), "
                               "`qk_norm=\"rms_norm\"` (`norm_q`, `norm_k`, `norm_added_q`, `norm_added_k`; `attn2` has "
                               "`norm_q`, `norm_k`), `pos_embed_max_size=12`.",
    "transformer-sd35-large": "As `transformer-sd3` with SD3.5 Large's `qk_norm=\"rms_norm\"`, 3 heads x 8 "
                              "(`caption_projection_dim=24`), `pooled_projection_dim=20`.",
    "vae-sd3": "diffusers `AutoencoderKL` with SD3's latent layout: `latent_channels=16`, `use_quant_conv=False`, "
               "`use_post_quant_conv=False`, `scaling_factor=1.5305`, `shift_factor=0.0609`; `block_out_channels=(8,16)`, "
               "`layers_per_block=1`, `norm_num_groups=4`. `sample = decode(latents).sample`, "
               "`latent_dist_mean = encode(images).latent_dist.mean` (raw module), `pipeline_decoded = "
               "decode(latents / 1.5305 + 0.0609).sample` and `pipeline_encoded = (latent_dist_mean - 0.0609) * "
               "1.5305` (StableDiffusion3Pipeline's conversions).",
}


def write_readme():
    lines = ["# SD3 fixtures", "",
             "Generated by `Tools/make_sd3_fixtures.py` -- do not edit by hand (this README is written by "
             "the script too). Regenerate from the repository root with "
             "`.venv-reference/bin/python Tools/make_sd3_fixtures.py`.", "",
             "Pinned versions: " + VERSIONS_LINE + ". Deterministic (byte-identical on rerun); every network "
             "folder is re-loaded with `from_pretrained` and must reproduce `outputs.safetensors` exactly. Models "
             "are tiny, randomly initialised, then perturbed (matrices `+= randn / sqrt(fan_in)`, vectors "
             "`+= 0.1 * randn`), run in eval mode, float32, CPU, default attention processors (SDPA).", ""]
    for name in ["transformer-sd3", "transformer-sd35-medium", "transformer-sd35-large", "vae-sd3"]:
        lines += FIXTURES.readme_section(name, DESCRIPTIONS[name])
    lines += ["## conditioning", "",
              "`StableDiffusion3Pipeline.encode_prompt(prompt, prompt_2=None, prompt_3=None, "
              "do_classifier_free_guidance=True, negative_prompt=...)` with `text_encoder_3=None`: `text_encoder/` and "
              "`text_encoder_2/` are transformers `CLIPTextModelWithProjection` (hidden 8 / 12, 2 layers, quick GELU / "
              "GELU, legacy `eos_token_id=2`, projections 8 / 12); `tokenizer/` and `tokenizer_2/` a byte-level CLIP "
              "vocabulary of 514 tokens without merges (every UTF-8 byte one token; `tokenizer_2` pads with `!` as "
              "SD3's), saved by transformers 5 (`tokenizer.json` + `tokenizer_config.json`). The transformer fixture "
              "`transformer-sd3` gives `joint_attention_dim` 24: `prompt_embeds` [B, 77 + 256, 24] are the two "
              "penultimate states (8 + 12 channels) zero-padded to 24, then 256 zero tokens (T5's place); "
              "`pooled_prompt_embeds` [B, 20] the two `text_embeds`. Prompts: %s; negative prompts: %s. "
              "`input_ids_*` are each tokenizer's 77 ids (padding `max_length`, truncation)." % (PROMPTS, NEGATIVES), "",
              "- Tensors (`reference.safetensors`):"]
    lines += FIXTURES.tensor_lines("conditioning", "reference.safetensors")
    lines += [""]
    lines += ["## schedulers", "",
              "One folder per configuration with `scheduler_config.json` and `reference.safetensors` (tensors "
              "`sample`, `model_output`, `noise` [2,4,2,4] and `steps<N>.<quantity>`). `flow-match-sd3` "
              "(SD3 Medium's file, `shift` 3.0), `flow-match-sd35` (SD3.5 Large's file, every key, nulls "
              "included) and `flow-match-defaults` (only `_class_name`: `shift` 1.0) hold diffusers' "
              "`FlowMatchEulerDiscreteScheduler` after `set_timesteps(N)` for N in %s: `timesteps`, `sigmas` "
              "(N + 1 values, the final 0) and, for N in %s, `prev_sample` [N,2,4,2,4] (`step` of every "
              "slot from the same `sample` and `model_output`, the scheduler's step index advancing) and "
              "`scale_noise` [N,...] (`scale_noise(sample, timesteps[i:i+1], noise)`)." % (STEP_COUNTS, STEPPED),
              "",
              "`flash-sd3` holds the Flash Diffusion fork's `FlashFlowMatchEulerDiscreteScheduler` for SD3's "
              "file (re-expressed in the script, see its docstring): `timesteps`, `sigmas` for the same N, and "
              "for N in %s `denoised` (`sample - model_output * sigma_i`) and `prev_sample` "
              "(`sigma_{i+1} * noise + (1 - sigma_{i+1}) * denoised`, the denoised sample after the last "
              "step). The script asserts that its timesteps and sigmas equal diffusers' "
              "`FlowMatchEulerDiscreteScheduler` ones for every configuration and N (bit for bit). `slots.*` is "
              "the SemanticDraw authors' SD3 set-up: `set_timesteps(50)`, slots %s (`timesteps`, `sigmas`), "
              "`noise_levels` = `sigma * (sigma**2 + 1) ** -0.5` (their mask quantisation levels), and per slot "
              "`denoised` and `prev_sample` with the next *slot's* sigma (0 after the last)." % (STEPPED, AUTHORS_SLOTS),
              ""]
    FIXTURES.write_readme(lines)

# ----------------------------------------------------------------------------- main


def main():
    FIXTURES.start()
    for seed, (name, config) in enumerate([("transformer-sd3", TRANSFORMER_SD3),
                                           ("transformer-sd35-medium", TRANSFORMER_SD35_MEDIUM),
                                           ("transformer-sd35-large", TRANSFORMER_SD35_LARGE)]):
        FIXTURES.save_network(name, diffusers_model(SD3Transformer2DModel, config, 61 + seed),
                              transformer_inputs(config, 6006 + seed), transformer_run, WEIGHTS)
    FIXTURES.save_network("vae-sd3", diffusers_model(AutoencoderKL, VAE_SD3, 64), vae_inputs(), vae_run, WEIGHTS)
    conditioning_fixture()
    if os.path.isdir(os.path.join(OUT, "schedulers")):
        shutil.rmtree(os.path.join(OUT, "schedulers"))
    for name, config in SCHEDULER_CONFIGS.items():
        flow_match_fixture(name, config)
    flash_fixture("flash-sd3", SCHEDULER_CONFIGS["flow-match-sd3"])
    write_readme()
    FIXTURES.reload_all(RELOAD)


if __name__ == "__main__":
    main()
