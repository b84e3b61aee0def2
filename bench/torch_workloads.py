#!/usr/bin/python3
"""PyTorch reference of the benchmark workloads of src/bench/workloads.ts (issue 8).

Run with Debian's /usr/bin/python3 and python3-torch (1.13). Every workload is computed from a JSON file that the
TypeScript side writes (weights, inputs and settings; WorkloadJson in src/bench/workloads.ts), so both sides do the
same work on the same numbers. The functions follow the project's models exactly:

  hnn        H = MLP (tanh hidden layers, no output bias), pred = J∇H with ∇H = autograd(create_graph=True),
             loss = mean_r |pred_r − ẋ_r|²
  hnn-rank1  the same H with every hidden layer modulated: a = h W + (h·v) u + b + s, [u | v | s] = zΦ + φ₀ per row
  imode-rk4  V(q, η) = Vnet([q, |η|]) + Vnet([−q, |η|]) (Linear, 4 × [Linear, Softplus(β)], Linear without bias),
             F = −∂V/∂q (the net's backward pass written out, as ours), ẋ = (v, F), RK4 over the output grid,
             loss = MSE over all points (t = 0 included)
  imode-fo5  5 first-order inner SGD steps on η; the meta-gradient is ∇_θ L at the η of the 5th step (adaptEta)
  imode-so5  η_{k+1} = η_k − α ∇_η L(θ, η_k) with create_graph, 5 steps, meta-loss L(θ, η₅)

Each is written for speed the way a PyTorch user would (issue "Throughput", "A fair peer"; the old and new step
times are in docs/decisions/performance.md): batched ops over the rows, no Python loop over the batch, fused
addmm/addcmul, the rank-one blocks of zΦ + φ₀ taken by one torch.split, the iMODE state kept as (q, v) and the part of
the energy net's first layer that depends on η alone computed once per rollout. Debian's 1.13 has neither
torch.compile nor torch.func; functorch's vmap would only re-batch what is batched already.

Usage:
  torch_workloads.py --check FILE            loss and gradients at the file's weights in float64, as JSON on stdout
  torch_workloads.py --bench FILE [--iterations N] [--warmup W] [--threads T]
                                             ms per training step (loss, backward, Adam, loss.item()) in float32,
                                             on T intra-op threads (torch.set_num_threads; default: torch's)
  torch_workloads.py --matmul 256x100x100,... [--iterations N] [--warmup W] [--threads T]
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
    import torch.nn.functional as F
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

def hnn_grad_h(x, weights, biases, mods=None):
    """∂H/∂x of H = tanh MLP without output bias, by autograd with create_graph (the loss differentiates it again).

    mods: per hidden layer (u, v, bs) with bs = b + s, a row of each per sample: a = h W + (h·v) u + bs, the batched
    form of h (W + v uᵀ) + bs, no per-sample matrix. Writing the input gradient out by hand instead (δ Wᵀ + (δ·u) v
    per layer, as ours does) measured no faster.
    """
    x = x.detach().requires_grad_(True)
    h = x
    for l in range(len(weights) - 1):
        if mods is None:
            a = torch.addmm(biases[l], h, weights[l])
        else:
            u, v, bs = mods[l]
            a = torch.addcmul(torch.addmm(bs, h, weights[l]), (h * v).sum(1, keepdim=True), u)
        h = torch.tanh(a)
    (g,) = torch.autograd.grad((h @ weights[-1]).sum(), x, create_graph=True)
    return g


def hnn_loss(g, xdot):
    """mean_r |J∇H_r − ẋ_r|² for x = (q, p): J∇H = (∂H/∂p, −∂H/∂q)"""
    return ((g[:, 1] - xdot[:, 0]) ** 2 + (g[:, 0] + xdot[:, 1]) ** 2).mean()


def hnn_loss_fn(w):
    layers = int(w["settings"]["layers"])
    x, xdot = w["x"], w["xdot"]

    def loss(params):
        weights, biases = split_mlp(params, layers)
        return hnn_loss(hnn_grad_h(x, weights, biases), xdot)

    return loss


def rank1_modulations(weights, biases, m):
    """[u | v | s] of every hidden layer from m = zΦ + φ₀ by one split (a column slice per block would make autograd
    zero-fill and add a [batch, P] gradient per block)."""
    sizes = []
    for W in weights[:-1]:
        n_in, n_out = W.shape
        sizes += [n_out, n_in, n_out]
    parts = torch.split(m, sizes, 1)
    return [(parts[3 * l], parts[3 * l + 1], parts[3 * l + 2] + biases[l]) for l in range(len(weights) - 1)]


def hnn_rank1_loss_fn(w):
    layers = int(w["settings"]["layers"])
    x, xdot = w["x"], w["xdot"]

    def loss(params):
        base = params[: 2 * layers - 1]
        phi, phi0, codes = params[2 * layers - 1], params[2 * layers], params[2 * layers + 1]
        weights, biases = split_mlp(base, layers)
        mods = rank1_modulations(weights, biases, torch.addmm(phi0, codes, phi))
        return hnn_loss(hnn_grad_h(x, weights, biases, mods), xdot)

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
    n = x0.shape[0]
    # the state as (q, v), apart: no slicing and concatenation of y per evaluation
    q0, v0 = x0[:, :1], x0[:, 1:]
    tq, tv = targets[:, :, :1], targets[:, :, 1:]

    def rollout(params, eta):
        weights, biases = split_mlp(params, layers)
        e = eta.abs() if use_abs else eta
        # first layer [q, η] W₀ + b₀ = q W₀[q] + (η W₀[η] + b₀): the η part is one row for the whole rollout
        c = torch.addmm(biases[0], e, weights[0][1:])
        w0q = weights[0][:1]
        w0q_t = w0q.t()
        hidden = list(zip(weights[1:depth + 1], biases[1:depth + 1]))
        hidden_t = [W.t() for W, _ in reversed(hidden)]
        w_last_t = weights[-1].t()

        def dv_dq(q):
            """∂V/∂q (with reflection ∂/∂q [V(q) + V(−q)], both copies in one pass) by the energy net's backward pass
            written out: softplus_β′(p) = σ(βp). F = −∂V/∂q. Measured faster than autograd.grad(create_graph=True)
            per evaluation (a step ≈ 300 against ≈ 350 ms of CPU, same run)."""
            qq = torch.cat([q, -q]) if reflect else q
            h = torch.addcmul(c, qq, w0q)
            slopes = []
            for W, b in hidden:
                p = torch.addmm(b, h, W)
                h = F.softplus(p, beta)
                slopes.append(torch.sigmoid(p * beta))
            g = w_last_t
            for W_t, slope in zip(hidden_t, reversed(slopes)):
                g = torch.mm(g * slope, W_t)
            gq = torch.mm(g, w0q_t)
            return gq[:n] - gq[n:] if reflect else gq

        q, v = q0, v0
        qs, vs = [q], [v]
        h2, h6 = dt / 2, dt / 6
        for _ in range(steps):
            # RK4 on q̇ = v, v̇ = −∂V/∂q; torch.add(a, b, alpha=c) is a + c·b in one op
            a1 = dv_dq(q)
            a2 = dv_dq(torch.add(q, v, alpha=h2))
            v2 = torch.add(v, a1, alpha=-h2)
            a3 = dv_dq(torch.add(q, v2, alpha=h2))
            v3 = torch.add(v, a2, alpha=-h2)
            a4 = dv_dq(torch.add(q, v3, alpha=dt))
            v4 = torch.add(v, a3, alpha=-dt)
            q = torch.add(q, torch.add(torch.add(v, v4), torch.add(v2, v3), alpha=2), alpha=h6)
            v = torch.add(v, torch.add(torch.add(a1, a4), torch.add(a2, a3), alpha=2), alpha=-h6)
            qs.append(q)
            vs.append(v)
        return torch.stack(qs), torch.stack(vs)

    def loss(params, eta):
        q, v = rollout(params, eta)
        return (((q - tq) ** 2).sum() + ((v - tv) ** 2).sum()) / targets.numel()

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
    ap.add_argument("--threads", type=int)
    args = ap.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
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
