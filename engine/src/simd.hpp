// SPDX-License-Identifier: Apache-2.0
// COHORTGIS_KERNEL marks the step's hot loops for function multi-versioning: GCC compiles them for AVX-512, AVX2 and
// the baseline x86-64 and picks one at load time (ifunc), so a build for any x86-64 runs wide vectors where the CPU
// has them. Results do not change with the width: the loops are element-wise (no reassociated sums) and
// -ffp-contract=off forbids fusing a·b + c, so every element sees the same IEEE operations in the same order.
// Off for other compilers and architectures, and in sanitizer builds (ifunc resolvers run before their runtimes).
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(COHORTGIS_NO_MULTIVERSION)
#define COHORTGIS_KERNEL __attribute__((target_clones("avx512f", "avx2", "default")))
#define COHORTGIS_WIDE_KERNELS 1
#else
#define COHORTGIS_KERNEL
#endif

// An empty asm on an accumulator (no instruction) keeps GCC from vectorising a loop of in-order sums; elsewhere
// nothing (the sums are the same either way, only their instruction count differs).
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define COHORTGIS_KEEP_SCALAR(x) asm("" : "+x"(x))
#else
#define COHORTGIS_KEEP_SCALAR(x) static_cast<void>(x)
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>

#include "cohortgis/engine/ccmpp_step.hpp"

namespace cohortgis::detail {

// A GCC vector of doubles loaded from / stored to memory at any alignment, by reference: a vector argument or result
// would change the ABI between a kernel's clones (-Wpsabi). Always inlined: a copy not inlined would be compiled for
// the default target, not for its caller's clone.
template <typename V>
[[gnu::always_inline]] inline void load_vec(V& v, const double* p) {
  std::memcpy(&v, p, sizeof v);
}
template <typename V>
[[gnu::always_inline]] inline void store_vec(double* p, const V& v) {
  std::memcpy(p, &v, sizeof v);
}

// Kernels whose AVX-512 version is other code, not only other instructions: eight doubles a vector (one AVX-512
// register) instead of four. target_clones compiles one body for every target, and GCC 12 lowers a 64-byte vector
// through the stack where AVX-512 is off (bench/HISTORY.md "Round 15: the lean kernel per cell"), so such a kernel is
// a template on its vector type, compiled as three functions (COHORTGIS_AVX512 with eight lanes, COHORTGIS_AVX2 and
// the baseline with four) and chosen once at load time by an ifunc resolver testing the CPU's features as
// target_clones' resolvers do (pick_kernel). Each cell sees the same operations at either width: the same bits.
#if defined(COHORTGIS_WIDE_KERNELS)
#define COHORTGIS_AVX512 __attribute__((target("avx512f")))
#define COHORTGIS_AVX2 __attribute__((target("avx2")))
// The version for this CPU. Called from an ifunc resolver, before relocations: inline, no call through the PLT.
template <class F>
[[gnu::always_inline]] inline F* pick_kernel(F* avx512, F* avx2, F* other) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") ? avx512 : __builtin_cpu_supports("avx2") ? avx2 : other;
}
#endif
using Cells4 = double __attribute__((vector_size(32)));  // four doubles (an AVX2 register; two SSE2 ones)
using Cells8 = double __attribute__((vector_size(64)));  // eight (an AVX-512 register): COHORTGIS_AVX512 code only
template <class V>
inline constexpr std::size_t kVectorLanes = sizeof(V) / sizeof(double);

// Whether lo ≤ v[i] ≤ hi for every i (false for NaN): a branch-free pass that vectorises, so that a check of every
// value costs little; the slow loop that names the bad value runs only when it fails (ccmpp_step.cpp).
bool all_within(const double* v, std::size_t n, double lo, double hi);

