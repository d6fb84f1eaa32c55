"""A small tanh MLP in JAX (Adam, dropout), early-stopped on validation; float64 numpy reference forward."""
from __future__ import annotations

import numpy as np


def init(key, sizes):
    import jax
    import jax.numpy as jnp
    p = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        key, k = jax.random.split(key)
        p.append((jax.random.normal(k, (a, b), jnp.float32) * np.sqrt(2.0 / (a + b)), jnp.zeros((b,), jnp.float32)))
    return p


def forward(p, x, key=None, dropout=0.0):
    import jax
    import jax.numpy as jnp
    h = x
    for i, (w, b) in enumerate(p):
        h = h @ w + b
        if i < len(p) - 1:
            h = jnp.tanh(h)
            if dropout > 0 and key is not None:
                key, k = jax.random.split(key)
                keep = jax.random.bernoulli(k, 1 - dropout, h.shape)
                h = jnp.where(keep, h / (1 - dropout), 0)
    return h[:, 0]


def forward_numpy(p, x):
    h = np.asarray(x, np.float64)
    for i, (w, b) in enumerate(p):
        h = h @ np.asarray(w, np.float64) + np.asarray(b, np.float64)
        if i < len(p) - 1:
            h = np.tanh(h)
    return h[:, 0]


def train(xtr, ytr, xva, yva, seed, hidden=(64, 32), epochs=60, lr=1e-3, batch=256, dropout=0.1,
          cap=125.0):
    """Trains on y / cap; returns (best params as numpy float32 with the last layer scaled back to cycles, best epoch,
    best validation RMSE in cycles, history)."""
    import jax
    import jax.numpy as jnp
    key = jax.random.PRNGKey(seed)
    key, k0 = jax.random.split(key)
    params = init(k0, [xtr.shape[1], *hidden, 1])
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
    rng = np.random.default_rng(seed + 7)
    xtr = xtr.astype(np.float32)
    ytr = (ytr / cap).astype(np.float32)
    xva = xva.astype(np.float32)
    t = 0
    best = (np.inf, -1, None)
    hist = []
    for ep in range(epochs):
        rate = lr if ep < int(0.8 * epochs) else lr / 10
        order = rng.permutation(len(xtr))
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            t += 1
            key, kd = jax.random.split(key)
            params, m, v = step(params, m, v, float(t), rate, xtr[idx], ytr[idx], kd)
        pva = np.clip(np.asarray(predict(params, xva)) * cap, 0, cap)
        sc = float(np.sqrt(np.mean((pva - yva) ** 2)))
        hist.append(sc)
        if sc < best[0]:
            layers = [(np.asarray(w), np.asarray(b)) for w, b in params]
            w, b = layers[-1]
            layers[-1] = ((w * np.float32(cap)).astype(np.float32), (b * np.float32(cap)).astype(np.float32))
            best = (sc, ep + 1, layers)
    return best[2], best[1], best[0], hist
