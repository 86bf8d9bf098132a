"""What the network fixture generators (Tools/make_reference_fixtures.py, make_sdxl_fixtures.py,
make_sd3_fixtures.py) share: the pinned, deterministic start-up, tiny perturbed models, writing a
network folder (config, weights, inputs.safetensors, outputs.safetensors), the output checks, the
README sections listing each folder's tensors, and the final re-load check.

Importing this module asserts the pinned versions (torch, diffusers, transformers, safetensors,
numpy; see Tools/reference_pins.py), and sets one CPU thread and deterministic algorithms.

    from fixture_support import FIXTURES_ROOT, FixtureFolder, diffusers_model

    fixtures = FixtureFolder(os.path.join(FIXTURES_ROOT, "sdxl"), column_widths=(16, 26, 14))
    fixtures.start()
    fixtures.save_network("vae-sdxl", diffusers_model(AutoencoderKL, VAE_SDXL, 54),
                          inputs, vae_run, "diffusion_pytorch_model.safetensors")
    fixtures.write_readme(lines + fixtures.readme_section("vae-sdxl", description))
    fixtures.reload_all({"vae-sdxl": (AutoencoderKL.from_pretrained, vae_run)})

(Tools/ is on sys.path when a script in it runs.)
"""

import os
import shutil

import numpy
import safetensors
import torch
import diffusers
import transformers
from safetensors.torch import load_file, save_file

from reference_pins import check as check_pins

check_pins("torch", "diffusers", "transformers", "safetensors", "numpy")

from transformers import CLIPTextConfig  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES_ROOT = os.path.join(ROOT, "Tests", "Fixtures")
# CLIP attention implementation used for generation and for the re-load check.
CLIP_ATTENTION = "eager"

VERSIONS_LINE = "torch %s, diffusers %s, transformers %s, safetensors %s, numpy %s" % (
    torch.__version__, diffusers.__version__, transformers.__version__,
    safetensors.__version__, numpy.__version__)


# ----------------------------------------------------------------------------- models

def perturb(model, weight_scale=1.0, vector_scale=0.1):
    """Move every parameter away from its init value (uses the global torch RNG).

    Matrices / conv kernels / embeddings (ndim >= 2): p += weight_scale * randn / sqrt(fan_in),
    fan_in = numel / shape[0]. Vectors (biases, norm weights): p += vector_scale * randn, so norm
    weights stay around 1 (init 1) and biases around 0.
    """
    with torch.no_grad():
        for _, parameter in model.named_parameters():
            if parameter.ndim >= 2:
                fan_in = parameter[0].numel()
                parameter.data = parameter.data + (weight_scale / fan_in ** 0.5) * torch.randn_like(parameter)
            else:
                parameter.data = parameter.data + vector_scale * torch.randn_like(parameter)


def perturbed_model(seed, build, weight_scale=1.0):
    """`build()` after torch.manual_seed(seed), perturbed (`perturb`) and in eval mode."""
    torch.manual_seed(seed)
    model = build()
    perturb(model, weight_scale)
    return model.eval()


def clip_text_model(model_class, config, seed, weight_scale=1.0):
    """A perturbed transformers CLIP text model (`CLIPTextModel` or `CLIPTextModelWithProjection`)
    of the `CLIPTextConfig` keyword arguments `config`, with eager attention."""
    return perturbed_model(seed, lambda: model_class(CLIPTextConfig(**config, attn_implementation=CLIP_ATTENTION)),
                           weight_scale)


def diffusers_model(model_class, config, seed, weight_scale=1.0):
    """A perturbed diffusers model `model_class(**config)`."""
    return perturbed_model(seed, lambda: model_class(**config), weight_scale)


def load_clip_text_model(model_class, folder):
    """A saved CLIP text model loaded as the fixtures run it: float32, eager attention."""
    return model_class.from_pretrained(folder, dtype=torch.float32, attn_implementation=CLIP_ATTENTION)


