"""Recurrent layers for training on the CPU: the whole sequence in a few large tensor operations per time step.

torch's own CPU paths cost more than their arithmetic on this app's shapes (batch 64, hidden 50, window 100): the
GRU and the plain RNN go through a generic loop that records a dozen autograd nodes per time step and walks them
back one by one, and the LSTM's oneDNN kernel runs a reference driver whose per-step work is slow, more so on
AVX2 CPUs. Here each layer is one autograd function over the whole sequence:

- the state is kept feature-major, (features, batch) per step, so every gate block of a step is one contiguous
  slab and every element-wise operation runs on contiguous memory;
- for the LSTM and the plain RNN the input and the previous hidden state of a step sit one above the other in one
  buffer, so a step's pre-activations are one matrix product with the concatenated weights (and the backward pass
  gets both the input's and the state's gradient from one product);
- the backward pass precomputes the gates' derivative factors for all steps in a few large operations, so the
  serial loop does one to four element-wise operations and one matrix product a step; the weight gradients are
  one large product over all steps.

Each step still costs several torch operations (about 1.3 µs each, more for ATen's tanh and sigmoid), so the
LSTM, whose oneDNN kernel does a step in one call, stays there (`OWN_KERNEL_CELLS`).

Same inputs, same thread count: the same bits (no atomics, fixed reduction orders). The stored weights are the
torch module's own (`lstm.weight_ih_l0`, ...), so projects keep their names and shapes; only the arithmetic
differs from torch's kernels in the last bits.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

Tensor = torch.Tensor

# The cells whose CPU float32 training runs here rather than in torch's kernel, chosen by measurement
# (docs/performance.md, "The kernel on AVX2"): the GRU and the plain RNN are faster here on AVX2 and AVX-512;
# the LSTM stays on oneDNN's kernel, which this module's per-step operations do not beat. The benchmark swaps
# this set to measure both paths side by side; nothing else should change it.
OWN_KERNEL_CELLS: frozenset[str] = frozenset({"gru", "rnn"})


def fast_path_applies(module: nn.Module, x: Tensor) -> bool:
    """Whether `last_output` handles this layer and input: CPU, float32 without autocast, unidirectional, with
    biases, no projection, tanh for the plain RNN. Anything else keeps torch's own kernel."""
    if not isinstance(module, (nn.LSTM, nn.GRU, nn.RNN)) or type(module).__name__ not in CELL_OF:
        return False
    if x.device.type != "cpu" or x.dtype != torch.float32 or torch.is_autocast_enabled("cpu"):
        return False
    if module.bidirectional or not module.bias or not module.batch_first or getattr(module, "proj_size", 0):
        return False
    return not (isinstance(module, nn.RNN) and module.nonlinearity != "tanh")


