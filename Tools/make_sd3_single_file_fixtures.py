#!/usr/bin/env python3
"""Single-file SD3 / SD3.5 checkpoint fixtures (original MMDiT key layout), made with diffusers'
own single-file loader.

Writes Tests/Fixtures/sd3-single-file/ from the tiny networks of Tests/Fixtures/sd3/ (made by
Tools/make_sd3_fixtures.py):

- sd3.safetensors: an SD3-Medium-shaped file with every component the "incl_clips" files carry:
  `model.diffusion_model.*` (the transformer-sd3 fixture in the original MMDiT layout: fused
  `attn.qkv`, `adaLN_modulation`, `x_embedder`, `t_embedder`, `y_embedder`, `final_layer`, the last
  block context-only), `text_encoders.clip_l.transformer.*` (with its own `text_projection.weight`
  and `position_ids`, which diffusers does not use: it gives CLIP-L an identity projection),
  `text_encoders.clip_g.transformer.*` (the conditioning fixture's CLIP-G with its projection cut
  to 4 rows, so that 8 + 4 pooled channels fit the transformer's `pooled_projection_dim` 12), two `text_encoders.t5xxl.transformer.*` tensors (T5 is not
  loaded: the pipeline's `text_encoder_3` is None) and `first_stage_model.*` (the vae-sd3 fixture
  in the LDM layout, no quant convs).
- sd3-config/: the diffusers folder (`config=` / `--config DIR`) describing sd3.safetensors:
  model_index.json, configs, tokenizers, scheduler; no weights.
- sd3-twin/: `StableDiffusion3Pipeline.from_single_file(sd3.safetensors, config=sd3-config)`
  saved with `save_pretrained` (what diffusers made of the file, as a pipeline folder).
- sd35-medium.safetensors: an SD3.5-Medium-shaped transformer (dual attention `attn2` in blocks 0
  and 2 — 2 is also the context-only last block — and RMS qk norm `ln_q`/`ln_k`) with the VAE, no
  text encoders (as Stability's SD3.5 files).
- sd35-medium-config/: its diffusers folder: configs, tokenizers, scheduler and the two text
  encoders' weights (the file has none, so they come from here).
- reference.safetensors: diffusers' outputs of the networks from_single_file loaded, on fixed
  inputs: `sd3.sample` / `sd35.sample` (transformer on transformer-sd3's inputs),
  `clip_l.*` / `clip_g.*` (penultimate hidden state and `text_embeds` for `input_ids`),
  `vae.sample` (decode of vae-sd3's latents) and `vae.mean` (encode of its images).

Verification (asserted; the script fails otherwise):
1. `SD3Transformer2DModel.from_single_file(file, config=folder, subfolder="transformer")` gives
   back exactly the source transformer's parameters (both files): the original layout written
   here is the inverse of `convert_sd3_transformer_checkpoint_to_diffusers`.
2. The pipelines' VAEs and CLIP-G equal their sources; CLIP-L equals its source except
   `text_projection.weight`, which is the identity (`create_diffusers_clip_model_from_ldm`).
3. The sd35 pipeline's text encoders are those of sd35-medium-config/: diffusers refuses a file
   without them unless they are passed in (`text_encoder=CLIPTextModelWithProjection.from_pretrained(
   folder/text_encoder)`, the same for `text_encoder_2`), which is what `--config DIR` does in Swift.
4. Reloading sd3-twin/ with `from_pretrained` gives the same transformer output bit for bit.

Pinned: torch 2.13.0, diffusers 0.42.1, transformers 5.24.0, safetensors 0.8.0 (asserted).
CPU, float32, one thread; deterministic. Run from the repository root:
    .venv-reference/bin/python Tools/make_sd3_single_file_fixtures.py
"""

import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_single_file_fixture as single  # noqa: E402  (pins checked on import)

from diffusers import AutoencoderKL, SD3Transformer2DModel, StableDiffusion3Pipeline  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import CLIPTextModelWithProjection  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

SOURCES = os.path.join(single.FIXTURES, "sd3")
OUT = os.path.join(single.FIXTURES, "sd3-single-file")
PROMPT_IDS = [0, 40, 83, 70, 81, 85, 66, 2] + [1] * 5  # bos, "a photo" bytes, eos, pads (legacy eos 2)
MODEL_INDEX = {
    "_class_name": "StableDiffusion3Pipeline", "_diffusers_version": "0.42.1",
    "feature_extractor": [None, None], "image_encoder": [None, None],
    "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
    "text_encoder": ["transformers", "CLIPTextModelWithProjection"],
    "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
    "text_encoder_3": [None, None], "tokenizer": ["transformers", "CLIPTokenizer"],
    "tokenizer_2": ["transformers", "CLIPTokenizer"], "tokenizer_3": [None, None],
    "transformer": ["diffusers", "SD3Transformer2DModel"], "vae": ["diffusers", "AutoencoderKL"],
}
POOLED_DIM = 12  # pooled_projection_dim of the transformer-sd3 and transformer-sd35-medium fixtures
SCHEDULER = {"_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": "0.42.1",
             "num_train_timesteps": 1000, "shift": 3.0}


