#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""NumPy peer of the cohortgis engine: the benchmark workload projected the way a competent analyst writes it in
vectorised NumPy, with the conventions of docs/ccmpp.md (single-year life tables from mx with Andreev–Kingkade a0,
survival ratios of A1, `even` migration timing, the `conserve` flow policy of B2, the step of A3 in its order).

  numpy_peer.py --tool build/bench/bench_tool --zones 60 --steps 12 --workdir DIR --check
      exports the workload and the engine's results of the user path, projects here with the per-cell components
      and the indicators, and fails unless every end population, births, component and indicator value agrees with
      the engine's to 1e-9 relative (the CI agreement test `bench_numpy_peer_agreement`)
  numpy_peer.py --tool ... --zones 3000 --steps 10 --workdir DIR --time [--full 1]
      exports the workload only and prints {"s_per_year": ...} (the lean projection: populations, births and cohort
      deaths) and, with --full 1, "full_s_per_year" (the same projection keeping every year's per-cell components and
      computing the indicators, as `cohortgis run` and ScenarioSet.run() do; bench/run_bench.py)

The user path's outputs, as an analyst computes them from the arrays of the step: components births, deaths (cohort,
A3) and deaths by age and period (A4, the φ split of the life table), OD in- and out-flows, transfers between groups,
net migrants, floor adjustments, births by age of mother and women's exposure, per-state sums of deaths and net
migrants, e0 and e65 of every state's life table; the indicators (docs/ccmpp.md Part C) for every zone and the
"total" aggregate, by group and all groups: counts first, rates from the sums, pooled life tables (mx weighted by
mid-step persons) where a slot holds more than one state.

Arrays are [zone, group, sex, age] float64, as in the engine. Run it with Debian's /usr/bin/python3 (python3-numpy).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

RADIX = 100000.0
FLOOR = 0.0005
RESIDUAL = 0.00001
# The engine's standard indicator columns (engine/src/indicators.cpp kNames; the workload has no extra age bands) and
# the components the user path keeps for this workload.
INDICATORS = [
    "population", "population_female", "population_male", "births", "births_female", "births_male", "deaths",
    "net_migration", "person_years", "cbr_per_1000", "cdr_per_1000", "natural_growth_per_1000", "tfr",
    "srb_per_100_females", "e0_female", "e0_male", "e65_female", "e65_male", "e0", "share_0_14_percent",
    "share_15_64_percent", "share_65_plus_percent", "share_60_plus_percent", "old_age_dependency_ratio",
    "total_dependency_ratio", "median_age", "women_15_49", "age_0_2", "age_3_5", "age_6_11", "age_12_14",
    "age_15_59", "age_15_64", "age_60_plus", "age_65_plus"]
COMPONENTS = ["deaths", "deaths_age_period", "od_in", "od_out", "transfer_in", "transfer_out", "net_migrants",
              "floor_adjustment", "births_by_mother_age", "women_exposure", "deaths_by_state", "net_migrants_by_state",
              "e0", "e65"]