// The ages [lo, hi) outside which a state's births by age of mother are all 0 (empty: no births).
struct BirthsRange {
  std::size_t lo = 0, hi = 0;
};
// The vectors of a state's births (one sex's women): F, A, Q over ages 0 … w, B and the exposure (null: not kept).
struct BirthsOfState {
  std::size_t w;  // the open age's index
  double z;       // the step's width in years
  const double *F, *A, *Q;
  double *B, *exposure;
  // Non-null on the fused path, which stores no A: then A holds the start population P, and A = P + M/2 is made from
  // it and these net migrants M (the same operations as survive_cohorts: the same bits).
  const double* M = nullptr;
};
// births_by_age_of_mother without its sum: B and the exposure (the same bits), the range of ages with births, and in
// `bits` the bitwise OR of F's values (all ages, 0 … w). No value has bit 63 (sign) or 62 (exponent ≥ 1024: 2 or
// more, ∞, NaN) set unless one is negative (−0 included), NaN, ∞ or ≥ 2: bits >> 62 == 0 proves every rate finite and
// ≥ 0 (the step's check); otherwise the rates are checked exactly.
// Those of `count` states in one call (the step's two groups of a zone: one call's set-up instead of two).
void births_by_age_bits_states(const BirthsOfState* s, std::size_t count, BirthsRange* range, std::uint64_t* bits);
inline BirthsRange births_by_age_bits(const BirthsOfState& s, std::uint64_t& bits) {
  BirthsRange r;
  births_by_age_bits_states(&s, 1, &r, &bits);
  return r;
}
// The births of a state: Σ B over the range in age order, in long double (R's sum()), as births_by_age_of_mother.
double sum_births(const double* B, BirthsRange r);
// Those of two states (two calls: their x87 chains are independent and overlap in the core).
std::pair<double, double> sum_births(const double* B0, BirthsRange r0, const double* B1, BirthsRange r1);

// The fused path's A3 steps 2–3 with step 7 of ages 1 … w in the same pass (`even` timing: step 6 adds nothing):
// survive_steps_2_3, and P_end[i] for i ≥ 1 as close_step writes it (Q[i], or kFloorPersons where Q[i] ≥ 0 is false).
// Returns whether one of those cells was floored; close_step_age0 does the rest of close_step once births are known.
// The vectors of `states` consecutive states and sexes, each w + 1 ages (w the open age's index) from S, P, M, D, Q
// and P_end, A3 step 1's A = P + E and E = M/2 made from P and M as they are read (the fused pass stores neither);
// floored[k] = 1 where state k had such a cell, else 0.
void survive_and_close_states(std::size_t w, std::size_t states, const double* S, const double* P, const double* M,
                              double* D, double* Q, double* P_end, unsigned char* floored);
// The women's births of a zone's groups (ZoneBirths): group g's (state 2g, sex 0) rates F, B and exposure (null: not
// kept) at g·n from these, n = w + 1.
struct ZoneBirths {
  double z;              // the step's width in years
  const double* F;       // fertility rates [group][age]
  double *B, *exposure;  // [group][age]; exposure null: not kept
  BirthsRange* range;    // [group]
  std::uint64_t* bits;   // [group]
  // Where births_in_pass holds, Q (ages 0 … w) is stored only for the states with a floored cell (floored[k] = 1),
  // made after the pass from the D it stored, unless this is set: then for every state. What reads Q after the pass
  // reads it only there (StepRunner::close_state: a floored state's cells and adjustments) unless the floor
  // adjustments are kept dense (close_step_age0 then reads every state's). The pass's own two stores of Q per eight
  // ages were ≈ 100 instructions a zone of two groups.
  bool q_every_state = true;
  // The next zone's S, P, P_end (its first state's, laid out as this zone's) and F (its first group's), asked for
  // (prefetched into L2) as the pass reads this zone's: a hint, no value changes. Null: this zone's own (nothing new
  // fetched). See survive_births_and_close_states.
  const double *next_S = nullptr, *next_P = nullptr, *next_F = nullptr, *next_P_end = nullptr;
};
// Whether survive_births_and_close_states makes the births in its pass: w ≥ 9 (births_ages' blocks of eight), steps of
// any width (z · F · (A + Q) / 2, or F · (A + Q) / 2 where z = 1, as births_ages).
inline bool births_in_pass(std::size_t w) { return w >= 9; }
// survive_and_close_states (`states` even: group g's women, then its men) and each group's women's births as
// births_by_age_bits_states makes them from BirthsOfState{w, z, F + g·n, P + 2g·n, Q + 2g·n, B + g·n, exposure + g·n,
// M + 2g·n}: the same B, exposure, range[g] and bits[g]. Where births_in_pass holds they take no pass of their own
// (made from the A[i] = P + M/2 and Q[i] the survive pass holds in registers); otherwise they are made after it.
// Q: see ZoneBirths::q_every_state (where births_in_pass holds, the other states' Q is left as it was).
// Where births_in_pass holds, each block of eight ages also prefetches the same ages of the next zone
// (ZoneBirths::next_*): one line of each array a block, spread over the pass, so that the next zone's survival ratios,
// rates and populations are in L2 when its pass reads them (without it the pass waited on S and F from memory: the
// hardware's stream prefetch runs only a few lines ahead of a stream read a zone at a time).
void survive_births_and_close_states(std::size_t w, std::size_t states, const double* S, const double* P,
                                     const double* M, double* D, double* Q, double* P_end, unsigned char* floored,
                                     const ZoneBirths& births);