def swap_halves(tensor):
    """diffusers' `swap_scale_shift` (its own inverse): the two halves of dim 0 exchanged."""
    first, second = tensor.chunk(2, dim=0)
    return torch.cat([second, first], dim=0)


def transformer_to_original(state, config):
    """The inverse of diffusers 0.42.1 `convert_sd3_transformer_checkpoint_to_diffusers`."""
    layers = config["num_layers"]
    dual = set(config.get("dual_attention_layers") or ())
    qk_norm = config.get("qk_norm") is not None
    out = {}

    def take(name):
        return state.pop(name)

    out["pos_embed"] = take("pos_embed.pos_embed")
    for part in ("weight", "bias"):
        out["x_embedder.proj." + part] = take("pos_embed.proj." + part)
        out["t_embedder.mlp.0." + part] = take("time_text_embed.timestep_embedder.linear_1." + part)
        out["t_embedder.mlp.2." + part] = take("time_text_embed.timestep_embedder.linear_2." + part)
        out["context_embedder." + part] = take("context_embedder." + part)
        out["y_embedder.mlp.0." + part] = take("time_text_embed.text_embedder.linear_1." + part)
        out["y_embedder.mlp.2." + part] = take("time_text_embed.text_embedder.linear_2." + part)
    for i in range(layers):
        block, last = "transformer_blocks.%d." % i, i == layers - 1
        x, c = "joint_blocks.%d.x_block." % i, "joint_blocks.%d.context_block." % i
        for part in ("weight", "bias"):
            out[x + "attn.qkv." + part] = torch.cat([take(block + "attn.to_%s.%s" % (p, part)) for p in "qkv"])
            out[c + "attn.qkv." + part] = torch.cat([take(block + "attn.add_%s_proj.%s" % (p, part)) for p in "qkv"])
            out[x + "attn.proj." + part] = take(block + "attn.to_out.0." + part)
            if not last:
                out[c + "attn.proj." + part] = take(block + "attn.to_add_out." + part)
            if i in dual:
                out[x + "attn2.qkv." + part] = torch.cat([take(block + "attn2.to_%s.%s" % (p, part)) for p in "qkv"])
                out[x + "attn2.proj." + part] = take(block + "attn2.to_out.0." + part)
            out[x + "adaLN_modulation.1." + part] = take(block + "norm1.linear." + part)
            context_norm = take(block + "norm1_context.linear." + part)
            out[c + "adaLN_modulation.1." + part] = swap_halves(context_norm) if last else context_norm
            out[x + "mlp.fc1." + part] = take(block + "ff.net.0.proj." + part)
            out[x + "mlp.fc2." + part] = take(block + "ff.net.2." + part)
            if not last:
                out[c + "mlp.fc1." + part] = take(block + "ff_context.net.0.proj." + part)
                out[c + "mlp.fc2." + part] = take(block + "ff_context.net.2." + part)
        if qk_norm:
            out[x + "attn.ln_q.weight"] = take(block + "attn.norm_q.weight")
            out[x + "attn.ln_k.weight"] = take(block + "attn.norm_k.weight")
            out[c + "attn.ln_q.weight"] = take(block + "attn.norm_added_q.weight")
            out[c + "attn.ln_k.weight"] = take(block + "attn.norm_added_k.weight")
            if i in dual:
                out[x + "attn2.ln_q.weight"] = take(block + "attn2.norm_q.weight")
                out[x + "attn2.ln_k.weight"] = take(block + "attn2.norm_k.weight")
    for part in ("weight", "bias"):
        out["final_layer.linear." + part] = take("proj_out." + part)
        out["final_layer.adaLN_modulation.1." + part] = swap_halves(take("norm_out.linear." + part))
    assert not state, "transformer keys left unmapped: %s" % sorted(state)[:6]
    return {"model.diffusion_model." + k: v for k, v in out.items()}


