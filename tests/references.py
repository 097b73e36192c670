"""Right answers written in the tests, by loops that read like the notebooks' equations and share no code with
cnnlearn: the references the checks' tests compare with (several test files use each)."""

import numpy as np

import cnnlearn

# --- FGSM (09) -------------------------------------------------------------------------------------------

def loop_fgsm(x, dx, eps):
    """A pixel-by-pixel reference, written from the formula clip(x + eps * sign(dx), 0, 1)."""
    out = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        g = dx[idx]
        step = eps if g > 0 else (-eps if g < 0 else 0.0)
        out[idx] = min(1.0, max(0.0, x[idx] + step))
    return out


def loop_iterative_fgsm(net, x, labels, eps, steps, alpha):
    """The iterative attack written from its definition: every step a fresh dL/dX through the layers, then each
    pixel moved by alpha and held within eps of the clean pixel and within [0, 1]."""
    x_adv = x.copy()
    for _ in range(steps):
        dx = network_input_gradient(net, x_adv, labels)
        for idx in np.ndindex(x.shape):
            g = dx[idx]
            moved = x_adv[idx] + (alpha if g > 0 else (-alpha if g < 0 else 0.0))
            moved = min(x[idx] + eps, max(x[idx] - eps, moved))
            x_adv[idx] = min(1.0, max(0.0, moved))
    return x_adv


def loop_saliency(net, x, classes):
    """|dz_k/dX| as the largest over the channels: a one-hot row per image, through the layers one by one."""
    z = net.forward(x)
    grad = np.zeros_like(z)
    for n, k in enumerate(classes):
        grad[n, k] = 1.0
    for layer in reversed(net.layers):
        grad = layer.backward(grad)
    N, C, H, W = x.shape
    out = np.zeros((N, H, W))
    for n, i, j in np.ndindex(N, H, W):
        out[n, i, j] = max(abs(grad[n, c, i, j]) for c in range(C))
    return out


def loop_occlusion(net, x, classes, size, fill=0.5):
    """The drop of z_k with each size x size patch set to ``fill``, one image and one position at a time."""
    N, C, H, W = x.shape
    out = np.zeros((N, H - size + 1, W - size + 1))
    for n in range(N):
        k = classes[n]
        before = net.forward(x[n:n + 1])[0, k]
        for i in range(H - size + 1):
            for j in range(W - size + 1):
                grey = x[n:n + 1].copy()
                for c, a, b in np.ndindex(C, size, size):
                    grey[0, c, i + a, j + b] = fill
                out[n, i, j] = before - net.forward(grey)[0, k]
    return out




# --- forward, softmax, cross-entropy, gradient checking (01, 02, 05) -------------------------------------

def conv_loops(x, w, flip=False, shift=0):
    H, W = x.shape
    kh, kw = w.shape
    if flip:
        w = w[::-1, ::-1]
    y = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            y[i, j] = np.sum(x[i:i + kh, j + shift:j + shift + kw] * w) if j + shift + kw <= W else 0
    return y


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def ce(z, t):
    m = z.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]
    return np.mean(lse - z[np.arange(len(t)), t])


def central(f, x, h):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def rel(a, b):
    scale = max(np.abs(a).max(), np.abs(b).max())
    return 0.0 if scale == 0 else np.abs(a - b).max() / scale


def grad_right(z, t):
    return (softmax_rows(z) - np.eye(z.shape[1])[t]) / z.shape[0]




# --- a network's input gradient (08) ---------------------------------------------------------------------

def network_input_gradient(net, x, labels):
    grad = cnnlearn.cross_entropy_backward(net.forward(x), labels)
    for layer in reversed(net.layers):
        grad = layer.backward(grad)
    return grad




# --- dL/dF and dL/dX (03, 04, 06) ------------------------------------------------------------------------

def dx_by_loops(dy, w):
    """A student's loop version, written from the 'which outputs does this pixel feed' idea."""
    Ho, Wo = dy.shape
    kh, kw = w.shape
    dx = np.zeros((Ho + kh - 1, Wo + kw - 1))
    for oi in range(Ho):
        for oj in range(Wo):
            dx[oi:oi + kh, oj:oj + kw] += dy[oi, oj] * w
    return dx


def dx22_right(dy, w):
    return dy[0, 0] * w[1, 1] + dy[0, 1] * w[1, 0] + dy[1, 0] * w[0, 1] + dy[1, 1] * w[0, 0]


def corr(x, w):
    """Cross-correlation by loops, stride 1, no padding."""
    kh, kw = w.shape
    return np.array([[np.sum(x[i:i + kh, j:j + kw] * w) for j in range(x.shape[1] - kw + 1)]
                     for i in range(x.shape[0] - kh + 1)])


