#!/usr/bin/env python3
"""Generate the LoRA reference fixtures in Tests/Fixtures/lora/ for the Swift LoRA fusion.

What it makes: tiny random LoRAs for the `unet-sd1` UNet and the `clip-quick-gelu` text encoder
(Tests/Fixtures/, made by Tools/make_reference_fixtures.py), one folder per key style:

    kohya-diffusers   lora_unet_<diffusers path>/lora_te_<path>, .lora_down/.lora_up/.alpha
    kohya-ldm         lora_unet_<original SD (LDM) path>,  .lora_down/.lora_up/.alpha
    peft-metadata     unet./text_encoder. + .lora_A/.lora_B, `lora_adapter_metadata` JSON
    peft              unet./text_encoder. + .lora_A/.lora_B, no metadata (scale 1)
    diffusers-old     unet./text_encoder. + .lora.down/.lora.up, processor.to_q_lora.down,
                      lora_linear_layer.down, self_attn.to_q_lora.down (no alpha: scale 1)

Each folder holds `lora.safetensors` and `outputs.safetensors`: for each fusion scale S in
{1.0, 0.7}, diffusers 0.42.1 builds a StableDiffusionPipeline from the fixture models,
`pipe.load_lora_weights(lora.safetensors)`, `pipe.fuse_lora(lora_scale=S)`, then runs the UNet
on the unet-sd1 inputs and the text encoder on the clip-quick-gelu inputs:

    scale_<S>/unet/sample, scale_<S>/text_encoder/last_hidden_state, .../pooler_output

`stacked/outputs.safetensors` holds two LoRAs fused together (kohya-diffusers at 0.7, then
peft-metadata at 1.0). Where diffusers cannot load a style the way it is meant (kohya-ldm), the
reference comes from the same weights under diffusers names and the README says so.

Before writing, every fused weight diffusers produced is compared with the plain formula
W + S * (alpha / rank) * up @ down (float64) and must agree to 1e-6; outputs must move visibly
away from the base model. The script writes Tests/Fixtures/lora/README.md with what diffusers
did for each style.

Pinned versions (asserted at start-up; see Tools/setup-reference-env.sh):
    torch 2.13.0 (+cpu), diffusers 0.42.1, transformers 5.24.0, safetensors 0.8.0, numpy 2.4.6,
    peft 0.21.2

Run from the repository root (writes Tests/Fixtures/lora/):
    .venv-reference/bin/python Tools/make_lora_fixtures.py

Deterministic: seeded generators, float32, one CPU thread; reruns are byte-identical.
"""

import io
import json
import logging
import os
import re
import shutil
import struct
import tempfile
import warnings
from contextlib import redirect_stderr, redirect_stdout

import numpy
import peft
import safetensors
import torch
import diffusers
import transformers
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from reference_pins import check as check_pins  # noqa: E402

check_pins("torch", "diffusers", "transformers", "safetensors", "numpy", "peft")