def sources():
    transformer = SD3Transformer2DModel.from_pretrained(os.path.join(SOURCES, "transformer-sd3")).eval()
    transformer35 = SD3Transformer2DModel.from_pretrained(os.path.join(SOURCES, "transformer-sd35-medium")).eval()
    vae = AutoencoderKL.from_pretrained(os.path.join(SOURCES, "vae-sd3")).eval()
    clip_l = CLIPTextModelWithProjection.from_pretrained(os.path.join(SOURCES, "conditioning", "text_encoder")).eval()
    conditioning_g = CLIPTextModelWithProjection.from_pretrained(os.path.join(SOURCES, "conditioning", "text_encoder_2")).eval()
    # The pooled projections must add up to the transformer's pooled_projection_dim (12) for the
    # pipeline to run: CLIP-L's identity projection gives 8, so CLIP-G projects to 4 (the first
    # 4 rows of the conditioning fixture's projection).
    config = conditioning_g.config
    config.projection_dim = POOLED_DIM - clip_l.config.hidden_size
    clip_g = CLIPTextModelWithProjection(config).eval()
    state = dict(conditioning_g.state_dict())
    state["text_projection.weight"] = state["text_projection.weight"][:config.projection_dim].clone()
    clip_g.load_state_dict(state)
    return transformer, transformer35, vae, clip_l, clip_g


def text_encoder_tensors(model, prefix, position_ids):
    tensors = {prefix + k: v.clone() for k, v in model.state_dict().items()}
    if position_ids:
        tensors[prefix + "text_model.embeddings.position_ids"] = torch.arange(77, dtype=torch.int64)[None]
    return tensors


def config_folder(name, transformer, vae, clip_l, clip_g, with_text_weights):
    folder = os.path.join(OUT, name)
    os.makedirs(folder)
    with open(os.path.join(folder, "model_index.json"), "w") as fh:
        json.dump(MODEL_INDEX, fh, indent=2, sort_keys=True)
        fh.write("\n")
    os.makedirs(os.path.join(folder, "scheduler"))
    with open(os.path.join(folder, "scheduler", "scheduler_config.json"), "w") as fh:
        json.dump(SCHEDULER, fh, indent=2, sort_keys=True)
        fh.write("\n")
    transformer.save_config(os.path.join(folder, "transformer"))
    vae.save_config(os.path.join(folder, "vae"))
    for sub, model in (("text_encoder", clip_l), ("text_encoder_2", clip_g)):
        if with_text_weights:
            model.save_pretrained(os.path.join(folder, sub), safe_serialization=True)
        else:
            model.config.save_pretrained(os.path.join(folder, sub))
    for sub in ("tokenizer", "tokenizer_2"):
        shutil.copytree(os.path.join(SOURCES, "conditioning", sub), os.path.join(folder, sub))
    return folder


def assert_equal_state(actual, expected, what, except_keys=()):
    actual, expected = actual.state_dict(), expected.state_dict()
    assert sorted(actual) == sorted(expected), "%s: keys differ %s" % (what, sorted(set(actual) ^ set(expected))[:6])
    for key in expected:
        if key in except_keys:
            continue
        assert torch.equal(actual[key].float(), expected[key].float()), "%s: %s differs" % (what, key)


def load_pipeline(path, config, **components):
    return single.quiet(StableDiffusion3Pipeline.from_single_file, path, config=config, local_files_only=True,
                        torch_dtype=torch.float32, text_encoder_3=None, tokenizer_3=None, **components)


def run_transformer(model, inputs):
    with torch.no_grad():
        return model(hidden_states=inputs["hidden_states"], encoder_hidden_states=inputs["encoder_hidden_states"],
                     pooled_projections=inputs["pooled_projections"], timestep=inputs["timestep"]).sample


