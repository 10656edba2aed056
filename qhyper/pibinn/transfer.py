r"""Start one unrolled network from another's trained weights (sign initialisation).

:func:`init_from` copies a trained network's *effective* weights into a student of the same
operator and depth, converting between parameterisations, so that quantisation-aware
training (:func:`~qhyper.pibinn.train` with ``warm_fraction=0``) starts from the signs of
e.g. the free-form masked full-precision network rather than of its own warm start.

Every form has a total recurrence matrix :math:`W_2^{\text{tot}}` in
:math:`x_{t+1} = \operatorname{soft}(W_1 y + W_2^{\text{tot}} x_t)`: ``"lista"``: :math:`W_2`;
``"cp"``: :math:`I - W_1A`; ``"cp"`` with ``residual=True``: :math:`I + \Delta - W_1A`. The
student's :math:`W_1` is the teacher's, and its stored :math:`W_2` (or :math:`\Delta`) is
solved from the teacher's :math:`W_2^{\text{tot}}`, restricted to the student's support. A
coupled-form student without :math:`\Delta` takes only :math:`W_1`. Thresholds are copied
(broadcast from per layer to per row; averaged to one when shared).
"""
from __future__ import annotations

import torch

from .._checks import DTYPE, InputTypeError
from .model import UnrolledISTA

__all__ = ["init_from", "total_w2"]


def total_w2(net: UnrolledISTA) -> torch.Tensor:
    r"""The total recurrence matrices :math:`W_2^{\text{tot}}` of layers 1…T−1: ``[L2, n, n]``
    (one for a tied network)."""
    W1, W2 = (w.detach() for w in net.weights())
    eye = torch.eye(net.out_features, dtype=DTYPE)
    if net.form == "lista":
        return W2
    W1 = W1 if net.tied else W1[1:]
    return (W2 if net.residual else eye) - W1 @ net.A


@torch.no_grad()
def init_from(student: UnrolledISTA, teacher: UnrolledISTA) -> UnrolledISTA:
    """Give ``student`` (not yet quantised) the weights and thresholds of ``teacher``; returns it."""
    for name, net in (("student", student), ("teacher", teacher)):
        if not isinstance(net, UnrolledISTA):
            raise InputTypeError(f"init_from({name}): needs an UnrolledISTA; got {type(net).__name__}")
    if (teacher.layers, teacher.tied) != (student.layers, student.tied) or not torch.equal(teacher.A, student.A):
        raise ValueError(f"init_from: teacher and student must unroll the same operator over as many layers, both "
                         f"tied or both untied; teacher has layers={teacher.layers}, tied={teacher.tied}, student "
                         f"layers={student.layers}, tied={student.tied}")
    if bool(student.quantized):
        raise ValueError("init_from: the student is already quantised; initialise it before quantize_() / train()")
    W1 = teacher.weights()[0].detach()
    student.V1.copy_(W1 * student.M1)
    if student.V2.shape[0]:
        tot, eye = total_w2(teacher), torch.eye(student.out_features, dtype=DTYPE)
        if student.form == "lista":
            V2 = tot - eye if student.residual else tot
        else:
            V2 = tot - eye + (W1 if student.tied else W1[1:]) @ student.A
        student.V2.copy_(V2 * student.M2)
    theta = teacher.thresholds().detach()
    if student.threshold_kind == "shared":
        theta = theta.mean().reshape(1)
    elif student.threshold_kind == "per_row":
        theta = theta.reshape(student.layers, -1).expand(student.layers, student.out_features)
    else:
        theta = theta.reshape(student.layers, -1).mean(1)
    student.theta.copy_(theta)
    return student
