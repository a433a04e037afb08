# SPDX-License-Identifier: Apache-2.0
"""Writes the tables of the core-districts-parity example (run from anywhere; /usr/bin/python3, standard library).

- base_population.csv: the 2020 census (七普) resident population of 东城区 and 西城区 by sex and census age group
  (data/census/census2020_districts.csv), each group spread evenly over its single years (0, 1-4, 5-9, ..., 85+ as
  the open age 85). The even spread is a simplification.
- parity_rates.csv / parity_rates_three_child.csv: ILLUSTRATIVE parity-specific fertility rates (births of the next
  order per woman of parity 0, 1, 2, 3+ per year, Gaussian age shapes chosen so that a cohort at these rates ends with
  about 1.0 child per woman, the order of Beijing's recent TFR); not estimated from data. The three-child variant multiplies third and higher births by 3
  from the step that starts in 2021 (calendar 2022 on).
- parity_base.csv: shares of women by parity at each age, ESTIMATED by running the current rates through a cohort
  from age 12 (the stationary assumption: every cohort had today's rates). Older women really had more children
  than this gives (their fertility was higher), so the parity of women 49+ and 60+ is understated.
"""
import csv
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "data", "census", "census2020_districts.csv")
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


def bell(a, peak, sd, level):
    return level * math.exp(-0.5 * ((a - peak) / sd) ** 2) if 15 <= a <= 49 else 0.0


def rates(third_factor=1.0):
    f = {}
    for a in range(OPEN + 1):
        f[(a, "0")] = bell(a, 30, 4.5, 0.115)
        f[(a, "1")] = bell(a, 34, 4.0, 0.045)
        f[(a, "2")] = bell(a, 36, 4.0, 0.012 * third_factor)
        f[(a, "3+")] = bell(a, 37, 4.0, 0.006 * third_factor)
    return f


def cohort_shares(f):
    shares = {0: (1.0, 0.0, 0.0, 0.0)}
    s = [1.0, 0.0, 0.0, 0.0]
    for a in range(OPEN):
        h = [(f[(a, p)] + f[(a + 1, p)]) / 2 for p in ("0", "1", "2")] + [0.0]
        s = [s[0] * (1 - h[0]), s[1] * (1 - h[1]) + s[0] * h[0], s[2] * (1 - h[2]) + s[1] * h[1], s[3] + s[2] * h[2]]
        shares[a + 1] = tuple(s)
    return shares


def main():
    with open(os.path.join(HERE, "base_population.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["zone", "sex", "age", "population"])
        w.writerows(spread(groups()))
    cur = rates()
    with open(os.path.join(HERE, "parity_rates.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["age", "parity", "value"])
        w.writerows([(a, p, round(v, 8)) for (a, p), v in sorted(cur.items(), key=lambda k: (k[0][0], k[0][1])) if v > 0])
    three = rates(3.0)
    with open(os.path.join(HERE, "parity_rates_three_child.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["year", "age", "parity", "value"])
        for year, table in ((2020, cur), (2021, three)):
            w.writerows([(year, a, p, round(v, 8)) for (a, p), v in sorted(table.items(), key=lambda k: (k[0][0], k[0][1])) if v > 0])
    shares = cohort_shares(cur)
    with open(os.path.join(HERE, "parity_base.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["age", "parity", "share"])
        for a in range(15, OPEN + 1):
            s = [round(x, 10) for x in shares[a]]
            s[0] = round(1.0 - s[1] - s[2] - s[3], 10)  # the printed shares sum to 1
            for p, v in zip(("0", "1", "2", "3+"), s):
                w.writerow([a, p, v])
    s49 = shares[50]
    print(f"completed fertility of a cohort at today's rates (3+ counted as 3): {s49[1] + 2 * s49[2] + 3 * s49[3]:.3f}")


if __name__ == "__main__":
    main()
