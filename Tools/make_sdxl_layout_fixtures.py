#!/usr/bin/env python3
"""SDXL weight-layout fixtures: a tiny SDXL single-file checkpoint and tiny SDXL LoRAs.

Writes Tests/Fixtures/sdxl/ (no network is run: these fixtures check key conversion and LoRA
fusion at the level of weight dictionaries):

- sdxl.safetensors: a tiny SDXL-shaped checkpoint in the original SGM layout
  (`model.diffusion_model.*` with `label_emb.0.0/0.2`, `conditioner.embedders.0.transformer.*`
  HF CLIP, `conditioner.embedders.1.model.*` OpenCLIP with `text_projection`, `logit_scale`,
  `first_stage_model.*`, plus `alphas_cumprod` and the CLIP `position_ids` buffer), written by
  converting tiny random diffusers/transformers components (3 UNet blocks like SDXL's:
  DownBlock2D + 2 CrossAttnDownBlock2D, transformer depth 1/1/2, `addition_embed_type`
  "text_time") to the SGM layout here. UNet and text encoders F32, VAE F16.
- sdxl-config/{unet,text_encoder,text_encoder_2,vae}/config.json: the components' diffusers
  configs (the `--config DIR` of the file).
- sdxl-converted.safetensors: diffusers 0.42.1's own conversion of sdxl.safetensors, with its
  single-file converters called directly with the explicit configs (`convert_ldm_unet_checkpoint`,
  `convert_ldm_vae_checkpoint`, `convert_ldm_clip_checkpoint(prefix="conditioner.embedders.0.transformer.")`,
  `convert_open_clip_checkpoint(prefix="conditioner.embedders.1.model.")`) under
  `unet/`, `text_encoder/`, `text_encoder_2/`, `vae/` (text-encoder keys with `text_model.`).
  Asserted equal to the components' own state dicts. `StableDiffusionXLPipeline.from_single_file`
  is also run offline with `config=` the twin folder and must load the same weights.
- lora-<style>.safetensors for the styles below, and lora-fused.safetensors: for each style,
  `<style>/<network>/<weight key>` = the weights diffusers fused
  (`StableDiffusionXLPipeline.load_lora_weights` + `fuse_lora(lora_scale=0.8)`) for every
  adapted module, each checked against W + 0.8 * (alpha / rank) * up @ down (float64, 1e-6).

LoRA styles (rank 2):
    kohya-sgm        lora_unet_<SGM name> (input_blocks_4_1_..., label_emb_0_0, time_embed_0,
                     input_blocks_3_0_op, output_blocks_2_2_conv), lora_te1_, lora_te2_, .alpha
    kohya-diffusers  lora_unet_<diffusers path underscored> (SDXL-Lightning/LCM style), lora_te1_,
                     lora_te2_, .alpha (no add_embedding: diffusers' kohya key conversion
                     cannot map add_embedding_linear_N)
    peft             unet./text_encoder./text_encoder_2. + lora_A/lora_B, alpha from
                     `lora_adapter_metadata` (unet alpha 4, text_encoder 1, text_encoder_2 3)
    diffusers-old    unet.<path>.lora.down/up.weight, unet.<attn>.processor.to_q_lora.down.weight,
                     text_encoder(_2).<path>.lora_linear_layer.down/up.weight

Pinned versions asserted at start-up (Tools/reference_pins.py). Deterministic (seeded, one
thread, float32). Run from the repository root:
    .venv-reference/bin/python Tools/make_sdxl_layout_fixtures.py
"""

import json
import os
import shutil
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_single_file_fixture as single  # noqa: E402  (pins checked on import)

from diffusers import (AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLPipeline,  # noqa: E402
                       UNet2DConditionModel)
from diffusers.loaders import single_file_utils as sfu  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import (CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection,  # noqa: E402
                          CLIPTokenizer)

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = single.ROOT
OUT = os.path.join(single.FIXTURES, "sdxl")
SCALE = 0.8
RANK = 2
TOLERANCE = 1e-6

UNET_CONFIG = dict(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(8, 16, 16), layers_per_block=2,
                   down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                   up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
                   transformer_layers_per_block=(1, 1, 2), attention_head_dim=(2, 2, 4), cross_attention_dim=20,
                   norm_num_groups=4, use_linear_projection=True, addition_embed_type="text_time",
                   addition_time_embed_dim=4, projection_class_embeddings_input_dim=6 * 4 + 12)
