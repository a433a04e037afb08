# SPDX-License-Identifier: Apache-2.0
"""A seventeenth outside author's reference (round 29), plain Python (no numpy): bayesPop's **five-year**
projection and its migration **rate codes**, which no earlier reference computed.

Written from scenarios/README.md (the scenario format only) and the UN Population Division's own code, read anew;
no code was copied, each function re-expresses the arithmetic of the lines it names:

* PPgp/bayesPop at e361b87 (GPL-3): src/projection_functions.c `CCM` (lines 61-533: the step for any grid, the
  migration codes `MIGratecode` 0-3 of lines 129-188 and 260-470); R/predict.pop.R `StoPopProj` (lines 2575-2649:
  the base padded with zeros to the projection's age groups, `asfr` passed as it is), the trajectory loop (lines
  225-233: asfr = TFR · PASFR / 100 per period), `survival.fromLT` (lines 2406-2431) with `include01 = annual`,
  `LifeTableMx` and `.collapse.Lx/.lx/.sx` (lines 3110-3194), `KannistoAxBx.joint` (lines 2449-2460: abridged
  rates extended from est.ages 80, 85, 90, 95 to proj.ages 100 … 130), `.get.mig.data` (lines 1236-1237: migM/migF
  files with rates give code 3) and `migration.totals2age` (lines 1166-1193: code 1 schedules are |proportions|);
  R/get_outputs.R `age.length.all`, `age.index.fert` (5x5: 27 groups 0-4 … 130+, observed 21 to 100+, fertile
  groups 4:10 = 15-19 … 45-49).
* PPgp/MortCast at 890634a (GPL >= 2): R/life_table.R `life.table` (lines 49-107) and src/functions.c `doLifeTable`
  (lines 122-184: the abridged table), `get_a05_ak`/`get_a05_cd` (lines 24-99), `LTextraColumns` with nx = 5 (lines
  229-267); R/kannisto.R `cokannisto` (MortCast's coherent Kannisto, whose fit `../outside16_reference.py`
  already re-expresses: it is imported from there, not written twice).
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import outside16_reference as ref16  # noqa: E402

DBL_MIN = 2.2250738585072014e-308
MINPOP = 0.0005          # CCM's `minpop`
MAX_OUT_RATE = -0.8      # CCM's `max_out_rate`: at most 80 % of a population leaves under a rate code


# ---------------------------------------------------------------- MortCast: the abridged life table

def ak_cd_a0_4a1(m0, sex):
    """get_a05_ak (src/functions.c:74-99): a0 by Andreev–Kingkade from m0 (get_a0_ak_*, lines 56-68, the
    constants of DemoTools' m0 form, `ref16.a0_andreev_kingkade`), 4a1 by Coale–Demeny **from m0** (get_a05_cd,
    lines 24-54: 1.522 − 1.518 m0 for women, 1.651 − 2.816 m0 for men below m0 = 0.107; 1.361 / 1.352 above)."""
    a0 = ref16.a0_andreev_kingkade(m0, sex)
    if sex == "f":
        a41 = 1.522 - 1.518 * m0 if m0 < 0.107 else 1.361
    else:
        a41 = 1.651 - 2.816 * m0 if m0 < 0.107 else 1.352
    return a0, a41


def mortcast_life_table_abridged(mx, sex, greville_from_5=False):
    """life.table(mx, sex, abridged = TRUE, radix = 1, open.age = 130) on rows 0, 1, 5, …, 130 (28 rates):
    doLifeTable (src/functions.c:122-184) and LTextraColumns(nx = 5) (lines 229-267).

    * ax: row 0 and 1 as `ak_cd_a0_4a1`; rows 5 and 10 **2.5** ("backward compatibility with Mortpak");
      rows 15 … 120 Greville 2.5 − 25/12 · (m − k), k = 0.1 · ln(max(m(x+5) / max(m(x−5), DBL_MIN), DBL_MIN));
      row 125 with the k of row 120; every row from 45 to 125 (C rows 10 … 26) at least 0.97.
    * q = m / (1 + (1 − a) m) at 0, 4m / (1 + (4 − a) m) at 1, 5m / (1 + (5 − a) m) from 5; l(x+n) = l(x)(1 − q)
      (from row 5 on at least DBL_MIN); L = n · l(x+n) + a · (l(x) − l(x+n)); the open row L = l / max(m, DBL_MIN).
    * sx (LTextraColumns, nx = 5): row 0 (L0 + L1) / 5 · l0 (births → 0-4), row 1 L5 / (L0 + L1), row x ≥ 5
      L(x+5) / L(x), row 125 L130 / (L125 + L130), row 130 0 — the layout of the UN's abridged `Sx` (ratios on the
      rows 0, 1, 5, … by the age at the start, 0 on the open row).

    `greville_from_5` (a mutant): Greville's formula at 5 and 10 too, where MortCast sets 2.5.
    Returns a dict of lists over the 28 rows: ax, qx, lx, Lx, sx, Tx, ex."""
    if len(mx) != 28:
        raise ValueError("the abridged table here runs 0, 1, 5, …, 130")
    nage = len(mx) - 1                       # life.table passes nage − 1 = 27 to the C code
    ax = [0.0] * (nage + 1)
    qx = [0.0] * (nage + 1)
    lx = [0.0] * (nage + 1)
    Lx = [0.0] * (nage + 1)
    ax[0], ax[1] = ak_cd_a0_4a1(mx[0], sex)
    qx[0] = mx[0] / (1 + (1 - ax[0]) * mx[0])
    qx[1] = 4 * mx[1] / (1 + (4 - ax[1]) * mx[1])
    lx[0] = 1.0
    lx[1] = lx[0] * (1 - qx[0])
    lx[2] = lx[1] * (1 - qx[1])
    Lx[0] = lx[1] + ax[0] * (lx[0] - lx[1])
    Lx[1] = 4 * lx[2] + ax[1] * (lx[1] - lx[2])
    ax[2] = 2.5
    ax[3] = 2.5
    first_greville = 2 if greville_from_5 else 4
    k = 0.0
    for i in range(first_greville, nage - 1):
        k = 0.1 * math.log(max(mx[i + 1] / max(mx[i - 1], DBL_MIN), DBL_MIN))
        ax[i] = 2.5 - (25 / 12.0) * (mx[i] - k)
    ax[nage - 1] = 2.5 - (25 / 12.0) * (mx[nage - 1] - k)
    for i in range(10, nage):
        if ax[i] < 0.97:
            ax[i] = 0.97
    for i in range(2, nage):
        qx[i] = 5 * mx[i] / (1 + (5 - ax[i]) * mx[i])
        lx[i + 1] = max(lx[i] * (1 - qx[i]), DBL_MIN)
        Lx[i] = 5 * lx[i + 1] + ax[i] * (lx[i] - lx[i + 1])
    Lx[nage] = lx[nage] / max(mx[nage], DBL_MIN)
    qx[nage] = 1.0
    Tx = [0.0] * (nage + 1)
    Tx[nage] = Lx[nage]
    for i in range(nage - 1, -1, -1):
        Tx[i] = Tx[i + 1] + Lx[i]
    sx = [0.0] * (nage + 1)
    sx[0] = (Lx[0] + Lx[1]) / 5 * lx[0]
    sx[1] = Lx[2] / (Lx[0] + Lx[1])
    for i in range(2, nage - 1):
        sx[i] = Lx[i + 1] / Lx[i]
    sx[nage - 1] = Lx[nage] / (Lx[nage - 1] + Lx[nage])
    sx[nage] = 0.0
    ex = [t / l for t, l in zip(Tx, lx)]
    return {"ax": ax, "qx": qx, "lx": lx, "Lx": Lx, "sx": sx, "Tx": Tx, "ex": ex}


def survival_from_lt_5(mx, sex, greville_from_5=False):
    """survival.fromLT(annual = FALSE) → LifeTableMx(abridged = TRUE) → `.collapse.*` with age05 = (F, F, T):
    the 27 groups 0-4, 5-9, …, 130+ of CCM. Returns (sr, L, l): sr = the table's sx without its last row (sr[0]
    births → 0-4, sr[i] group i−1 → i, sr[26] the open group), L = (L0 + L1, L5, …, L130), l = (l0, l5, …, l130)."""
    lt = mortcast_life_table_abridged(mx, sex, greville_from_5)
    sr = lt["sx"][:-1]
    L = [lt["Lx"][0] + lt["Lx"][1]] + lt["Lx"][2:]
    l = [lt["lx"][0]] + lt["lx"][2:]
    return sr, L, l


def kannisto_abridged(mx_male, mx_female):
    """KannistoAxBx.joint(annual = FALSE) (R/predict.pop.R:2449-2460): MortCast's cokannisto of the rows 80, 85,
    90, 95 of abridged rates (rows 0, 1, 5, …, 100), predicted at 100, 105, …, 130 (the given 100 overwritten).
    22 rows in, 28 out."""
    rows = [0, 1] + list(range(5, 101, 5))
    if len(mx_male) != len(rows) or len(mx_female) != len(rows):
        raise ValueError("abridged rates 0, 1, 5, …, 100 expected")
    est = [80, 85, 90, 95]
    pick = [rows.index(a) for a in est]
    (cm, dm), (cf, df) = ref16.cokannisto_estimate([mx_male[i] for i in pick], [mx_female[i] for i in pick], est)
    proj = list(range(100, 131, 5))
    keep = rows.index(100)
    return (list(mx_male[:keep]) + ref16.kannisto_predict(cm, dm, proj),
            list(mx_female[:keep]) + ref16.kannisto_predict(cf, df, proj))


# ---------------------------------------------------------------- bayesPop: one step of CCM

FERTILE_5 = range(3, 10)   # age.index.fert(annual = FALSE) = 4:10, 0-based 3 … 9: 15-19 … 45-49
FERTILE_1 = range(10, 55)  # age.index.fert(annual = TRUE) = 11:55, 0-based 10 … 54: single years 10 … 54


def ccm_step(popm, popf, srm, srf, asfr, srb, migm, migf, mig_type=0, rate_code=0, rate_m=0.0, rate_f=0.0,
             fertile=FERTILE_5):
    """One period of bayesPop's CCM (src/projection_functions.c), nobserved = 0, on any grid: lists by group
    (five-year groups with `fertile` FERTILE_5, single years with FERTILE_1; outside16's single-year case uses it).

    `asfr` by group (only `fertile` groups are read), as CCM takes it: births over the whole period per woman
    (TFR · PASFR / 100 on five-year groups), B = Σ (A_f + Q_f) · asfr / 2. `srb` boys per girl: boys B · srb /
    (1 + srb), girls the rest (lines 233-251).

    rate_code 0 (counts, lines 145-166): mig_type 0 half at the start and half added with the survivors, 9 all at
    the end. rate_code > 0: migm/migf are schedules, all at the end (lines 167-176), made counts from the
    population Q after deaths and births (lines 260-438):
      1  (|proportions|) total T = max(r_m, −0.8) · ΣQ_m + max(r_f, −0.8) · ΣQ_f, M = max(max(0, Q) · −0.8, T · s);
      2  (signed counts) the difference T − Σs spread over the positive part of s (T > 0) or its negative part;
      3  (the file's values) M = max(max(0, Q) · −0.8, s): the values are added **as counts** (line 434).
    Then (lines 440-454) a negative M becomes min(0, max(M, −Q + 0.0005)), and for codes 1 and 2 (lines 456-470)
    C = min(ΣM − T_sex, Σ positive M) (T_sex the sex's total after its distribution) is taken off the positive
    cells in proportion when above 0.

    Returns a dict: end_m, end_f, cdeaths_m, cdeaths_f, births_m, births_f, mig_m, mig_f (CCM's finmig: the
    migrants of the period), acted (a list of what cut or capped a count)."""
    n = len(popm)
    acted = []
    if rate_code == 0 and mig_type == 0:
        start_m = [0.5 * v for v in migm]
        start_f = [0.5 * v for v in migf]
        mid_m, mid_f = list(start_m), list(start_f)
        end_m, end_f = [0.0] * n, [0.0] * n
    else:
        start_m, start_f = [0.0] * n, [0.0] * n
        mid_m, mid_f = [0.0] * n, [0.0] * n
        end_m, end_f = list(migm), list(migf)
    adj_m = [p + s for p, s in zip(popm, start_m)]
    adj_f = [p + s for p, s in zip(popf, start_f)]
    cd_m, cd_f = [0.0] * n, [0.0] * n
    q_m, q_f = [0.0] * n, [0.0] * n
    for i in range(1, n - 1):
        cd_m[i] = adj_m[i - 1] * (1 - srm[i])
        cd_f[i] = adj_f[i - 1] * (1 - srf[i])
        q_m[i] = adj_m[i - 1] - cd_m[i] + mid_m[i]
        q_f[i] = adj_f[i - 1] - cd_f[i] + mid_f[i]
    w = n - 1
    cd_m[w] = (adj_m[w - 1] + adj_m[w]) * (1 - srm[w])
    cd_f[w] = (adj_f[w - 1] + adj_f[w]) * (1 - srf[w])
    q_m[w] = adj_m[w - 1] + adj_m[w] - cd_m[w] + mid_m[w]
    q_f[w] = adj_f[w - 1] + adj_f[w] - cd_f[w] + mid_f[w]
    srb_ratio = srb / (1 + srb)
    b = 0.0
    for i in fertile:
        b += (adj_f[i] + q_f[i]) * asfr[i] * 0.5
    bm = b * srb_ratio
    bf = b - bm
    cd_m[0] = bm * (1 - srm[0])
    cd_f[0] = bf * (1 - srf[0])
    q_m[0] = bm - cd_m[0] + mid_m[0]
    q_f[0] = bf - cd_f[0] + mid_f[0]

    tot_m = tot_f = 0.0
    pos_m = pos_f = 0.0
    if rate_code > 0:
        if rate_code in (1, 2):
            t_m = max(rate_m, MAX_OUT_RATE) * sum(q_m)
            t_f = max(rate_f, MAX_OUT_RATE) * sum(q_f)
            total = t_m + t_f
            if rate_code == 1:
                tot_m = tot_f = 0.0
                for i in range(n):
                    cap_m, cap_f = max(0.0, q_m[i]) * MAX_OUT_RATE, max(0.0, q_f[i]) * MAX_OUT_RATE
                    if total * end_m[i] < cap_m or total * end_f[i] < cap_f:
                        acted.append("code 1: 80 %% cap at group %d" % i)
                    end_m[i] = max(cap_m, total * end_m[i])
                    end_f[i] = max(cap_f, total * end_f[i])
                    tot_m += end_m[i]
                    tot_f += end_f[i]
            else:
                s_all = sum(end_m) + sum(end_f)
                s_pos = sum(max(0.0, v) for v in end_m) + sum(max(0.0, v) for v in end_f)
                s_neg = sum(min(0.0, v) for v in end_m) + sum(min(0.0, v) for v in end_f)
                tot_m = tot_f = 0.0
                for i in range(n):
                    if total > 0:
                        if end_m[i] > 0:
                            end_m[i] = end_m[i] + (total - s_all) * end_m[i] / s_pos
                        if end_f[i] > 0:
                            end_f[i] = end_f[i] + (total - s_all) * end_f[i] / s_pos
                    else:
                        if end_m[i] < 0:
                            end_m[i] = end_m[i] + (total - s_all) * end_m[i] / s_neg
                        if end_f[i] < 0:
                            end_f[i] = end_f[i] + (total - s_all) * end_f[i] / s_neg
                    tot_m += end_m[i]
                    tot_f += end_f[i]
            pos_m = sum(v for v in end_m if v > 0)
            pos_f = sum(v for v in end_f if v > 0)
        elif rate_code == 3:
            for i in range(n):
                cap_m, cap_f = max(0.0, q_m[i]) * MAX_OUT_RATE, max(0.0, q_f[i]) * MAX_OUT_RATE
                if end_m[i] < cap_m or end_f[i] < cap_f:
                    acted.append("code 3: 80 %% cap at group %d" % i)
                end_m[i] = max(cap_m, end_m[i])
                end_f[i] = max(cap_f, end_f[i])
        else:
            raise ValueError("rate codes 4-6 (FDM) are not re-expressed here")

    sum_m = sum_f = 0.0
    for i in range(n):
        for mig, q, label in ((end_m, q_m, "male"), (end_f, q_f, "female")):
            if mig[i] < 0:
                new = min(0.0, max(mig[i], -q[i] + MINPOP))
                if new != mig[i]:
                    acted.append("end cut at %s group %d" % (label, i))
                mig[i] = new
        sum_m += end_m[i]
        sum_f += end_f[i]
    if rate_code in (1, 2):
        c_m = min(sum_m - tot_m, pos_m)
        c_f = min(sum_f - tot_f, pos_f)
        if c_m > 0 or c_f > 0:
            for i in range(n):
                if end_m[i] > 0 and pos_m > 0:
                    end_m[i] = end_m[i] - c_m * end_m[i] / pos_m
                if end_f[i] > 0 and pos_f > 0:
                    end_f[i] = end_f[i] - c_f * end_f[i] / pos_f
    out_m = [q + m for q, m in zip(q_m, end_m)]
    out_f = [q + m for q, m in zip(q_f, end_f)]
    fin_m = [a + b_ + c for a, b_, c in zip(start_m, mid_m, end_m)]
    fin_f = [a + b_ + c for a, b_, c in zip(start_f, mid_f, end_f)]
    return {"end_m": out_m, "end_f": out_f, "cdeaths_m": cd_m, "cdeaths_f": cd_f, "births_m": bm, "births_f": bf,
            "mig_m": fin_m, "mig_f": fin_f, "acted": acted}


def pad_observed(values, n_groups=27):
    """StoPopProj (R/predict.pop.R:2585-2586) and CCM (lines 129-138): an observed population or migration table
    on 21 groups 0-4 … 100+ is padded with zeros to the projection's 27; its 100+ value becomes the group 100-104."""
    return list(values) + [0.0] * (n_groups - len(values))


# ---------------------------------------------------------------- the cases' country (made up, e0 near 74)

ROWS_5 = [0, 1] + list(range(5, 101, 5))     # the abridged rows of the given rates, 100 the open one
GROUPS = list(range(0, 131, 5))              # CCM's 27 groups: 0-4 … 125-129, 130+
OBSERVED = list(range(0, 101, 5))            # the observed groups, 100+ last


def given_rates(year, sex):
    """Abridged death rates on 0, 1, 5, …, 95, 100+ of a country with e0 near 74, falling 4 % a period."""
    t = (year - 2020) / 5.0
    male = sex == "m"
    out = []
    for x in ROWS_5:
        if x == 0:
            m = 0.0105 if male else 0.0088
        elif x == 1:
            m = 0.00062 if male else 0.00051
        else:
            mid = x + 2.5
            hump = (0.0011 if male else 0.00032) * math.exp(-((mid - 23.0) / 7.0) ** 2)
            m = 0.00018 + hump + (0.000042 if male else 0.000025) * math.exp(0.0935 * mid)
        out.append(m * 0.96 ** t)
    out[-1] = out[-2] * 1.45
    return out


def rates_130(year):
    """The given rates extended as bayesPop extends them: (male, female) on the 28 rows 0, 1, 5, …, 130."""
    return kannisto_abridged(given_rates(year, "m"), given_rates(year, "f"))


def base_population():
    """(male, female) on the 21 observed groups 0-4 … 100+ of 2020 (persons)."""
    m, f = [], []
    for a in OBSERVED:
        size = 260000.0 * math.exp(-0.009 * a) * math.exp(-0.0004 * math.exp(0.075 * a))
        f.append(size * (1.0 + 0.04 * math.sin(a / 11.0)))
        m.append(size * 1.03 * math.exp(-0.0002 * math.exp(0.075 * a)))
    return m, f


PASFR_SHAPE = [5.2, 18.9, 29.4, 25.7, 14.1, 5.3, 1.4]      # percent at 15-19 … 45-49, the first period


def pasfr(year):
    """bayesPop's PASFR (percent, summing to 100) by period: older a little each period."""
    t = (year - 2020) // 5
    raw = [v * (1.0 + 0.06 * t * (i - 3)) for i, v in enumerate(PASFR_SHAPE)]
    s = sum(raw)
    return [100.0 * v / s for v in raw]


TFR = {2020: 2.31, 2025: 2.17, 2030: 2.06}                # by period start
SRB = {2020: 1.057, 2025: 1.055, 2030: 1.053}


def asfr_ccm(year):
    """What the trajectory loop passes to CCM (R/predict.pop.R:231-233): TFR · PASFR / 100 by fertile group,
    births per woman over the **period**, on the 27 groups (0 outside 15-49)."""
    out = [0.0] * len(GROUPS)
    for i, share in zip(FERTILE_5, pasfr(year)):
        out[i] = TFR[year] * (share / 100.0)
    return out


# ---------------------------------------------------------------- writing tables (the same writer as outside16)

write_csv = ref16.write_csv
