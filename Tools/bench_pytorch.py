#!/usr/bin/env python3
"""PyTorch (diffusers / transformers, eager, float32, CPU) side of `semantic-draw bench`.

Purpose
    The Swift benchmark (`semantic-draw bench`) runs this script as a subprocess, times
    the same networks at the same shapes itself, and prints Swift/PyTorch ratios. This
    script builds each network from its real Stable Diffusion 1.5 config with random
    weights (torch.manual_seed(0), default init -- only timing matters, no checkpoint is
    downloaded), runs `--warmup` untimed forward passes, then `--repeats` timed ones
    (time.perf_counter() around one forward each), and reports the per-run seconds and
    their median.

Cases (`--case`)
    unet-b1       UNet2DConditionModel, SD1.5 config (UNET_SD15 below), sample [1,4,64,64],
                  timestep [1] (float32, 999), encoder_hidden_states [1,77,768]
    unet-b4       same network at batch 4, per-sample timesteps [999,759,499,259],
                  sample [4,4,64,64], encoder_hidden_states [4,77,768]
    clip          CLIPTextModel, SD1.5 text encoder config (CLIP_SD15 below),
                  input_ids [1,77] (int64); last_hidden_state and pooler_output computed
    taesd-decode  AutoencoderTiny with its default (TAESD) config, latents [1,4,64,64]
                  -> decode to [1,3,512,512]
    vae-decode    AutoencoderKL, SD1.5 VAE config (VAE_SD15 below), latents [1,4,64,64]
                  -> decode (post_quant_conv + decoder) to [1,3,512,512]
    unet-xl-b1    UNet2DConditionModel, SDXL base config (UNET_SDXL below), sample [1,4,128,128],
                  timestep [999], encoder_hidden_states [1,77,2048], added_cond_kwargs
                  text_embeds [1,1280] and time_ids [1,6] = (1024, 1024, 0, 0, 1024, 1024)
    unet-xl-b2    same network at batch 2, per-sample timesteps [999, 759]
    sd3-transformer  SD3Transformer2DModel, SD3 Medium config (TRANSFORMER_SD3_MEDIUM below),
                  hidden_states [1,16,128,128] (4096 image tokens), encoder_hidden_states
                  [1,333,4096] (77 CLIP + 256 T5-position tokens), pooled_projections [1,2048],
                  timestep [999]
    blip2-caption Blip2ForConditionalGeneration, Salesforce/blip2-opt-2.7b's architecture
                  (BLIP2_OPT_2_7B below, 3.74B parameters, about 15 GB in float32), pixel_values
                  [1,3,224,224], input_ids: 32 image ids (50265), bos 2 and 10 fixed ids
                  4 + (97 i) mod (vocab - 10), attention mask of ones; one run is
                  generate(max_new_tokens=16, min_new_tokens=16, do_sample=False, num_beams=1):
                  vision model, Q-Former, projection, the prompt, then 15 single-token steps
                  with the key/value cache (min_new_tokens: never stops early, as the Swift side
                  runs without an end token)
    blip2-caption-tiny  the same on the Swift tiny-random captioner's architecture (BLIP2_TINY)
    attention-xl  one attention call as diffusers' AttnProcessor2_0 makes it at SDXL's 64x64 level:
                  q, k, v [1,4096,640] viewed as [1,10,4096,64], scaled_dot_product_attention,
                  back to [1,4096,640]
    attention-sd3 the same at SD3 Medium's joint attention: [1,4429,1536], 24 heads of 64
    The JSON line also carries "peak_rss_kb" (resource.getrusage ru_maxrss of this process).
    Every model is in eval() mode and runs under torch.inference_mode() with the default
    attention: diffusers' AttnProcessor2_0 and transformers' "sdpa" implementation, both
    torch.nn.functional.scaled_dot_product_attention.

Pinned versions (checked at start-up; exits with status 2 on a mismatch; see
Tools/setup-reference-env.sh):
    torch 2.13.0 (+cpu), diffusers 0.42.1, transformers 5.24.0

Usage (interface used by the Swift side -- keep it stable)
    .venv-reference/bin/python Tools/bench_pytorch.py --case CASE --threads N \
        --repeats R [--warmup W] [--json]

    --threads N   torch.set_num_threads(N) (intra-op threads: OpenMP / MKL / oneDNN)
    --repeats R   number of timed runs (>= 1)
    --warmup W    untimed runs before them (default 1, may be 0)
    --json        print exactly one line on stdout:
                    {"case": CASE, "threads": N, "seconds": [s1, ...], "median": m, "peak_rss_kb": k}
                  and every human-readable log on stderr. Without --json the per-run
                  seconds and the median are printed on stdout as text, the other logs
                  (versions, thread summary, build time) on stderr.

Threading and BLAS (checked with torch.__config__.show() / parallel_info() on the
reference machine, torch 2.13.0+cpu from the PyTorch wheel):
    BLAS_INFO=mkl, LAPACK_INFO=mkl: Intel oneAPI MKL 2024.2 is linked statically into
    libtorch_cpu.so (GEMMs of nn.Linear / bmm / the SDPA kernel); convolutions go through
    oneDNN (MKL-DNN v3.12.0); CPU capability AVX512; parallel backend OpenMP (torch's own
    bundled libgomp), so at::get_num_threads, omp_get_max_threads and mkl_get_max_threads
    all follow torch.set_num_threads. libtorch_cpu.so has no dependency on any OpenBLAS.
    Hence OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE / OPENBLAS_NUM_THREADS are irrelevant to
    these timings: they only affect numpy's bundled scipy-openblas (also loaded into this
    process, since diffusers imports numpy, but never called on the timed path). What
    matters is OMP_NUM_THREADS / MKL_NUM_THREADS (overridden by --threads anyway).
    The thread summary from torch.__config__.parallel_info() is printed on stderr once.
"""