// The floored cells of a state's Q (Q ≥ 0 false) counted, and the adjustments kFloorPersons − Q (0 elsewhere) written
// when kept, as close_step counts and writes them.
int floors_of(const double* Q, std::size_t n, std::span<double> floor_adjustment);
// The first age i ≥ from (< n) of a state's Q that is floored (Q[i] ≥ 0 false, NaN included), or n if none.
std::size_t first_floored(const double* Q, std::size_t from, std::size_t n);
// age_period_deaths of `states` consecutive vectors of n_ages ≥ 2 (D, φ and D_age each [state][age], φ's last element
// of each state unused), in one pass: the same bits.
void age_period_deaths_states(const double* D, const double* phi, double* D_age, std::size_t n_ages,
                              std::size_t states);
// births_by_sex (ccmpp_step.hpp) in the engine's own files, compiled with -ffp-contract=off: the step's call per
// (zone, group) inlined. In the public header a caller compiled with contraction could fuse births − births · r.
inline std::pair<double, double> births_by_sex_inline(double births, double srb) {
  const double female = births * (1.0 / (1.0 + srb));
  return {female, births - female};
}
// close_step's steps 5 and 7 of age 0 after survive_and_close_states (D, Q and P_end of age 0 from the state's births,
// S[0] and E[0] = M0/2, M0 the net migrants of age 0); returns whether Q[0] ≥ 0 (not floored).
inline bool close_age0(double births_of_sex, const double* S, double M0, double* D, double* Q, double* P_end) {
  D[0] = (1.0 - S[0]) * births_of_sex;  // step 5, as close_step
  Q[0] = births_of_sex - D[0] + M0 / 2.0;
  P_end[0] = Q[0] >= 0.0 ? Q[0] : kFloorPersons;
  return Q[0] >= 0.0;
}
// close_step after survive_and_close_states: steps 5 and 7 of age 0, and the count of floored cells and the adjustments
// over all ages, as close_step returns and writes them (b.D and b.Q; A and E are not stored on the fused path: E[0]
// from M0 as close_age0). Inline: in the common case (nothing floored, adjustments not kept) a few scalar operations
// and no call.
inline int close_step_age0(double births_of_sex, const double* S, double M0, const SexStepBuffers& b, double* P_end,
                           bool floored_above, std::span<double> floor_adjustment) {
  const bool q0_kept = close_age0(births_of_sex, S, M0, b.D.data(), b.Q.data(), P_end);
  if (!floored_above && q0_kept && floor_adjustment.empty()) return 0;
  return floors_of(b.Q.data(), b.Q.size(), floor_adjustment);
}

}  // namespace cohortgis::detail