TEXT_CONFIG = dict(vocab_size=1000, hidden_size=8, intermediate_size=16, num_hidden_layers=2, num_attention_heads=2,
                   max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=8, eos_token_id=2)
# The second encoder is wider than the first (as SDXL's 1280 vs 768): diffusers tells them apart by width.
TEXT2_CONFIG = dict(TEXT_CONFIG, hidden_size=12, intermediate_size=24, projection_dim=12, num_hidden_layers=3,
                    hidden_act="gelu", pad_token_id=0)
VAE_CONFIG = dict(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 16), layers_per_block=1,
                  down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                  norm_num_groups=4, sample_size=16, scaling_factor=0.13025)

# UNet modules given LoRAs (diffusers path, SGM path).
UNET_MODULES = [
    ("conv_in", "input_blocks.0.0"),
    ("time_embedding.linear_1", "time_embed.0"),
    ("add_embedding.linear_1", "label_emb.0.0"),
    ("add_embedding.linear_2", "label_emb.0.2"),
    ("down_blocks.0.resnets.0.conv1", "input_blocks.1.0.in_layers.2"),
    ("down_blocks.0.resnets.1.time_emb_proj", "input_blocks.2.0.emb_layers.1"),
    ("down_blocks.0.downsamplers.0.conv", "input_blocks.3.0.op"),
    ("down_blocks.1.resnets.0.conv_shortcut", "input_blocks.4.0.skip_connection"),
    ("down_blocks.1.attentions.0.proj_in", "input_blocks.4.1.proj_in"),
    ("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q", "input_blocks.4.1.transformer_blocks.0.attn1.to_q"),
    ("down_blocks.2.attentions.1.transformer_blocks.1.attn2.to_k", "input_blocks.8.1.transformer_blocks.1.attn2.to_k"),
    ("down_blocks.2.attentions.0.transformer_blocks.1.ff.net.0.proj", "input_blocks.7.1.transformer_blocks.1.ff.net.0.proj"),
    ("mid_block.attentions.0.transformer_blocks.1.attn1.to_out.0", "middle_block.1.transformer_blocks.1.attn1.to_out.0"),
    ("mid_block.resnets.1.conv2", "middle_block.2.out_layers.3"),
    ("up_blocks.0.attentions.2.transformer_blocks.0.ff.net.2", "output_blocks.2.1.transformer_blocks.0.ff.net.2"),
    ("up_blocks.0.upsamplers.0.conv", "output_blocks.2.2.conv"),
    ("up_blocks.1.resnets.0.conv_shortcut", "output_blocks.3.0.skip_connection"),
    ("up_blocks.1.upsamplers.0.conv", "output_blocks.5.2.conv"),
    ("up_blocks.2.resnets.2.conv1", "output_blocks.8.0.in_layers.2"),
]
# diffusers 0.42.1 with transformers 5 (CLIPTextModel without a `text_model` level) drops kohya
# `lora_te1_..._self_attn_*` layers as unexpected keys, so kohya styles leave out the first
# encoder's attention layers; a PEFT text-encoder LoRA with MLP layers only cannot be loaded
# ("Could not automatically infer state dict type"), so the PEFT style needs one.
TEXT_MODULES = ["text_model.encoder.layers.0.mlp.fc1", "text_model.encoder.layers.1.mlp.fc2",
                "text_model.encoder.layers.1.self_attn.v_proj"]
TEXT2_MODULES = ["text_model.encoder.layers.0.self_attn.k_proj", "text_model.encoder.layers.1.self_attn.out_proj",
                 "text_model.encoder.layers.2.mlp.fc1"]
STYLES = ["kohya-sgm", "kohya-diffusers", "peft", "diffusers-old"]
PEFT_ALPHA = {"unet": 4.0, "text_encoder": 1.0, "text_encoder_2": 3.0}


def components():
    torch.manual_seed(0)
    unet = UNet2DConditionModel(**UNET_CONFIG).eval()
    text_encoder = CLIPTextModel(CLIPTextConfig(**TEXT_CONFIG)).eval()
    text_encoder_2 = CLIPTextModelWithProjection(CLIPTextConfig(**TEXT2_CONFIG)).eval()
    vae = AutoencoderKL(**VAE_CONFIG).eval()
    for model in (unet, text_encoder, text_encoder_2):
        single.perturb(model)
    single.perturb(vae)
    single.round_to(vae, torch.float16)
    return unet, text_encoder, text_encoder_2, vae


