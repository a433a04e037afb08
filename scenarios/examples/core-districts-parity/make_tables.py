# SPDX-License-Identifier: Apache-2.0
"""Writes the tables of the core-districts-parity example (run from anywhere; /usr/bin/python3, standard library).

- base_population.csv: the 2020 census (七普) resident population of 东城区 and 西城区 by sex and census age group
  (data/census/census2020_districts.csv), each group spread evenly over its single years (0, 1-4, 5-9, ..., 85+ as
  the open age 85). The even spread is a simplification.
- parity_rates.csv / parity_rates_three_child.csv: births of the next order per woman of parity 0, 1, 2 per year by
  age and district. Their age pattern and mix of orders are Fuzhou's (福州市), 2020 census yearbook table 6-3
  (data/census/fuzhou2020_births_by_order_age.csv: births of order 1, 2, 3+ per woman of the age, 12 months before the
  census), BORROWED for Beijing's core districts (no such table was found for Beijing). Their level is the district's
  own: one factor per district makes its births over a year equal its children aged 0 at the census. The
  order-specific rates (per woman of any parity) are turned into rates per woman of each parity for a synthetic
  cohort living through them, with the engine's own exposure mix (rates_from_incidence). Third and higher births are
  all taken as births from parity 2, so the rate from 3+ is 0. The table's age is taken to be the woman's age at the
  census, on average about half a year above her age at the birth; it is used as the age of the rates without a
  shift. The three-child variant multiplies third births by 3 from the step that starts in 2021 (calendar 2022 on).
- parity_base.csv: shares of women by parity at each age and district, ESTIMATED by running the district's current
  rates through a cohort from birth (the synthetic cohort: every cohort as if it had today's rates). This is far from
  the real parity of older women: period rates of 2020 carry the second births of the two-child policy (2016) and
  give a synthetic cohort in which about 55 % of women stay childless and few stop at one child; women 49+ and 60+
  by parity (the 奖励扶助 base) and the 特别扶助 base are therefore not to be read as estimates.
"""
import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "data", "census", "census2020_districts.csv")
FUZHOU = os.path.join(HERE, "..", "..", "..", "data", "census", "fuzhou2020_births_by_order_age.csv")
ZONES = ["110101", "110102"]
OPEN = 85


