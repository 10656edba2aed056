r"""A simulated optical unit: fixed random scattering, a trainable phase mask, a camera.

The input batch is written as field amplitudes, scattered by a fixed random complex
transmission matrix, phase-modulated by a spatial light modulator (the only trainable
part), scattered again and detected as intensities:

.. math:: E = M_2\,\operatorname{diag}(e^{i\varphi})\,M_1\,x, \qquad
          I = |E|^2 (1 + \sigma_\text{det}\,\eta), \qquad T = I / \overline{I},

with :math:`M_1 \in \mathbb C^{m\times d_\text{in}}`, :math:`M_2 \in \mathbb C^{d_\text{out}\times m}`
i.i.d. complex Gaussian (variance 1/fan-in), φ the *m* mask phases, η fresh camera noise and
:math:`\overline{I}` each sample's mean intensity (the camera's exposure normalisation).
The unit is a **black box**: ``update = "spsa"``, so trainers may only call ``forward`` with
parameters set through :meth:`get_params` / :meth:`set_params` (no gradients through the optics).

Faults (SLM pixels): ``"stuck_at"`` holds a pixel at a random phase; ``"dead"`` makes it
block the light. Faulty pixels ignore updates.
"""
from __future__ import annotations

import math

import torch

from .._checks import DTYPE, check_count, check_real, torch_generator
from .base import Unit, check_fault_rate

__all__ = ["OpticalUnit"]


def _complex_gaussian(rows: int, cols: int, g: torch.Generator) -> torch.Tensor:
    re = torch.randn(rows, cols, generator=g, dtype=DTYPE)
    im = torch.randn(rows, cols, generator=g, dtype=DTYPE)
    return torch.complex(re, im) / math.sqrt(2 * cols)


class OpticalUnit(Unit):
    """``modes`` SLM pixels (default ``2 * in_features``) between two fixed random scatterers.

    ``seed`` (an int ≥ 0, a numpy or torch ``Generator``, or ``None``) seeds the unit's own
    generator: the scatterers, the initial phases and the camera noise."""

    update = "spsa"
    fault_kinds = ("stuck_at", "dead")

    def __init__(self, in_features: int, out_features: int, modes: int | None = None,
                 detector_noise: float = 0.01, seed=0):
        super().__init__(in_features, out_features)
        m = check_count(modes, "modes", allow_none=True, fix="None uses 2 * in_features") or 2 * in_features
        self.modes = m
        self.detector_noise = check_real(detector_noise, "detector_noise", 0, fix="a standard deviation")
        self._gen = torch_generator(seed)
        self.register_buffer("M1", _complex_gaussian(m, in_features, self._gen))
        self.register_buffer("M2", _complex_gaussian(out_features, m, self._gen))
        self.register_buffer("phase", 2 * math.pi * torch.rand(m, generator=self._gen, dtype=DTYPE))
        self.register_buffer("fault_mask", torch.zeros(m, dtype=torch.bool))
        self.register_buffer("stuck_phase", torch.zeros(m, dtype=DTYPE))
        self.register_buffer("transmission", torch.ones(m, dtype=DTYPE))

    def get_params(self) -> torch.Tensor:
        return self.phase.clone()

    def set_params(self, phase: torch.Tensor) -> None:
        self.phase.copy_(torch.where(self.fault_mask, self.stuck_phase, phase))

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        field = x.to(DTYPE).to(torch.complex128) @ self.M1.T
        mask = self.transmission * torch.exp(1j * self.phase)
        field = (field * mask) @ self.M2.T
        intensity = field.abs() ** 2
        if self.detector_noise:
            eta = torch.randn(intensity.shape, generator=self._gen, dtype=DTYPE)
            intensity = intensity * (1 + self.detector_noise * eta)
        return intensity / intensity.mean(1, keepdim=True).clamp_min(1e-12)

    def inject_faults(self, rate: float, kind: str = "stuck_at", seed=None) -> int:
        rate = check_fault_rate(rate, kind, self.fault_kinds)
        g = torch_generator(seed)
        new = (torch.rand(self.modes, generator=g, dtype=DTYPE) < rate) & ~self.fault_mask
        if kind == "dead":
            self.transmission[new] = 0.0
        self.stuck_phase[new] = 2 * math.pi * torch.rand(self.modes, generator=g, dtype=DTYPE)[new]
        self.fault_mask |= new
        self.set_params(self.phase)
        return self.num_faults
