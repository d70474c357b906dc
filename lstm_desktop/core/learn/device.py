"""Where a model runs: the device a setting names, and whether bfloat16 training can run there."""

from __future__ import annotations

from ..errors import BadInput


def resolve_device(name: str) -> str:
    """auto -> cuda when available, else cpu. Raises BadInput for a device this machine does not have."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        return name
    if name == "cuda" or (name.startswith("cuda:") and name[5:].isdigit()):
        if not torch.cuda.is_available():
            raise BadInput(f"{name} was asked for, but this machine has no CUDA GPU; use device cpu or auto.")
        index = int(name[5:]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise BadInput(f"{name} does not exist: this machine has {torch.cuda.device_count()} CUDA GPU(s).")
        return name
    raise BadInput(f"Unknown device {name!r}; choose auto, cpu, cuda or cuda:N.")


def bfloat16_problem(device: str) -> str | None:
    """Why training in bfloat16 cannot run on `device` (a message for the user), or None when it can.

    GPUs say so themselves. On a CPU the only sure test is to try: oneDNN runs a bfloat16 LSTM only on CPUs
    with AVX-512 (fast with AVX-512 BF16 or AMX) and refuses elsewhere, so a tiny LSTM is run forward and back.
    """
    import torch

    if device.startswith("cuda"):
        if torch.cuda.is_bf16_supported():
            return None
        return "This GPU cannot compute in bfloat16 (it needs an NVIDIA Ampere or newer card). Choose float32."
    try:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            output, _ = torch.nn.LSTM(1, 4, batch_first=True)(torch.zeros(2, 3, 1))
        output.float().sum().backward()
    except RuntimeError:
        return (
            "This CPU cannot train an LSTM in bfloat16 (torch's LSTM kernel needs AVX-512, and is fast only with "
            "AVX-512 BF16 or AMX). Choose float32, or train on a GPU."
        )
    return None