def dw_batch_right(x, dy):
    return sum(corr(x[n], dy[n]) for n in range(len(x)))


def dw_strided_right(x, dy, kshape, s, p):
    kh, kw = kshape
    xp = np.pad(x, p)
    dw = np.zeros(kshape)
    for oi, oj in np.ndindex(*dy.shape):
        dw += dy[oi, oj] * xp[oi * s:oi * s + kh, oj * s:oj * s + kw]
    return dw


def dx_strided_right(dy, w, shape, s, p, step=None, crop=True):
    step = s if step is None else step
    kh, kw = w.shape
    H, W = shape
    dxp = np.zeros((H + 2 * p + 4 * kh, W + 2 * p + 4 * kw))
    for oi, oj in np.ndindex(*dy.shape):
        dxp[oi * step:oi * step + kh, oj * step:oj * step + kw] += dy[oi, oj] * w
    return dxp[p:p + H, p:p + W] if crop else dxp[:H + 2 * p, :W + 2 * p]


def conv_layer_loops(dy, x, w, stride, padding):
    """dx, dw, db of the whole convolution layer (06's last exercise), one output pixel of one example and one
    filter at a time: the loops a student writes first, right but too slow to train with."""
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    _, _, Ho, Wo = dy.shape
    s, P = stride, padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
    dx_padded, dw = np.zeros(x_padded.shape), np.zeros(w.shape)
    for n in range(N):
        for f in range(C_out):
            for i in range(Ho):
                for j in range(Wo):
                    window = (n, slice(None), slice(i * s, i * s + kh), slice(j * s, j * s + kw))
                    dw[f] += dy[n, f, i, j] * x_padded[window]
                    dx_padded[window] += dy[n, f, i, j] * w[f]
    return dx_padded[:, :, P:P + H, P:P + W], dw, dy.sum(axis=(0, 2, 3))


def counts_by_loops(shape, kshape, short=0):
    """04's exercise 1 as a student writes it; ``short`` window positions left out along each axis."""
    (H, W), (kh, kw) = shape, kshape
    counts = np.zeros((H, W), dtype=int)
    for oi in range(H - kh + 1 - short):
        for oj in range(W - kw + 1 - short):
            counts[oi:oi + kh, oj:oj + kw] += 1
    return counts




# --- col2im (10) -----------------------------------------------------------------------------------------

def loop_col2im(dcols, input_shape, kh, kw, padding, *, assign=False, order="rows", crop="centre"):
    """A student's loop solution and its slips; written here from the definition, not from the package."""
    H, W = input_shape
    P = padding
    Ho, Wo = H + 2 * P - kh + 1, W + 2 * P - kw + 1
    canvas = np.zeros((H + 2 * P, W + 2 * P))
    for i in range(Ho):
        for j in range(Wo):
            col = dcols[:, i * Wo + j] if order == "rows" else dcols[:, j * Ho + i]
            if assign:
                canvas[i:i + kh, j:j + kw] = col.reshape(kh, kw)
            else:
                canvas[i:i + kh, j:j + kw] += col.reshape(kh, kw)
    if crop == "none":
        return canvas
    if crop == "corner":
        return canvas[:H, :W]
    return canvas[P:P + H, P:P + W]




# --- max pooling, Linear, ReLU (07) ----------------------------------------------------------------------

def loop_backward(dy, x, k, s, *, assign=False, ties="first"):
    """A student's loop solution, and its typical slips (assign instead of add, ties to all or to the last)."""
    N, C, Ho, Wo = dy.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * s:i * s + k, j * s:j * s + k]
                    if ties == "all":
                        dx[n, c, i * s:i * s + k, j * s:j * s + k] += (win == win.max()) * dy[n, c, i, j]
                        continue
                    flat = win.ravel()
                    a = np.argmax(flat) if ties == "first" else len(flat) - 1 - np.argmax(flat[::-1])
                    a, b = divmod(int(a), k)
                    if assign:
                        dx[n, c, i * s + a, j * s + b] = dy[n, c, i, j]
                    else:
                        dx[n, c, i * s + a, j * s + b] += dy[n, c, i, j]
    return dx


def linear_loop(dy, x, w):
    """dx, dw, db of y = x w^T + b written as loops over the formula's sums: the test's own reference."""
    N, fin = x.shape
    fout = w.shape[0]
    dx, dw, db = np.zeros((N, fin)), np.zeros((fout, fin)), np.zeros(fout)
    for n in range(N):
        for o in range(fout):
            db[o] += dy[n, o]
            for i in range(fin):
                dx[n, i] += dy[n, o] * w[o, i]
                dw[o, i] += dy[n, o] * x[n, i]
    return dx, dw, db


def relu_loop(dy, x):
    dx = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        dx[idx] = dy[idx] if x[idx] > 0 else 0.0
    return dx
