"""The pinned reference environment (what Tools/setup-reference-env.sh installs) and the one check
every reference script runs before it computes anything, so that fixtures and PyTorch timings
always come from these versions.

    from reference_pins import check
    check("torch", "diffusers", "transformers")   # AssertionError naming every mismatch

(Tools/ is on sys.path when a script in it runs.)
"""

import importlib

PINS = {
    "torch": "2.13.0",
    "diffusers": "0.42.1",
    "transformers": "5.24.0",
    "safetensors": "0.8.0",
    "numpy": "2.4.6",
    "peft": "0.21.2",
    "tokenizers": "0.23.3",
}


def mismatches(*packages):
    """One line per package that is missing or differs from its pin (local build tags such as
    torch's "+cpu" are ignored), e.g. "torch 2.12.0 (pinned 2.13.0)"; empty when all match."""
    bad = []
    for name in packages:
        try:
            version = importlib.import_module(name).__version__.split("+")[0]
        except ImportError:
            bad.append("%s missing (pinned %s)" % (name, PINS[name]))
            continue
        if version != PINS[name]:
            bad.append("%s %s (pinned %s)" % (name, version, PINS[name]))
    return bad


def check(*packages):
    """Asserts that `packages` match their pins, naming every mismatch."""
    bad = mismatches(*packages)
    assert not bad, ("reference environment does not match the pins: %s -- recreate it with "
                     "Tools/setup-reference-env.sh" % ", ".join(bad))


def describe(*packages):
    """"torch 2.13.0+cpu, diffusers 0.42.1, ..." as installed (for logs and fixture metadata)."""
    return ", ".join("%s %s" % (name, importlib.import_module(name).__version__) for name in packages)