def cast(model, dtype):
    """`model` with its floating-point parameters and buffers cast to `dtype` (float16, bfloat16 or
    float32) by the module method named for it (diffusers' `to(dtype)` logs a warning here)."""
    return {torch.float16: model.half, torch.bfloat16: model.bfloat16, torch.float32: model.float}[dtype]()


# ----------------------------------------------------------------------------- files

def keep_only(folder, allowed):
    """Delete every file in `folder` not named in `allowed`; assert that all of `allowed` exist."""
    for file_name in sorted(os.listdir(folder)):
        if file_name not in allowed:
            os.remove(os.path.join(folder, file_name))
    missing = [file_name for file_name in allowed if not os.path.exists(os.path.join(folder, file_name))]
    assert not missing, "%s: save_pretrained did not write %r" % (folder, missing)


def save_tensors(path, tensors, metadata=None):
    """Write the name -> tensor dict `tensors` (made contiguous) as a safetensors file."""
    save_file({key: tensor.contiguous() for key, tensor in tensors.items()}, path, metadata=metadata)


def write_readme(folder, lines):
    """Write `lines` (joined by newlines, no final one) as `folder`/README.md."""
    with open(os.path.join(folder, "README.md"), "w") as handle:
        handle.write("\n".join(lines))


# ----------------------------------------------------------------------------- a fixture folder