import argparse
import contextlib
import json
import resource
import statistics
import sys
import time

import reference_pins  # noqa: E402  (Tools/ is on sys.path when run as a script)

CASES = ("unet-b1", "unet-b4", "clip", "taesd-decode", "vae-decode", "unet-xl-b1", "unet-xl-b2", "sd3-transformer",
         "blip2-caption", "blip2-caption-tiny", "attention-xl", "attention-sd3")

# Salesforce/blip2-opt-2.7b/config.json (the fields that define the architecture; transformers names).
BLIP2_OPT_2_7B = dict(
    vision_config=dict(hidden_size=1408, intermediate_size=6144, num_hidden_layers=39, num_attention_heads=16, image_size=224,
                       patch_size=14, hidden_act="gelu", layer_norm_eps=1e-6, qkv_bias=True),
    qformer_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, hidden_act="gelu",
                        layer_norm_eps=1e-12, cross_attention_frequency=2, encoder_hidden_size=1408),
    text_config=dict(model_type="opt", vocab_size=50272, hidden_size=2560, num_hidden_layers=32, ffn_dim=10240, num_attention_heads=32,
                     max_position_embeddings=2048, word_embed_proj_dim=2560, do_layer_norm_before=True, activation_function="relu",
                     pad_token_id=1, bos_token_id=2, eos_token_id=2, tie_word_embeddings=True),
    num_query_tokens=32,
    image_token_index=50265,
)

# Sources/Captioning/TinyRandomCaptioner.swift's configuration.
BLIP2_TINY = dict(
    vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, image_size=224,
                       patch_size=32, hidden_act="gelu", layer_norm_eps=1e-6, qkv_bias=True),
    qformer_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, hidden_act="gelu",
                        layer_norm_eps=1e-12, cross_attention_frequency=2, encoder_hidden_size=32),
    text_config=dict(model_type="opt", vocab_size=261, hidden_size=32, num_hidden_layers=2, ffn_dim=64, num_attention_heads=4,
                     max_position_embeddings=128, word_embed_proj_dim=32, do_layer_norm_before=True, activation_function="relu",
                     pad_token_id=1, bos_token_id=2, eos_token_id=2, tie_word_embeddings=True),
    num_query_tokens=8,
    image_token_index=260,
)

