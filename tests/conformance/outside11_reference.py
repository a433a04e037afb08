# SPDX-License-Identifier: Apache-2.0
"""An eleventh outside author's reference (round 24), for the cases whose make_case.py imports it. Written from
scenarios/README.md (for the scenario format only) and a reading of the UN's own R code; the arithmetic is written
anew from the R sources below (GPL sources: no code copied, only the arithmetic), not from cohortgis's source or the
other references:

* markalava/ccmppWPP at 09739c8 (the local mirror's HEAD):
  - R/project_ccmpp_loop_over_time.R: line 31 (the loop reads only the `lt_Sx` rows of the life table), lines 46-47
    (the step of `time_start` Y takes the ASFR and SRB rows of Y), lines 89-90 (override: where P + M <= 0,
    M := 0.00001 - P).
  - R/project_ccmpp_z_by_z.R: lines 79-100 (`end`: A = P, E = 0; `even`: A = P + M/2, E = M/2), 107-118 (cohort
    deaths (1 - S) * lagged A, the open row from A[w-1] + A[w]; end population lagged A - deaths + E), 121-125
    (births z F (A_f + Q_f) / 2 without the first and open rows; girls B / (1 + srb)), 128-133 (row 0 from the
    births), 136-139 (`end`: + M), 142-143 (floor 0.0005).
  - R/ccmppWPP_input_file.R `ccmpp_input_file_proj_variants`: lines 809-817 (constant fertility: the estimates'
    ASFR of `time_start` = first projection year - 1, repeated), 821-843 (instant replacement: ASFR of each
    `time_start` times 100000 / sum over ages of ((lx + lx[next]) / 2) * ASFR / (1 + srb), female lt_lx of that
    year, the last age dropped as NA), 847-863 (constant mortality: the estimates' male and female life tables of
    first projection year - 1, repeated), 867-889 (momentum: as instant replacement with the constant-mortality lx),
    950 (momentum = instant-replacement ASFR, constant mortality, zero migration), 891-893 (the medium variant's SRB
    in every variant).
  - R/ccmppWPP_input_file.R `ccmppWPP_input_file_extend`: lines 302-322 (ASFR ages past the table's last age up to
    130 added as rows of 0), 343-371 (net migrant counts likewise: rows of 0 for ages last + 1 ... 130, so a table
    ending with an open 100+ row keeps its count at single age 100; the net rates all set to 0).
  - R/ccmppWPP_input_file.R `ccmppWPP_input_file_medium`: lines 612-620 (the medium variant's life tables from its
    lt_nMx by `DemoTools::lt_single_mx` with no `a0rule`: the default "ak", whatever MORT_PARAMS says), 667-670
    (its mig_parameter: "counts" and "end" in every projection year); `ccmppWPP_input_file_estimates` lines 51-60 (the
    "cd" a0 rule of a Coale-Demeny or UN model family in MORT_PARAMS' "Estimation" rows, for the estimates, whose
    last year's table the constant-mortality variant repeats, proj_variants 850).
* timriffe/DemoTools at 806cdc3: R/lt_id.R lines 284-336 `lt_id_Ll_S` with N = 1: S[0] = L0 / radix,
  S[x] = L[x] / L[x-1], the open row S[w] = L[w] / (L[w-1] + L[w]); R/lt_single.R lines 23-185 `lt_single_mx`
  (ages 0 ... 130: no extrapolation; nAx = 0.5 at every age but 0, the open row too; a0 from `lt_rule_1a0`);
  R/lt_id.R 233-262 `lt_id_ma_q` (q = n m / (1 + (n - a) m), closeout q = 1, q > 1 -> 1 - exp(-n m)), 99-101
  `lt_id_q_l`, 114-116 `lt_id_l_d`, 186-193 `lt_id_lda_L` (open L = l a); R/lt_rule.R 314-323 `lt_rule_ak_m0_a0`;
  R/nAx.R 59-103 `lt_rule_1a0_cd` (IMR from M0 by the PAS quadratic, a0 = const if IMR > 0.1, else alpha + beta IMR);
  R/graduate.R 1042-1090 `graduate_mono` (R's `splinefun(method = "hyman")` through (x, cumsum): R's stats
  splinefun.R fits the "fmm" spline (`.Call(C_SplineCoef, min(3L, iMeth), x, y)`, iMeth 5 -> 3), filters its
  slopes with `hyman_filter` and evaluates the Hermite cubic; the FMM end conditions (Forsythe, Malcolm & Moler 1977)
  match the third derivative of the cubic through the four end knots); R/AGEINT.R 196-260 `interp` with
  `method = "linear"`: `stats::approx` per row (R's approx1: y[i] + (y[j] - y[i]) * ((v - x[i]) / (x[j] - x[i]))),
  NA outside the given dates unless `extrap`.

Never calls cohortgis. A population is {"female": list, "male": list} on single ages 0 ... 130 (130 the open row).
"""
import csv
import math

