#!/usr/bin/env python3
"""Single-file (original Stable Diffusion / LDM / A1111 key layout) checkpoint fixtures.

Writes Tests/Fixtures/single-file/: tiny diffusers models ("twins") turned into one LDM-layout
`.safetensors` file each by the inverse of diffusers' single-file conversion, verified with
diffusers' own single-file loader, plus reference outputs computed by diffusers.

- sd1.safetensors: SD1.x layout (`model.diffusion_model.*`, `first_stage_model.*`,
  `cond_stage_model.transformer.text_model.*`), all floating-point tensors stored as F16, plus
  non-network keys real checkpoints carry (`alphas_cumprod`, `betas`, `model_ema.decay`,
  `model_ema.num_updates`, the text encoder's `position_ids`). Twin: ../unet-sd1,
  ../clip-quick-gelu and ../vae with every weight rounded to float16 (the configs are copied
  to sd1-config/{unet,text_encoder,vae}/config.json, the `--config DIR` of this file).
- sd2.safetensors: SD2.x layout with the OpenCLIP text encoder
  (`cond_stage_model.model.transformer.resblocks.N.attn.in_proj_weight`, ...), one resblock more
  than the twin's text encoder (SD2 drops the last one), `text_projection` and `logit_scale`;
  UNet and text encoder F32, VAE BF16. Twin: sd2-twin/ (a diffusers pipeline folder written here,
  VAE weights rounded to bfloat16). The UNet uses `use_linear_projection=True` and
  cross-attention width 32 (not SD2's 1024), so the file loads only with `--config sd2-twin`.

Verification (asserted; the script fails otherwise):
1. diffusers' converters (`diffusers.loaders.single_file_utils.convert_ldm_unet_checkpoint`,
   `convert_ldm_vae_checkpoint`, `convert_ldm_clip_checkpoint`, `convert_open_clip_checkpoint`)
   turn the file back into exactly the twin's keys (apart from the documented dropped OpenCLIP
   layer) with every tensor equal (torch.equal after upcasting to float32).
2. `StableDiffusionPipeline.from_single_file(file, config=twin, local_files_only=True)` loads
   weights equal to the twin's, and its networks give outputs equal to the twin's.
3. The reference outputs (`<name>-reference.safetensors`) are those of the twin loaded with
   `from_pretrained`, in float32, eval mode, no grad.

Run from the repository root:  .venv-reference/bin/python Tools/make_single_file_fixture.py
"""

import io
import json
import os
import shutil
import tempfile
import warnings
from contextlib import redirect_stderr, redirect_stdout

import diffusers
import torch

from reference_pins import PINS, check as check_pins  # noqa: E402

PACKAGES = ("torch", "diffusers", "transformers", "safetensors", "numpy", "peft")
check_pins(*PACKAGES)