def groups():
    out = {}
    with open(DATA, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["code"] in ZONES and (r["indicator"].startswith("pop_f_") or r["indicator"].startswith("pop_m_")):
                out[(r["code"], r["indicator"])] = float(r["value"])
    return out


def spread(pop):
    rows = []
    for z in ZONES:
        for sx, key in (("female", "f"), ("male", "m")):
            by_age = [0.0] * (OPEN + 1)
            by_age[0] = pop[(z, f"pop_{key}_0")]
            for a in range(1, 5):
                by_age[a] = pop[(z, f"pop_{key}_1_4")] / 4
            for lo in range(5, OPEN, 5):
                for a in range(lo, lo + 5):
                    by_age[a] = pop[(z, f"pop_{key}_{lo}_{lo + 4}")] / 5
            by_age[OPEN] = pop[(z, f"pop_{key}_{OPEN}p")]
            rows += [(z, sx, a, round(v, 6)) for a, v in enumerate(by_age)]
    return rows


def fuzhou_incidence():
    """Births of order 1, 2, 3+ per woman (all parities) per year, single ages 15-49: Fuzhou 2020 census, table 6-3."""
    g = {}
    with open(FUZHOU, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["age"].isdigit():
                w = float(r["women"])
                orders = ("births_order_1", "births_order_2", "births_order_3plus")
                g[int(r["age"])] = tuple(float(r[k]) / w for k in orders)
    assert sorted(g) == list(range(15, 50)), "the table must have every single age 15-49"
    return g


def women_by_age(rows, zone):
    return {a: v for z, sx, a, v in rows if z == zone and sx == "female"}


def cohort_shares(f):
    """Shares (parity 0, 1, 2, 3+) of a cohort at ages 0..OPEN under rates f[(age, parity)], moved as the engine moves
    them (docs/parity.md "One step", item 3: h_p = (f_p(i) + f_p(i+1)) / 2 on one-year steps)."""
    shares = {0: (1.0, 0.0, 0.0, 0.0)}
    s = [1.0, 0.0, 0.0, 0.0]
    for a in range(OPEN):
        h = [(f[(a, p)] + f[(a + 1, p)]) / 2 for p in ("0", "1", "2")] + [0.0]
        s = [s[0] * (1 - h[0]), s[1] * (1 - h[1]) + s[0] * h[0], s[2] * (1 - h[2]) + s[1] * h[1], s[3] + s[2] * h[2]]
        shares[a + 1] = tuple(s)
    return shares


def rates_from_incidence(g):
    """Occurrence-exposure rates by parity f_p(i) from order-specific incidences g_k(i) (births of order k per woman of
    any parity) for a synthetic cohort that lives through today's rates: the engine counts the births of order p + 1
    at age i as f_p(i) * w_p(i), w_p(i) = (pi_p(i) + pi_p(i-1)) / 2 (docs/parity.md "One step", item 1), so
    f_p(i) = g_{p+1}(i) / w_p(i), with the shares pi of the cohort moved by these same rates. The shares at age i depend
    on f(i) through h = (f(i-1) + f(i)) / 2, so the equations are solved by fixed-point iteration (contracting: the
    rates are far below 1). Third and higher births are all taken as births from parity 2 (the table does not split
    third from fourth births), so the rate from 3+ is 0."""
    f = {(a, p): 0.0 for a in range(OPEN + 1) for p in ("0", "1", "2", "3+")}
    # Start: the shares of the classical conversion, pi_p(x) = sum_{b<x} (g_p(b) - g_{p+1}(b)), pi_0 = 1 - sum g_1.
    cum = [0.0, 0.0, 0.0]
    for a in range(15, 50):
        before = [1.0 - cum[0], cum[0] - cum[1], cum[1] - cum[2]]
        cum = [cum[k] + g[a][k] for k in range(3)]
        after = [1.0 - cum[0], cum[0] - cum[1], cum[1] - cum[2]]
        for p in range(3):
            w = (before[p] + after[p]) / 2
            f[(a, str(p))] = g[a][p] / w if g[a][p] > 0 else 0.0
    for _ in range(200):
        sh = cohort_shares(f)
        new = dict(f)
        for a, gk in g.items():
            for p, k in (("0", 0), ("1", 1), ("2", 2)):
                w = (sh[a][int(p)] + sh[a - 1][int(p)]) / 2
                new[(a, p)] = gk[k] / w if gk[k] > 0 else 0.0
        done = max(abs(new[k] - f[k]) for k in f) < 1e-15
        f = new
        if done:
            break
    for (a, p), v in f.items():
        assert 0.0 <= v <= 1.0, f"rate out of range at age {a}, parity {p}: {v}"
    return f


def zone_rates(g, rows, pop):
    """Per district: Fuzhou's incidences times one factor c so that the year before the census gives the district's
    children aged 0 at the census (pop_m_0 + pop_f_0; infant deaths and moves of infants ignored, so c is slightly
    low), then converted to rates by parity."""
    out = {}
    for z in ZONES:
        w = women_by_age(rows, z)
        births0 = pop[(z, "pop_m_0")] + pop[(z, "pop_f_0")]
        expected = sum(sum(gk) * w[a] for a, gk in g.items())
        c = births0 / expected
        scaled = {a: tuple(c * x for x in gk) for a, gk in g.items()}
        out[z] = (c, scaled, rates_from_incidence(scaled))
    return out


def rate_rows(f):
    return [(a, p, round(f[(a, p)], 12)) for a in range(15, 50) for p in ("0", "1", "2", "3+")]


def main():
    rows = spread(groups())
    with open(os.path.join(HERE, "base_population.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["zone", "sex", "age", "population"])
        w.writerows(rows)
    g = fuzhou_incidence()
    tfr = [sum(gk[k] for gk in g.values()) for k in range(3)]
    print("Fuzhou 2020 (table 6-3), TFR by order 1, 2, 3+: " + ", ".join(f"{x:.4f}" for x in tfr) +
          f"; total {sum(tfr):.4f}")
    by_zone = zone_rates(g, rows, groups())
    with open(os.path.join(HERE, "parity_rates.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["zone", "age", "parity", "value"])
        for z in ZONES:
            w.writerows([(z, *r) for r in rate_rows(by_zone[z][2])])
    with open(os.path.join(HERE, "parity_rates_three_child.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["year", "zone", "age", "parity", "value"])
        for z in ZONES:
            cur = by_zone[z][2]
            three = {k: (3.0 * v if k[1] == "2" else v) for k, v in cur.items()}  # third births x 3 from 2022 on
            for year, table in ((2020, cur), (2021, three)):
                w.writerows([(year, z, *r) for r in rate_rows(table)])
    with open(os.path.join(HERE, "parity_base.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["zone", "age", "parity", "share"])
        for z in ZONES:
            c, scaled, cur = by_zone[z]
            shares = cohort_shares(cur)
            for a in range(15, OPEN + 1):
                s = [round(x, 10) for x in shares[a]]
                s[0] = round(1.0 - s[1] - s[2] - s[3], 10)  # the printed shares sum to 1
                for p, v in zip(("0", "1", "2", "3+"), s):
                    w.writerow([z, a, p, v])
            s50 = shares[50]
            # Check: in the synthetic cohort the moves equal the births, so the share with at least k children at 50
            # equals the scaled TFR of order k (up to the fixed point's tolerance).
            ever = [s50[1] + s50[2] + s50[3], s50[2] + s50[3], s50[3]]
            tfr_z = [sum(gk[k] for gk in scaled.values()) for k in range(3)]
            for k in range(3):
                assert abs(ever[k] - tfr_z[k]) < 1e-9, (z, k, ever[k], tfr_z[k])
            print(f"{z}: level factor {c:.4f}; TFR by order " + ", ".join(f"{x:.4f}" for x in tfr_z) +
                  f"; total {sum(tfr_z):.4f}; cohort at 50 by parity 0/1/2/3+: " + "/".join(f"{x:.4f}" for x in s50))


if __name__ == "__main__":
    main()
