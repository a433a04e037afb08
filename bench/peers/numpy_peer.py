#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""NumPy peer of the cohortgis engine: the benchmark workload projected the way a competent analyst writes it in
vectorised NumPy, with the conventions of docs/ccmpp.md (single-year life tables from mx with Andreev–Kingkade a0,
survival ratios of A1, `even` migration timing, the `conserve` flow policy of B2, the step of A3 in its order).

  numpy_peer.py --tool build/bench/bench_tool --zones 60 --steps 12 --workdir DIR --check
      exports the workload and the engine's results, projects here, and fails unless every end population, births
      and cohort deaths value agrees to 1e-9 relative (the CI agreement test)
  numpy_peer.py --tool ... --zones 3000 --steps 50 --workdir DIR --time
      exports the workload only and prints {"s_per_year": ...} (bench/run_bench.py)

Arrays are [zone, group, sex, age] float64, as in the engine. Run it with Debian's /usr/bin/python3 (python3-numpy).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

RADIX = 100000.0
FLOOR = 0.0005
RESIDUAL = 0.00001


def load(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    Z, G, A, C, P = meta["zones"], meta["groups"], meta["ages"], meta["countries"], meta["periods"]

    def f(name, shape=None, dtype=np.float64):
        a = np.fromfile(os.path.join(d, name), dtype=dtype)
        return a.reshape(shape) if shape else a

    w = {"meta": meta}
    w["base"] = f("base.f64", (Z, G, 2, A))
    w["country"] = f("country.i32", dtype=np.int32).astype(np.intp)
    w["mx_factor"] = f("mx_factor.f64", (Z, G))
    w["asfr_factor"] = f("asfr_factor.f64", (Z, G))
    w["srb"] = f("srb.f64")
    w["mx_table"] = f("mx_table.f64", (C, P, 2, A))
    w["asfr_table"] = f("asfr_table.f64", (C, P, A))
    w["profile"] = f("od_profile.f64", (G, 2, A))
    w["tr_rate"] = f("transition_rate.f64", (2, A))
    w["od_origin"] = f("od_origin.i32", dtype=np.int32).astype(np.intp)
    w["od_destination"] = f("od_destination.i32", dtype=np.int32).astype(np.intp)
    w["od_group"] = f("od_group.i32", dtype=np.int32)
    w["od_rate"] = f("od_rate.f64")
    if meta["results"]:
        T = meta["steps"]
        w["engine_pop"] = f("engine_pop.f64", (T, Z, G, 2, A))
        w["engine_births"] = f("engine_births.f64", (T, Z, G, 2))
        w["engine_deaths"] = f("engine_deaths.f64", (T, Z, G, 2, A))
    return w


def survival_from_mx(mx):
    """Single-year life table (ax = 0.5, a0 by Andreev–Kingkade from m0, open L = l/m) → survival ratios S (A1)."""
    w = mx.shape[-1] - 1
    m0 = mx[..., 0]
    a0_f = np.where(m0 < 0.01724, 0.14903 - 2.05527 * m0, np.where(m0 < 0.06891, 0.04667 + 3.88089 * m0, 0.31411))
    a0_m = np.where(m0 < 0.0230, 0.14929 - 1.99545 * m0, np.where(m0 < 0.08307, 0.02832 + 3.26021 * m0, 0.29915))
    a0 = np.where(np.arange(2) == 0, a0_f, a0_m)  # sex is the last axis of mx[..., 0]
    m = mx[..., :w]
    a = np.full_like(m, 0.5)
    a[..., 0] = a0
    q = m / (1.0 + (1.0 - a) * m)
    over = q > 1.0  # constant-hazard fallback (DemoTools), as the engine does
    if over.any():
        ch = np.where(m < 1e-4, 0.5 - m / 12.0, 1.0 + 1.0 / m + 1.0 / np.expm1(-m))
        q = np.where(over, -np.expm1(-m), q)
        a = np.where(over, ch, a)
    l = np.cumprod(np.concatenate([np.full(m.shape[:-1] + (1,), RADIX), 1.0 - q], axis=-1), axis=-1)
    d = l[..., :w] - l[..., 1:]
    L = np.empty_like(mx)
    L[..., :w] = l[..., 1:] + a * d
    L[..., w] = l[..., w] / mx[..., w]
    S = np.empty_like(mx)
    S[..., 0] = L[..., 0] / RADIX
    S[..., 1:w] = L[..., 1:w] / L[..., : w - 1]
    S[..., w] = L[..., w] / (L[..., w - 1] + L[..., w])
    return S


class Peer:
    def __init__(self, w):
        self.w = w
        meta = w["meta"]
        self.Z, self.G, self.A = meta["zones"], meta["groups"], meta["ages"]
        self.tr_from, self.tr_to = meta["transition_from"], meta["transition_to"]
        # OD edges of each group, sorted by destination, with segment starts for np.add.reduceat.
        self.edges = []
        for g in range(self.G):
            sel = np.nonzero((w["od_group"] == g) | (w["od_group"] == -1))[0]
            sel = sel[np.argsort(w["od_destination"][sel], kind="stable")]
            dest = w["od_destination"][sel]
            starts = np.flatnonzero(np.r_[True, dest[1:] != dest[:-1]]) if len(dest) else np.array([], np.intp)
            out_rate = np.bincount(w["od_origin"][sel], weights=w["od_rate"][sel], minlength=self.Z)
            self.edges.append((w["od_origin"][sel], w["od_rate"][sel], dest[starts] if len(dest) else dest, starts,
                               out_rate))
        self.period = -1

    def schedules(self, step):
        p = step // self.w["meta"]["period_years"]
        if p != self.period:  # schedules change by period: rebuild the life tables only then
            w = self.w
            mx = w["mx_factor"][:, :, None, None] * w["mx_table"][w["country"], p][:, None, :, :]
            self.S = survival_from_mx(mx)
            self.F = w["asfr_factor"][:, :, None] * w["asfr_table"][w["country"], p][:, None, :]
            self.period = p

    def net_migrants(self, P):
        """B1 + B2 (conserve): OD flows between zones and the floating → registered transition."""
        w, zy = self.w, 1.0
        prof = w["profile"]
        od_out = np.empty_like(P)
        for g in range(self.G):
            od_out[:, g] = zy * self.edges[g][4][:, None, None] * prof[g] * P[:, g]
        tr_out = np.zeros_like(P)
        tr_out[:, self.tr_from] = zy * w["tr_rate"] * P[:, self.tr_from]
        total = od_out + tr_out
        f = np.ones_like(P)
        over = total > P
        if over.any():
            f[over] = np.maximum(P[over] - RESIDUAL, 0.0) / total[over]
        Ps = P * f
        M = -(od_out * f) - tr_out * f
        for g in range(self.G):
            origin, rate, dests, starts, _ = self.edges[g]
            if len(origin) == 0:
                continue
            X = (zy * rate)[:, None, None] * prof[g] * Ps[origin, g]  # (edges, sex, age)
            M[dests, g] += np.add.reduceat(X, starts, axis=0)
        M[:, self.tr_to] += zy * w["tr_rate"] * Ps[:, self.tr_from]
        return M

    def step(self, P, step):
        self.schedules(step)
        S, F, z = self.S, self.F, 1.0
        w = self.A - 1
        M = self.net_migrants(P)
        E = M / 2.0  # even timing
        Ax = P + E
        D = np.empty_like(P)
        Q = np.empty_like(P)
        D[..., 1:w] = (1.0 - S[..., 1:w]) * Ax[..., : w - 1]
        Q[..., 1:w] = Ax[..., : w - 1] - D[..., 1:w] + E[..., 1:w]
        top = Ax[..., w - 1] + Ax[..., w]
        D[..., w] = (1.0 - S[..., w]) * top
        Q[..., w] = top - D[..., w] + E[..., w]
        Bi = z * F[..., 1:w] * (Ax[:, :, 0, 1:w] + Q[:, :, 0, 1:w]) / 2.0
        B = Bi.sum(axis=-1)
        Bf = B * (1.0 / (1.0 + self.w["srb"][:, None]))
        Bs = np.stack([Bf, B - Bf], axis=-1)  # (zone, group, sex)
        D[..., 0] = (1.0 - S[..., 0]) * Bs
        Q[..., 0] = Bs - D[..., 0] + E[..., 0]
        return np.where(Q >= 0.0, Q, FLOOR), Bs, D


def run(w, keep):
    peer = Peer(w)
    P = w["base"].copy()
    pops, births, deaths = [], [], []
    t0 = time.perf_counter()
    for t in range(w["meta"]["steps"]):
        P, B, D = peer.step(P, t)
        if keep:
            pops.append(P)
            births.append(B)
            deaths.append(D)
    return time.perf_counter() - t0, pops, births, deaths


def rel_diff(a, b):
    scale = np.maximum(np.abs(a), np.abs(b))
    diff = np.abs(a - b)
    ok = scale > 0.0
    return float((diff[ok] / scale[ok]).max()) if ok.any() else float(diff.max())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", required=True, help="path of bench_tool")
    ap.add_argument("--zones", type=int, default=60)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--check", action="store_true", help="compare with the engine (1e-9 relative)")
    ap.add_argument("--time", action="store_true", help="print the time per projected year")
    ap.add_argument("--tolerance", type=float, default=1e-9)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    subprocess.run([a.tool, "export", "--zones", str(a.zones), "--steps", str(a.steps), "--out", a.workdir,
                    "--results", "1" if a.check else "0"], check=True, stdout=subprocess.DEVNULL)
    w = load(a.workdir)
    secs, pops, births, deaths = run(w, keep=a.check)
    out = {"zones": a.zones, "steps": a.steps, "numpy_s": secs, "s_per_year": secs / a.steps,
           "numpy_version": np.__version__}
    status = 0
    if a.check:
        out["max_rel_diff"] = {"population": rel_diff(np.array(pops), w["engine_pop"]),
                               "births": rel_diff(np.array(births), w["engine_births"]),
                               "deaths": rel_diff(np.array(deaths), w["engine_deaths"])}
        out["tolerance"] = a.tolerance
        status = 0 if max(out["max_rel_diff"].values()) <= a.tolerance else 1
        out["agree"] = status == 0
    print(json.dumps(out))
    return status


if __name__ == "__main__":
    sys.exit(main())