SEXES = ("female", "male")
OPEN = 130
AGES = list(range(OPEN + 1))
RADIX = 100000.0


# --- the UN's tables (synthetic, written as the UN's long files) ------------------------------------------------

def mx_schedule(sex, year):
    """A smooth death-rate schedule (Siler-like), falling 1.5 % a year; the synthetic input, not UN arithmetic."""
    t = year - 2019
    level = math.exp(-0.015 * t) * (1.12 if sex == "male" else 1.0)
    out = []
    for x in AGES:
        m = 0.02 * math.exp(-1.3 * x) + 0.0004 + 0.00004 * math.exp(0.095 * x)
        out.append(min(level * m, 1.5))
    return out


def single_life_table(mx):
    """lx and nLx of a single-year table on 0 ... 130+: a0 = 0.14 (a fixed a0: the table is an input, not the
    subject), ax = 0.5 from age 1, q = m / (1 + (1 - a) m), the open row L = l / 2 (nAx = 0.5 at 130)."""
    lx, Lx = [RADIX], []
    for x in AGES[:-1]:
        a = 0.14 if x == 0 else 0.5
        q = mx[x] / (1.0 + (1.0 - a) * mx[x])
        d = lx[x] * q
        lx.append(lx[x] - d)
        Lx.append(lx[x + 1] + a * d)
    Lx.append(lx[OPEN] * 0.5)
    return lx, Lx


def survival_ratios(Lx, radix=RADIX):
    """DemoTools lt_id_Ll_S (R/lt_id.R 284-336), N = 1: by the age at arrival."""
    S = [Lx[0] / radix]
    S += [Lx[x] / Lx[x - 1] for x in range(1, OPEN)]
    S.append(Lx[OPEN] / (Lx[OPEN - 1] + Lx[OPEN]))
    return S


def asfr_schedule(year, tfr):
    """ASFR on 15 ... 49 (a gamma-like shape scaled to the TFR), 0 elsewhere; synthetic input."""
    shape = [0.0] * (OPEN + 1)
    for x in range(15, 50):
        u = x + 0.5 - 14.0
        shape[x] = u ** 4.2 * math.exp(-u / 3.3)
    total = sum(shape)
    return [tfr * s / total for s in shape]


# --- DemoTools' single-year life table from rates -------------------------------------------------------------

def a0_andreev_kingkade(m0, sex):
    """lt_rule_ak_m0_a0 (R/lt_rule.R 314-323)."""
    if sex == "male":
        return 0.14929 - 1.99545 * m0 if m0 < 0.0230 else (0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915)
    return 0.14903 - 2.05527 * m0 if m0 < 0.01724 else (0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411)


def a0_coale_demeny_west(m0, sex):
    """lt_rule_1a0_cd (R/nAx.R 59-103), region "w", IMR not given."""
    const, alpha, beta = (0.33, 0.0425, 2.875) if sex == "male" else (0.35, 0.05, 3.0)
    a = m0 * beta
    b = 1 + m0 * (1 - alpha)
    middle = b ** 2 - 4 * a * m0
    imr = 0.2 if middle <= 0 else (b - math.sqrt(middle)) / (2 * a)
    return const if imr > 0.1 else alpha + beta * imr