# New tokens of the caption cases (BenchmarkCase.captionNewTokens on the Swift side).
CAPTION_NEW_TOKENS = 16

# Stable Diffusion 1.5 unet/config.json, written out in full (diffusers argument names).
# stabilityai/stable-diffusion-xl-base-1.0/unet/config.json (the fields that differ from the defaults).
# stabilityai/stable-diffusion-3-medium-diffusers/transformer/config.json.
TRANSFORMER_SD3_MEDIUM = dict(
    sample_size=128,
    patch_size=2,
    in_channels=16,
    out_channels=16,
    num_layers=24,
    attention_head_dim=64,
    num_attention_heads=24,
    joint_attention_dim=4096,
    caption_projection_dim=1536,
    pooled_projection_dim=2048,
    pos_embed_max_size=192,
)

UNET_SDXL = dict(
    sample_size=128,
    in_channels=4,
    out_channels=4,
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    block_out_channels=(320, 640, 1280),
    layers_per_block=2,
    transformer_layers_per_block=(1, 2, 10),
    attention_head_dim=(5, 10, 20),
    cross_attention_dim=2048,
    use_linear_projection=True,
    addition_embed_type="text_time",
    addition_time_embed_dim=256,
    projection_class_embeddings_input_dim=2816,
)

UNET_SD15 = dict(
    sample_size=64,
    in_channels=4,
    out_channels=4,
    center_input_sample=False,
    flip_sin_to_cos=True,
    freq_shift=0,
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                      "CrossAttnDownBlock2D", "DownBlock2D"),
    mid_block_type="UNetMidBlock2DCrossAttn",
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D",
                    "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    only_cross_attention=False,
    block_out_channels=(320, 640, 1280, 1280),
    layers_per_block=2,
    downsample_padding=1,
    mid_block_scale_factor=1,
    act_fn="silu",
    norm_num_groups=32,
    norm_eps=1e-5,
    cross_attention_dim=768,
    attention_head_dim=8,
    dual_cross_attention=False,
    use_linear_projection=False,
    upcast_attention=False,
)

# Stable Diffusion 1.5 text_encoder/config.json (transformers CLIPTextConfig arguments).
CLIP_SD15 = dict(
    vocab_size=49408,
    hidden_size=768,
    intermediate_size=3072,
    projection_dim=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    max_position_embeddings=77,
    hidden_act="quick_gelu",
    layer_norm_eps=1e-5,
    attention_dropout=0.0,
    initializer_range=0.02,
    initializer_factor=1.0,
    pad_token_id=1,
    bos_token_id=0,
    eos_token_id=2,
)

# Stable Diffusion 1.5 vae/config.json (diffusers AutoencoderKL arguments).
VAE_SD15 = dict(
    in_channels=3,
    out_channels=3,
    down_block_types=("DownEncoderBlock2D",) * 4,
    up_block_types=("UpDecoderBlock2D",) * 4,
    block_out_channels=(128, 256, 512, 512),
    layers_per_block=2,
    act_fn="silu",
    latent_channels=4,
    norm_num_groups=32,
    sample_size=512,
)


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def die(msg, status=2):
    log("bench_pytorch.py: error: " + msg)
    sys.exit(status)


def check_versions():
    """Import torch/diffusers/transformers and exit (status 2) unless they match the pins (Tools/reference_pins.py)."""
    try:
        import torch
        import diffusers
        import transformers
    except ImportError as e:
        die("cannot import %s -- create the pinned environment with "
            "Tools/setup-reference-env.sh and run this with .venv-reference/bin/python" % e.name)
    bad = reference_pins.mismatches("torch", "diffusers", "transformers")
    if bad:
        die("reference environment does not match the pins: %s -- recreate it with "
            "Tools/setup-reference-env.sh" % ", ".join(bad))
    log("versions: torch %s, diffusers %s, transformers %s"
        % (torch.__version__, diffusers.__version__, transformers.__version__))