def last_output(module: nn.RNNBase, x: Tensor) -> Tensor:
    """The top layer's output at the last step, (batch, hidden), for `x` (batch, window, inputs), zero initial
    state; dropout between layers as torch applies it (training mode only)."""
    layer = _LAYERS[CELL_OF[type(module).__name__]]
    sequence = x.permute(1, 2, 0).contiguous()  # (steps, features, batch)
    grad = torch.is_grad_enabled()
    for index in range(module.num_layers):
        if index and module.dropout and module.training:
            sequence = F.dropout(sequence, module.dropout, True)
        weights = [getattr(module, f"{name}_l{index}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        if grad and (sequence.requires_grad or any(w.requires_grad for w in weights)):
            sequence = layer.apply(sequence, *weights)
        else:
            sequence = layer.run(sequence, *weights)[0]
    return sequence[-1].t()


def _stacked_input(x: Tensor, hidden: int) -> Tensor:
    """Z with Z[t] = [x_t; h_{t-1}; 1] (steps + 1, inputs + hidden + 1, batch): x copied in, h_{-1} = 0, a row of
    ones that carries the bias through the matrix product (`addmm` would copy a broadcast bias into its output
    first, a slow extra pass every step), and the layer writes h_t into Z[t + 1] as it goes."""
    steps, inputs, batch = x.shape
    z = x.new_empty(steps + 1, inputs + hidden + 1, batch)
    z[:steps, :inputs] = x
    z[steps, :inputs] = 0
    z[0, inputs:] = 0
    z[:, inputs + hidden] = 1
    return z


def _weight_grads(d_gates: Tensor, inputs: Tensor) -> Tensor:
    """sum over steps of d_gates[t] @ inputs[t]^T, for (steps, rows, batch) and (steps, cols, batch)."""
    return torch.tensordot(d_gates, inputs, dims=([0, 2], [0, 2]))


class _LSTM(torch.autograd.Function):
    """One LSTM layer. The gate rows are reordered i, f, o, g inside, so one sigmoid covers three gates."""

    @staticmethod
    def order(hidden: int) -> Tensor:
        h = hidden
        return torch.cat([torch.arange(0, 2 * h), torch.arange(3 * h, 4 * h), torch.arange(2 * h, 3 * h)])

    @staticmethod
    def run(x: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor) -> tuple[Tensor, ...]:
        steps, inputs, batch = x.shape
        h = w_hh.shape[1]
        order = _LSTM.order(h)
        weights = torch.cat([w_ih, w_hh, (b_ih + b_hh).unsqueeze(1)], 1)[order]
        z = _stacked_input(x, h)
        gates = x.new_empty(steps, 4 * h, batch)
        cells = x.new_empty(steps, h, batch)
        tanh_cells = x.new_empty(steps, h, batch)
        # every per-step view made once, in C++: slicing in the loop cost more than the arithmetic
        a, sig, tan = gates.unbind(0), gates[:, : 3 * h].unbind(0), gates[:, 3 * h :].unbind(0)
        i, f, o, g = (gates[:, k * h : (k + 1) * h].unbind(0) for k in range(4))
        zs, hs, c, tc = z.unbind(0), z[1:, inputs:-1].unbind(0), cells.unbind(0), tanh_cells.unbind(0)
        for t in range(steps):
            torch.mm(weights, zs[t], out=a[t])
            sig[t].sigmoid_()
            tan[t].tanh_()
            if t:
                torch.mul(f[t], c[t - 1], out=c[t])
                c[t].addcmul_(i[t], g[t])
            else:
                torch.mul(i[t], g[t], out=c[t])
            torch.tanh(c[t], out=tc[t])
            torch.mul(o[t], tc[t], out=hs[t])
        return z[1:, inputs:-1], weights, order, z, gates, cells, tanh_cells

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh):
        output, weights, order, z, gates, cells, tanh_cells = _LSTM.run(x, w_ih, w_hh, b_ih, b_hh)
        ctx.save_for_backward(weights, order, z, gates, cells, tanh_cells)
        ctx.inputs = x.shape[1]
        return output

    @staticmethod
    def backward(ctx, d_output):
        weights, order, z, gates, cells, tanh_cells = ctx.saved_tensors
        inputs = ctx.inputs
        steps, rows, batch = gates.shape
        h = rows // 4
        i, f, o, g = gates.view(steps, 4, h, batch).unbind(1)
        # d pre-activation = factor × (dc for i, f, g; dh for o), all steps at once
        factor = torch.empty(steps, 4, h, batch)
        torch.mul(i - i * i, g, out=factor[:, 0])
        torch.mul(f[1:] - f[1:] * f[1:], cells[:-1], out=factor[1:, 1])
        factor[0, 1] = 0
        torch.mul(o - o * o, tanh_cells, out=factor[:, 2])
        torch.mul(i, 1 - g * g, out=factor[:, 3])
        dc_from_dh = o * (1 - tanh_cells * tanh_cells)
        d_gates = torch.empty(steps, 4, h, batch)
        d_z = torch.zeros(steps, inputs + h, batch)  # d[x_t; h_{t-1}], seeded with the output's gradient
        d_z[1:, inputs:] = d_output[:-1]
        weights_t = weights[:, :-1].t()
        dg, dz, dh_of = d_gates.unbind(0), d_z.unbind(0), d_z[:, inputs:].unbind(0)
        dg_if, dg_o, dg_g = d_gates[:, :2].unbind(0), d_gates[:, 2].unbind(0), d_gates[:, 3].unbind(0)
        k_if, k_o, k_g = factor[:, :2].unbind(0), factor[:, 2].unbind(0), factor[:, 3].unbind(0)
        k_c, fs = dc_from_dh.unbind(0), f.unbind(0)
        dh = d_output[-1]
        dc = None
        for t in range(steps - 1, -1, -1):
            dc = dh * k_c[t] if dc is None else torch.addcmul(dc, dh, k_c[t])
            torch.mul(dc, k_if[t], out=dg_if[t])
            torch.mul(dh, k_o[t], out=dg_o[t])
            torch.mul(dc, k_g[t], out=dg_g[t])
            dz[t].addmm_(weights_t, dg[t].view(rows, batch))
            if t:
                dc = dc * fs[t]
                dh = dh_of[t]
        d_gates = d_gates.view(steps, rows, batch)
        back = torch.empty_like(order)
        back[order] = torch.arange(rows)
        d_weights = _weight_grads(d_gates, z[:steps])[back]
        d_bias = d_weights[:, -1]
        d_x = d_z[:, :inputs] if ctx.needs_input_grad[0] else None
        return d_x, d_weights[:, :inputs], d_weights[:, inputs:-1], d_bias, d_bias


class _RNN(torch.autograd.Function):
    """One plain tanh RNN layer: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)."""

    @staticmethod
    def run(x: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor) -> tuple[Tensor, ...]:
        steps, inputs, _ = x.shape
        h = w_hh.shape[1]
        weights = torch.cat([w_ih, w_hh, (b_ih + b_hh).unsqueeze(1)], 1)
        z = _stacked_input(x, h)
        zs, hs = z.unbind(0), z[1:, inputs:-1].unbind(0)
        for t in range(steps):
            torch.mm(weights, zs[t], out=hs[t])
            hs[t].tanh_()
        return z[1:, inputs:-1], weights, z

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh):
        output, weights, z = _RNN.run(x, w_ih, w_hh, b_ih, b_hh)
        ctx.save_for_backward(weights, z)
        ctx.inputs = x.shape[1]
        return output

    @staticmethod
    def backward(ctx, d_output):
        weights, z = ctx.saved_tensors
        inputs = ctx.inputs
        steps = z.shape[0] - 1
        outputs = z[1:, inputs:-1]
        factor = 1 - outputs * outputs
        d_pre = torch.empty_like(factor)
        d_z = torch.zeros(steps, z.shape[1] - 1, z.shape[2])
        d_z[1:, inputs:] = d_output[:-1]
        weights_t = weights[:, :-1].t()
        dp, k, dz, dh_of = d_pre.unbind(0), factor.unbind(0), d_z.unbind(0), d_z[:, inputs:].unbind(0)
        dh = d_output[-1]
        for t in range(steps - 1, -1, -1):
            torch.mul(dh, k[t], out=dp[t])
            dz[t].addmm_(weights_t, dp[t])
            dh = dh_of[t]
        d_weights = _weight_grads(d_pre, z[:steps])
        d_bias = d_weights[:, -1]
        d_x = d_z[:, :inputs] if ctx.needs_input_grad[0] else None
        return d_x, d_weights[:, :inputs], d_weights[:, inputs:-1], d_bias, d_bias