from diffusers import AutoencoderKL, StableDiffusionPipeline, UNet2DConditionModel  # noqa: E402
from diffusers.loaders import single_file_utils as sfu  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
warnings.filterwarnings("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
OUT = os.path.join(FIXTURES, "single-file")
TOKENIZER_FIXTURE = os.path.join(FIXTURES, "clip-tokenizer")
LORA_STYLE = "peft"
LORA_SCALE = 0.7

RESNET_LDM = {"norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1",
              "norm2": "out_layers.0", "conv2": "out_layers.3", "conv_shortcut": "skip_connection"}


def quiet(function, *args, **kwargs):
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        return function(*args, **kwargs)


def perturb(model, w_scale=1.0, v_scale=0.1):
    """As Tools/make_reference_fixtures.py: move every parameter off its init value."""
    with torch.no_grad():
        for _, p in model.named_parameters():
            if p.ndim >= 2:
                p.data = p.data + (w_scale / p[0].numel() ** 0.5) * torch.randn_like(p)
            else:
                p.data = p.data + v_scale * torch.randn_like(p)


def round_to(model, dtype):
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.data = p.data.to(dtype).float()


# ----------------------------------------------------------------------------- diffusers -> LDM

def unet_blocks(config):
    """(diffusers prefix, LDM prefix, is_resnet) in the layout of diffusers' converter."""
    blocks = [("conv_in", "input_blocks.0.0", False), ("time_embedding.linear_1", "time_embed.0", False),
              ("time_embedding.linear_2", "time_embed.2", False), ("conv_norm_out", "out.0", False),
              ("conv_out", "out.2", False), ("mid_block.resnets.0", "middle_block.0", True),
              ("mid_block.attentions.0", "middle_block.1", False), ("mid_block.resnets.1", "middle_block.2", True)]
    count = len(config.block_out_channels)
    layers = config.layers_per_block
    layers = [layers] * count if isinstance(layers, int) else list(layers)
    slot = 1
    for index, kind in enumerate(config.down_block_types):
        for layer in range(layers[index]):
            blocks.append(("down_blocks.%d.resnets.%d" % (index, layer), "input_blocks.%d.0" % slot, True))
            if kind.startswith("CrossAttn"):
                blocks.append(("down_blocks.%d.attentions.%d" % (index, layer), "input_blocks.%d.1" % slot, False))
            slot += 1
        if index < count - 1:
            blocks.append(("down_blocks.%d.downsamplers.0.conv" % index, "input_blocks.%d.0.op" % slot, False))
            slot += 1
    slot = 0
    for index, kind in enumerate(config.up_block_types):
        attention = kind.startswith("CrossAttn")
        for layer in range(list(reversed(layers))[index] + 1):
            blocks.append(("up_blocks.%d.resnets.%d" % (index, layer), "output_blocks.%d.0" % slot, True))
            if attention:
                blocks.append(("up_blocks.%d.attentions.%d" % (index, layer), "output_blocks.%d.1" % slot, False))
            if layer == list(reversed(layers))[index] and index < count - 1:
                blocks.append(("up_blocks.%d.upsamplers.0.conv" % index,
                               "output_blocks.%d.%d.conv" % (slot, 2 if attention else 1), False))
            slot += 1
    return blocks


def unet_to_ldm(state, config):
    blocks = unet_blocks(config)
    result = {}
    for key, value in state.items():
        for diffusers_prefix, ldm_prefix, is_resnet in blocks:
            if key.startswith(diffusers_prefix + "."):
                rest = key[len(diffusers_prefix) + 1:]
                if is_resnet:
                    first, tail = rest.split(".", 1)
                    rest = RESNET_LDM[first] + "." + tail
                result["model.diffusion_model." + ldm_prefix + "." + rest] = value
                break
        else:
            raise AssertionError("no LDM name for UNet key " + key)
    return result


def vae_to_ldm(state, config):
    count = len(config.block_out_channels)
    result = {}
    attention = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}
    for key, value in state.items():
        new = key
        for part in ("encoder", "decoder"):
            for k in (0, 1):
                new = new.replace("%s.mid_block.resnets.%d." % (part, k), "%s.mid.block_%d." % (part, k + 1))
            if new.startswith(part + ".mid_block.attentions.0."):
                rest = new[len(part + ".mid_block.attentions.0."):]
                module, name = rest.rsplit(".", 1)
                new = "%s.mid.attn_1.%s.%s" % (part, attention[module], name)
                if module != "group_norm" and name == "weight":
                    value = value.reshape(value.shape[0], value.shape[1], 1, 1)
        for index in range(count):
            new = new.replace("encoder.down_blocks.%d.resnets." % index, "encoder.down.%d.block." % index)
            new = new.replace("encoder.down_blocks.%d.downsamplers.0." % index, "encoder.down.%d.downsample." % index)
            new = new.replace("decoder.up_blocks.%d.resnets." % index, "decoder.up.%d.block." % (count - 1 - index))
            new = new.replace("decoder.up_blocks.%d.upsamplers.0." % index, "decoder.up.%d.upsample." % (count - 1 - index))
        new = new.replace(".conv_shortcut.", ".nin_shortcut.").replace("conv_norm_out.", "norm_out.")
        result["first_stage_model." + new] = value
    return result


def text_state(model):
    """The CLIPTextModel parameters with the `text_model.` prefix real SD1 checkpoints have."""
    state = model.state_dict()
    return {(k if k.startswith("text_model.") else "text_model." + k): v for k, v in state.items()}


def clip_to_ldm(state):
    return {"cond_stage_model.transformer." + k: v for k, v in state.items()}


