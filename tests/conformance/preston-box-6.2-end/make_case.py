# SPDX-License-Identifier: Apache-2.0
"""Preston Box 6.2 inputs with all migrants at the END of the step: tables and expected.csv, computed independently
by ../ccmpp_reference.py (docs/ccmpp.md A1-A3 in numpy; no cohortgis). Run: /usr/bin/python3 make_case.py

It also checks the reference itself: with the `even` timing it must reproduce the book's published 1998 figures
(../preston-box-6.2) to within their rounding (0.5 persons).
"""
import csv
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "preston-box-6.2")
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402


def by_sex(name):
    out = {"female": {}, "male": {}, "both": {}}
    with open(os.path.join(SRC, name), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out[r["sex"]][int(r["age"])] = float(r["value"])
    return {s: np.array([v[a] for a in sorted(v)]) for s, v in out.items() if v}


P = by_sex("pop_count_age_sex_base.csv")
L = by_sex("life_table_lt_nLx.csv")
F = by_sex("fert_rate_age_f.csv")["female"]
M = by_sex("mig_net_count_age_sex.csv")  # over the whole step
with open(os.path.join(SRC, "srb.csv"), newline="") as f:
    srb = float(next(csv.DictReader(f))["value"])
S = {s: ref.survival_from_Lx(L[s], 100000.0, 5, "five_year") for s in P}

# Self-check of the reference against the published (even) figures.
published = by_sex("published_preston_pop_count_age_sex_rounded.csv")
even = ref.step(P, S, F, srb, M, 5, "even")
worst = max(np.max(np.abs(even[s] - published[s])) for s in P)
assert worst <= 0.5, f"reference misses the published Box 6.2 figures by {worst} persons"

# The scenario's tables: the published inputs (copied), the base population with zone and group.
for name in ("life_table_lt_nLx.csv", "fert_rate_age_f.csv", "srb.csv", "mig_net_count_age_sex.csv"):
    shutil.copyfile(os.path.join(SRC, name), os.path.join(HERE, name))
ref.write_csv(os.path.join(HERE, "base_population.csv"), ["zone", "group", "sex", "age", "population"],
              [["SWE", "total", s, 5 * i, float(v)] for s in ("female", "male") for i, v in enumerate(P[s])])
end = ref.step(P, S, F, srb, M, 5, "end")
ref.write_expected(os.path.join(HERE, "expected.csv"), {("baseline", 1998): end}, "SWE", "total", 5)
print(f"reference vs published (even): {worst:.4f} persons; end timing totals: "
      f"female {end['female'].sum():.3f}, male {end['male'].sum():.3f}")
