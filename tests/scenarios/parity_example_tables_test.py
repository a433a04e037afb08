# SPDX-License-Identifier: Apache-2.0
"""The parity tables of scenarios/examples/core-districts-parity against the published figures they come from.

1. data/census/fuzhou2020_births_by_order_age.csv (Fuzhou 2020 census yearbook, table 6-3): births = the sum of the
   orders in every row, single ages sum to the printed five-year rows, five-year rows to the printed total, and two
   printed per-mille rates are reproduced (ages 27 and 33).
2. The committed parity_rates.csv and parity_base.csv, read back with the engine's exposure mix (docs/parity.md
   "One step", item 1: births of order p + 1 at age i per woman = f_p(i) * (pi_p(i) + pi_p(i-1)) / 2, girls under 15 at
   parity 0), give per district births of each order per woman at every age proportional to Fuzhou's published
   order-specific rates (one factor per district), and that factor makes the district's births over the year equal
   its children aged 0 at the census (data/census/census2020_districts.csv, pop_m_0 + pop_f_0).
Run: /usr/bin/python3 tests/scenarios/parity_example_tables_test.py (exit 0 = pass).
"""
import csv
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FUZHOU = os.path.join(ROOT, "data", "census", "fuzhou2020_births_by_order_age.csv")
CENSUS = os.path.join(ROOT, "data", "census", "census2020_districts.csv")
EXAMPLE = os.path.join(ROOT, "scenarios", "examples", "core-districts-parity")
ORDERS = ("births_order_1", "births_order_2", "births_order_3plus")
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def fuzhou():
    rows = {r["age"]: r for r in csv.DictReader(open(FUZHOU, encoding="utf-8"))}
    cols = ("women", "births") + ORDERS
    for key, r in rows.items():
        check(int(r["births"]) == sum(int(r[k]) for k in ORDERS), f"Fuzhou row {key}: births != sum of orders")
    for lo in range(15, 50, 5):
        for k in cols:
            s = sum(int(rows[str(a)][k]) for a in range(lo, lo + 5))
            check(s == int(rows[f"{lo}-{lo + 4}"][k]), f"Fuzhou {lo}-{lo + 4} {k}: single ages sum to {s}")
    for k in cols:
        s = sum(int(rows[f"{lo}-{lo + 4}"][k]) for lo in range(15, 50, 5))
        check(s == int(rows["total"][k]), f"Fuzhou total {k}: groups sum to {s}")
    # Printed rates (per mille, 2 decimals): age 27 all orders 109.21, age 33 third+ 10.21.
    check(f"{1000 * 549 / int(rows['27']['women']):.2f}" == "109.21", "Fuzhou age 27 rate")
    check(f"{1000 * int(rows['33']['births_order_3plus']) / int(rows['33']['women']):.2f}" == "10.21", "age 33 rate")
    return {int(a): tuple(int(r[k]) / int(r["women"]) for k in ORDERS) for a, r in rows.items() if a.isdigit()}


def example_tables():
    rates, shares, women, births0 = {}, {}, {}, {}
    for r in csv.DictReader(open(os.path.join(EXAMPLE, "parity_rates.csv"), encoding="utf-8")):
        rates[(r["zone"], int(r["age"]), r["parity"])] = float(r["value"])
    for r in csv.DictReader(open(os.path.join(EXAMPLE, "parity_base.csv"), encoding="utf-8")):
        shares[(r["zone"], int(r["age"]), r["parity"])] = float(r["share"])
    for r in csv.DictReader(open(os.path.join(EXAMPLE, "base_population.csv"), encoding="utf-8")):
        if r["sex"] == "female":
            women[(r["zone"], int(r["age"]))] = float(r["population"])
    for r in csv.DictReader(open(CENSUS, encoding="utf-8")):
        if r["indicator"] in ("pop_m_0", "pop_f_0"):
            births0[r["code"]] = births0.get(r["code"], 0.0) + float(r["value"])
    return rates, shares, women, births0


def main():
    g = fuzhou()
    rates, shares, women, births0 = example_tables()
    zones = sorted({z for z, _, _ in rates})
    check(zones == ["110101", "110102"], f"zones {zones}")
    for z in zones:
        def pi(a, p):
            return shares.get((z, a, p), 1.0 if p == "0" else 0.0) if a >= 15 else (1.0 if p == "0" else 0.0)

        factors = []
        total = 0.0
        for a in range(15, 50):
            by_order = [rates[(z, a, p)] * (pi(a, p) + pi(a - 1, p)) / 2 for p in ("0", "1", "2")]
            by_order[2] += rates[(z, a, "3+")] * (pi(a, "3+") + pi(a - 1, "3+")) / 2
            total += sum(by_order) * women[(z, a)]
            for k in range(3):
                if g[a][k] > 0:
                    factors.append(by_order[k] / g[a][k])
                else:
                    check(by_order[k] == 0.0, f"{z} age {a} order {k + 1}: births where Fuzhou has none")
        c = factors[0]
        check(all(abs(x / c - 1) < 1e-5 for x in factors),
              f"{z}: order-specific rates not proportional to Fuzhou's (factors {min(factors)}..{max(factors)})")
        check(abs(total / births0[z] - 1) < 1e-5, f"{z}: births {total} != children aged 0 {births0[z]}")
        for a in range(15, 86):
            s = sum(pi(a, p) for p in ("0", "1", "2", "3+"))
            check(abs(s - 1) < 1e-9, f"{z} age {a}: shares sum to {s}")
    if failures:
        print("\n".join(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
