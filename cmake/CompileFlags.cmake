# cohortgis::compile_flags — one interface target every cohortgis target links.
# -ffp-contract=off: no fused multiply-add contraction, so results do not depend on whether
# the compiler or CPU fuses a*b+c (bit-identical results across machines and builds).
add_library(cohortgis_compile_flags INTERFACE)
add_library(cohortgis::compile_flags ALIAS cohortgis_compile_flags)
target_compile_options(cohortgis_compile_flags INTERFACE
  -ffp-contract=off -fno-fast-math
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
# GCC 12 at -O3 reports false -Wrestrict/-Wstringop-overflow warnings inside libstdc++'s std::string (GCC bug 105329).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(cohortgis_compile_flags INTERFACE -Wno-restrict -Wno-stringop-overflow)
endif()
if(COHORTGIS_WERROR)
  target_compile_options(cohortgis_compile_flags INTERFACE -Werror)
endif()
if(COHORTGIS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "COHORTGIS_FUZZ needs clang (CC=clang-14 CXX=clang++-14)")
  endif()
  set(COHORTGIS_SANITIZE ON)
  target_compile_options(cohortgis_compile_flags INTERFACE -fsanitize=fuzzer-no-link)
  target_compile_definitions(cohortgis_compile_flags INTERFACE COHORTGIS_DATA="${PROJECT_SOURCE_DIR}/data")
endif()
if(COHORTGIS_SANITIZE)
  # GCC 12's -Wmaybe-uninitialized misfires inside libstdc++ (std::regex, std::function) once ASan instruments it.
  # -fno-ivopts: GCC 12 at -O2 with -fsanitize=address,undefined miscompiled the multistate step's loop over a local
  # double a[2] (competing_risks, after changes to its inlined helpers): with &a as an integer (UBSan's pointer
  # checks), ivopts addressed a[g] as MEM[(void *) 8·g + &a], the induction variable as the base, and VRP folded that
  # base (values 0 and 8) to 8 (-fdump-tree-vrp2-details: "Folds to: 8B"), so group 0's deaths used group 1's
  # population. The source reads a[g] for g < G only (bench/HISTORY.md "Round 7"). Without ivopts no such base.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(cohortgis_compile_flags INTERFACE -Wno-maybe-uninitialized -fno-ivopts)
  endif()
  target_compile_options(cohortgis_compile_flags INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_compile_definitions(cohortgis_compile_flags INTERFACE COHORTGIS_NO_MULTIVERSION=1)
  target_link_options(cohortgis_compile_flags INTERFACE -fsanitize=address,undefined)
endif()
if(COHORTGIS_TSAN)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(cohortgis_compile_flags INTERFACE -Wno-maybe-uninitialized)
  endif()
  target_compile_options(cohortgis_compile_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_compile_definitions(cohortgis_compile_flags INTERFACE COHORTGIS_TSAN=1 COHORTGIS_NO_MULTIVERSION=1)
  target_link_options(cohortgis_compile_flags INTERFACE -fsanitize=thread)
endif()