def with_text_model(state):
    return {(k if k.startswith(("text_model.", "text_projection")) else "text_model." + k): v for k, v in state.items()}


def unet_to_sgm(state, config):
    embedding = {"add_embedding.linear_1.": "label_emb.0.0.", "add_embedding.linear_2.": "label_emb.0.2."}
    rest = {k: v for k, v in state.items() if not k.startswith("add_embedding.")}
    result = single.unet_to_ldm(rest, config)
    for key, value in state.items():
        for diffusers, sgm in embedding.items():
            if key.startswith(diffusers):
                result["model.diffusion_model." + sgm + key[len(diffusers):]] = value
    return result


def openclip_to_sgm(state, layers):
    prefix = "conditioner.embedders.1.model."
    result = {prefix + "token_embedding.weight": state["text_model.embeddings.token_embedding.weight"],
              prefix + "positional_embedding": state["text_model.embeddings.position_embedding.weight"],
              prefix + "ln_final.weight": state["text_model.final_layer_norm.weight"],
              prefix + "ln_final.bias": state["text_model.final_layer_norm.bias"],
              prefix + "text_projection": state["text_projection.weight"].T.contiguous(),
              prefix + "logit_scale": torch.tensor(4.6052)}
    rename = {"layer_norm1": "ln_1", "layer_norm2": "ln_2", "self_attn.out_proj": "attn.out_proj",
              "mlp.fc1": "mlp.c_fc", "mlp.fc2": "mlp.c_proj"}
    for index in range(layers):
        out = prefix + "transformer.resblocks.%d." % index
        layer = "text_model.encoder.layers.%d." % index
        for name in ("weight", "bias"):
            result[out + "attn.in_proj_" + name] = torch.cat([state[layer + "self_attn.%s_proj.%s" % (p, name)] for p in "qkv"], 0)
            for ours, theirs in rename.items():
                result[out + theirs + "." + name] = state[layer + ours + "." + name]
    return result


def write_single_file(unet, text_encoder, text_encoder_2, vae):
    checkpoint = unet_to_sgm(unet.state_dict(), unet.config)
    text = with_text_model(text_encoder.state_dict())
    checkpoint.update({"conditioner.embedders.0.transformer." + k: v for k, v in text.items()})
    checkpoint["conditioner.embedders.0.transformer.text_model.embeddings.position_ids"] = torch.arange(77).unsqueeze(0)
    checkpoint.update(openclip_to_sgm(text_encoder_2.state_dict(), TEXT2_CONFIG["num_hidden_layers"]))
    checkpoint.update({k: v.half() for k, v in single.vae_to_ldm(vae.state_dict(), vae.config).items()})
    checkpoint["alphas_cumprod"] = torch.linspace(0.999, 0.01, 10)
    path = os.path.join(OUT, "sdxl.safetensors")
    save_file({k: v.contiguous() for k, v in sorted(checkpoint.items())}, path)
    return path


def twin(scratch, unet, text_encoder, text_encoder_2, vae):
    folder = os.path.join(scratch, "twin")
    for name, model in (("unet", unet), ("text_encoder", text_encoder), ("text_encoder_2", text_encoder_2), ("vae", vae)):
        model.save_pretrained(os.path.join(folder, name))
    for name in ("tokenizer", "tokenizer_2"):
        shutil.copytree(single.TOKENIZER_FIXTURE, os.path.join(folder, name),
                        ignore=shutil.ignore_patterns("README.md", "reference.json"))
    EulerDiscreteScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012).save_pretrained(
        os.path.join(folder, "scheduler"))
    index = {"_class_name": "StableDiffusionXLPipeline", "force_zeros_for_empty_prompt": True,
             "scheduler": ["diffusers", "EulerDiscreteScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
             "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"], "tokenizer": ["transformers", "CLIPTokenizer"],
             "tokenizer_2": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
             "vae": ["diffusers", "AutoencoderKL"]}
    with open(os.path.join(folder, "model_index.json"), "w") as handle:
        json.dump(index, handle, indent=2, sort_keys=True)
    config_out = os.path.join(OUT, "sdxl-config")
    shutil.rmtree(config_out, ignore_errors=True)
    for name in ("unet", "text_encoder", "text_encoder_2", "vae"):
        os.makedirs(os.path.join(config_out, name))
        shutil.copy(os.path.join(folder, name, "config.json"), os.path.join(config_out, name, "config.json"))
    return folder


