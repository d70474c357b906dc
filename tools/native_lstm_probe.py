"""What a fused native LSTM kernel reaches on this CPU: a measurement probe, not part of the app.

python tools/native_lstm_probe.py (needs a C++ compiler; builds with torch.utils.cpp_extension, about a minute)

The app's LSTM trains on oneDNN's kernel (core/learn/recurrent.py says why). This probe builds the kernel the
issue's bound asks for and times it against torch's, forward and backward of the reference setup's two layers
(batch 64, window 100, hidden 50, one input) on one thread, with the FLOP bound from a 1024 matmul measured in the
same run: per step one MKL product per layer ([W_ih W_hh b] against [x_t; h_{t-1}; 1]) and one AVX2 loop for all
gate maths (a polynomial exp, sigmoid and tanh from it); backward, one loop for the gate derivatives and two
products per step. Run it with the AVX2 limits of bench/kernel.py to emulate an AVX2 CPU:

ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 python tools/native_lstm_probe.py

It compiles with -mavx2 -mfma only, so it never uses AVX-512. Results match torch's to float32 rounding (checked).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable

import torch
from torch import nn
from torch.utils.cpp_extension import load_inline

SOURCE = r"""
#include <immintrin.h>
#include <vector>

static inline __m256 exp256(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.f)), _mm256_set1_ps(88.f));
  __m256 fx = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                              _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 y = _mm256_set1_ps(1.9875691500E-4f);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507E-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073E-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894E-2f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459E-1f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201E-1f));
  __m256 r2 = _mm256_mul_ps(r, r);
  y = _mm256_fmadd_ps(y, r2, _mm256_add_ps(r, _mm256_set1_ps(1.f)));
  __m256i n = _mm256_cvtps_epi32(fx);
  n = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(n));
}
static inline __m256 sig256(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp256(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}
static inline __m256 tanh256(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.f), two = _mm256_set1_ps(2.f);
  return _mm256_fmsub_ps(two, sig256(_mm256_mul_ps(two, x)), one);
}

// z: (T+1, K, B) with x rows, h_{-1} = 0 and a ones row; w: (4h, K) rows i, f, g, o (torch's order)
std::vector<at::Tensor> lstm_forward(at::Tensor z, at::Tensor w, int64_t inputs) {
  const int64_t T = z.size(0) - 1, K = z.size(1), B = z.size(2), h = w.size(0) / 4, n = h * B;
  auto gates = at::empty({T, 4 * h, B}, z.options());
  auto cells = at::empty({T, h, B}, z.options());
  auto tanhc = at::empty({T, h, B}, z.options());
  float *G = gates.data_ptr<float>(), *C = cells.data_ptr<float>();
  float *TC = tanhc.data_ptr<float>(), *Z = z.data_ptr<float>();
  for (int64_t t = 0; t < T; ++t) {
    auto out = gates.select(0, t);
    at::mm_out(out, w, z.select(0, t));
    float *a = G + t * 4 * n, *c = C + t * n, *tc = TC + t * n, *hout = Z + (t + 1) * K * B + inputs * B;
    const float *cp = t ? C + (t - 1) * n : nullptr;
    for (int64_t j = 0; j < n; j += 8) {
      __m256 i = sig256(_mm256_loadu_ps(a + j)), f = sig256(_mm256_loadu_ps(a + n + j));
      __m256 g = tanh256(_mm256_loadu_ps(a + 2 * n + j)), o = sig256(_mm256_loadu_ps(a + 3 * n + j));
      _mm256_storeu_ps(a + j, i);
      _mm256_storeu_ps(a + n + j, f);
      _mm256_storeu_ps(a + 2 * n + j, g);
      _mm256_storeu_ps(a + 3 * n + j, o);
      __m256 cc = _mm256_mul_ps(i, g);
      if (cp) cc = _mm256_fmadd_ps(f, _mm256_loadu_ps(cp + j), cc);
      _mm256_storeu_ps(c + j, cc);
      __m256 th = tanh256(cc);
      _mm256_storeu_ps(tc + j, th);
      _mm256_storeu_ps(hout + j, _mm256_mul_ps(o, th));
    }
  }
  return {gates, cells, tanhc};
}