def thread_summary():
    """One line out of torch.__config__.parallel_info(): the thread counts and backend."""
    import torch
    keys = ("at::get_num_threads()", "at::get_num_interop_threads()",
            "omp_get_max_threads()", "mkl_get_max_threads()", "ATen parallel backend")
    parts = []
    for line in torch.__config__.parallel_info().splitlines():
        line = line.strip()
        for k in keys:
            if line.startswith(k):
                value = line[len(k):].lstrip(" :")
                parts.append("%s=%s" % (k.replace("at::", "").replace("()", ""), value))
    return "parallel_info: " + ", ".join(parts)


def build(case):
    """Build the model for `case` and its inputs; return a zero-argument forward closure.

    Weights: torch.manual_seed(0) then the library's default init. Inputs come from a
    separate generator (seed 1) so they do not depend on the model's RNG consumption.
    """
    import torch

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)

    if case in ("unet-b1", "unet-b4"):
        from diffusers import UNet2DConditionModel
        model = UNet2DConditionModel(**UNET_SD15).eval()
        b = 1 if case == "unet-b1" else 4
        sample = torch.randn(b, 4, 64, 64, generator=g)
        timestep = torch.tensor([999.0, 759.0, 499.0, 259.0][:b], dtype=torch.float32)
        ehs = torch.randn(b, 77, 768, generator=g)

        def run():
            return model(sample, timestep, encoder_hidden_states=ehs).sample

    elif case in ("unet-xl-b1", "unet-xl-b2"):
        from diffusers import UNet2DConditionModel
        model = UNet2DConditionModel(**UNET_SDXL).eval()
        b = 1 if case == "unet-xl-b1" else 2
        sample = torch.randn(b, 4, 128, 128, generator=g)
        timestep = torch.tensor([999.0, 759.0][:b], dtype=torch.float32)
        ehs = torch.randn(b, 77, 2048, generator=g)
        added = dict(text_embeds=torch.randn(b, 1280, generator=g),
                     time_ids=torch.tensor([[1024.0, 1024.0, 0.0, 0.0, 1024.0, 1024.0]] * b))

        def run():
            return model(sample, timestep, encoder_hidden_states=ehs, added_cond_kwargs=added).sample

    elif case == "sd3-transformer":
        from diffusers import SD3Transformer2DModel
        model = SD3Transformer2DModel(**TRANSFORMER_SD3_MEDIUM).eval()
        hidden = torch.randn(1, 16, 128, 128, generator=g)
        ehs = torch.randn(1, 333, 4096, generator=g)
        pooled = torch.randn(1, 2048, generator=g)
        timestep = torch.tensor([999.0], dtype=torch.float32)

        def run():
            return model(hidden_states=hidden, encoder_hidden_states=ehs, pooled_projections=pooled,
                         timestep=timestep).sample

    elif case == "clip":
        from transformers import CLIPTextConfig, CLIPTextModel
        config = CLIPTextConfig(**CLIP_SD15, attn_implementation="sdpa")
        model = CLIPTextModel(config).eval()
        # Tokenizer-like ids: BOS 49406, 20 random tokens, EOS 49407, then padding with EOS
        # (SD1.5 pads with <|endoftext|>). Values do not affect timing.
        ids = torch.full((1, 77), 49407, dtype=torch.int64)
        ids[0, 0] = 49406
        ids[0, 1:21] = torch.randint(0, 49406, (20,), generator=g)

        def run():
            out = model(input_ids=ids)
            return out.last_hidden_state, out.pooler_output

    elif case == "taesd-decode":
        from diffusers import AutoencoderTiny
        model = AutoencoderTiny().eval()
        latents = torch.randn(1, 4, 64, 64, generator=g)

        def run():
            return model.decode(latents).sample

    elif case == "vae-decode":
        from diffusers import AutoencoderKL
        model = AutoencoderKL(**VAE_SD15).eval()
        latents = torch.randn(1, 4, 64, 64, generator=g)

        def run():
            return model.decode(latents).sample

    elif case in ("blip2-caption", "blip2-caption-tiny"):
        from transformers import Blip2Config, Blip2ForConditionalGeneration
        config = Blip2Config(**(BLIP2_OPT_2_7B if case == "blip2-caption" else BLIP2_TINY))
        model = Blip2ForConditionalGeneration(config).eval()
        side = config.vision_config.image_size
        pixel_values = torch.randn(1, 3, side, side, generator=g)
        vocab = config.text_config.vocab_size
        ids = ([config.image_token_index] * config.num_query_tokens + [2]
               + [4 + (97 * i) % (vocab - 10) for i in range(10)])
        input_ids = torch.tensor([ids], dtype=torch.int64)
        attention_mask = torch.ones_like(input_ids)

        def run():
            out = model.generate(pixel_values=pixel_values, input_ids=input_ids, attention_mask=attention_mask,
                                 max_new_tokens=CAPTION_NEW_TOKENS, min_new_tokens=CAPTION_NEW_TOKENS, do_sample=False,
                                 num_beams=1)
            assert out.shape[1] == len(ids) + CAPTION_NEW_TOKENS, out.shape
            return out

    elif case in ("attention-xl", "attention-sd3"):
        import torch.nn.functional as F
        tokens, heads = (4096, 10) if case == "attention-xl" else (4429, 24)
        query, key, value = (torch.randn(1, tokens, heads * 64, generator=g) for _ in range(3))
        model = None

        def run():
            q, k, v = (t.view(1, tokens, heads, 64).transpose(1, 2) for t in (query, key, value))
            return F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(1, tokens, heads * 64)

    else:  # argparse already restricts the choices
        raise ValueError(case)

    n_params = 0 if model is None else sum(p.numel() for p in model.parameters())
    return run, n_params


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Time diffusers/transformers eager float32 (or bf16 autocast) on CPU (PyTorch side of "
                    "`semantic-draw bench`).")
    p.add_argument("--case", required=True, choices=CASES)
    p.add_argument("--threads", required=True, type=int, help="torch.set_num_threads(N)")
    p.add_argument("--repeats", required=True, type=int, help="timed runs (>= 1)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="fp32 (default) or bf16: run under torch.autocast('cpu', dtype=torch.bfloat16), "
                        "PyTorch's CPU mixed precision (the counterpart of `bench --precision bf16`)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON line on stdout, all logs on stderr")
    args = p.parse_args(argv)
    if args.threads < 1:
        p.error("--threads must be >= 1")
    if args.repeats < 1:
        p.error("--repeats must be >= 1")
    if args.warmup < 0:
        p.error("--warmup must be >= 0")
    return args


