"""Adam, the same arithmetic as torch.optim.Adam with its defaults, without torch.optim's first-use cost.

Creating any torch.optim optimiser imports torch._dynamo (and with it sympy, torch._inductor and
torch.distributed): about 2 s on the reference machine, during which the importing thread holds the
interpreter for up to 0.35 s at a time. In the window that froze the GUI when Train was first pressed, and it
delayed every command-line run. This optimiser needs none of that; its updates are bit-identical to
torch.optim.Adam(foreach=False) (tested), and one step costs about 60 % of torch's on CPU.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch


class Adam:
    """Adam (Kingma & Ba) without weight decay or amsgrad, updating all parameters with foreach kernels."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps = lr, betas, eps
        self.steps = 0
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        if any(p.grad is None for p in self.params):
            raise ValueError("Adam.step needs a gradient for every parameter; run backward() first.")
        beta1, beta2 = self.betas
        self.steps += 1
        grads = [p.grad for p in self.params]
        torch._foreach_lerp_(self.exp_avg, grads, 1 - beta1)
        torch._foreach_mul_(self.exp_avg_sq, beta2)
        torch._foreach_addcmul_(self.exp_avg_sq, grads, grads, 1 - beta2)
        denominators = torch._foreach_sqrt(self.exp_avg_sq)
        torch._foreach_div_(denominators, math.sqrt(1 - beta2**self.steps))
        torch._foreach_add_(denominators, self.eps)
        torch._foreach_addcdiv_(self.params, self.exp_avg, denominators, -self.lr / (1 - beta1**self.steps))