def run_text_encoder(model, ids):
    with torch.no_grad():
        output = model(ids, output_hidden_states=True)
    return output.hidden_states[-2], output.text_embeds


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    transformer, transformer35, vae, clip_l, clip_g = sources()

    # sd3.safetensors: every component, plus the keys diffusers leaves unused.
    tensors = transformer_to_original(dict(transformer.state_dict()), dict(transformer.config))
    tensors.update(text_encoder_tensors(clip_l, "text_encoders.clip_l.transformer.", position_ids=True))
    tensors.update(text_encoder_tensors(clip_g, "text_encoders.clip_g.transformer.", position_ids=False))
    generator = torch.Generator().manual_seed(3)
    tensors["text_encoders.t5xxl.transformer.shared.weight"] = torch.randn(514, 8, generator=generator)
    tensors["text_encoders.t5xxl.transformer.encoder.final_layer_norm.weight"] = torch.ones(8)
    tensors.update(single.vae_to_ldm(dict(vae.state_dict()), vae.config))
    sd3_path = os.path.join(OUT, "sd3.safetensors")
    save_file({k: v.contiguous() for k, v in tensors.items()}, sd3_path)
    sd3_config = config_folder("sd3-config", transformer, vae, clip_l, clip_g, with_text_weights=False)

    # sd35-medium.safetensors: transformer (dual attention, qk norm) and VAE only.
    tensors = transformer_to_original(dict(transformer35.state_dict()), dict(transformer35.config))
    tensors.update(single.vae_to_ldm(dict(vae.state_dict()), vae.config))
    sd35_path = os.path.join(OUT, "sd35-medium.safetensors")
    save_file({k: v.contiguous() for k, v in tensors.items()}, sd35_path)
    sd35_config = config_folder("sd35-medium-config", transformer35, vae, clip_l, clip_g, with_text_weights=True)

    # 1. The transformer alone, through SD3Transformer2DModel.from_single_file.
    for path, config, source in ((sd3_path, sd3_config, transformer), (sd35_path, sd35_config, transformer35)):
        loaded = single.quiet(SD3Transformer2DModel.from_single_file, path, config=config, subfolder="transformer",
                              local_files_only=True, torch_dtype=torch.float32)
        assert_equal_state(loaded, source, os.path.basename(path) + " transformer")

    # 2./3. The pipelines.
    sd3 = load_pipeline(sd3_path, sd3_config)
    # diffusers refuses a file without text encoders unless they are passed in: they are those of
    # the config folder (what --config DIR supplies on the Swift side).
    sd35 = load_pipeline(sd35_path, sd35_config, **{
        sub: CLIPTextModelWithProjection.from_pretrained(os.path.join(sd35_config, sub)).eval()
        for sub in ("text_encoder", "text_encoder_2")})
    assert sd3.text_encoder_3 is None and sd35.text_encoder_3 is None
    for pipe, name in ((sd3, "sd3"), (sd35, "sd35")):
        assert_equal_state(pipe.vae, vae, name + " vae")
        assert_equal_state(pipe.text_encoder_2, clip_g, name + " clip_g")
    assert_equal_state(sd3.text_encoder, clip_l, "sd3 clip_l", except_keys=("text_projection.weight",))
    assert torch.equal(sd3.text_encoder.text_projection.weight, torch.eye(8)), "CLIP-L's projection is the identity"
    assert_equal_state(sd35.text_encoder, clip_l, "sd35 clip_l (from the folder)")
    assert_equal_state(sd3.transformer, transformer, "sd3 pipeline transformer")
    assert_equal_state(sd35.transformer, transformer35, "sd35 pipeline transformer")

    twin = os.path.join(OUT, "sd3-twin")
    single.quiet(sd3.save_pretrained, twin, safe_serialization=True)

    # Reference outputs of the networks from_single_file loaded.
    inputs = load_file(os.path.join(SOURCES, "transformer-sd3", "inputs.safetensors"))
    vae_inputs = load_file(os.path.join(SOURCES, "vae-sd3", "inputs.safetensors"))
    ids = torch.tensor([PROMPT_IDS])
    reference = {"input_ids": ids.float(), "sd3.sample": run_transformer(sd3.transformer, inputs),
                 "sd35.sample": run_transformer(sd35.transformer, inputs)}
    for key in ("hidden_states", "encoder_hidden_states", "pooled_projections", "timestep"):
        reference["inputs." + key] = inputs[key]
    for name, model in (("clip_l", sd3.text_encoder), ("clip_g", sd3.text_encoder_2)):
        penultimate, embeds = run_text_encoder(model, ids)
        reference[name + ".penultimate"], reference[name + ".text_embeds"] = penultimate, embeds
    with torch.no_grad():
        reference["vae.latents"], reference["vae.images"] = vae_inputs["latents"], vae_inputs["images"]
        reference["vae.sample"] = sd3.vae.decode(vae_inputs["latents"]).sample
        reference["vae.mean"] = sd3.vae.encode(vae_inputs["images"]).latent_dist.mean
    save_file({k: v.contiguous() for k, v in reference.items()}, os.path.join(OUT, "reference.safetensors"))

    # 4. The twin reloads to the same transformer output.
    again = SD3Transformer2DModel.from_pretrained(os.path.join(twin, "transformer")).eval()
    assert torch.equal(run_transformer(again, inputs), reference["sd3.sample"]), "sd3-twin reload"

    for key, value in sorted(reference.items()):
        print("  %-24s shape=%-18s std=%.4f" % (key, list(value.shape), value.double().std().item()))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