def main(argv=None):
    args = parse_args(argv)
    real_stdout = sys.stdout
    # Any stray print() from the libraries must not corrupt the --json stdout.
    with contextlib.redirect_stdout(sys.stderr):
        check_versions()
        import torch

        torch.set_num_threads(args.threads)
        log(thread_summary())

        t0 = time.perf_counter()
        run, n_params = build(args.case)
        log("case %s: %.1fM parameters, built in %.1f s"
            % (args.case, n_params / 1e6, time.perf_counter() - t0))

        seconds = []
        autocast = (torch.autocast("cpu", dtype=torch.bfloat16) if args.precision == "bf16"
                    else contextlib.nullcontext())
        with torch.inference_mode(), autocast:
            for i in range(args.warmup):
                t0 = time.perf_counter()
                run()
                log("warmup %d: %.3f s" % (i + 1, time.perf_counter() - t0))
            for i in range(args.repeats):
                t0 = time.perf_counter()
                run()
                seconds.append(time.perf_counter() - t0)
                line = "run %d: %.3f s" % (i + 1, seconds[-1])
                if args.json:
                    log(line)
                else:
                    print(line, file=real_stdout, flush=True)
        median = statistics.median(seconds)

    if args.json:
        print(json.dumps({"case": args.case, "threads": args.threads, "precision": args.precision,
                          "seconds": seconds, "median": median,
                          "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}),
              file=real_stdout, flush=True)
        log("median: %.3f s" % median)
    else:
        print("median: %.3f s (%s, %s, %d threads, %d runs)"
              % (median, args.case, args.precision, args.threads, len(seconds)), file=real_stdout, flush=True)


if __name__ == "__main__":
    main()
