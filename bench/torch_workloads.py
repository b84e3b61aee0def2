#!/usr/bin/python3
"""PyTorch reference of the benchmark workloads of src/bench/workloads.ts (issue 8).

Run with Debian's /usr/bin/python3 and python3-torch (1.13). Every workload is computed from a JSON file that the
TypeScript side writes (weights, inputs and settings; WorkloadJson in src/bench/workloads.ts), so both sides do the
same work on the same numbers. The functions follow the project's models exactly:

  hnn        H = MLP (tanh hidden layers, no output bias), pred = J∇H with ∇H = autograd(create_graph=True),
             loss = mean_r |pred_r − ẋ_r|²
  hnn-rank1  the same H with every hidden layer modulated: a = h W + (h·v) u + b + s, [u | v | s] = zΦ + φ₀ per row
  imode-rk4  V(q, η) = Vnet([q, |η|]) + Vnet([−q, |η|]) (Linear, 4 × [Linear, Softplus(β)], Linear without bias),
             F = −∂V/∂q by autograd, ẋ = (v, F), RK4 over the output grid, loss = MSE over all points (t = 0 included)
  imode-fo5  5 first-order inner SGD steps on η; the meta-gradient is ∇_θ L at the η of the 5th step (adaptEta)
  imode-so5  η_{k+1} = η_k − α ∇_η L(θ, η_k) with create_graph, 5 steps, meta-loss L(θ, η₅)

Usage:
  torch_workloads.py --check FILE            loss and gradients at the file's weights in float64, as JSON on stdout
  torch_workloads.py --bench FILE [--iterations N] [--warmup W]
                                             ms per training step (loss, backward, Adam, loss.item()) in float32
  torch_workloads.py --matmul 256x100x100,... [--iterations N] [--warmup W]
                                             µs and GFLOP/s of one float32 product [n, k] × [k, m] per shape
"""
import argparse
import json
import os
import statistics
import sys
import time

try:
    import torch
except ImportError:  # the caller prints how to install it
    print(json.dumps({"error": "python3-torch is not installed (sudo apt-get install python3-torch)"}))
    sys.exit(3)

ADAM_LR = 1e-3


def tensor(rec, dtype, grad=False):
    t = torch.tensor(rec["values"], dtype=dtype).reshape(rec["shape"])
    return t.requires_grad_(grad)


def split_mlp(params, layers):
    """mlpTensors order: the weights of every layer, then the biases of the layers that have one."""
    weights = params[:layers]
    biases = params[layers:]
    return weights, biases


# ------------------------------------------------------------------ HNN

def hnn_grad_h(x, h_of_x):
    x = x.detach().requires_grad_(True)
    h = h_of_x(x)
    (g,) = torch.autograd.grad(h.sum(), x, create_graph=True)
    return g


def hnn_pred(g):
    # ẋ = J∇H for x = (q, p): q̇ = ∂H/∂p, ṗ = −∂H/∂q
    return torch.stack([g[:, 1], -g[:, 0]], 1)


def hnn_loss_fn(w):
    layers = int(w["settings"]["layers"])
    x, xdot = w["x"], w["xdot"]

    def loss(params):
        weights, biases = split_mlp(params, layers)

        def h_of_x(inp):
            h = inp
            for l in range(layers - 1):
                h = torch.tanh(h @ weights[l] + biases[l])
            return h @ weights[-1]

        pred = hnn_pred(hnn_grad_h(x, h_of_x))
        return ((pred - xdot) ** 2).sum(1).mean()

    return loss


def hnn_rank1_loss_fn(w):
    layers = int(w["settings"]["layers"])
    x, xdot = w["x"], w["xdot"]

    def loss(params):
        base = params[: 2 * layers - 1]
        phi, phi0, codes = params[2 * layers - 1], params[2 * layers], params[2 * layers + 1]
        weights, biases = split_mlp(base, layers)
        m = codes @ phi + phi0

        def h_of_x(inp):
            h = inp
            off = 0
            for l in range(layers - 1):
                n_in, n_out = weights[l].shape
                u = m[:, off:off + n_out]
                v = m[:, off + n_out:off + n_out + n_in]
                s = m[:, off + n_out + n_in:off + 2 * n_out + n_in]
                off += 2 * n_out + n_in
                h = torch.tanh(h @ weights[l] + (h * v).sum(1, keepdim=True) * u + biases[l] + s)
            return h @ weights[-1]

        pred = hnn_pred(hnn_grad_h(x, h_of_x))
        return ((pred - xdot) ** 2).sum(1).mean()

    return loss


# ------------------------------------------------------------------ iMODE

