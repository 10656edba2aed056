"""hn.save / qh.load: plain data, identical probabilities and samples in a fresh process, objects named."""
import subprocess
import sys
import warnings

import pytest
import torch

import qhyper as qh
from gate_zoo import _hand_built


def test_round_trip_in_a_fresh_process(tmp_path):
    a = qh.circuits.get("brick", n_qubits=6, layers=3)
    hn = qh.Hypernetwork(a, seed=5)
    path = tmp_path / "hn.pt"
    hn.save(path)
    code = ("import sys, torch, qhyper as qh\n"
            f"hn = qh.load({str(path)!r})\n"
            "torch.save({'probs': hn.distribution().probs().detach(), 'fixed': hn.sample(50, seed=7),"
            " 'next': hn.sample(50)}, sys.argv[1])\n")
    out = tmp_path / "out.pt"
    done = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    there = torch.load(out, weights_only=True)
    assert torch.equal(there["probs"], hn.distribution().probs().detach())
    assert torch.equal(there["fixed"], hn.sample(50, seed=7))
    assert torch.equal(there["next"], hn.sample(50))  # the sampler's state travels too


def test_plain_data_and_a_converted_circuit(tmp_path):
    a = qh.circuits.from_qiskit(_hand_built())  # shared parameters, affine angles, fixed gates
    hn = qh.Hypernetwork(a, init=a.init_params(2), seed=0)
    hn.save(tmp_path / "c.pt")
    state = torch.load(tmp_path / "c.pt", weights_only=True)
    assert state["format"] == "qhyper.Hypernetwork/1" and state["qhyper_version"] == qh.__version__
    back = qh.load(tmp_path / "c.pt")
    assert [(g.name, g.wires, g.param, g.coeff, g.offset) for g in back.ansatz.gates] == \
           [(g.name, g.wires, g.param, g.coeff, g.offset) for g in a.gates]
    assert torch.equal(back.distribution().probs(), hn.distribution().probs())


def test_backend_settings_and_objects(tmp_path):
    a = qh.circuits.get("hardware_efficient", n_qubits=3, layers=1)
    hn = qh.Hypernetwork(a, backend="qiskit", shots=64, seed=1, method="statevector")
    hn.save(tmp_path / "q.pt")
    back = qh.load(tmp_path / "q.pt")
    assert back.backend_name == "qiskit" and back.shots == 64 and back.backend_options == {"method": "statevector"}
    from qiskit_aer.primitives import SamplerV2

    sampler = SamplerV2()
    hn = qh.Hypernetwork(a, backend=sampler, shots=32, seed=1)
    hn.save(tmp_path / "s.pt")
    with pytest.warns(UserWarning, match="backend=SamplerV2 objects, which are not saved"):
        assert qh.load(tmp_path / "s.pt").backend_name == "torch"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert qh.load(tmp_path / "s.pt", backend=sampler).backend_name == "SamplerV2"


def test_bad_files(tmp_path):
    (tmp_path / "x.pt").write_text("not a checkpoint")
    with pytest.raises(ValueError, match="not a file written by Hypernetwork.save"):
        qh.load(tmp_path / "x.pt")
    torch.save({"theta": torch.zeros(3)}, tmp_path / "y.pt")
    with pytest.raises(ValueError, match="not a file written by Hypernetwork.save"):
        qh.load(tmp_path / "y.pt")
    with pytest.raises(FileNotFoundError):
        qh.load(tmp_path / "missing.pt")
    qh.Hypernetwork(qh.circuits.get("product", n_qubits=2), seed=0).save(tmp_path / "p.pt")
    with pytest.raises(TypeError, match="load restores the saved θ"):
        qh.load(tmp_path / "p.pt", init=torch.zeros(2))