import fixture_support  # noqa: E402
from diffusers import AutoencoderKL, LCMScheduler, StableDiffusionPipeline, UNet2DConditionModel  # noqa: E402
from peft import LoraConfig  # noqa: E402
from transformers import CLIPTextModel, CLIPTokenizer  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
warnings.filterwarnings("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
OUT = os.path.join(FIXTURES, "lora")
UNET_FIXTURE = os.path.join(FIXTURES, "unet-sd1")
CLIP_FIXTURE = os.path.join(FIXTURES, "clip-quick-gelu")
VAE_FIXTURE = os.path.join(FIXTURES, "vae")
TOKENIZER_FIXTURE = os.path.join(FIXTURES, "clip-tokenizer")
SCALES = (1.0, 0.7)
FUSED_WEIGHT_TOLERANCE = 1e-6
MINIMUM_EFFECT = 0.05

VERSIONS_LINE = "torch %s, diffusers %s, transformers %s, peft %s, safetensors %s, numpy %s" % (
    torch.__version__, diffusers.__version__, transformers.__version__, peft.__version__,
    safetensors.__version__, numpy.__version__)

# ----------------------------------------------------------------------------- targets

# UNet modules (diffusers paths in unet-sd1) given LoRAs: linear layers, 1x1 convs (proj_in,
# proj_out, conv_shortcut: LoRA down stored [r, in, 1, 1]) and 3x3 convs (resnet conv1/conv2,
# downsampler and upsampler conv, conv_in).
UNET_MODULES = [
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_k",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_v",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k",
    "down_blocks.0.attentions.0.proj_in",
    "down_blocks.0.attentions.1.transformer_blocks.0.ff.net.0.proj",
    "down_blocks.0.attentions.1.transformer_blocks.0.ff.net.2",
    "down_blocks.0.resnets.0.conv1",
    "down_blocks.0.downsamplers.0.conv",
    "down_blocks.1.resnets.0.conv2",
    "down_blocks.1.resnets.0.conv_shortcut",
    "down_blocks.1.resnets.1.time_emb_proj",
    "mid_block.resnets.1.conv1",
    "mid_block.attentions.0.proj_out",
    "mid_block.attentions.0.transformer_blocks.0.attn2.to_q",
    "up_blocks.0.resnets.2.conv_shortcut",
    "up_blocks.0.upsamplers.0.conv",
    "up_blocks.1.resnets.1.conv2",
    "up_blocks.1.attentions.2.transformer_blocks.0.attn1.to_v",
    "time_embedding.linear_1",
    "conv_in",
]
# Text-encoder modules (transformers 5 module paths: CLIPTextModel has no `text_model.`).
TEXT_ENCODER_MODULES = [
    "encoder.layers.0.self_attn.q_proj",
    "encoder.layers.0.self_attn.k_proj",
    "encoder.layers.0.self_attn.v_proj",
    "encoder.layers.0.self_attn.out_proj",
    "encoder.layers.1.mlp.fc1",
    "encoder.layers.1.mlp.fc2",
]

# The original Stable Diffusion (LDM) names of unet-sd1's modules (layers_per_block 2, down
# CrossAttnDownBlock2D + DownBlock2D, up UpBlock2D + CrossAttnUpBlock2D), written out by hand
# here so that the Swift side's computed mapping is checked against an independent one.
LDM_PREFIXES = [
    ("down_blocks.0.resnets.0.", "input_blocks.1.0."),
    ("down_blocks.0.attentions.0.", "input_blocks.1.1."),
    ("down_blocks.0.resnets.1.", "input_blocks.2.0."),
    ("down_blocks.0.attentions.1.", "input_blocks.2.1."),
    ("down_blocks.0.downsamplers.0.conv", "input_blocks.3.0.op"),
    ("down_blocks.1.resnets.0.", "input_blocks.4.0."),
    ("down_blocks.1.resnets.1.", "input_blocks.5.0."),
    ("mid_block.resnets.0.", "middle_block.0."),
    ("mid_block.attentions.0.", "middle_block.1."),
    ("mid_block.resnets.1.", "middle_block.2."),
    ("up_blocks.0.resnets.0.", "output_blocks.0.0."),
    ("up_blocks.0.resnets.1.", "output_blocks.1.0."),
    ("up_blocks.0.resnets.2.", "output_blocks.2.0."),
    ("up_blocks.0.upsamplers.0.conv", "output_blocks.2.1.conv"),
    ("up_blocks.1.resnets.0.", "output_blocks.3.0."),
    ("up_blocks.1.attentions.0.", "output_blocks.3.1."),
    ("up_blocks.1.resnets.1.", "output_blocks.4.0."),
    ("up_blocks.1.attentions.1.", "output_blocks.4.1."),
    ("up_blocks.1.resnets.2.", "output_blocks.5.0."),
    ("up_blocks.1.attentions.2.", "output_blocks.5.1."),
    ("time_embedding.linear_1", "time_embed.0"),
    ("time_embedding.linear_2", "time_embed.2"),
    ("conv_in", "input_blocks.0.0"),
    ("conv_norm_out", "out.0"),
    ("conv_out", "out.2"),
]
LDM_RESNET_PARTS = {"conv1": "in_layers.2", "conv2": "out_layers.3", "time_emb_proj": "emb_layers.1",
                    "conv_shortcut": "skip_connection", "norm1": "in_layers.0", "norm2": "out_layers.0"}


def ldm_name(path):
    for diffusers_prefix, ldm_prefix in LDM_PREFIXES:
        if path == diffusers_prefix or (diffusers_prefix.endswith(".") and path.startswith(diffusers_prefix)):
            rest = path[len(diffusers_prefix):]
            if ".resnets." in diffusers_prefix:
                rest = LDM_RESNET_PARTS.get(rest, rest)
            return ldm_prefix + rest
    raise KeyError(path)


# ----------------------------------------------------------------------------- models

def quiet(function, *args, **kwargs):
    """Runs `function` with diffusers/transformers chatter (progress bars, warnings) hidden;
    returns (result, captured log text)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    loggers = [logging.getLogger("diffusers"), logging.getLogger("transformers"), logging.getLogger("peft")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(buffer):
            result = function(*args, **kwargs)
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    return result, buffer.getvalue()


def tokenizer_folder(scratch):
    """The fixture tokenizer if present; else a tiny CLIP BPE vocabulary (the tokenizer is only
    needed to build the pipeline: the reference runs the text encoder on token ids)."""
    if os.path.exists(os.path.join(TOKENIZER_FIXTURE, "vocab.json")):
        return TOKENIZER_FIXTURE
    folder = os.path.join(scratch, "tokenizer")
    os.makedirs(folder, exist_ok=True)
    vocabulary = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for character in "abcdefghijklmnopqrstuvwxyz":
        vocabulary[character] = len(vocabulary)
        vocabulary[character + "</w>"] = len(vocabulary)
    with open(os.path.join(folder, "vocab.json"), "w") as handle:
        json.dump(vocabulary, handle)
    with open(os.path.join(folder, "merges.txt"), "w") as handle:
        handle.write("#version: 0.2\n")
    return folder


def load_pipeline(tokenizer_path):
    unet = UNet2DConditionModel.from_pretrained(UNET_FIXTURE)
    text_encoder = CLIPTextModel.from_pretrained(CLIP_FIXTURE, dtype=torch.float32, attn_implementation="eager")
    vae = AutoencoderKL.from_pretrained(VAE_FIXTURE)
    tokenizer = CLIPTokenizer.from_pretrained(tokenizer_path)
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=LCMScheduler(), safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.unet.eval()
    pipe.text_encoder.eval()
    return pipe


def run_models(pipe):
    unet_inputs = load_file(os.path.join(UNET_FIXTURE, "inputs.safetensors"))
    clip_inputs = load_file(os.path.join(CLIP_FIXTURE, "inputs.safetensors"))
    with torch.no_grad():
        sample = pipe.unet(unet_inputs["sample"], unet_inputs["timestep"],
                           encoder_hidden_states=unet_inputs["encoder_hidden_states"]).sample
        encoded = pipe.text_encoder(input_ids=clip_inputs["input_ids"])
    return {"unet/sample": sample, "text_encoder/last_hidden_state": encoded.last_hidden_state,
            "text_encoder/pooler_output": encoded.pooler_output}


def weights_of(module):
    """Parameter tensors by name, PEFT wrappers removed (`base_layer.` dropped)."""
    return {name.replace(".base_layer", ""): p.detach().clone() for name, p in module.named_parameters()
            if "lora_" not in name}


# ----------------------------------------------------------------------------- LoRA tensors

def layer_shapes(model, modules):
    shapes = {}
    parameters = dict(model.named_parameters())
    for module in modules:
        shapes[module] = tuple(parameters[module + ".weight"].shape)
    return shapes


def make_layers(seed, shapes, rank_of):
    """Random LoRA factors for each module: down [r, in(, k, k)], up [out, r(, 1, 1)], scaled so
    that up @ down is about half the size of the perturbed fixture weights."""
    generator = torch.Generator().manual_seed(seed)
    layers = {}
    for module in sorted(shapes):
        shape = shapes[module]
        rank = rank_of(module)
        fan_in = int(numpy.prod(shape[1:]))
        if len(shape) == 4:
            down_shape, up_shape = (rank, shape[1], shape[2], shape[3]), (shape[0], rank, 1, 1)
        else:
            down_shape, up_shape = (rank, shape[1]), (shape[0], rank)
        down = torch.randn(down_shape, generator=generator) / fan_in ** 0.5
        up = torch.randn(up_shape, generator=generator) * (0.8 / rank ** 0.5)
        layers[module] = (down.contiguous(), up.contiguous())
    return layers


def delta(down, up):
    return (up.double().flatten(1) @ down.double().flatten(1))


def underscored(path):
    return path.replace(".", "_")


# ----------------------------------------------------------------------------- checks

def check_fused(label, base, fused, expected_layers):
    """fused must equal base + S * multiplier * up @ down for the listed modules, base elsewhere."""
    worst = 0.0
    for name, weight in fused.items():
        reference = base[name].double()
        module = name[:-len(".weight")] if name.endswith(".weight") else None
        if module in expected_layers:
            down, up, factor = expected_layers[module]
            reference = reference + factor * delta(down, up).reshape(reference.shape)
        error = (weight.double() - reference).abs().max().item()
        worst = max(worst, error)
        assert error <= FUSED_WEIGHT_TOLERANCE, "%s: %s differs from the formula by %g" % (label, name, error)
    return worst


def compare(a, b):
    return max((a[k] - b[k]).abs().max().item() for k in a)


# ----------------------------------------------------------------------------- styles

class Style:
    def __init__(self, name, description, diffusers_note=""):
        self.name = name
        self.description = description
        self.diffusers_note = diffusers_note
        self.unet = {}            # module -> (down, up)
        self.text_encoder = {}
        self.unet_multiplier = {}  # module -> alpha / rank (or alpha / sqrt(rank) for rsLoRA)
        self.text_encoder_multiplier = {}
        self.tensors = {}
        self.metadata = None
        self.load_source = None    # what is handed to load_lora_weights (default: the file)
        self.results = {}


def kohya_tensors(style, unet_name, alphas_unet, alphas_text_encoder, dtype):
    tensors = {}
    for module, (down, up) in style.unet.items():
        key = "lora_unet_" + underscored(unet_name(module))
        tensors[key + ".lora_down.weight"] = down.to(dtype)
        tensors[key + ".lora_up.weight"] = up.to(dtype)
        if alphas_unet(module) is not None:
            tensors[key + ".alpha"] = torch.tensor(alphas_unet(module), dtype=dtype)
    for module, (down, up) in style.text_encoder.items():
        key = "lora_te_text_model_" + underscored(module)
        tensors[key + ".lora_down.weight"] = down.to(dtype)
        tensors[key + ".lora_up.weight"] = up.to(dtype)
        if alphas_text_encoder(module) is not None:
            tensors[key + ".alpha"] = torch.tensor(alphas_text_encoder(module), dtype=dtype)
    return tensors


def rounded(layers, dtype):
    """The factors as the file stores them (kohya files here are float16), back in float32."""
    return {m: (d.to(dtype).float(), u.to(dtype).float()) for m, (d, u) in layers.items()}


def build_styles(pipe):
    unet_shapes = layer_shapes(pipe.unet, UNET_MODULES)
    text_shapes = layer_shapes(pipe.text_encoder, TEXT_ENCODER_MODULES)
    styles = []

    # (a) kohya, diffusers module names, with .alpha (like LCM-LoRA), float16 storage.
    style = Style("kohya-diffusers", "kohya keys with diffusers module names: `lora_unet_down_blocks_0_"
                  "attentions_0_proj_in.lora_down.weight` / `.lora_up.weight` / `.alpha`, `lora_te_text_model_"
                  "encoder_layers_0_self_attn_q_proj...`; ranks 4 (linear) and 2 (convs), alpha 2 for the UNet "
                  "and 3 for the text encoder; stored as F16 (alpha too), as kohya and LCM-LoRA files are.")
    style.unet = rounded(make_layers(11, unet_shapes, lambda m: 2 if len(unet_shapes[m]) == 4 and unet_shapes[m][2] == 3 else 4), torch.float16)
    style.text_encoder = rounded(make_layers(12, text_shapes, lambda m: 4), torch.float16)
    style.tensors = kohya_tensors(style, lambda m: m, lambda m: 2.0, lambda m: 3.0, torch.float16)
    style.unet_multiplier = {m: 2.0 / d.shape[0] for m, (d, u) in style.unet.items()}
    style.text_encoder_multiplier = {m: 3.0 / d.shape[0] for m, (d, u) in style.text_encoder.items()}
    styles.append(style)

    # (b) kohya, original SD (LDM) module names, alpha per module.
    style = Style("kohya-ldm", "kohya keys with the original Stable Diffusion (LDM) module names: "
                  "`lora_unet_input_blocks_1_1_proj_in`, `input_blocks_3_0_op`, `middle_block_2_in_layers_2`, "
                  "`output_blocks_2_1_conv`, `output_blocks_5_0_skip_connection`, `emb_layers_1`, `time_embed_0`, "
                  "`input_blocks_0_0` (conv_in) ...; rank 3; alpha 1.5, except 4.5 on "
                  "`input_blocks_1_0_in_layers_2` (per-module alphas); text encoder rank 2, alpha 1; F32.")
    style.unet = make_layers(21, unet_shapes, lambda m: 3)
    style.text_encoder = make_layers(22, text_shapes, lambda m: 2)
    unet_alpha = lambda m: 4.5 if m == "down_blocks.0.resnets.0.conv1" else 1.5  # noqa: E731
    # One alpha for the whole text encoder: diffusers 0.42 with transformers 5 drops per-module
    # text-encoder alphas that differ from the most common one (see DIFFUSERS_QUIRKS).
    text_alpha = lambda m: 1.0  # noqa: E731
    style.tensors = kohya_tensors(style, ldm_name, unet_alpha, text_alpha, torch.float32)
    style.unet_multiplier = {m: unet_alpha(m) / 3 for m in style.unet}
    style.text_encoder_multiplier = {m: text_alpha(m) / 2 for m in style.text_encoder}
    # diffusers' reference: the same weights under diffusers names (see the README).
    style.load_source = kohya_tensors(style, lambda m: m, unet_alpha, text_alpha, torch.float32)
    styles.append(style)

    # (c) PEFT keys with diffusers' lora_adapter_metadata (r, lora_alpha, rank/alpha patterns, rsLoRA).
    style = Style("peft-metadata", "PEFT keys `unet.<path>.lora_A.weight` / `.lora_B.weight`, `text_encoder.<path>...` "
                  "written by `StableDiffusionPipeline.save_lora_weights` with `unet_lora_adapter_metadata` / "
                  "`text_encoder_lora_adapter_metadata` (a peft `LoraConfig.to_dict()`), stored as the JSON string "
                  "`__metadata__[\"lora_adapter_metadata\"]` with keys `unet.r`, `unet.lora_alpha`, "
                  "`unet.rank_pattern`, `unet.alpha_pattern`, `text_encoder.use_rslora`, ... UNet: r 4, lora_alpha 8, "
                  "rank_pattern {conv1: 2, ^up_blocks.0.upsamplers.0.conv: 2}, alpha_pattern {attn1.to_q: 3, conv_in: 1}; "
                  "text encoder: r 4, lora_alpha 2, use_rslora (alpha / sqrt(r)), alpha_pattern {mlp.fc1: 6}.")
    unet_rank_pattern = {"conv1": 2, "^up_blocks.0.upsamplers.0.conv": 2}
    unet_alpha_pattern = {"attn1.to_q": 3.0, "conv_in": 1.0}
    unet_rank = lambda m: 2 if m.endswith("conv1") or m == "up_blocks.0.upsamplers.0.conv" else 4  # noqa: E731
    style.unet = make_layers(31, unet_shapes, unet_rank)
    style.text_encoder = make_layers(32, text_shapes, lambda m: 4)
    style.unet_multiplier = {m: (3.0 if m.endswith("attn1.to_q") else 1.0 if m == "conv_in" else 8.0) / unet_rank(m)
                             for m in style.unet}
    style.text_encoder_multiplier = {m: (6.0 if m.endswith("mlp.fc1") else 2.0) / 2.0 for m in style.text_encoder}
    unet_config = LoraConfig(r=4, lora_alpha=8, target_modules=sorted(style.unet), rank_pattern=unet_rank_pattern,
                             alpha_pattern=unet_alpha_pattern)
    text_config = LoraConfig(r=4, lora_alpha=2, target_modules=sorted(style.text_encoder), use_rslora=True,
                             alpha_pattern={"mlp.fc1": 6.0})
    style.metadata = tuple(dict(config.to_dict(), target_modules=sorted(config.target_modules))  # sets: hash order
                           for config in (unet_config, text_config))
    styles.append(style)

    # (d) PEFT keys without metadata: diffusers uses scale 1 (alpha = rank) for every module.
    style = Style("peft", "PEFT keys `unet.<path>.lora_A.weight` / `.lora_B.weight` and "
                  "`text_encoder.<path>...` without metadata (as older diffusers and most trainers write them): "
                  "diffusers sets alpha = rank, scale 1; ranks 2 and 4 mixed.")
    style.unet = make_layers(41, unet_shapes, lambda m: 2 if "resnets" in m else 4)
    style.text_encoder = make_layers(42, text_shapes, lambda m: 2 if "mlp" in m else 3)
    style.unet_multiplier = {m: 1.0 for m in style.unet}
    style.text_encoder_multiplier = {m: 1.0 for m in style.text_encoder}
    for module, (down, up) in style.unet.items():
        style.tensors["unet.%s.lora_A.weight" % module] = down
        style.tensors["unet.%s.lora_B.weight" % module] = up
    for module, (down, up) in style.text_encoder.items():
        style.tensors["text_encoder.%s.lora_A.weight" % module] = down
        style.tensors["text_encoder.%s.lora_B.weight" % module] = up
    styles.append(style)

    # (e) the older diffusers spellings, no alpha.
    style = Style("diffusers-old", "older diffusers keys, no alpha (scale 1): UNet `unet.<path>.lora.down.weight` / "
                  "`.lora.up.weight`, and for attention projections the attention-processor spelling "
                  "`unet.<...>.attn1.processor.to_q_lora.down.weight` (`to_k_lora`, `to_v_lora`, `to_out_lora` -> "
                  "`to_out.0`); text encoder with the transformers 4 `text_model.` prefix: "
                  "`text_encoder.text_model.encoder.layers.0.self_attn.to_q_lora.down.weight` (`to_k_lora`, "
                  "`to_v_lora`, `to_out_lora` -> `out_proj`) and `...mlp.fc1.lora_linear_layer.down.weight`.")
    style.unet = make_layers(51, unet_shapes, lambda m: 2)
    style.text_encoder = make_layers(52, text_shapes, lambda m: 3)
    style.unet_multiplier = {m: 1.0 for m in style.unet}
    style.text_encoder_multiplier = {m: 1.0 for m in style.text_encoder}
    processor_names = {"to_q": "to_q_lora", "to_k": "to_k_lora", "to_v": "to_v_lora", "to_out.0": "to_out_lora"}
    for module, (down, up) in style.unet.items():
        match = re.fullmatch(r"(.*\.attn[12])\.(to_q|to_k|to_v|to_out\.0)", module)
        if match:
            base = "unet.%s.processor.%s" % (match.group(1), processor_names[match.group(2)])
        else:
            base = "unet.%s.lora" % module
        style.tensors[base + ".down.weight"] = down
        style.tensors[base + ".up.weight"] = up
    text_processor_names = {"q_proj": "to_q_lora", "k_proj": "to_k_lora", "v_proj": "to_v_lora", "out_proj": "to_out_lora"}
    for module, (down, up) in style.text_encoder.items():
        parent, _, leaf = module.rpartition(".")
        if leaf in text_processor_names:
            base = "text_encoder.text_model.%s.%s" % (parent, text_processor_names[leaf])
        else:
            base = "text_encoder.text_model.%s.lora_linear_layer" % module
        style.tensors[base + ".down.weight"] = down
        style.tensors[base + ".up.weight"] = up
    styles.append(style)
    return styles


# ----------------------------------------------------------------------------- writing

def canonicalize(path):
    """safetensors serialises `__metadata__` from a hash map, in no fixed order: rewrite the
    header with sorted keys (same tensors, offsets and metadata) so reruns are byte-identical."""
    with open(path, "rb") as handle:
        data = handle.read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(text)) + text + data[8 + length:])


def write_lora(style, folder):
    path = os.path.join(folder, "lora.safetensors")
    if style.metadata is not None:
        unet_metadata, text_metadata = style.metadata
        unet_layers = {}
        for module, (down, up) in style.unet.items():
            unet_layers["%s.lora_A.weight" % module] = down
            unet_layers["%s.lora_B.weight" % module] = up
        text_layers = {}
        for module, (down, up) in style.text_encoder.items():
            text_layers["%s.lora_A.weight" % module] = down
            text_layers["%s.lora_B.weight" % module] = up
        quiet(StableDiffusionPipeline.save_lora_weights, folder, unet_lora_layers=unet_layers,
              text_encoder_lora_layers=text_layers, unet_lora_adapter_metadata=unet_metadata,
              text_encoder_lora_adapter_metadata=text_metadata, weight_name="lora.safetensors")
    else:
        save_file({k: v.contiguous() for k, v in style.tensors.items()}, path, metadata={"format": "pt"})
    canonicalize(path)
    return path


def fuse_and_run(tokenizer_path, sources):
    """Fresh pipeline; load each (source, scale) as its own adapter, weight the adapters with
    `set_adapters` and fuse them all with `fuse_lora` (for one LoRA: `fuse_lora(lora_scale=S)`);
    returns (outputs, base unet weights, fused unet weights, base text weights, fused text
    weights, log)."""
    pipe = load_pipeline(tokenizer_path)
    base_unet, base_text = weights_of(pipe.unet), weights_of(pipe.text_encoder)
    log = ""
    adapters = ["lora%d" % index for index in range(len(sources))]
    for adapter, (source, _) in zip(adapters, sources):
        _, text = quiet(pipe.load_lora_weights, source, adapter_name=adapter)
        log += text
    if len(sources) == 1:
        _, text = quiet(pipe.fuse_lora, lora_scale=sources[0][1], adapter_names=adapters)
    else:
        quiet(pipe.set_adapters, adapters, adapter_weights=[scale for _, scale in sources])
        _, text = quiet(pipe.fuse_lora, lora_scale=1.0, adapter_names=adapters)
    log += text
    _, text = quiet(pipe.unload_lora_weights)
    log += text
    fused_unet, fused_text = weights_of(pipe.unet), weights_of(pipe.text_encoder)
    return run_models(pipe), base_unet, fused_unet, base_text, fused_text, log


def expected_layers(style, scale):
    unet = {m: (d, u, scale * style.unet_multiplier[m]) for m, (d, u) in style.unet.items()}
    text = {m: (d, u, scale * style.text_encoder_multiplier[m]) for m, (d, u) in style.text_encoder.items()}
    return unet, text


def merge_expected(parts):
    """Several LoRAs on one module add up: represented as concatenated factors."""
    merged = {}
    for part in parts:
        for module, (down, up, factor) in part.items():
            if module in merged:
                old_down, old_up, old_factor = merged[module]
                down = torch.cat([old_down.flatten(1) * old_factor, down.flatten(1) * factor], 0)
                up = torch.cat([old_up.flatten(1), up.flatten(1)], 1)
                merged[module] = (down, up, 1.0)
            else:
                merged[module] = (down, up, factor)
    return merged


def try_ldm_in_diffusers(tokenizer_path, path):
    """What diffusers does with LDM-named kohya keys, with and without `unet_config` (which turns
    on its SDXL-oriented sgm block remapping): which of the LoRA's UNet targets it fuses."""
    notes = []
    for label, kwargs in (("`load_lora_weights(file)`", {}), ("`load_lora_weights(file, unet_config=unet.config)`", None)):
        pipe = load_pipeline(tokenizer_path)
        if kwargs is None:
            kwargs = {"unet_config": pipe.unet.config}
        base = weights_of(pipe.unet)
        try:
            _, log = quiet(pipe.load_lora_weights, path, **kwargs)
            quiet(pipe.fuse_lora)
            quiet(pipe.unload_lora_weights)
        except Exception as error:  # recorded, not fatal: this is what the README documents
            notes.append("%s raised %s: %s." % (label, type(error).__name__, " ".join(str(error).split())[:300]))
            continue
        fused = weights_of(pipe.unet)
        changed = {k[:-len(".weight")] for k, v in fused.items() if not torch.equal(v, base[k])}
        missed = sorted(set(UNET_MODULES) - changed)
        warned = "unexpected keys" in log
        notes.append("%s raises nothing%s and fuses %d of the %d UNet targets; it drops %s." % (
            label, ", logs a warning about unexpected keys" if warned else "", len(changed & set(UNET_MODULES)),
            len(UNET_MODULES), ", ".join("`%s` (`%s`)" % (m, ldm_name(m)) for m in missed) if missed else "none"))
    return notes


def effective_multiplier(base, fused, module, down, up):
    """The factor c with fused = base + c * up @ down (least squares), for one module."""
    change = (fused[module + ".weight"].double() - base[module + ".weight"].double()).flatten()
    direction = delta(down, up).flatten()
    return (change @ direction).item() / (direction @ direction).item()


def measure_quirks(tokenizer_path, scratch, pipe_shapes):
    """Cases where diffusers 0.42.1 does not apply W + S * alpha / rank * up @ down as kohya
    defines it; measured here so the README states what was observed, not what was expected."""
    unet_shapes, text_shapes = pipe_shapes
    quirks = []

    # 1. kohya file where one module has no `.alpha` (kohya: alpha = rank).
    style = Style("quirk", "")
    style.unet = make_layers(61, unet_shapes, lambda m: 3)
    style.text_encoder = make_layers(62, text_shapes, lambda m: 2)
    lonely = "down_blocks.0.resnets.0.conv1"
    path = os.path.join(scratch, "missing-alpha.safetensors")
    save_file(kohya_tensors(style, lambda m: m, lambda m: None if m == lonely else 1.5, lambda m: 1.0, torch.float32), path)
    _, base, fused, _, _, _ = fuse_and_run(tokenizer_path, [(path, 1.0)])
    measured = effective_multiplier(base, fused, lonely, *style.unet[lonely])
    quirks.append("kohya file in which one module (`%s`) has no `.alpha` while the others have 1.5 (rank 3): "
                  "kohya's rule gives that module alpha = rank, multiplier 1; diffusers applied %.4f (the other "
                  "modules' alpha over the rank)." % (underscored(lonely), measured))

    # 2. per-module text-encoder alphas (kohya file).
    odd = "encoder.layers.1.mlp.fc2"
    path = os.path.join(scratch, "text-alphas.safetensors")
    save_file(kohya_tensors(style, lambda m: m, lambda m: 1.5, lambda m: 2.5 if m == odd else 1.0, torch.float32), path)
    _, _, _, base, fused, _ = fuse_and_run(tokenizer_path, [(path, 1.0)])
    measured = effective_multiplier(base, fused, odd, *style.text_encoder[odd])
    quirks.append("kohya file whose text-encoder modules have alpha 1 (rank 2) except `%s` with 2.5: the formula "
                  "gives that module 1.25; diffusers (with transformers 5's CLIPTextModel, which has no "
                  "`text_model.` level, so diffusers' per-module alpha pattern names no module) applied %.4f. "
                  "Per-module UNet alphas are applied correctly (kohya-ldm)." % (odd, measured))

    # 3. two adapters fused one after the other.
    first, second = os.path.join(OUT, "kohya-diffusers", "lora.safetensors"), os.path.join(OUT, "peft", "lora.safetensors")
    pipe = load_pipeline(tokenizer_path)
    base = weights_of(pipe.unet)
    quiet(pipe.load_lora_weights, first, adapter_name="first")
    quiet(pipe.fuse_lora, lora_scale=0.7, adapter_names=["first"])
    quiet(pipe.load_lora_weights, second, adapter_name="second")
    quiet(pipe.fuse_lora, lora_scale=1.0, adapter_names=["second"])
    quiet(pipe.unload_lora_weights)
    fused = weights_of(pipe.unet)
    reference = StylesByName["kohya-diffusers"]
    module = "conv_in"
    change = (fused[module + ".weight"] - base[module + ".weight"]).double()
    second_style = StylesByName["peft"]
    only_second = 1.0 * second_style.unet_multiplier[module] * delta(*second_style.unet[module]).reshape(change.shape)
    both = only_second + 0.7 * reference.unet_multiplier[module] * delta(*reference.unet[module]).reshape(change.shape)
    quirks.append("two LoRAs fused one after the other (`load_lora_weights(a)`, `fuse_lora(lora_scale=0.7, "
                  "adapter_names=[a])`, `load_lora_weights(b)`, `fuse_lora(adapter_names=[b])`): `conv_in` ends "
                  "%.2g from base + b alone and %.2g from base + 0.7 a + b, i.e. the first fusion is %s. The stacked "
                  "fixture therefore uses `set_adapters` + one `fuse_lora`." % (
                      (change - only_second).abs().max().item(), (change - both).abs().max().item(),
                      "lost" if (change - only_second).abs().max().item() < 1e-6 else "kept"))
    return quirks


StylesByName = {}


def main():
    scratch = tempfile.mkdtemp(prefix="lora-fixtures-")
    try:
        tokenizer_path = tokenizer_folder(scratch)
        pipe = load_pipeline(tokenizer_path)
        base_outputs = run_models(pipe)
        styles = build_styles(pipe)
        shapes = (layer_shapes(pipe.unet, UNET_MODULES), layer_shapes(pipe.text_encoder, TEXT_ENCODER_MODULES))
        StylesByName.update({style.name: style for style in styles})
        del pipe
        if os.path.isdir(OUT):
            shutil.rmtree(OUT)
        os.makedirs(OUT)
        lora_paths = {}
        for style in styles:
            folder = os.path.join(OUT, style.name)
            os.makedirs(folder)
            path = write_lora(style, folder)
            lora_paths[style.name] = path
            outputs = {}
            for scale in SCALES:
                source = style.load_source if style.load_source is not None else path
                result, base_unet, fused_unet, base_text, fused_text, log = fuse_and_run(
                    tokenizer_path, [(dict(source) if isinstance(source, dict) else source, scale)])
                unet_expected, text_expected = expected_layers(style, scale)
                unet_error = check_fused(style.name, base_unet, fused_unet, unet_expected)
                text_error = check_fused(style.name, base_text, fused_text, text_expected)
                effect = compare(result, base_outputs)
                assert effect > MINIMUM_EFFECT, "%s: LoRA barely changes the outputs (%g)" % (style.name, effect)
                for key, tensor in result.items():
                    outputs["scale_%.1f/%s" % (scale, key)] = tensor.contiguous()
                style.results[scale] = (unet_error, text_error, effect, " ".join(log.split()))
                print("  %-16s scale %.1f: fused weights vs formula max %.2g (unet) %.2g (text encoder); "
                      "outputs move %.3f from the base" % (style.name, scale, unet_error, text_error, effect))
            save_file(outputs, os.path.join(folder, "outputs.safetensors"))
            if style.name == "kohya-ldm":
                style.diffusers_note = " ".join(try_ldm_in_diffusers(tokenizer_path, path))

        # Two LoRAs stacked.
        first, second = styles[0], styles[2]
        result, base_unet, fused_unet, base_text, fused_text, log = fuse_and_run(
            tokenizer_path, [(lora_paths[first.name], 0.7), (lora_paths[second.name], 1.0)])
        unet_a, text_a = expected_layers(first, 0.7)
        unet_b, text_b = expected_layers(second, 1.0)
        stacked_unet_error = check_fused("stacked", base_unet, fused_unet, merge_expected([unet_a, unet_b]))
        stacked_text_error = check_fused("stacked", base_text, fused_text, merge_expected([text_a, text_b]))
        folder = os.path.join(OUT, "stacked")
        os.makedirs(folder)
        save_file({k: v.contiguous() for k, v in result.items()}, os.path.join(folder, "outputs.safetensors"))
        print("  stacked: fused weights vs formula max %.2g / %.2g" % (stacked_unet_error, stacked_text_error))
        quirks = measure_quirks(tokenizer_path, scratch, shapes)
        for quirk in quirks:
            print("  quirk: " + quirk)
        write_readme(styles, (stacked_unet_error, stacked_text_error), quirks)
        total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
        print("  total size of Tests/Fixtures/lora: %d bytes" % total)
        assert total < 1_000_000, "fixtures too large: %d bytes" % total
    finally:
        shutil.rmtree(scratch)


def key_listing(path):
    """The file's keys, grouped: one line per module spelling with its suffixes."""
    suffixes = (".lora_down.weight", ".lora_up.weight", ".alpha", ".lora_A.weight", ".lora_B.weight",
                ".lora.down.weight", ".lora.up.weight", ".down.weight", ".up.weight")
    with safe_open(path, framework="pt") as handle:
        keys = sorted(handle.keys())
        metadata = handle.metadata() or {}
    groups = {}
    for key in keys:
        suffix = next(s for s in suffixes if key.endswith(s))
        groups.setdefault(key[:-len(suffix)], []).append(suffix)
    lines = ["  - `%s` + %s" % (name, " ".join("`%s`" % s for s in sorted(found))) for name, found in sorted(groups.items())]
    return lines, metadata


def write_readme(styles, stacked_errors, quirks):
    lines = [
        "# LoRA reference fixtures",
        "",
        "Generated by `Tools/make_lora_fixtures.py` -- do not edit by hand (this README is written by the "
        "script too). Regenerate from the repository root with:",
        "",
        "    Tools/setup-reference-env.sh      # once: creates .venv-reference/ (includes peft)",
        "    .venv-reference/bin/python Tools/make_lora_fixtures.py",
        "",
        "Versions: %s." % VERSIONS_LINE,
        "",
        "Base models: `../unet-sd1` (UNet) and `../clip-quick-gelu` (text encoder), with the inputs of those "
        "fixtures. For each style and each scale S in {1.0, 0.7}: a `StableDiffusionPipeline` (plus `../vae`, a "
        "CLIP tokenizer and an `LCMScheduler`, unused) runs `pipe.load_lora_weights(lora.safetensors)`, "
        "`pipe.fuse_lora(lora_scale=S)`, `pipe.unload_lora_weights()`, then the UNet and the text encoder. "
        "`outputs.safetensors` keys: `scale_<S>/unet/sample` [2,4,16,16], `scale_<S>/text_encoder/last_hidden_state` "
        "[2,77,32], `scale_<S>/text_encoder/pooler_output` [2,32].",
        "",
        "The script checks every weight diffusers fused against W + S * (alpha / rank) * up @ down "
        "(computed in float64; tolerance %g) and that the outputs move more than %g (max abs) from the "
        "base models'." % (FUSED_WEIGHT_TOLERANCE, MINIMUM_EFFECT),
        "",
        "LoRA targets (same modules in every style): UNet %s; text encoder %s." % (
            ", ".join("`%s`" % m for m in UNET_MODULES), ", ".join("`%s`" % m for m in TEXT_ENCODER_MODULES)),
        "",
    ]
    for style in styles:
        path = os.path.join(OUT, style.name, "lora.safetensors")
        keys, metadata = key_listing(path)
        lines += ["## %s" % style.name, "", style.description, "", "- Keys:"] + keys
        if "lora_adapter_metadata" in metadata:
            lines.append("- `__metadata__` keys: %s" % ", ".join("`%s`" % k for k in sorted(metadata)))
        for scale in SCALES:
            unet_error, text_error, effect, _ = style.results[scale]
            lines.append("- Scale %.1f: diffusers' fused weights match the formula to %.2g (UNet) / %.2g (text "
                         "encoder); outputs differ from the base models by up to %.3f." % (scale, unet_error, text_error, effect))
        if style.diffusers_note:
            lines.append("- What diffusers does with this file: %s" % style.diffusers_note)
        if style.name == "kohya-ldm":
            lines.append("- Reference: diffusers cannot load LDM names for SD1.x, so `outputs.safetensors` comes from "
                         "the same tensors and alphas under diffusers module names, handed to `load_lora_weights` as a "
                         "state dict (module names mapped by the hand-written table in the script).")
        lines.append("")
    lines += [
        "## stacked",
        "",
        "Two LoRAs fused one after the other into one pipeline: `kohya-diffusers/lora.safetensors` at 0.7, then "
        "`peft-metadata/lora.safetensors` at 1.0 (two adapters, `set_adapters([a, b], adapter_weights=[0.7, 1.0])`, `fuse_lora(adapter_names=[a, b])`; fusing them one after the other with `fuse_lora(lora_scale=..., adapter_names=[one])` kept only the second in diffusers 0.42.1). "
        "`outputs.safetensors` keys: `unet/sample`, `text_encoder/last_hidden_state`, `text_encoder/pooler_output`. "
        "Fused weights match the summed formula to %.2g / %.2g." % stacked_errors,
        "",
        "## Where diffusers departs from the formula",
        "",
        "Measured by the script on scratch files (not part of the fixtures). The Swift fusion follows the "
        "formula (kohya's rules) in these cases, so the fixtures above avoid them:",
        "",
    ] + ["- " + quirk for quirk in quirks] + [""]
    fixture_support.write_readme(OUT, lines)


if __name__ == "__main__":
    main()
