#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a synthetic person-level register of N persons for benchmarks of `[base_population] records`: one row per
person with an 18-character id, date of birth, sex, zone code (of Z zones), hukou group and, for women, children ever
born; rows in random order, a fixed seed. Written in chunks: memory stays that of one chunk.

    /usr/bin/python3 bench/make_register.py --persons 20000000 --zones 16 --out /tmp/register_20m.csv
"""
import argparse
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--zones", type=int, default=16)
    ap.add_argument("--base-year", type=int, default=2020)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    zones = np.array([f"Z{z:04d}" for z in range(a.zones)])
    first = np.datetime64(f"{a.base_year - 100}-01-01")
    span = int((np.datetime64(f"{a.base_year}-12-31") - first).astype(int)) + 1
    # Ids: a random permutation, so that the duplicate check sees them in no useful order.
    ids = rng.permutation(a.persons)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("person_id,birth_date,sex,zone,hukou,children_ever_born\n")
        chunk = 500_000
        for s in range(0, a.persons, chunk):
            n = min(chunk, a.persons - s)
            # Ages 0-100 with fewer old people: triangular-ish draw on days since birth.
            days = (span * (1 - np.sqrt(rng.random(n)))).astype(np.int64)
            dob = (np.datetime64(f"{a.base_year}-12-31") - days).astype(str)
            female = rng.random(n) < 0.5
            sex = np.where(female, "F", "M")
            zone = zones[rng.integers(0, a.zones, n)]
            hukou = np.where(rng.random(n) < 0.35, "floating", "registered")
            ceb = np.where(female & (days > 15 * 365), np.minimum(rng.poisson(1.2, n), 6).astype(str), "")
            pid = np.char.add("1101", np.char.zfill(ids[s:s + n].astype(str), 14))
            f.write("".join(f"{p},{d},{x},{z},{h},{c}\n" for p, d, x, z, h, c in zip(pid, dob, sex, zone, hukou, ceb)))
    print(f"{a.out}: {a.persons} persons in {a.zones} zones", file=sys.stderr)


if __name__ == "__main__":
    main()