def openclip_to_ldm(state, layers, hidden, extra_layer, projection_width):
    prefix = "cond_stage_model.model."
    result = {prefix + "token_embedding.weight": state["text_model.embeddings.token_embedding.weight"],
              prefix + "positional_embedding": state["text_model.embeddings.position_embedding.weight"],
              prefix + "ln_final.weight": state["text_model.final_layer_norm.weight"],
              prefix + "ln_final.bias": state["text_model.final_layer_norm.bias"]}
    rename = {"layer_norm1": "ln_1", "layer_norm2": "ln_2", "self_attn.out_proj": "attn.out_proj",
              "mlp.fc1": "mlp.c_fc", "mlp.fc2": "mlp.c_proj"}

    def block(index, get):
        out = prefix + "transformer.resblocks.%d." % index
        for name in ("weight", "bias"):
            result[out + "attn.in_proj_" + name] = torch.cat(
                [get("self_attn.%s_proj.%s" % (p, name)) for p in "qkv"], 0)
            for ours, theirs in rename.items():
                result[out + theirs + "." + name] = get(ours + "." + name)

    for index in range(layers):
        block(index, lambda name: state["text_model.encoder.layers.%d.%s" % (index, name)])
    block(layers, lambda name: extra_layer[name])
    result[prefix + "text_projection"] = torch.randn(hidden, projection_width) / hidden ** 0.5
    result[prefix + "logit_scale"] = torch.tensor(4.6052)
    return result


# ----------------------------------------------------------------------------- verification

def assert_same(converted, expected, what, dropped=()):
    keys = set(converted) - set(dropped)
    missing, extra = sorted(set(expected) - keys), sorted(keys - set(expected))
    assert not missing and not extra, "%s: missing %s, extra %s" % (what, missing[:5], extra[:5])
    for key in expected:
        assert torch.equal(converted[key].float(), expected[key].float()), "%s: %s differs" % (what, key)
    return len(expected)


def twin_folder(scratch, name, unet, text_encoder, vae, scheduler_config):
    folder = os.path.join(scratch, name)
    unet.save_pretrained(os.path.join(folder, "unet"))
    text_encoder.save_pretrained(os.path.join(folder, "text_encoder"))
    vae.save_pretrained(os.path.join(folder, "vae"))
    shutil.copytree(TOKENIZER_FIXTURE, os.path.join(folder, "tokenizer"),
                    ignore=shutil.ignore_patterns("README.md", "reference.json"))
    os.makedirs(os.path.join(folder, "scheduler"))
    with open(os.path.join(folder, "scheduler", "scheduler_config.json"), "w") as handle:
        json.dump(scheduler_config, handle, indent=2, sort_keys=True)
    index = {"_class_name": "StableDiffusionPipeline", "_diffusers_version": diffusers.__version__,
             "feature_extractor": [None, None], "image_encoder": [None, None], "requires_safety_checker": False,
             "safety_checker": [None, None], "scheduler": ["diffusers", "PNDMScheduler"],
             "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
             "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"]}
    with open(os.path.join(folder, "model_index.json"), "w") as handle:
        json.dump(index, handle, indent=2, sort_keys=True)
    return folder


def run(unet, text_encoder, vae, inputs):
    with torch.no_grad():
        sample = unet(inputs["sample"], inputs["timestep"], encoder_hidden_states=inputs["encoder_hidden_states"]).sample
        encoded = text_encoder(input_ids=inputs["input_ids"])
        return {"unet/sample": sample, "text_encoder/last_hidden_state": encoded.last_hidden_state,
                "text_encoder/pooler_output": encoded.pooler_output,
                "vae/latent_dist_mean": vae.encode(inputs["images"]).latent_dist.mean,
                "vae/sample": vae.decode(inputs["latents"]).sample}


def verify(path, twin, unet, text_encoder, vae, openclip_layers=None):
    """Checks 1 and 2 of the module docstring; returns counts for the README."""
    checkpoint = load_file(path)
    counts = {}
    counts["unet"] = assert_same(sfu.convert_ldm_unet_checkpoint(checkpoint, dict(unet.config)),
                                 unet.state_dict(), "UNet converter")
    counts["vae"] = assert_same(sfu.convert_ldm_vae_checkpoint(checkpoint, dict(vae.config)),
                                vae.state_dict(), "VAE converter")
    expected_text = text_state(text_encoder)
    if openclip_layers is None:
        converted = sfu.convert_ldm_clip_checkpoint(checkpoint)
        dropped = [k for k in converted if k.endswith("position_ids")]
    else:
        converted = sfu.convert_open_clip_checkpoint(text_encoder, checkpoint)
        dropped = [k for k in converted if k.startswith("text_model.encoder.layers.%d." % openclip_layers)]
        assert len(dropped) == 16, dropped  # q/k/v/out, ln_1/ln_2, fc1/fc2: weight and bias
    counts["text_encoder"] = assert_same(converted, expected_text, "text encoder converter", dropped)

    pipe = quiet(StableDiffusionPipeline.from_single_file, path, config=twin, local_files_only=True,
                 safety_checker=None, requires_safety_checker=False, torch_dtype=torch.float32)
    assert_same(pipe.unet.state_dict(), unet.state_dict(), "from_single_file UNet")
    assert_same(pipe.vae.state_dict(), vae.state_dict(), "from_single_file VAE")
    assert_same(text_state(pipe.text_encoder), expected_text, "from_single_file text encoder")
    # The twins' text encoders run with eager attention (as Tools/make_reference_fixtures.py).
    pipe.text_encoder.set_attn_implementation("eager")
    return counts, pipe