def load(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    Z, G, A, C, P = meta["zones"], meta["groups"], meta["ages"], meta["countries"], meta["periods"]

    def f(name, shape=None, dtype=np.float64):
        a = np.fromfile(os.path.join(d, name), dtype=dtype)
        return a.reshape(shape) if shape else a

    w = {"meta": meta, "dir": d}
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
    return w


def life_table(mx):
    """Single-year life table (ax = 0.5, a0 by Andreev–Kingkade from m0, open L = l/m): returns (l, L), each [..., age]."""
    w = mx.shape[-1] - 1
    m0 = mx[..., 0]
    a0_f = np.where(m0 < 0.01724, 0.14903 - 2.05527 * m0, np.where(m0 < 0.06891, 0.04667 + 3.88089 * m0, 0.31411))
    a0_m = np.where(m0 < 0.0230, 0.14929 - 1.99545 * m0, np.where(m0 < 0.08307, 0.02832 + 3.26021 * m0, 0.29915))
    a0 = np.where(np.arange(2) == 0, a0_f, a0_m)  # sex is the last axis of mx[..., 0]
    m = mx[..., :w]
    a = np.full_like(m, 0.5)
    a[..., 0] = a0
    q = m / (1.0 + (1.0 - a) * m)
    over = q > 1.0  # DemoTools lt_id_ma_q, as the engine does: the constant-hazard q, the row's ax kept
    if over.any():
        q = np.where(over, -np.expm1(-m), q)
    l = np.cumprod(np.concatenate([np.full(m.shape[:-1] + (1,), RADIX), 1.0 - q], axis=-1), axis=-1)
    d = l[..., :w] - l[..., 1:]
    L = np.empty_like(mx)
    L[..., :w] = l[..., 1:] + a * d
    L[..., w] = l[..., w] / mx[..., w]
    return l, L


def survival_from_lt(l, L):
    """Survival ratios S of A1 from a single-year life table."""
    w = L.shape[-1] - 1
    S = np.empty_like(L)
    S[..., 0] = L[..., 0] / RADIX
    S[..., 1:w] = L[..., 1:w] / L[..., : w - 1]
    S[..., w] = L[..., w] / (L[..., w - 1] + L[..., w])
    return S


def expectancy(l, L, age):
    """e_age = T_age / l_age, T the sum of L from that age up (0 where nobody is left)."""
    T = L[..., age:].sum(axis=-1)
    la = l[..., age]
    return np.where(la > 0.0, T / np.where(la > 0.0, la, 1.0), 0.0)


def death_split(l, L):
    """φ of A4: the share of a cohort's deaths in the step that fall in the lower age of the period (ratio 0/0 = 1)."""
    w = L.shape[-1] - 1
    num = np.empty(L.shape[:-1] + (w,))
    den = np.empty_like(num)
    num[..., : w - 1] = L[..., : w - 1] - l[..., 1:w]
    den[..., : w - 1] = L[..., : w - 1] - L[..., 1:w]
    num[..., w - 1] = L[..., w - 1] - l[..., w]
    den[..., w - 1] = L[..., w - 1]
    both0 = (num == 0.0) & (den == 0.0)
    return np.where(both0, 1.0, num / np.where(both0, 1.0, den))


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
            self.mx = mx
            self.lt = life_table(mx)
            self.S = survival_from_lt(*self.lt)
            self.e0 = self.e65 = self.phi = None  # the user path's extras, built once per period when asked
            self.F = w["asfr_factor"][:, :, None] * w["asfr_table"][w["country"], p][:, None, :]
            self.period = p

    def net_migrants(self, P, full=False):
        """B1 + B2 (conserve): OD flows between zones and the floating → registered transition. With full, also the
        flows as the components give them: out-flows after the conserve scaling, in-flows from the scaled origins."""
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
        od_in = np.zeros_like(P)
        for g in range(self.G):
            origin, rate, dests, starts, _ = self.edges[g]
            if len(origin) == 0:
                continue
            X = (zy * rate)[:, None, None] * prof[g] * Ps[origin, g]  # (edges, sex, age)
            od_in[dests, g] = np.add.reduceat(X, starts, axis=0)
        M += od_in
        tr_in = np.zeros_like(P)
        tr_in[:, self.tr_to] = zy * w["tr_rate"] * Ps[:, self.tr_from]
        M += tr_in
        if not full:
            return M, None
        return M, {"od_in": od_in, "od_out": od_out * f, "transfer_in": tr_in, "transfer_out": tr_out * f}

    def step(self, P, step, full=False):
        self.schedules(step)
        S, F, z = self.S, self.F, 1.0
        w = self.A - 1
        M, flows = self.net_migrants(P, full)
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
        end = np.where(Q >= 0.0, Q, FLOOR)
        if not full:
            return end, Bs, D, None
        # The user path's components (A3, A4): what the step computed, by cell, plus its per-state sums.
        c = dict(flows)
        c["births"] = Bs
        c["deaths"] = D
        c["net_migrants"] = M
        c["floor_adjustment"] = np.where(Q >= 0.0, 0.0, FLOOR - Q)
        bma = np.zeros(P.shape[:2] + (self.A,))
        bma[..., 1:w] = Bi
        expo = np.zeros_like(bma)
        expo[..., 1:w] = z * (Ax[:, :, 0, 1:w] + Q[:, :, 0, 1:w]) / 2.0
        c["births_by_mother_age"], c["women_exposure"] = bma, expo
        c["deaths_by_state"], c["net_migrants_by_state"] = D.sum(axis=-1), M.sum(axis=-1)
        if self.e0 is None:  # the life tables change with the schedules only
            l, L = self.lt
            self.e0, self.e65, self.phi = expectancy(l, L, 0), expectancy(l, L, 65), death_split(l, L)
        c["e0"], c["e65"] = self.e0, self.e65
        phi = self.phi
        Da = np.empty_like(D)
        Da[..., 0] = D[..., 0] + phi[..., 0] * D[..., 1]
        Da[..., 1:w] = (1.0 - phi[..., : w - 1]) * D[..., 1:w] + phi[..., 1:w] * D[..., 2 : w + 1]
        Da[..., w] = (1.0 - phi[..., w - 1]) * D[..., w]
        c["deaths_age_period"] = Da
        c["indicators"] = self.indicators(P, end, c)
        return end, Bs, D, c

    def gross_migration(self, c):
        """Σ |M| of every unit × slot: the scale of the rounding error of its net migration, which cancels in a unit
        that keeps its migrants (all groups of a zone: transitions; total: OD flows too)."""
        x = np.abs(c["net_migrants"]).sum(axis=(-2, -1))
        x = np.concatenate([x, x.sum(axis=1, keepdims=True)], axis=1)
        return np.concatenate([x, x.sum(axis=0, keepdims=True)], axis=0)

    def indicators(self, P0, P1, c):
        """Indicators [unit, slot, indicator] (docs/ccmpp.md Part C): units are the zones then "total", slots the
        groups then "all groups"; counts are summed over a slot's states first and rates computed from the sums."""
        Z, G = self.Z, self.G
        n = self.w["meta"]["ages"] - 1  # open age (single years)

        def slots(x):  # (zone, group, ...) → (unit, slot, ...): zones + total, groups + all
            x = np.concatenate([x, x.sum(axis=1, keepdims=True)], axis=1)
            return np.concatenate([x, x.sum(axis=0, keepdims=True)], axis=0)

        end = slots(P1)  # (U, S, sex, age)
        bf, bm = slots(c["births"])[..., 0], slots(c["births"])[..., 1]
        deaths = slots(c["deaths_by_state"]).sum(axis=-1)
        net = slots(c["net_migrants_by_state"]).sum(axis=-1)
        Pf, Pm = end[:, :, 0], end[:, :, 1]
        both = Pf + Pm
        pop_f, pop_m = Pf.sum(axis=-1), Pm.sum(axis=-1)
        pop = pop_f + pop_m
        births = bf + bm
        py = (slots(P0.sum(axis=(-2, -1))) + pop) / 2.0
        with np.errstate(divide="ignore", invalid="ignore"):
            v = {"population": pop, "population_female": pop_f, "population_male": pop_m, "births": births,
                 "births_female": bf, "births_male": bm, "deaths": deaths, "net_migration": net, "person_years": py,
                 "cbr_per_1000": np.where(py > 0, births / py * 1000.0, np.nan),
                 "cdr_per_1000": np.where(py > 0, deaths / py * 1000.0, np.nan),
                 "natural_growth_per_1000": np.where(py > 0, (births - deaths) / py * 1000.0, np.nan),
                 "srb_per_100_females": np.where(bf > 0, bm / bf * 100.0, np.nan)}
            # TFR: one state's schedule; pooled, Σ births by age of mother / women's exposure.
            bma, expo = slots(c["births_by_mother_age"]), slots(c["women_exposure"])
            tfr = np.where(expo > 0.0, bma / np.where(expo > 0.0, expo, 1.0), 0.0).sum(axis=-1)
            tfr[:Z, :G] = self.F.sum(axis=-1)
            v["tfr"] = tfr
            # e0, e65: a state's own life table (zone × group); pooled mx (weighted by mid-step persons) where a slot
            # pools states: a zone's "all groups" (Z rows) and the "total" unit's slots (G + 1 rows).
            wgt = (P0 + P1) / 2.0
            num = self.mx * wgt

            def pooled(x):  # (Z, G, sex, age) → (Z + G + 1, sex, age): zones' all groups, then total by slot
                t = x.sum(axis=0)
                return np.concatenate([x.sum(axis=1), t, t.sum(axis=0, keepdims=True)], axis=0)

            den, plain = pooled(wgt), pooled(self.mx)
            nstates = np.r_[np.full(Z, G), np.full(G, Z), Z * G][:, None, None]
            mx = np.where(den > 0.0, pooled(num) / np.where(den > 0.0, den, 1.0), plain / nstates)
            l, L = life_table(mx)
            pe0, pe65 = expectancy(l, L, 0), expectancy(l, L, 65)
            e0 = np.empty(bf.shape + (2,))
            e65 = np.empty_like(e0)
            e0[:Z, :G], e65[:Z, :G] = c["e0"], c["e65"]
            e0[:Z, G], e65[:Z, G] = pe0[:Z], pe65[:Z]
            e0[Z], e65[Z] = pe0[Z:], pe65[Z:]
            v["e0_female"], v["e0_male"], v["e65_female"], v["e65_male"] = e0[..., 0], e0[..., 1], e65[..., 0], e65[..., 1]
            rho = bm / bf
            v["e0"] = np.where((bf > 0) & (bm > 0), (e0[..., 0] + rho * e0[..., 1]) / (1.0 + rho), np.nan)

            def band(x, lo, hi=None):  # single years lo … hi−1 (hi None: to the open age)
                return x[..., lo:hi].sum(axis=-1)

            c0_14, c15_64, c65, c60 = band(both, 0, 15), band(both, 15, 65), band(both, 65), band(both, 60)
            for name, x in (("share_0_14_percent", c0_14), ("share_15_64_percent", c15_64),
                            ("share_65_plus_percent", c65), ("share_60_plus_percent", c60)):
                v[name] = np.where(pop > 0, x / pop * 100.0, np.nan)
            v["old_age_dependency_ratio"] = np.where(c15_64 > 0, c65 / c15_64 * 100.0, np.nan)
            v["total_dependency_ratio"] = np.where(c15_64 > 0, (c0_14 + c65) / c15_64 * 100.0, np.nan)
            # Median age: linear within the single year where the cumulated persons pass half the total.
            cum = np.cumsum(both, axis=-1)
            before = cum - both
            half = pop / 2.0
            passed = (both > 0.0) & (cum >= half[..., None])
            i = np.argmax(passed, axis=-1)
            take = lambda x: np.take_along_axis(x, i[..., None], axis=-1)[..., 0]
            med = np.where(passed.any(axis=-1), i + (half - take(before)) / take(both), float(n))
            v["median_age"] = np.where(pop > 0, med, np.nan)
        v.update(women_15_49=band(Pf, 15, 50), age_0_2=band(both, 0, 3), age_3_5=band(both, 3, 6),
                 age_6_11=band(both, 6, 12), age_12_14=band(both, 12, 15), age_15_59=band(both, 15, 60),
                 age_15_64=c15_64, age_60_plus=c60, age_65_plus=c65)
        return np.stack([v[k] for k in INDICATORS], axis=-1)


def run(w, keep, full=False):
    """Projects the workload; returns (seconds, per-year lists of what keep asks for). full: the user path."""
    peer = Peer(w)
    P = w["base"].copy()
    out = {"population": [], "births": [], "deaths": [], "components": []}
    t0 = time.perf_counter()
    for t in range(w["meta"]["steps"]):
        P, B, D, comps = peer.step(P, t, full)
        if keep:
            out["population"].append(P)
            out["births"].append(B)
            out["deaths"].append(D)
            out["components"].append(comps)
    return time.perf_counter() - t0, out


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rel_diff(a, b, terms=None):
    """Largest |a − b| / max(|a|, |b|) over the finite values; inf where a value is NaN in one and not the other.
    terms: for a sum whose terms cancel (net migration of a unit that conserves persons), the sum of the terms'
    magnitudes, the scale its rounding error has."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if (nan_a != nan_b).any():
        return float("inf")
    scale = np.maximum(np.abs(a), np.abs(b))
    if terms is not None:
        scale = np.maximum(scale, terms)
    a, b, scale = a[~nan_a], b[~nan_b], scale[~nan_a]
    diff = np.abs(a - b)
    ok = scale > 0.0
    return float((diff[ok] / scale[ok]).max()) if ok.any() else float(diff.max(initial=0.0))


def compare(w, out):
    """Max relative difference per output: populations, births, every component the engine kept, each indicator."""
    meta = w["meta"]
    Z, G, T = meta["zones"], meta["groups"], meta["steps"]
    diffs = {"population": rel_diff(np.array(out["population"]), w["engine_pop"]),
             "births": rel_diff(np.array(out["births"]), w["engine_births"])}
    for name in meta["components"]:
        engine = np.fromfile(os.path.join(w["dir"], f"engine_{name}.f64")).reshape(T, Z, G, -1)
        diffs[name] = rel_diff(np.array([c[name] for c in out["components"]]).reshape(T, Z, G, -1), engine)
    ind = np.array([c["indicators"] for c in out["components"]])
    engine = np.fromfile(os.path.join(w["dir"], "engine_indicators.f64")).reshape(ind.shape)
    gross = np.array([c["gross_migration"] for c in out["components"]])
    for k, name in enumerate(meta["indicators"]):
        diffs["indicator " + name] = rel_diff(ind[..., k], engine[..., k], gross if name == "net_migration" else None)
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", required=True, help="path of bench_tool")
    ap.add_argument("--zones", type=int, default=60)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--check", action="store_true", help="compare with the engine (1e-9 relative)")
    ap.add_argument("--time", action="store_true", help="print the time per projected year")
    ap.add_argument("--tolerance", type=float, default=1e-9)
    ap.add_argument("--full", type=int, default=0,
                    help="with --time: also time the user path (components and indicators every year)")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    subprocess.run([a.tool, "export", "--zones", str(a.zones), "--steps", str(a.steps), "--out", a.workdir,
                    "--results", "1" if a.check else "0"], check=True, stdout=subprocess.DEVNULL)
    w = load(a.workdir)
    out = {"zones": a.zones, "steps": a.steps, "numpy_version": np.__version__}
    status = 0
    if a.check:
        if w["meta"]["indicators"] != INDICATORS:
            sys.exit(f"numpy_peer: the engine's indicators are {w['meta']['indicators']}, the peer's {INDICATORS}")
        missing = sorted(set(COMPONENTS) - set(w["meta"]["components"]))
        if missing:
            sys.exit(f"numpy_peer: the engine kept no {missing}")
        secs, res = run(w, keep=True, full=True)
        out["full_s"] = secs
        peer = Peer(w)
        for c in res["components"]:
            c["gross_migration"] = peer.gross_migration(c)
        out["max_rel_diff"] = diffs = compare(w, res)
        out["tolerance"] = a.tolerance
        worst = max(diffs, key=diffs.get)
        out["worst"] = {worst: diffs[worst]}
        status = 0 if diffs[worst] <= a.tolerance else 1
        out["agree"] = status == 0
    if a.time:  # the lean run first: the high-water mark after it is its own, after the full run that of both
        c0 = time.process_time()
        secs, _ = run(w, keep=False)
        out.update(numpy_s=secs, s_per_year=secs / a.steps, cpu_s_per_year=(time.process_time() - c0) / a.steps,
                   peak_rss_bytes=peak_rss_bytes())
        if a.full:
            c0 = time.process_time()
            secs, _ = run(w, keep=False, full=True)
            out.update(full_s=secs, full_s_per_year=secs / a.steps,
                       full_cpu_s_per_year=(time.process_time() - c0) / a.steps, full_peak_rss_bytes=peak_rss_bytes())
    print(json.dumps(out))
    return status


if __name__ == "__main__":
    sys.exit(main())