def convert_and_verify(path, folder, unet, text_encoder, text_encoder_2, vae):
    checkpoint = load_file(path)
    converted = {
        "unet": sfu.convert_ldm_unet_checkpoint(checkpoint, dict(unet.config)),
        "vae": sfu.convert_ldm_vae_checkpoint(checkpoint, dict(vae.config)),
        "text_encoder": with_text_model(sfu.convert_ldm_clip_checkpoint(checkpoint, "conditioner.embedders.0.transformer.")),
        "text_encoder_2": sfu.convert_open_clip_checkpoint(text_encoder_2, checkpoint, prefix="conditioner.embedders.1.model."),
    }
    position = [k for k in converted["text_encoder"] if k.endswith("position_ids")]
    for k in position:
        del converted["text_encoder"][k]
    expected = {"unet": unet.state_dict(), "vae": vae.state_dict(), "text_encoder": with_text_model(text_encoder.state_dict()),
                "text_encoder_2": text_encoder_2.state_dict()}
    for name in converted:
        single.assert_same(converted[name], expected[name], name + " converter")
    pipe = single.quiet(StableDiffusionXLPipeline.from_single_file, path, config=folder, local_files_only=True,
                        torch_dtype=torch.float32)
    single.assert_same(pipe.unet.state_dict(), expected["unet"], "from_single_file UNet")
    single.assert_same(pipe.vae.state_dict(), expected["vae"], "from_single_file VAE")
    single.assert_same(with_text_model(pipe.text_encoder.state_dict()), expected["text_encoder"], "from_single_file text encoder")
    single.assert_same(pipe.text_encoder_2.state_dict(), expected["text_encoder_2"], "from_single_file text encoder 2")
    tensors = {"%s/%s" % (name, k): v.float().contiguous() for name in converted for k, v in converted[name].items()}
    save_file(dict(sorted(tensors.items())), os.path.join(OUT, "sdxl-converted.safetensors"))
    return {name: len(c) for name, c in converted.items()}


# ----------------------------------------------------------------------------- LoRAs

def layers_for(models):
    """{network: {module: (down, up, alpha)}} with fixed seeds."""
    generator = torch.Generator().manual_seed(7)
    layers = {}
    for network, modules in (("unet", [m for m, _ in UNET_MODULES]), ("text_encoder", TEXT_MODULES),
                             ("text_encoder_2", TEXT2_MODULES)):
        state = models[network]
        layers[network] = {}
        for index, module in enumerate(modules):
            weight = state[module + ".weight"]
            kernel = list(weight.shape[2:])
            down = torch.randn([RANK, weight.shape[1]] + kernel, generator=generator) * 0.5
            up = torch.randn([weight.shape[0], RANK] + ([1, 1] if kernel else []), generator=generator) * 0.5
            # Per-module alphas, except attention q/k/v/out (diffusers 0.42.1 gives kohya attention
            # layers the most common alpha, 1.0, whatever their own) and the text encoders.
            attention = any(module.endswith(p) for p in ("to_q", "to_k", "to_v", "to_out.0"))
            alpha = (1.0 + 0.5 * (index % 3)) if network == "unet" and not attention else 1.0
            layers[network][module] = (down, up, alpha)
    return layers


def style_tensors(style, layers):
    sgm = dict(UNET_MODULES)
    kohya_prefix = {"unet": "lora_unet_", "text_encoder": "lora_te1_", "text_encoder_2": "lora_te2_"}
    tensors, metadata, alphas = {}, {"format": "pt"}, {}
    for network, modules in layers.items():
        for module, (down, up, alpha) in modules.items():
            if style.startswith("kohya"):
                if style == "kohya-diffusers" and module.startswith("add_embedding"):
                    continue
                if network == "text_encoder" and ".self_attn." in module:
                    continue
                name = sgm[module] if (style == "kohya-sgm" and network == "unet") else module
                stem = kohya_prefix[network] + name.replace(".", "_")
                tensors[stem + ".lora_down.weight"], tensors[stem + ".lora_up.weight"] = down, up
                tensors[stem + ".alpha"] = torch.tensor(alpha)
                alphas[(network, module)] = alpha
            elif style == "peft":
                tensors["%s.%s.lora_A.weight" % (network, module)] = down
                tensors["%s.%s.lora_B.weight" % (network, module)] = up
                alphas[(network, module)] = PEFT_ALPHA[network]
            else:
                path = network + "." + module
                attention = [".attn1.", ".attn2."]
                if network == "unet" and any(a in module for a in attention) and module.rsplit(".", 1)[-1] in ("to_q", "to_k", "to_v") \
                        or module.endswith("to_out.0"):
                    parent, leaf = (module[:-len(".to_out.0")], "to_out") if module.endswith("to_out.0") else module.rsplit(".", 1)
                    stem = "%s.%s.processor.%s_lora" % (network, parent, leaf)
                    tensors[stem + ".down.weight"], tensors[stem + ".up.weight"] = down, up
                elif network == "unet":
                    tensors[path + ".lora.down.weight"], tensors[path + ".lora.up.weight"] = down, up
                else:
                    tensors[path + ".lora_linear_layer.down.weight"] = down
                    tensors[path + ".lora_linear_layer.up.weight"] = up
                alphas[(network, module)] = float(RANK)
    if style == "peft":
        adapter = {}
        for network, alpha in PEFT_ALPHA.items():
            targets = sorted({m.rsplit(".", 1)[-1] for m in layers[network]})
            adapter.update({network + ".r": RANK, network + ".lora_alpha": alpha, network + ".target_modules": targets})
        metadata["lora_adapter_metadata"] = json.dumps(adapter, sort_keys=True)
    return tensors, metadata, alphas


