"""DCNN after Li, Ding & Sun 2018 in JAX (float32, Adam, dropout), early-stopped on validation; float64 NumPy
reference forward pass (what Swift's ConvNetwork computes).

Input: the (30, 14) window min-max scaled to [-1, 1]. Every sensor goes through the same stack of 1-D convolutions
along time (the paper's (k, 1) kernels): 4 x (10 filters, kernel 10, tanh) then (1 filter, kernel 3, tanh), 'same'
padding (kernel k pads (k - 1) // 2 before and k // 2 after: 4 / 5 for k = 10, 1 / 1 for k = 3). The (30, 14) map is
flattened time-major (t, sensor), then dropout, dense 100 tanh, dense 1 (linear).

Parameter layout (numpy float32): convs = [(w (out, in, k), b (out,)) x 5], dense = [(W (in, out), b (out,)) x 2].
"""
from __future__ import annotations

import numpy as np

FILTERS = 10
KERNEL = 10
CONV_LAYERS = 4
LAST_KERNEL = 3
DENSE = 100


def conv_shapes(filters=FILTERS, kernel=KERNEL, layers=CONV_LAYERS, last_kernel=LAST_KERNEL):
    shapes, cin = [], 1
    for _ in range(layers):
        shapes.append((filters, cin, kernel))
        cin = filters
    shapes.append((1, cin, last_kernel))
    return shapes


def init(key, window, sensors):
    import jax
    import jax.numpy as jnp
    convs = []
    for shape in conv_shapes():
        key, k = jax.random.split(key)
        fan_in, fan_out = shape[1] * shape[2], shape[0] * shape[2]
        convs.append((jax.random.normal(k, shape, jnp.float32) * np.sqrt(2.0 / (fan_in + fan_out)),
                      jnp.zeros((shape[0],), jnp.float32)))
    dense = []
    for a, b in ((window * sensors, DENSE), (DENSE, 1)):
        key, k = jax.random.split(key)
        dense.append((jax.random.normal(k, (a, b), jnp.float32) * np.sqrt(2.0 / (a + b)), jnp.zeros((b,), jnp.float32)))
    return dict(convs=convs, dense=dense)


def forward(p, x, key=None, dropout=0.0):
    """x: (N, T, S) scaled windows -> (N,) outputs (in units of cap during training)."""
    import jax
    import jax.numpy as jnp
    from jax import lax
    n, t, s = x.shape
    h = jnp.transpose(x, (0, 2, 1)).reshape(n * s, t, 1)  # one sequence per (window, sensor)
    for w, b in p["convs"]:
        k = w.shape[2]
        h = lax.conv_general_dilated(h, jnp.transpose(w, (2, 1, 0)), (1,), (((k - 1) // 2, k // 2),),
                                     dimension_numbers=("NWC", "WIO", "NWC"))
        h = jnp.tanh(h + b)
    h = h.reshape(n, s, t).transpose(0, 2, 1).reshape(n, t * s)
    if dropout > 0 and key is not None:
        keep = jax.random.bernoulli(key, 1 - dropout, h.shape)
        h = jnp.where(keep, h / (1 - dropout), 0)
    (w1, b1), (w2, b2) = p["dense"]
    h = jnp.tanh(h @ w1 + b1)
    return (h @ w2 + b2)[:, 0]


def forward_numpy(p, x):
    """Float64 reference of `forward` (no dropout) on the float32 parameters."""
    x = np.asarray(x, np.float64)
    n, t, s = x.shape
    h = np.transpose(x, (0, 2, 1)).reshape(n * s, t, 1)
    for w, b in p["convs"]:
        w = np.asarray(w, np.float64)
        k = w.shape[2]
        hp = np.pad(h, ((0, 0), ((k - 1) // 2, k // 2), (0, 0)))
        out = np.zeros((h.shape[0], t, w.shape[0]))
        for j in range(k):  # out[:, i, o] = sum_j sum_c hp[:, i + j, c] * w[o, c, j]
            out += hp[:, j:j + t, :] @ w[:, :, j].T
        h = np.tanh(out + np.asarray(b, np.float64))
    h = h.reshape(n, s, t).transpose(0, 2, 1).reshape(n, t * s)
    (w1, b1), (w2, b2) = p["dense"]
    h = np.tanh(h @ np.asarray(w1, np.float64) + np.asarray(b1, np.float64))
    return (h @ np.asarray(w2, np.float64) + np.asarray(b2, np.float64))[:, 0]


def schedule(ep, epochs, lr):
    """Step decay: lr for the first 70 % of the epochs, lr / 10 after."""
    return lr if ep < int(0.7 * epochs) else lr / 10


def train(xtr, ytr, xva, yva, seed, epochs=25, lr=2e-3, batch=512, dropout=0.5, cap=125.0, log=None):
    """Trains on y / cap; returns (best params as numpy float32 with the output layer scaled back to cycles, best epoch,
    best validation RMSE in cycles, validation history)."""
    import jax
    import jax.numpy as jnp
    key = jax.random.PRNGKey(seed)
    key, k0 = jax.random.split(key)
    params = init(k0, xtr.shape[1], xtr.shape[2])
    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    v = jax.tree_util.tree_map(jnp.zeros_like, params)
    b1, b2, eps = 0.9, 0.999, 1e-8

    def loss(p, x, y, k):
        d = forward(p, x, k, dropout) - y
        return jnp.mean(d * d)

    @jax.jit
    def step(p, m, v, t, lr, x, y, k):
        g = jax.grad(loss)(p, x, y, k)
        m = jax.tree_util.tree_map(lambda a, b: b1 * a + (1 - b1) * b, m, g)
        v = jax.tree_util.tree_map(lambda a, b: b2 * a + (1 - b2) * b * b, v, g)
        p = jax.tree_util.tree_map(lambda a, b, c: a - lr * (b / (1 - b1 ** t)) / (jnp.sqrt(c / (1 - b2 ** t)) + eps),
                                   p, m, v)
        return p, m, v

    predict = jax.jit(lambda p, x: forward(p, x))
    rng = np.random.default_rng(seed + 11)
    xtr = xtr.astype(np.float32)
    ytr = (ytr / cap).astype(np.float32)
    xva = xva.astype(np.float32)
    t = 0
    best = (np.inf, -1, None)
    hist = []
    n_full = (len(xtr) // batch) * batch  # drop the ragged last batch: one compiled shape
    for ep in range(epochs):
        rate = schedule(ep, epochs, lr)
        order = rng.permutation(len(xtr))[:n_full]
        for s in range(0, n_full, batch):
            idx = order[s:s + batch]
            t += 1
            key, kd = jax.random.split(key)
            params, m, v = step(params, m, v, float(t), rate, xtr[idx], ytr[idx], kd)
        pva = np.clip(np.asarray(predict(params, xva)) * cap, 0, cap)
        sc = float(np.sqrt(np.mean((pva - yva) ** 2)))
        hist.append(sc)
        if log is not None:
            log(f"    cnn epoch {ep + 1} lr {rate:g} val {sc:.2f}")
        if sc < best[0]:
            p = jax.tree_util.tree_map(lambda a: np.asarray(a, np.float32), params)
            (w2, bb2) = p["dense"][1]
            p["dense"][1] = ((w2 * np.float32(cap)).astype(np.float32), (bb2 * np.float32(cap)).astype(np.float32))
            best = (sc, ep + 1, p)
    return best[2], best[1], best[0], hist