def inputs_for(seed, latent_size, image_size, context, vocabulary):
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, vocabulary - 1, (1, 77), generator=generator)
    ids[0, 0], ids[0, 9] = 1, vocabulary - 1
    return {"sample": torch.randn(1, 4, 8, 8, generator=generator),
            "timestep": torch.tensor([377.0]),
            "encoder_hidden_states": torch.randn(1, 5, context, generator=generator),
            "input_ids": ids,
            "latents": torch.randn(1, 4, latent_size, latent_size, generator=generator),
            "images": torch.randn(1, 3, image_size, image_size, generator=generator).clamp(-1, 1)}


def save_reference(name, inputs, outputs, extra=None):
    tensors = {"inputs/" + k: v.contiguous() for k, v in inputs.items()}
    tensors.update({"outputs/" + k: v.contiguous() for k, v in outputs.items()})
    tensors.update({k: v.contiguous() for k, v in (extra or {}).items()})
    save_file(tensors, os.path.join(OUT, name + "-reference.safetensors"))
    return sorted((k, list(v.shape)) for k, v in tensors.items())


SD15_SCHEDULER = {"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
                  "beta_start": 0.00085, "clip_sample": False, "num_train_timesteps": 1000,
                  "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1, "trained_betas": None}
SD2_SCHEDULER = dict(SD15_SCHEDULER, _class_name="DDIMScheduler", prediction_type="v_prediction")


def make_sd1(scratch):
    unet = UNet2DConditionModel.from_pretrained(os.path.join(FIXTURES, "unet-sd1")).eval()
    text_encoder = CLIPTextModel.from_pretrained(os.path.join(FIXTURES, "clip-quick-gelu"), dtype=torch.float32,
                                                 attn_implementation="eager").eval()
    vae = AutoencoderKL.from_pretrained(os.path.join(FIXTURES, "vae")).eval()
    for model in (unet, text_encoder, vae):
        round_to(model, torch.float16)
    twin = twin_folder(scratch, "sd1-twin", unet, text_encoder, vae, SD15_SCHEDULER)

    tensors = {}
    tensors.update(unet_to_ldm(unet.state_dict(), unet.config))
    tensors.update(vae_to_ldm(vae.state_dict(), vae.config))
    tensors.update(clip_to_ldm(text_state(text_encoder)))
    tensors = {k: v.to(torch.float16).contiguous() for k, v in tensors.items()}
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    tensors["betas"] = betas.float()
    tensors["alphas_cumprod"] = torch.cumprod(1 - betas, 0).float()
    tensors["model_ema.decay"] = torch.tensor(0.9999)
    tensors["model_ema.num_updates"] = torch.tensor(470000, dtype=torch.int32)
    tensors["cond_stage_model.transformer.text_model.embeddings.position_ids"] = torch.arange(77).unsqueeze(0)
    path = os.path.join(OUT, "sd1.safetensors")
    save_file(tensors, path)

    config = os.path.join(OUT, "sd1-config")
    for sub in ("unet", "text_encoder", "vae"):
        os.makedirs(os.path.join(config, sub))
        shutil.copy(os.path.join(twin, sub, "config.json"), os.path.join(config, sub, "config.json"))

    counts, pipe = verify(path, twin, unet, text_encoder, vae)
    inputs = inputs_for(11, 4, 16, 32, 1000)
    outputs = run(unet, text_encoder, vae, inputs)
    from_file = run(pipe.unet, pipe.text_encoder, pipe.vae, inputs)
    for key in outputs:
        assert torch.equal(outputs[key], from_file[key]), "from_single_file output differs: " + key

    # LoRA fused into the single-file pipeline and into the twin: the same outputs.
    lora = os.path.join(FIXTURES, "lora", LORA_STYLE, "lora.safetensors")
    lora_outputs = {}
    for label, source in (("single-file", pipe), ("twin", None)):
        target = source or quiet(StableDiffusionPipeline.from_pretrained, twin, local_files_only=True,
                                 safety_checker=None, requires_safety_checker=False)
        target.text_encoder.set_attn_implementation("eager")
        quiet(target.load_lora_weights, lora)
        quiet(target.fuse_lora, lora_scale=LORA_SCALE)
        quiet(target.unload_lora_weights)
        lora_outputs[label] = run(target.unet, target.text_encoder, target.vae, inputs)
    for key in ("unet/sample", "text_encoder/last_hidden_state"):
        assert torch.equal(lora_outputs["single-file"][key], lora_outputs["twin"][key]), key
        assert (lora_outputs["twin"][key] - outputs[key]).abs().max() > 0.05, "the LoRA has no effect on " + key
    extra = {"lora/" + key: lora_outputs["twin"][key] for key in ("unet/sample", "text_encoder/last_hidden_state")}
    listing = save_reference("sd1", inputs, outputs, extra)
    return counts, listing, tensors


def make_sd2(scratch):
    torch.manual_seed(2)
    unet = UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, block_out_channels=(8, 16), layers_per_block=1,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32, attention_head_dim=(2, 4), use_linear_projection=True, upcast_attention=True,
        norm_num_groups=4).eval()
    perturb(unet)
    config = CLIPTextConfig(vocab_size=256, hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                            num_attention_heads=4, max_position_embeddings=77, hidden_act="gelu", eos_token_id=2,
                            bos_token_id=0, pad_token_id=1, projection_dim=16)
    text_encoder = CLIPTextModel(config).eval()
    text_encoder.set_attn_implementation("eager")
    perturb(text_encoder)
    extra_model = CLIPTextModel(config)
    perturb(extra_model)
    extra_layer = {k[len("text_model.encoder.layers.0."):]: v for k, v in text_state(extra_model).items()
                   if k.startswith("text_model.encoder.layers.0.")}
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 16),
                        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                        layers_per_block=1, norm_num_groups=4, sample_size=16).eval()
    perturb(vae)
    round_to(vae, torch.bfloat16)
    os.makedirs(os.path.join(OUT, "sd2-twin"))
    twin = twin_folder(scratch, "sd2-twin", unet, text_encoder, vae, SD2_SCHEDULER)
    for sub in ("unet", "text_encoder", "vae", "scheduler"):
        shutil.copytree(os.path.join(twin, sub), os.path.join(OUT, "sd2-twin", sub))
    shutil.copy(os.path.join(twin, "model_index.json"), os.path.join(OUT, "sd2-twin", "model_index.json"))

    tensors = {}
    tensors.update(unet_to_ldm(unet.state_dict(), unet.config))
    tensors.update({k: v.to(torch.bfloat16) for k, v in vae_to_ldm(vae.state_dict(), vae.config).items()})
    tensors.update(openclip_to_ldm(text_state(text_encoder), 2, 32, extra_layer, 16))
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    path = os.path.join(OUT, "sd2.safetensors")
    save_file(tensors, path)

    counts, pipe = verify(path, twin, unet, text_encoder, vae, openclip_layers=2)
    inputs = inputs_for(12, 8, 16, 32, 256)
    outputs = run(unet, text_encoder, vae, inputs)
    from_file = run(pipe.unet, pipe.text_encoder, pipe.vae, inputs)
    for key in outputs:
        assert torch.equal(outputs[key], from_file[key]), "from_single_file output differs: " + key
    listing = save_reference("sd2", inputs, outputs)
    return counts, listing, tensors