def imode_parts(w):
    s = w["settings"]
    depth = int(s["depth"])
    layers = depth + 2
    beta = float(s["beta"])
    dt = float(s["dt"])
    x0, targets = w["x0"], w["targets"]
    steps = targets.shape[0] - 1
    use_abs = s["etaTransform"] == "abs"
    reflect = s["symmetry"] == "reflection"

    def vnet(weights, biases, q, eta_rows):
        h = torch.cat([q, eta_rows], 1) @ weights[0] + biases[0]
        for l in range(1, depth + 1):
            h = torch.nn.functional.softplus(h @ weights[l] + biases[l], beta=beta)
        return h @ weights[-1]

    def rollout(params, eta):
        weights, biases = split_mlp(params, layers)
        e = eta.abs() if use_abs else eta
        eta_rows = e.expand(x0.shape[0], e.shape[1])
        eta_both = e.expand(2 * x0.shape[0], e.shape[1])

        def field(y):
            q = y[:, :1]
            v = y[:, 1:]
            # the force is a function of q alone: differentiate a copy that is a leaf of this evaluation's graph
            qd = q if q.requires_grad else q.detach().requires_grad_(True)
            if reflect:
                # V(q) + V(−q) with both copies in one pass through the network
                energy = vnet(weights, biases, torch.cat([qd, -qd], 0), eta_both)
            else:
                energy = vnet(weights, biases, qd, eta_rows)
            (dv,) = torch.autograd.grad(energy.sum(), qd, create_graph=True)
            return torch.cat([v, -dv], 1)

        y = x0
        out = [y]
        for _ in range(steps):
            k1 = field(y)
            k2 = field(y + k1 * (dt / 2))
            k3 = field(y + k2 * (dt / 2))
            k4 = field(y + k3 * dt)
            y = y + (k1 + k2 * 2 + k3 * 2 + k4) * (dt / 6)
            out.append(y)
        return torch.stack(out)

    def loss(params, eta):
        return ((rollout(params, eta) - targets) ** 2).mean()

    return loss, s


def imode_rk4_loss_fn(w):
    loss, _ = imode_parts(w)
    eta = w["eta"]
    return lambda params: loss(params, eta)


def imode_fo5(w, params):
    """Returns (loss at the last inner step, gradients of θ from that step's backward pass)."""
    loss, s = imode_parts(w)
    lr, steps = float(s["innerLr"]), int(s["innerSteps"])
    eta = w["eta"].detach().clone()
    for k in range(steps):
        eta = eta.detach().requires_grad_(True)
        value = loss(params, eta)
        if k < steps - 1:
            (g,) = torch.autograd.grad(value, eta)
        else:
            grads = torch.autograd.grad(value, params + [eta])
            return value, list(grads[:-1])
        eta = eta - lr * g


def imode_so5_loss_fn(w):
    loss, s = imode_parts(w)
    lr, steps = float(s["innerLr"]), int(s["innerSteps"])

    def meta_loss(params):
        eta = w["eta"].detach().clone().requires_grad_(True)
        for _ in range(steps):
            (g,) = torch.autograd.grad(loss(params, eta), eta, create_graph=True)
            eta = eta - lr * g
        return loss(params, eta)

    return meta_loss


LOSS_FNS = {
    "hnn": hnn_loss_fn,
    "hnn-rank1": hnn_rank1_loss_fn,
    "imode-rk4": imode_rk4_loss_fn,
    "imode-so5": imode_so5_loss_fn,
}


def load(path, dtype):
    with open(path) as f:
        raw = json.load(f)
    w = {name: tensor(rec, dtype) for name, rec in raw["inputs"].items()}
    w["settings"] = raw["settings"]
    w["workload"] = raw["workload"]
    params = [tensor(rec, dtype, grad=True) for rec in raw["params"]]
    return w, params


def loss_and_grads(w, params):
    if w["workload"] == "imode-fo5":
        return imode_fo5(w, params)
    value = LOSS_FNS[w["workload"]](w)(params)
    grads = torch.autograd.grad(value, params)
    return value, list(grads)


def check(path):
    w, params = load(path, torch.float64)
    value, grads = loss_and_grads(w, params)
    print(json.dumps({"loss": value.item(), "grads": [g.detach().reshape(-1).tolist() for g in grads]}))


def bench(path, iterations, warmup):
    w, params = load(path, torch.float32)
    opt = torch.optim.Adam(params, lr=ADAM_LR)
    times = []
    for i in range(warmup + iterations):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        value, grads = loss_and_grads(w, params)
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
        value.item()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "workload": w["workload"],
        "medianMs": statistics.median(times),
        "minMs": min(times),
        "repetitions": len(times),
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
    }))


def matmul(shapes, iterations, warmup):
    out = []
    for text in shapes.split(","):
        n, k, m = (int(v) for v in text.split("x"))
        a, b = torch.randn(n, k), torch.randn(k, m)
        times = []
        for i in range(warmup + iterations):
            t0 = time.perf_counter()
            a @ b
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1e6)
        us = statistics.median(times)
        out.append({"shape": [n, k, m], "medianUs": us, "gflops": 2 * n * k * m / us / 1e3})
    print(json.dumps({"products": out, "torchVersion": torch.__version__, "threads": torch.get_num_threads()}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", metavar="FILE")
    ap.add_argument("--bench", metavar="FILE")
    ap.add_argument("--matmul", metavar="SHAPES")
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()
    if args.check:
        check(args.check)
    elif args.bench:
        bench(args.bench, args.iterations, args.warmup)
    elif args.matmul:
        matmul(args.matmul, args.iterations, args.warmup)
    else:
        ap.error("give --check FILE, --bench FILE or --matmul SHAPES")


if __name__ == "__main__":
    main()
