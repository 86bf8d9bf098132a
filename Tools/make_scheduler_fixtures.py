#!/usr/bin/env python3
"""Generate the scheduler reference fixtures in Tests/Fixtures/schedulers/.

For several scheduler configurations (SD1.5's LCM-LoRA config, DDIM leading/trailing/linspace,
Euler discrete leading/trailing/linspace, a linear-beta config, a v-prediction config, and the
two Hyper-SD SD1.5 set-ups: TCD and DDIM "trailing" built from SD1.5's own config) this records
what diffusers computes:

- the training tables `betas` and `alphas_cumprod` (all `num_train_timesteps` entries),
- for every schedule (step counts 1, 2, 3, 4, 5, 7, 8, 25, 50 and, where diffusers supports
  custom timesteps, the slot lists [0, 4, 12, 25, 37] and [0, 12, 25, 37] on the 50-step grid
  999, 979, ..., 19): the timesteps, the scheduler's per-slot coefficients (LCM: c_skip, c_out
  and the alpha-bar the noise part uses; DDIM: the previous timestep and its alpha-bar; Euler:
  sigmas and init_noise_sigma; TCD: the timestep each slot steps to, the intermediate timestep
  s = floor((1 - eta) * t_prev) and both alpha-bars; the Hyper-SD fixtures have their own
  schedules, see SOURCE_CONFIGS),
- `torch_sqrt.inputs` / `torch_sqrt.outputs`: every float32 square root diffusers took while
  recording (torch 2.13.0's CPU sqrt is not correctly rounded; the Swift tests substitute these
  values to check the kernels bit for bit, see SquareRootRecorder),
- for the schedules in STEPPED (step counts 1, 2, 4, 5, 8 and the slot lists): one `step` per
  slot on fixed seeded `sample`, `model_output` and `noise` tensors of shape [2, 4, 4, 4],
  starting each slot from the same `sample` (the scheduler's own step index advances slot by
  slot, as in a pipeline, and `timestep` is the element of `scheduler.timesteps`, a 0-d tensor,
  as pipelines pass it), plus `add_noise(sample, noise, t)` per slot and, for Euler,
  `scale_model_input(sample, t)` per slot.

How the noise reaches the schedulers (TCD: through its own seeded generator):
- LCMScheduler.step draws its noise with `randn_tensor`; this script replaces
  `diffusers.schedulers.scheduling_lcm.randn_tensor` with a function returning a copy of the
  fixed `noise` tensor, records `prev_sample` and `denoised`, and asserts that
  `prev_sample == sqrt(abar_prev) * denoised + sqrt(1 - abar_prev) * noise` bit for bit (the
  split into denoise and noise parts; the last slot: `prev_sample == denoised`).
- DDIMScheduler.step with eta > 0 takes the noise as `variance_noise`; recorded for eta 0
  (`prev_sample`) and eta 0.7 (`prev_sample_eta`).
- EulerDiscreteScheduler.step is deterministic without churn (s_churn = 0, the default).
- TCDScheduler.step draws its noise with `randn_tensor(..., generator=generator)`; each step gets
  a generator seeded with the fixture seed that has already drawn `sample` and `model_output`,
  so the draw diffusers makes *is* the fixed `noise` (no patching). The script counts the draws
  (one per slot with eta > 0, none at the last slot) and asserts `prev_sample ==
  sqrt(abar_prev / abar_s) * pred_noised_sample + sqrt(1 - abar_prev / abar_s) * noise` bit for
  bit (the split; `prev_sample == pred_noised_sample` where no noise is drawn).

The Hyper-SD fixtures (SOURCE_CONFIGS: `tcd-sd15`, `ddim-trailing-sd15`) keep SD1.5's own
`scheduler_config.json` (the PNDMScheduler file a pipeline folder holds) instead of `save_config`
output, and record the `from_config` keyword overrides (`timestep_spacing="trailing"` for DDIM)
in the metadata (`from_config`), so that the Swift tests build their schedulers the way the
Hyper-SD pipelines do. Their schedules carry the `eta` of the step (TCD: 1.0 as Hyper-SD's
1-step LoRA passes it, and 0.3, diffusers' default).

Layout: one folder per configuration with `scheduler_config.json` (written by `save_config`; the
Hyper-SD ones: SD1.5's file) and `reference.safetensors` (tensors named `<schedule>.<quantity>`;
the safetensors metadata holds one entry, `fixture`, a JSON object with `class`, `description`,
`stepped`, `schedules` (a list of {"name", "steps"} or {"name", "slots", "timesteps"}, TCD's with
"eta"), `ddim_eta` (all but TCD) and, for the Hyper-SD fixtures, `from_config`);
`default-schedule.json` holds t, a_t = sqrt(abar_t) and b_t = sqrt(1 - abar_t) of the default
5-slot schedule (float32 torch arithmetic, SD1.5 betas).

Pinned versions (asserted at start-up; see Tools/setup-reference-env.sh):
    torch 2.13.0 (+cpu), diffusers 0.42.1, safetensors 0.8.0, numpy 2.4.6

Run from the repository root (writes Tests/Fixtures/schedulers/, deterministic):
    .venv-reference/bin/python Tools/make_scheduler_fixtures.py
"""

