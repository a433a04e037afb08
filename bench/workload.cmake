# The benchmark workload and its driver (bench_tool). Included from bench/ and from tests/bench/ (the NumPy agreement
# test needs the driver even where Google Benchmark is missing); whichever comes first defines the targets.
if(NOT TARGET cohortgis_bench_workload)
  add_library(cohortgis_bench_workload STATIC ${PROJECT_SOURCE_DIR}/bench/workload.cpp
                                               ${PROJECT_SOURCE_DIR}/bench/workload_scenario.cpp)
  target_include_directories(cohortgis_bench_workload PUBLIC ${PROJECT_SOURCE_DIR}/bench)
  # The engine's large-array storage (engine/src/large_arrays.hpp): a period's schedules first touched by the run's
  # threads, as the engine's own state-sized arrays.
  target_include_directories(cohortgis_bench_workload PRIVATE ${PROJECT_SOURCE_DIR}/engine/src)
  # netCDF-C: the base population as a cube (bench_tool scenario --population-form netcdf).
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(BENCH_NETCDF REQUIRED IMPORTED_TARGET netcdf)
  target_link_libraries(cohortgis_bench_workload PUBLIC cohortgis::engine
                        PRIVATE cohortgis::compile_flags PkgConfig::BENCH_NETCDF)
  target_compile_definitions(cohortgis_bench_workload PRIVATE COHORTGIS_DATA="${PROJECT_SOURCE_DIR}/data")

  add_executable(bench_tool ${PROJECT_SOURCE_DIR}/bench/bench_tool.cpp)
  target_link_libraries(bench_tool PRIVATE cohortgis_bench_workload cohortgis::compile_flags)
  set_target_properties(bench_tool PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
endif()