def lt_single_mx(mx, sex, a0_rule):
    """lx and nLx of DemoTools' lt_single_mx on ages 0 ... 130 (max(Age) = 130: nothing extrapolated)."""
    ax = [0.5] * (OPEN + 1)
    ax[0] = a0_rule(mx[0], sex)
    qx = [m / (1 + (1 - a) * m) for m, a in zip(mx, ax)]
    qx[OPEN] = 1.0  # closeout
    qx = [1 - math.exp(-m) if q > 1 else q for q, m in zip(qx, mx)]
    lx = [RADIX]
    for x in range(OPEN):
        lx.append(lx[x] * (1 - qx[x]))
    dx = [lx[x] - (lx[x + 1] if x < OPEN else 0.0) for x in AGES]
    Lx = [1 * lx[x + 1] + ax[x] * dx[x] for x in range(OPEN)] + [lx[OPEN] * ax[OPEN]]
    return lx, Lx


# --- DemoTools' graduate_mono -------------------------------------------------------------------------------------

def fmm_spline_slopes(x, y):
    """First derivatives at the knots of R's "fmm" interpolating spline (end third derivatives from divided
    differences of the four end knots); n >= 4."""
    n = len(x)
    h = [x[i + 1] - x[i] for i in range(n - 1)]
    sec = [(y[i + 1] - y[i]) / h[i] for i in range(n - 1)]
    # tridiagonal system in sigma = S''/6: h[i-1] s[i-1] + 2 (h[i-1] + h[i]) s[i] + h[i] s[i+1] = sec[i] - sec[i-1]
    diag = [-h[0]] + [2 * (h[i - 1] + h[i]) for i in range(1, n - 1)] + [-h[n - 2]]
    rhs = [0.0] + [sec[i] - sec[i - 1] for i in range(1, n - 1)] + [0.0]
    dd3a = (sec[2] - sec[1]) / (x[3] - x[1]) - (sec[1] - sec[0]) / (x[2] - x[0])
    dd3b = (sec[n - 2] - sec[n - 3]) / (x[n - 1] - x[n - 3]) - (sec[n - 3] - sec[n - 4]) / (x[n - 2] - x[n - 4])
    rhs[0] = dd3a * h[0] ** 2 / (x[3] - x[0])
    rhs[n - 1] = -dd3b * h[n - 2] ** 2 / (x[n - 1] - x[n - 4])
    off = h  # off-diagonal i, i+1
    for i in range(1, n):  # elimination
        t = off[i - 1] / diag[i - 1]
        diag[i] -= t * off[i - 1]
        rhs[i] -= t * rhs[i - 1]
    sig = [0.0] * n
    sig[n - 1] = rhs[n - 1] / diag[n - 1]
    for i in range(n - 2, -1, -1):
        sig[i] = (rhs[i] - off[i] * sig[i + 1]) / diag[i]
    b = [sec[i] - h[i] * (sig[i + 1] + 2 * sig[i]) for i in range(n - 1)]
    b.append(sec[n - 2] + h[n - 2] * (sig[n - 2] + 2 * sig[n - 1]))
    return b


def hyman_filter(x, y, b):
    """R's hyman_filter: the slope keeps the data's sign and at most 3 x the smaller neighbouring secant."""
    n = len(x)
    ss = [(y[i + 1] - y[i]) / (x[i + 1] - x[i]) for i in range(n - 1)]
    s0 = [ss[0]] + ss
    s1 = ss + [ss[-1]]
    out = list(b)
    for i in range(n):
        t1 = min(abs(s0[i]), abs(s1[i]))
        sig = s1[i] if s0[i] * s1[i] > 0 else b[i]
        out[i] = min(max(0.0, b[i]), 3 * t1) if sig >= 0 else max(min(0.0, b[i]), -3 * t1)
    return out