import json
import os
import shutil
import sys

import numpy
import torch
import diffusers
from diffusers import DDIMScheduler, EulerDiscreteScheduler, LCMScheduler, TCDScheduler
import diffusers.schedulers.scheduling_lcm as scheduling_lcm
import diffusers.schedulers.scheduling_tcd as scheduling_tcd
from safetensors.torch import save_file

from reference_pins import check as check_pins  # noqa: E402

check_pins("torch", "diffusers", "safetensors", "numpy")
torch.set_num_threads(1)
diffusers.utils.logging.set_verbosity_error()

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "schedulers")
SHAPE = (2, 4, 4, 4)
STEP_COUNTS = [1, 2, 3, 4, 5, 7, 8, 25, 50]
STEPPED = {1, 2, 4, 5, 8}
SLOT_LISTS = [[0, 4, 12, 25, 37], [0, 12, 25, 37]]
GRID = [999 - 20 * i for i in range(50)]  # the 50-step grid of LCM's original_inference_steps 50
DDIM_ETA = 0.7
SEED = 20250601  # seeded_tensors: sample, model_output, noise are its first three draws

# SD1.5's scheduler/scheduler_config.json (a PNDMScheduler config); LCM-LoRA and Hyper-SD pipelines
# build their schedulers from it with `from_config`, as done below.
SD15 = {
    "_class_name": "PNDMScheduler",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "num_train_timesteps": 1000,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
}