// returns d_z (T, K-1, B) = d[x_t; h_{t-1}] and d_w (4h, K)
std::vector<at::Tensor> lstm_backward(at::Tensor z, at::Tensor w, at::Tensor gates, at::Tensor cells, at::Tensor tanhc,
                                      at::Tensor d_out, int64_t inputs) {
  const int64_t T = gates.size(0), K = z.size(1), B = z.size(2), h = w.size(0) / 4, n = h * B;
  auto d_gates = at::empty({T, 4 * h, B}, z.options());
  auto d_z = at::zeros({T, K - 1, B}, z.options());
  d_z.slice(0, 1).slice(1, inputs).copy_(d_out.slice(0, 0, T - 1));
  auto d_w = at::zeros({4 * h, K}, z.options());
  auto w_t = w.slice(1, 0, K - 1).t();
  auto dh_first = d_out.select(0, T - 1).contiguous();
  auto dc_buf = at::zeros({h, B}, z.options());
  float *G = gates.data_ptr<float>(), *C = cells.data_ptr<float>(), *TC = tanhc.data_ptr<float>();
  float *DG = d_gates.data_ptr<float>(), *DZ = d_z.data_ptr<float>(), *dc = dc_buf.data_ptr<float>();
  const __m256 one = _mm256_set1_ps(1.f);
  for (int64_t t = T - 1; t >= 0; --t) {
    const float *dh = (t == T - 1) ? dh_first.data_ptr<float>() : DZ + (t + 1) * (K - 1) * B + inputs * B;
    const float *a = G + t * 4 * n, *tc = TC + t * n, *cp = t ? C + (t - 1) * n : nullptr;
    float *dg = DG + t * 4 * n;
    for (int64_t j = 0; j < n; j += 8) {
      __m256 i = _mm256_loadu_ps(a + j), f = _mm256_loadu_ps(a + n + j);
      __m256 g = _mm256_loadu_ps(a + 2 * n + j), o = _mm256_loadu_ps(a + 3 * n + j);
      __m256 d = _mm256_loadu_ps(dh + j), th = _mm256_loadu_ps(tc + j);
      __m256 dcj = _mm256_fmadd_ps(_mm256_mul_ps(d, o), _mm256_fnmadd_ps(th, th, one), _mm256_loadu_ps(dc + j));
      __m256 cprev = cp ? _mm256_loadu_ps(cp + j) : _mm256_setzero_ps();
      _mm256_storeu_ps(dg + j, _mm256_mul_ps(_mm256_mul_ps(dcj, g), _mm256_fnmadd_ps(i, i, i)));
      _mm256_storeu_ps(dg + n + j, _mm256_mul_ps(_mm256_mul_ps(dcj, cprev), _mm256_fnmadd_ps(f, f, f)));
      _mm256_storeu_ps(dg + 2 * n + j, _mm256_mul_ps(_mm256_mul_ps(dcj, i), _mm256_fnmadd_ps(g, g, one)));
      _mm256_storeu_ps(dg + 3 * n + j, _mm256_mul_ps(_mm256_mul_ps(d, th), _mm256_fnmadd_ps(o, o, o)));
      _mm256_storeu_ps(dc + j, _mm256_mul_ps(dcj, f));
    }
    auto dgt = d_gates.select(0, t);
    d_z.select(0, t).addmm_(w_t, dgt);
    d_w.addmm_(dgt, z.select(0, t).t());
  }
  return {d_z, d_w};
}

"""


def build() -> object:
    folder = tempfile.mkdtemp(prefix="native_lstm_probe_")
    return load_inline(
        name="native_lstm_probe",
        cpp_sources=SOURCE,
        functions=["lstm_forward", "lstm_backward"],
        extra_cflags=["-O3", "-mavx2", "-mfma"],
        build_directory=folder,
    )


def layer_function(native: object) -> type[torch.autograd.Function]:
    class Layer(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w_ih, w_hh, b_ih, b_hh):
            steps, inputs, batch = x.shape
            h = w_hh.shape[1]
            w = torch.cat([w_ih, w_hh, (b_ih + b_hh).unsqueeze(1)], 1).contiguous()
            z = x.new_empty(steps + 1, inputs + h + 1, batch)
            z[:steps, :inputs] = x
            z[steps, :inputs] = 0
            z[0, inputs:] = 0
            z[:, inputs + h] = 1
            gates, cells, tanh_cells = native.lstm_forward(z, w, inputs)
            ctx.save_for_backward(z, w, gates, cells, tanh_cells)
            ctx.inputs = inputs
            return z[1:, inputs : inputs + h]

        @staticmethod
        def backward(ctx, d_out):
            z, w, gates, cells, tanh_cells = ctx.saved_tensors
            i = ctx.inputs
            d_z, d_w = native.lstm_backward(z, w, gates, cells, tanh_cells, d_out.contiguous(), i)
            return d_z[:, :i], d_w[:, :i], d_w[:, i:-1], d_w[:, -1], d_w[:, -1]

    return Layer


def thread_ms(step: Callable[[], object], repeats: int = 15) -> float:
    """Median CPU time of this thread per call, in ms (descheduled time on a busy machine is not counted)."""
    for _ in range(2):
        step()
    times = []
    for _ in range(repeats):
        tick = time.thread_time()
        step()
        times.append(time.thread_time() - tick)
    return sorted(times)[repeats // 2] * 1e3


def main() -> None:
    torch.set_num_threads(1)
    layer = layer_function(build())
    torch.manual_seed(0)
    lstm = nn.LSTM(1, 50, 2, batch_first=True)
    x = torch.randn(64, 100, 1)

    def native_last(x: torch.Tensor) -> torch.Tensor:
        sequence = x.permute(1, 2, 0).contiguous()
        for k in range(lstm.num_layers):
            names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            sequence = layer.apply(sequence, *[getattr(lstm, f"{n}_l{k}") for n in names])
        return sequence[-1].t()

    expected = lstm(x)[0][:, -1]
    (expected**2).sum().backward()
    want = [p.grad.clone() for p in lstm.parameters()]
    lstm.zero_grad()
    (native_last(x) ** 2).sum().backward()
    error = max(((p.grad - w).abs().max() / w.abs().max()).item() for p, w in zip(lstm.parameters(), want))
    print(f"ATen {torch.backends.cpu.get_cpu_capability()}; largest relative gradient difference {error:.1e}")

    def torch_step() -> None:
        lstm.zero_grad()
        lstm(x)[0][:, -1].sum().backward()

    def native_step() -> None:
        lstm.zero_grad()
        native_last(x).sum().backward()

    a = torch.randn(1024, 1024)
    for _ in range(3):
        gflops = 2 * 1024**3 / thread_ms(lambda: a @ a, 5) / 1e6
        bound = 64 * 6.12e6 * 3 / (gflops * 1e9) * 1e3  # the reference setup's FLOPs of one batch, fwd + bwd
        ours, theirs = thread_ms(native_step), thread_ms(torch_step)
        print(
            f"matmul {gflops:.0f} GFLOP/s, bound {bound:.1f} ms a batch; forward and backward: "
            f"torch {theirs:.1f} ms ({theirs / bound:.2f}), native {ours:.1f} ms ({ours / bound:.2f})"
        )


if __name__ == "__main__":
    main()