class _GRU(torch.autograd.Function):
    """One GRU layer in torch's formulation: r, z = σ(W_i x + b_i + W_h h + b_h), n = tanh(W_in x + b_in +
    r ⊙ (W_hn h + b_hn)), h' = n + z ⊙ (h − n). The input's share of all steps is one batched product first;
    inputs and states carry a row of ones for the biases, as in `_stacked_input`."""

    @staticmethod
    def run(x: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor) -> tuple[Tensor, ...]:
        steps, inputs, batch = x.shape
        h = w_hh.shape[1]
        x1 = x.new_empty(steps, inputs + 1, batch)
        x1[:, :inputs] = x
        x1[:, inputs] = 1
        from_input = torch.matmul(torch.cat([w_ih, b_ih.unsqueeze(1)], 1), x1)  # (steps, 3h, batch)
        w_hh1 = torch.cat([w_hh, b_hh.unsqueeze(1)], 1)
        from_state = x.new_empty(steps, 3 * h, batch)
        gates = x.new_empty(steps, 2 * h, batch)  # r, z after the sigmoid
        new = x.new_empty(steps, h, batch)
        states = x.new_empty(steps + 1, h + 1, batch)
        states[0, :h] = 0
        states[:, h] = 1
        gi_rz, gi_n = from_input[:, : 2 * h].unbind(0), from_input[:, 2 * h :].unbind(0)
        gh, gh_rz, gh_n = from_state.unbind(0), from_state[:, : 2 * h].unbind(0), from_state[:, 2 * h :].unbind(0)
        rz, r, zg, n = gates.unbind(0), gates[:, :h].unbind(0), gates[:, h:].unbind(0), new.unbind(0)
        s1, hs = states.unbind(0), states[:, :h].unbind(0)
        for t in range(steps):
            torch.mm(w_hh1, s1[t], out=gh[t])
            torch.add(gi_rz[t], gh_rz[t], out=rz[t])
            rz[t].sigmoid_()
            torch.addcmul(gi_n[t], r[t], gh_n[t], out=n[t])
            n[t].tanh_()
            torch.sub(hs[t], n[t], out=hs[t + 1])
            hs[t + 1].mul_(zg[t]).add_(n[t])
        return states[1:, :h], x1, from_state, gates, new, states

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh):
        output, x1, from_state, gates, new, states = _GRU.run(x, w_ih, w_hh, b_ih, b_hh)
        ctx.save_for_backward(x1, w_ih, w_hh, from_state, gates, new, states)
        return output

    @staticmethod
    def backward(ctx, d_output):
        x1, w_ih, w_hh, from_state, gates, new, states = ctx.saved_tensors
        steps, h2, batch = gates.shape
        h = h2 // 2
        r, zg = gates[:, :h], gates[:, h:]
        previous = states[:-1, :h]
        dn_from_dh = (1 - zg) * (1 - new * new)
        # d(W_h h + b_h) per step = dh × factor: rows r, z, n
        factor = torch.empty(steps, 3, h, batch)
        torch.mul(dn_from_dh * (r - r * r), from_state[:, 2 * h :], out=factor[:, 0])
        torch.mul(zg - zg * zg, previous - new, out=factor[:, 1])
        torch.mul(dn_from_dh, r, out=factor[:, 2])
        d_state = torch.empty(steps, 3, h, batch)
        dh_all = torch.empty(steps, h, batch)
        dh_all[-1] = d_output[-1]
        w_hh_t = w_hh.t()
        ds, dhs, k, zs, dout = d_state.unbind(0), dh_all.unbind(0), factor.unbind(0), zg.unbind(0), d_output.unbind(0)
        for t in range(steps - 1, -1, -1):
            torch.mul(dhs[t], k[t], out=ds[t])
            if t:
                torch.addcmul(dout[t - 1], dhs[t], zs[t], out=dhs[t - 1])
                dhs[t - 1].addmm_(w_hh_t, ds[t].view(3 * h, batch))
        d_state = d_state.view(steps, 3 * h, batch)
        d_input = torch.empty(steps, 3 * h, batch)
        d_input[:, : 2 * h] = d_state[:, : 2 * h]
        torch.mul(dh_all, dn_from_dh, out=d_input[:, 2 * h :])
        d_hh = _weight_grads(d_state, states[:-1])
        d_ih = _weight_grads(d_input, x1)
        d_x = torch.matmul(w_ih.t(), d_input) if ctx.needs_input_grad[0] else None
        return d_x, d_ih[:, :-1], d_hh[:, :-1], d_ih[:, -1], d_hh[:, -1]


CELL_OF = {"LSTM": "lstm", "GRU": "gru", "RNN": "rnn"}
_LAYERS: dict[str, type[torch.autograd.Function]] = {"lstm": _LSTM, "gru": _GRU, "rnn": _RNN}