class FixtureFolder:
    """One generator's output folder: its network sub-folders, the statistics of their outputs
    (quoted by the README), the console log and the final re-load check.

    `column_widths` are the widths of the name, output key and shape columns of the log lines;
    `log_mean_and_absmax` adds each output's mean and largest magnitude to them.
    """

    def __init__(self, path, column_widths, log_mean_and_absmax=False):
        self.path = path
        self.name_width, self.key_width, self.shape_width = column_widths
        self.log_mean_and_absmax = log_mean_and_absmax
        self.results = {}  # network name -> {output key: {"std", "mean", "absmax"}}

    def start(self):
        """Create the folder and log the versions in use."""
        os.makedirs(self.path, exist_ok=True)
        print("versions:", VERSIONS_LINE)

    def fresh_folder(self, name):
        """The empty sub-folder `name` (relative path), its old contents removed."""
        folder = os.path.join(self.path, name)
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.makedirs(folder)
        return folder

    def record(self, name, outputs):
        """Log the statistics of each output tensor, assert each is finite with a standard
        deviation in 0.1..10 (so that a reimplementation's error cannot hide in a near-constant
        output), and keep them for the README."""
        self.results[name] = {}
        for key, tensor in outputs.items():
            values = tensor.double()
            statistics = {"std": values.std().item(), "mean": values.mean().item(),
                          "absmax": values.abs().max().item()}
            line = "  %-*s %-*s shape=%-*s std=%.4f" % (self.name_width, name, self.key_width, key,
                                                         self.shape_width, list(tensor.shape), statistics["std"])
            if self.log_mean_and_absmax:
                line += " mean=%+.4f absmax=%.4f" % (statistics["mean"], statistics["absmax"])
            print(line)
            assert 0.1 <= statistics["std"] <= 10.0, "%s/%s: output std %.4f outside 0.1..10" % (
                name, key, statistics["std"])
            assert torch.isfinite(tensor).all(), "%s/%s: non-finite output" % (name, key)
            self.results[name][key] = statistics

    def save_network(self, name, model, inputs, run, weights_file, storage_dtype=None, variant=None):
        """Write the network folder `name`: `config.json` and `weights_file` from
        `save_pretrained(..., safe_serialization=True)` (nothing else), `inputs.safetensors` and
        `outputs.safetensors` with `run(model, inputs)` in float32; record the outputs.

        With `storage_dtype` the weights are rounded to it and saved so (with the diffusers
        `variant`, if given); the outputs then come from those rounded weights upcast to float32.
        """
        if storage_dtype is not None:
            model = cast(model, storage_dtype)
        folder = self.fresh_folder(name)
        options = {"variant": variant} if variant is not None else {}
        model.save_pretrained(folder, safe_serialization=True, **options)
        keep_only(folder, ["config.json", weights_file])
        if storage_dtype is not None:
            model = cast(model, torch.float32)
        outputs = run(model, inputs)
        save_tensors(os.path.join(folder, "inputs.safetensors"), inputs)
        save_tensors(os.path.join(folder, "outputs.safetensors"), outputs)
        self.record(name, outputs)
        return folder

    def reload_and_check(self, name, load, run):
        """Re-load the network folder `name` with `load(folder)` and assert that, in float32, it
        reproduces the saved outputs from the saved inputs exactly (max abs diff 0)."""
        folder = os.path.join(self.path, name)
        model = load(folder).eval()
        for parameter_name, parameter in model.named_parameters():
            assert parameter.dtype == torch.float32, "%s: %s reloaded as %s" % (name, parameter_name, parameter.dtype)
        inputs = load_file(os.path.join(folder, "inputs.safetensors"))
        expected = load_file(os.path.join(folder, "outputs.safetensors"))
        got = run(model, inputs)
        assert sorted(got) == sorted(expected), (name, sorted(got), sorted(expected))
        worst = 0.0
        for key in expected:
            assert got[key].shape == expected[key].shape, (name, key, got[key].shape, expected[key].shape)
            worst = max(worst, (got[key] - expected[key]).abs().max().item())
        print("  reload %-*s max abs diff %g" % (self.name_width, name, worst))
        assert worst == 0.0, "%s: re-loaded model does not reproduce outputs (max abs diff %g)" % (name, worst)

    def reload_all(self, loaders):
        """`reload_and_check` every network of `loaders` (name -> (load, run)), in order; then
        log where the fixtures are."""
        print("re-loading saved folders:")
        for name, (load, run) in loaders.items():
            self.reload_and_check(name, load, run)
        print("done: fixtures written to", self.path)

    # ------------------------------------------------------------------------- README

    def tensor_lines(self, name, file_name):
        """README lines "  - `key` dtype [shape]" for every tensor of `name`/`file_name`, by key."""
        tensors = load_file(os.path.join(self.path, name, file_name))
        return ["  - `%s` %s [%s]" % (key, str(tensor.dtype).replace("torch.", ""),
                                      ",".join(str(size) for size in tensor.shape))
                for key, tensor in sorted(tensors.items())]

    def std_line(self, name):
        """The README line with the recorded standard deviation of each output of `name`."""
        return "- Output std: " + ", ".join(
            "`%s` %.4f" % (key, statistics["std"]) for key, statistics in self.results[name].items())

    def readme_section(self, name, description, list_weights_files=False, produced_by=None):
        """The README section of the network folder `name`: heading, `description`, optionally its
        weight files, its inputs and outputs (tensor lines), optionally a "Produced by" line, and
        the output standard deviations."""
        lines = ["## " + name, "", description, ""]
        if list_weights_files:
            weights = sorted(file_name for file_name in os.listdir(os.path.join(self.path, name))
                             if "safetensors" in file_name and not file_name.startswith(("inputs", "outputs")))
            lines.append("- Weights file: " + ", ".join("`%s`" % file_name for file_name in weights))
        lines.append("- Inputs (`inputs.safetensors`):")
        lines += self.tensor_lines(name, "inputs.safetensors")
        lines.append("- Outputs (`outputs.safetensors`):")
        lines += self.tensor_lines(name, "outputs.safetensors")
        if produced_by is not None:
            lines.append("- Produced by: " + produced_by)
        lines += [self.std_line(name), ""]
        return lines

    def write_readme(self, lines):
        """Write `lines` (joined by newlines, no final one) as the folder's README.md."""
        write_readme(self.path, lines)