def dtype_summary(tensors):
    summary = {}
    for value in tensors.values():
        name = str(value.dtype).replace("torch.", "")
        summary[name] = summary.get(name, 0) + 1
    return ", ".join("%d %s" % (count, name) for name, count in sorted(summary.items()))


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    with tempfile.TemporaryDirectory() as scratch:
        sd1_counts, sd1_listing, sd1_tensors = make_sd1(scratch)
        sd2_counts, sd2_listing, sd2_tensors = make_sd2(scratch)
    versions = ", ".join("%s %s" % (name, PINS[name]) for name in PACKAGES)
    lines = [
        "# Single-file (LDM layout) checkpoint fixtures",
        "",
        "Generated by `Tools/make_single_file_fixture.py` -- do not edit by hand (this README is written "
        "by the script). Regenerate from the repository root with "
        "`.venv-reference/bin/python Tools/make_single_file_fixture.py`.",
        "",
        "Versions (asserted): " + versions + ".",
        "",
        "## How the files were checked",
        "",
        "Each file is written from a tiny diffusers twin by the inverse of diffusers' single-file key "
        "mapping, then verified by diffusers itself (the script fails otherwise):",
        "",
        "1. `diffusers.loaders.single_file_utils.convert_ldm_unet_checkpoint`, `convert_ldm_vae_checkpoint` and "
        "`convert_ldm_clip_checkpoint` / `convert_open_clip_checkpoint` map the file back to exactly the twin's "
        "keys with every tensor equal (`torch.equal` in float32); the only extra keys are the OpenCLIP layer SD2 "
        "drops (`text_model.encoder.layers.2.*`, 16 tensors) and `position_ids`.",
        "2. `StableDiffusionPipeline.from_single_file(file, config=twin, local_files_only=True)` loads UNet, "
        "text encoder and VAE weights equal to the twin's, and gives outputs equal to the twin's.",
        "3. The reference outputs are the twin's (`from_pretrained`), float32, eval mode, `torch.no_grad()`.",
        "",
        "Checked tensors: sd1 UNet %(unet)d, VAE %(vae)d, text encoder %(text_encoder)d; " % sd1_counts
        + "sd2 UNet %(unet)d, VAE %(vae)d, text encoder %(text_encoder)d." % sd2_counts,
        "",
        "## sd1.safetensors",
        "",
        "SD1.x layout: `model.diffusion_model.*`, `first_stage_model.*`, `cond_stage_model.transformer.text_model.*`; "
        "plus `betas`, `alphas_cumprod`, `model_ema.decay`, `model_ema.num_updates` and the text encoder's "
        "`position_ids` (real checkpoints carry such keys; a loader ignores them). Dtypes: %s. " % dtype_summary(sd1_tensors)
        + "Twin: `../unet-sd1`, `../clip-quick-gelu`, `../vae` with every weight rounded to float16 (so the "
        "file's F16 values upcast to float32 equal the twin exactly; the unrounded fixtures differ by at most "
        "half an fp16 ulp). `sd1-config/` holds the twin's three `config.json` files: the `--config DIR` for "
        "this file (its shapes are not SD1.5's).",
        "",
        "`sd1-reference.safetensors`: `inputs/*` and the twin's `outputs/*` "
        "(`unet/sample` = `unet(sample, timestep, encoder_hidden_states).sample`, "
        "`text_encoder/last_hidden_state`, `text_encoder/pooler_output` for `input_ids`, "
        "`vae/latent_dist_mean` = `vae.encode(images).latent_dist.mean`, `vae/sample` = `vae.decode(latents).sample`), "
        "and `lora/unet/sample`, `lora/text_encoder/last_hidden_state`: the same after "
        "`pipe.load_lora_weights(../lora/%s/lora.safetensors)`, `pipe.fuse_lora(lora_scale=%s)` -- " % (LORA_STYLE, LORA_SCALE)
        + "equal whether the pipeline came from the single file or from the twin folder.",
        "",
    ] + ["- `%s` %s" % item for item in sd1_listing] + [
        "",
        "## sd2.safetensors",
        "",
        "SD2.x layout with the OpenCLIP text encoder under `cond_stage_model.model.` (`token_embedding.weight`, "
        "`positional_embedding`, `transformer.resblocks.N.{ln_1,ln_2,attn.in_proj_weight,attn.in_proj_bias,"
        "attn.out_proj,mlp.c_fc,mlp.c_proj}`, `ln_final`, `text_projection` [32,16], `logit_scale`), with 3 "
        "resblocks for a 2-layer twin text encoder (SD2 conditions on the penultimate layer; the last resblock "
        "is dropped). Dtypes: %s (UNet and text encoder F32, VAE BF16). " % dtype_summary(sd2_tensors)
        + "Twin: `sd2-twin/` (a diffusers pipeline folder without tokenizer; VAE weights rounded to bfloat16). "
        "UNet: `block_out_channels=(8,16)`, `layers_per_block=1`, heads `(2,4)`, `norm_num_groups=4`, "
        "`use_linear_projection=True`, `cross_attention_dim=32`; text encoder hidden 32, 2 layers, 4 heads, `gelu`, "
        "vocab 256; VAE "
        "`block_out_channels=(8,16)`, `layers_per_block=1`, `norm_num_groups=4`. Cross-attention 32 is not "
        "SD2's 1024, so this file loads only with `--config sd2-twin`.",
        "",
    ] + ["- `%s` %s" % item for item in sd2_listing] + [""]
    with open(os.path.join(OUT, "README.md"), "w") as handle:
        handle.write("\n".join(lines))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