def graduate_mono(values, first_age, width=5):
    """DemoTools graduate_mono(Value, Age, AgeInt, OAG = FALSE): single-age values from groups of `width` years."""
    x = [first_age + width * i for i in range(len(values) + 1)]
    y = [0.0]
    for v in values:
        y.append(y[-1] + v)
    b = hyman_filter(x, y, fmm_spline_slopes(x, y))
    cum = []
    for a in range(x[0], x[-1] + 1):
        i = min((a - x[0]) // width, len(x) - 2)
        hh = x[i + 1] - x[i]
        u = (a - x[i]) / hh
        cum.append((2 * u ** 3 - 3 * u ** 2 + 1) * y[i] + (u ** 3 - 2 * u ** 2 + u) * hh * b[i]
                   + (-2 * u ** 3 + 3 * u ** 2) * y[i + 1] + (u ** 3 - u ** 2) * hh * b[i + 1])
    return [cum[k + 1] - cum[k] for k in range(len(cum) - 1)]


def interp_linear(dates_in, rows_in, date_out):
    """DemoTools interp(popmat, datesIn, datesOut, method = "linear") at one date inside the given ones."""
    for i in range(len(dates_in) - 1):
        lo, hi = dates_in[i], dates_in[i + 1]
        if lo <= date_out <= hi:
            return [a + (b - a) * ((date_out - lo) / (hi - lo)) for a, b in zip(rows_in[i], rows_in[i + 1])]
    raise ValueError("outside the given dates: interp gives NA without extrap")


# --- ccmppWPP's step (R/project_ccmpp_loop_over_time.R, R/project_ccmpp_z_by_z.R), z = 1 -------------------------

def un_step(P, S, F, srb, M, assumption):
    """One step of project_ccmpp_z_by_z after the loop's override; returns the end population."""
    w = OPEN
    M = {s: [(0.00001 - P[s][x]) if P[s][x] + M[s][x] <= 0 else M[s][x] for x in AGES] for s in SEXES}  # loop 89-90
    A, E, Q = {}, {}, {}
    for s in SEXES:
        if assumption == "end":  # z_by_z 79-88
            A[s] = list(P[s])
            E[s] = [0.0] * (w + 1)
        else:  # "even", z_by_z 89-100
            A[s] = [P[s][x] + M[s][x] / 2 for x in AGES]
            E[s] = [M[s][x] / 2 for x in AGES]
        q = [0.0] * (w + 1)
        for x in range(1, w):  # z_by_z 107-118: lagged A minus cohort deaths, plus E
            deaths = (1 - S[s][x]) * A[s][x - 1]
            q[x] = A[s][x - 1] - deaths + E[s][x]
        open_a = A[s][w - 1] + A[s][w]
        q[w] = open_a - (1 - S[s][w]) * open_a + E[s][w]
        Q[s] = q
    births = sum(1 * F[x] * (A["female"][x] + Q["female"][x]) / 2 for x in range(1, w))  # z_by_z 121-123
    girls = births * (1 / (1 + srb))  # z_by_z 124
    boys = births - girls
    for s, b in (("female", girls), ("male", boys)):  # z_by_z 128-133
        Q[s][0] = b - (1 - S[s][0]) * b + E[s][0]
        if assumption == "end":  # z_by_z 136-139
            Q[s] = [Q[s][x] + M[s][x] for x in AGES]
        Q[s] = [0.0005 if v < 0 else v for v in Q[s]]  # z_by_z 142-143
    return Q


def project(P0, years, inputs, assumption):
    """project_ccmpp_loop_over_time: the step of time_start Y reads the rows of Y (loop 46-59)."""
    out, P = {years[0]: P0}, P0
    for y in years:
        S, F, srb, M = inputs(y)
        P = un_step(P, S, F, srb, M, assumption)
        out[y + 1] = P
    return out


# --- ccmpp_input_file_proj_variants (R/ccmppWPP_input_file.R 711-960) -------------------------------------------

def replacement_factor(lx_female, asfr, srb):
    """Lines 832-837 (and 878-883): 100000 / sum_x ((lx + lx[x+1]) / 2) * ASFR / (1 + srb), the NA of the last
    age dropped. The 100000 is the UN's radix, written in the code (not l0)."""
    births = [((lx_female[x] + lx_female[x + 1]) / 2 * asfr[x]) * (1 / (1 + srb)) for x in range(OPEN)]
    return 100000 / sum(births)


# --- writing ------------------------------------------------------------------------------------------------------

def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_expected(path, runs, zone="X"):
    rows = []
    for variant, pops in runs:
        for year in sorted(pops):
            for s in SEXES:
                for x in AGES:
                    rows.append([variant, year, zone, "total", s, x, repr(pops[year][s][x])])
    write_csv(path, ["variant", "year", "zone", "group", "sex", "age", "population"], rows)


def base_population():
    P = {}
    for s in SEXES:
        k = 1.0 if s == "female" else 1.04
        P[s] = [k * 60000.0 * math.exp(-0.012 * x) * (1 - 1 / (1 + math.exp(-(x - 78) / 6.0))) + 0.5 for x in AGES]
    return P