CONFIGS = [
    # name, class, config overrides on top of SD1.5's, what it stands for
    ("lcm-sd15", LCMScheduler, dict(SD15), "SD1.5 + LCM-LoRA: LCMScheduler.from_config(SD1.5)"),
    ("ddim-leading", DDIMScheduler, dict(SD15), "SD1.5 DDIM: leading spacing, steps_offset 1"),
    ("ddim-trailing", DDIMScheduler, dict(SD15, timestep_spacing="trailing"), "Hyper-SD style: trailing spacing"),
    (
        "ddim-linspace-linear",
        DDIMScheduler,
        {"beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02, "timestep_spacing": "linspace"},
        "diffusers DDIM defaults (linear betas, clip_sample, set_alpha_to_one) with linspace spacing",
    ),
    ("euler-leading", EulerDiscreteScheduler, dict(SD15, timestep_spacing="leading"), "SD1.5 Euler: leading, steps_offset 1"),
    ("euler-trailing", EulerDiscreteScheduler, dict(SD15, timestep_spacing="trailing"), "SDXL-Lightning style: trailing"),
    ("euler-linspace", EulerDiscreteScheduler, dict(SD15, timestep_spacing="linspace"), "Euler linspace spacing"),
    (
        "euler-vpred-sigma-min",
        EulerDiscreteScheduler,
        dict(SD15, timestep_spacing="trailing", prediction_type="v_prediction", final_sigmas_type="sigma_min"),
        "v-prediction, trailing, final sigma = sigma_min",
    ),
]


# The Hyper-SD SD1.5 set-ups (ByteDance/Hyper-SD model card): the 1-step LoRA samples with
# TCDScheduler.from_config(SD1.5), num_inference_steps=1, eta=1.0; the 2/4/8-step LoRAs with
# DDIMScheduler.from_config(SD1.5, timestep_spacing="trailing") and eta 0.
SOURCE_CONFIGS = [
    # name, class, from_config keyword overrides, schedules, what it stands for
    (
        "tcd-sd15",
        TCDScheduler,
        {},
        [
            {"name": "steps1", "steps": 1, "eta": 1.0},
            {"name": "steps2", "steps": 2, "eta": 1.0},
            {"name": "steps4", "steps": 4, "eta": 1.0},
            {"name": "steps4-eta0.3", "steps": 4, "eta": 0.3},
            {"name": "slots0-4-12-25-37-eta0.3", "slots": SLOT_LISTS[0], "timesteps": [GRID[s] for s in SLOT_LISTS[0]],
             "eta": 0.3},
        ],
        "Hyper-SD 1-step (eta 1.0) and TCD's default eta 0.3: TCDScheduler.from_config(SD1.5)",
    ),
    (
        "ddim-trailing-sd15",
        DDIMScheduler,
        {"timestep_spacing": "trailing"},
        [{"name": "steps%d" % n, "steps": n} for n in (2, 4, 8)],
        "Hyper-SD 2/4/8-step: DDIMScheduler.from_config(SD1.5, timestep_spacing=\"trailing\")",
    ),
]


def seeded_tensors():
    generator = torch.Generator().manual_seed(SEED)
    sample = torch.randn(SHAPE, generator=generator, dtype=torch.float32)
    model_output = torch.randn(SHAPE, generator=generator, dtype=torch.float32)
    noise = torch.randn(SHAPE, generator=generator, dtype=torch.float32)
    return sample, model_output, noise


def make_scheduler(cls, config, **overrides):
    return cls.from_config(config, **overrides)


def generator_at_noise():
    """A generator whose next `torch.randn(SHAPE)` draw is `noise` of seeded_tensors()."""
    generator = torch.Generator().manual_seed(SEED)
    torch.randn(SHAPE, generator=generator, dtype=torch.float32)  # sample
    torch.randn(SHAPE, generator=generator, dtype=torch.float32)  # model_output
    return generator


def schedules_for(cls):
    result = [{"name": "steps%d" % n, "steps": n} for n in STEP_COUNTS]
    if cls is not DDIMScheduler:  # DDIM's set_timesteps takes no custom timesteps in diffusers 0.42.1
        for slots in SLOT_LISTS:
            result.append({
                "name": "slots" + "-".join(str(s) for s in slots),
                "slots": slots,
                "timesteps": [GRID[s] for s in slots],
            })
    return result


def set_schedule(scheduler, schedule):
    if "steps" in schedule:
        scheduler.set_timesteps(schedule["steps"])
    else:
        scheduler.set_timesteps(timesteps=schedule["timesteps"])


class FixedNoise:
    """Replaces scheduling_lcm.randn_tensor: returns the fixed noise (a copy), counts calls."""

    def __init__(self, noise):
        self.noise = noise
        self.calls = 0

    def __call__(self, shape, generator=None, device=None, dtype=None, layout=None):
        assert tuple(shape) == tuple(self.noise.shape), shape
        self.calls += 1
        return self.noise.clone().to(dtype=dtype)


def record_lcm(scheduler, schedule, name, sample, model_output, noise, out):
    set_schedule(scheduler, schedule)
    timesteps = scheduler.timesteps
    out[name + ".timesteps"] = timesteps.clone()
    c_skip, c_out, next_alpha_bar = [], [], []
    for index, t in enumerate(timesteps):
        skip, scale = scheduler.get_scalings_for_boundary_condition_discrete(t)
        c_skip.append(float(skip))
        c_out.append(float(scale))
        if index + 1 < len(timesteps):
            next_alpha_bar.append(float(scheduler.alphas_cumprod[timesteps[index + 1]]))
        else:
            next_alpha_bar.append(float("nan"))  # no noise part after the last slot
    out[name + ".c_skip"] = torch.tensor(c_skip, dtype=torch.float32)
    out[name + ".c_out"] = torch.tensor(c_out, dtype=torch.float32)
    out[name + ".next_alpha_bar"] = torch.tensor(next_alpha_bar, dtype=torch.float32)
    if schedule["name"].startswith("steps") and schedule["steps"] not in STEPPED:
        return
    fixed = FixedNoise(noise)
    original = scheduling_lcm.randn_tensor
    scheduling_lcm.randn_tensor = fixed
    try:
        previous, denoised, noised = [], [], []
        for index, t in enumerate(timesteps):
            prev_sample, x0 = scheduler.step(model_output, t, sample, return_dict=False)
            previous.append(prev_sample)
            denoised.append(x0)
            noised.append(scheduler.add_noise(sample, noise, t.reshape(1)))
            # The split: prev_sample is denoise then noise with the same n.
            if index + 1 < len(timesteps):
                abar = scheduler.alphas_cumprod[timesteps[index + 1]]
                split = abar.sqrt() * x0 + (1 - abar).sqrt() * noise
            else:
                split = x0
            assert torch.equal(split, prev_sample), "LCM split differs from step at %s slot %d" % (name, index)
        assert fixed.calls == len(timesteps) - 1, (fixed.calls, len(timesteps))
    finally:
        scheduling_lcm.randn_tensor = original
    out[name + ".prev_sample"] = torch.stack(previous)
    out[name + ".denoised"] = torch.stack(denoised)
    out[name + ".add_noise"] = torch.stack(noised)


def record_ddim(scheduler, schedule, name, sample, model_output, noise, out):
    set_schedule(scheduler, schedule)
    timesteps = scheduler.timesteps
    out[name + ".timesteps"] = timesteps.clone()
    stride = scheduler.config.num_train_timesteps // scheduler.num_inference_steps
    previous_timesteps = timesteps - stride
    out[name + ".previous_timesteps"] = previous_timesteps.clone()
    out[name + ".previous_alpha_bar"] = torch.stack([
        scheduler.alphas_cumprod[p] if p >= 0 else scheduler.final_alpha_cumprod for p in previous_timesteps
    ]).to(torch.float32)
    if schedule["steps"] not in STEPPED:
        return
    previous, previous_eta, noised = [], [], []
    for t in timesteps:
        previous.append(scheduler.step(model_output, t, sample, eta=0.0, return_dict=False)[0])
        previous_eta.append(
            scheduler.step(model_output, t, sample, eta=DDIM_ETA, variance_noise=noise, return_dict=False)[0]
        )
        noised.append(scheduler.add_noise(sample, noise, t.reshape(1)))
    out[name + ".prev_sample"] = torch.stack(previous)
    out[name + ".prev_sample_eta"] = torch.stack(previous_eta)
    out[name + ".add_noise"] = torch.stack(noised)


def record_euler(scheduler, schedule, name, sample, model_output, noise, out):
    set_schedule(scheduler, schedule)
    timesteps = scheduler.timesteps
    out[name + ".timesteps"] = timesteps.clone()
    out[name + ".sigmas"] = scheduler.sigmas.clone()
    out[name + ".init_noise_sigma"] = torch.as_tensor(scheduler.init_noise_sigma, dtype=torch.float32).reshape(1)
    if schedule["name"].startswith("steps") and schedule["steps"] not in STEPPED:
        return
    previous, scaled, noised = [], [], []
    for t in timesteps:
        scaled.append(scheduler.scale_model_input(sample, t))
        previous.append(scheduler.step(model_output, t, sample, return_dict=False)[0])
    for t in timesteps:
        # add_noise looks the slot up by timestep (begin_index is None after set_timesteps).
        fresh = make_scheduler(type(scheduler), scheduler.config)
        set_schedule(fresh, schedule)
        noised.append(fresh.add_noise(sample, noise, t.reshape(1)))
    out[name + ".prev_sample"] = torch.stack(previous)
    out[name + ".scaled_model_input"] = torch.stack(scaled)
    out[name + ".add_noise"] = torch.stack(noised)


class CountingRandn:
    """Wraps scheduling_tcd.randn_tensor: calls it unchanged and counts the calls."""

    def __init__(self, original):
        self.original = original
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.original(*args, **kwargs)


def record_tcd(scheduler, schedule, name, sample, model_output, noise, out):
    eta = schedule["eta"]
    set_schedule(scheduler, schedule)
    timesteps = scheduler.timesteps
    out[name + ".timesteps"] = timesteps.clone()
    # As TCDScheduler.step computes them: t_prev is the next slot's timestep (0 after the last),
    # s = floor((1 - eta) * t_prev) in float32.
    previous = [timesteps[i + 1] if i + 1 < len(timesteps) else torch.tensor(0) for i in range(len(timesteps))]
    intermediate = [torch.floor((1 - eta) * p).to(dtype=torch.long) for p in previous]
    out[name + ".previous_timesteps"] = torch.stack(previous).to(torch.int64)
    out[name + ".intermediate_timesteps"] = torch.stack(intermediate).to(torch.int64)
    out[name + ".previous_alpha_bar"] = torch.stack([scheduler.alphas_cumprod[p] for p in previous])
    out[name + ".intermediate_alpha_bar"] = torch.stack([scheduler.alphas_cumprod[s] for s in intermediate])
    counting = CountingRandn(scheduling_tcd.randn_tensor)
    scheduling_tcd.randn_tensor = counting
    try:
        stepped, denoised, noised = [], [], []
        for index, t in enumerate(timesteps):
            prev_sample, noised_sample = scheduler.step(
                model_output, t, sample, eta=eta, generator=generator_at_noise(), return_dict=False
            )
            stepped.append(prev_sample)
            denoised.append(noised_sample)
            noised.append(scheduler.add_noise(sample, noise, t.reshape(1)))
            # The split: prev_sample is the noise part of pred_noised_sample with the fixed noise.
            if eta > 0 and index + 1 < len(timesteps):
                ratio = scheduler.alphas_cumprod[previous[index]] / scheduler.alphas_cumprod[intermediate[index]]
                split = ratio.sqrt() * noised_sample + (1 - ratio).sqrt() * noise
            else:
                split = noised_sample
            assert torch.equal(split, prev_sample), "TCD split differs from step at %s slot %d" % (name, index)
        expected_draws = len(timesteps) - 1 if eta > 0 else 0
        assert counting.calls == expected_draws, (counting.calls, expected_draws)
    finally:
        scheduling_tcd.randn_tensor = counting.original
    out[name + ".prev_sample"] = torch.stack(stepped)
    out[name + ".denoised"] = torch.stack(denoised)
    out[name + ".add_noise"] = torch.stack(noised)


class SquareRootRecorder:
    """Records every float32 square root diffusers takes (`Tensor.sqrt`, `Tensor ** 0.5`).

    torch 2.13.0's CPU float32 square root is not correctly rounded (about 1 in 5 random inputs
    comes out 1 ulp away from the IEEE result), so coefficients built with an IEEE sqrt differ
    from diffusers' by an ulp here and there. The recorded (input, output) pairs let the Swift
    tests swap in torch's square roots and then check the kernels bit for bit.
    """

    def __init__(self):
        self.pairs = {}

    def record(self, base, result):
        if not (isinstance(base, torch.Tensor) and base.dtype == torch.float32):
            return
        for x, y in zip(base.detach().reshape(-1).tolist(), result.detach().reshape(-1).tolist()):
            key = numpy.float32(x).view(numpy.uint32).item()
            value = numpy.float32(y)
            if key in self.pairs:
                assert self.pairs[key].view(numpy.uint32) == value.view(numpy.uint32), "torch sqrt not deterministic"
            self.pairs[key] = value

    def __enter__(self):
        recorder = self
        self.original_sqrt, self.original_pow = torch.Tensor.sqrt, torch.Tensor.__pow__

        def sqrt(tensor, *args, **kwargs):
            result = recorder.original_sqrt(tensor, *args, **kwargs)
            recorder.record(tensor, result)
            return result

        def power(tensor, exponent):
            result = recorder.original_pow(tensor, exponent)
            if isinstance(exponent, float) and exponent == 0.5:
                recorder.record(tensor, result)
            return result

        torch.Tensor.sqrt, torch.Tensor.__pow__ = sqrt, power
        return self

    def __exit__(self, *exc):
        torch.Tensor.sqrt, torch.Tensor.__pow__ = self.original_sqrt, self.original_pow

    def tensors(self):
        keys = sorted(self.pairs)
        inputs = numpy.array(keys, dtype=numpy.uint32).view(numpy.float32)
        outputs = numpy.array([self.pairs[k] for k in keys], dtype=numpy.float32)
        return torch.from_numpy(inputs.copy()), torch.from_numpy(outputs)


RECORDERS = {
    LCMScheduler: record_lcm,
    DDIMScheduler: record_ddim,
    EulerDiscreteScheduler: record_euler,
    TCDScheduler: record_tcd,
}


def write_default_schedule():
    scheduler = LCMScheduler.from_config(SD15)
    slots = SLOT_LISTS[0]
    timesteps = [GRID[s] for s in slots]
    abar = scheduler.alphas_cumprod[torch.tensor(timesteps)]
    table = {
        "description": "Default 5-slot schedule: slots [0,4,12,25,37] of the 50-step grid, SD1.5 betas; "
        "a_t = sqrt(abar_t), b_t = sqrt(1 - abar_t) in float32 torch arithmetic (diffusers 0.42.1 LCMScheduler).",
        "slots": slots,
        "timesteps": timesteps,
        "alpha_bar": [float(v) for v in abar],
        "a_t": [float(v) for v in abar.sqrt()],
        "b_t": [float(v) for v in (1 - abar).sqrt()],
    }
    with open(os.path.join(ROOT, "default-schedule.json"), "w") as handle:
        json.dump(table, handle, indent=2)
        handle.write("\n")


def write_fixture(name, cls, config, overrides, schedules, description, folder, tensors):
    """Records every schedule of one configuration into `folder`/reference.safetensors."""
    sample, model_output, noise = tensors
    keywords = overrides or {}
    recorder = SquareRootRecorder().__enter__()
    scheduler = make_scheduler(cls, config, **keywords)
    out = {
        "betas": scheduler.betas.clone(),
        "alphas_cumprod": scheduler.alphas_cumprod.clone(),
        "sample": sample,
        "model_output": model_output,
        "noise": noise,
    }
    try:
        for schedule in schedules:
            RECORDERS[cls](make_scheduler(cls, config, **keywords), schedule, schedule["name"], sample, model_output, noise, out)
    finally:
        recorder.__exit__()
    out["torch_sqrt.inputs"], out["torch_sqrt.outputs"] = recorder.tensors()
    exact = numpy.sqrt(out["torch_sqrt.inputs"].numpy().astype(numpy.float64)).astype(numpy.float32)
    differing = int((exact != out["torch_sqrt.outputs"].numpy()).sum())
    # One metadata entry: safetensors writes metadata keys in hash order, which would make
    # reruns differ byte for byte.
    fields = {
        "schedules": schedules,
        "description": description,
        "class": cls.__name__,
        "stepped": sorted(STEPPED),
    }
    if cls is not TCDScheduler:
        fields["ddim_eta"] = DDIM_ETA
    if overrides is not None:
        fields["from_config"] = overrides
    metadata = {"fixture": json.dumps(fields, sort_keys=True)}
    path = os.path.join(folder, "reference.safetensors")
    save_file({k: v.contiguous() for k, v in out.items()}, path, metadata)
    os.chmod(path, 0o644)
    print("%-24s %s: %d tensors; torch sqrt differs from IEEE sqrt in %d of %d recorded inputs"
          % (name, cls.__name__, len(out), differing, len(exact)))


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    os.makedirs(ROOT)
    tensors = seeded_tensors()
    for name, cls, config, description in CONFIGS:
        folder = os.path.join(ROOT, name)
        os.makedirs(folder)
        make_scheduler(cls, config).save_config(folder)
        write_fixture(name, cls, config, None, schedules_for(cls), description, folder, tensors)
    for name, cls, overrides, schedules, description in SOURCE_CONFIGS:
        folder = os.path.join(ROOT, name)
        os.makedirs(folder)
        with open(os.path.join(folder, "scheduler_config.json"), "w") as handle:
            json.dump(SD15, handle, indent=2, sort_keys=True)
            handle.write("\n")
        write_fixture(name, cls, SD15, overrides, schedules, description, folder, tensors)
    write_default_schedule()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(ROOT) for f in fs)
    print("total %d bytes" % total)
    assert total < 1_000_000, "fixtures must stay under 1 MB"


if __name__ == "__main__":
    sys.exit(main())