def fuse_with_diffusers(folder, path, style, layers, alphas, base):
    pipe = single.quiet(StableDiffusionXLPipeline.from_pretrained, folder, torch_dtype=torch.float32)
    single.quiet(pipe.load_lora_weights, path)
    pipe.fuse_lora(lora_scale=SCALE)
    pipe.unload_lora_weights()
    fused = {"unet": pipe.unet.state_dict(), "text_encoder": with_text_model(pipe.text_encoder.state_dict()),
             "text_encoder_2": pipe.text_encoder_2.state_dict()}
    result = {}
    for network, modules in layers.items():
        adapted = {m for (n, m) in alphas if n == network}
        for key, weight in fused[network].items():
            module = key[:-len(".weight")] if key.endswith(".weight") else None
            if module in adapted:
                down, up, _ = modules[module]
                expected = base[network][key].double() + SCALE * alphas[(network, module)] / RANK * (
                    up.double().reshape(up.shape[0], RANK) @ down.double().reshape(RANK, -1)).reshape(weight.shape)
                error = (weight.double() - expected).abs().max().item()
                if os.environ.get("SDXL_DEBUG") and error > TOLERANCE:
                    product = (up.double().reshape(up.shape[0], RANK) @ down.double().reshape(RANK, -1)).reshape(weight.shape)
                    effective = ((weight.double() - base[network][key].double()) * product).sum() / (product * product).sum()
                    print("DEBUG", style, network, key, "expected multiplier", SCALE * alphas[(network, module)] / RANK,
                          "diffusers", effective.item())
                    continue
                assert error <= TOLERANCE, "%s %s %s: diffusers differs from the formula by %g" % (style, network, key, error)
                result["%s/%s/%s" % (style, network, key)] = weight.contiguous()
            else:
                assert torch.equal(weight, base[network][key]), "%s %s %s changed but is not adapted" % (style, network, key)
    assert len(result) == len(alphas), "%s: diffusers fused %d of %d modules" % (style, len(result), len(alphas))
    return result


def main():
    os.makedirs(OUT, exist_ok=True)
    unet, text_encoder, text_encoder_2, vae = components()
    scratch_root = os.path.join(ROOT, ".scratch")
    os.makedirs(scratch_root, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root) as scratch:
        folder = twin(scratch, unet, text_encoder, text_encoder_2, vae)
        path = write_single_file(unet, text_encoder, text_encoder_2, vae)
        counts = convert_and_verify(path, folder, unet, text_encoder, text_encoder_2, vae)
        print("converted:", counts)
        base = {"unet": unet.state_dict(), "text_encoder": with_text_model(text_encoder.state_dict()),
                "text_encoder_2": text_encoder_2.state_dict()}
        layers = layers_for(base)
        fused = {}
        for style in STYLES:
            tensors, metadata, alphas = style_tensors(style, layers)
            lora_path = os.path.join(OUT, "lora-%s.safetensors" % style)
            save_file({k: v.contiguous() for k, v in sorted(tensors.items())}, lora_path, metadata=metadata)
            fused.update(fuse_with_diffusers(folder, lora_path, style, layers, alphas, base))
            print(style, "fused", len(alphas), "modules")
        save_file(dict(sorted(fused.items())), os.path.join(OUT, "lora-fused.safetensors"))


if __name__ == "__main__":
    main()
