# SPDX-License-Identifier: Apache-2.0
# Runs the cohortgis executable and checks its exit code and output (ctest's WILL_FAIL cannot tell 1 from 2).
# cmake -DEXE=<cohortgis> -DARGS="run|--out|dir" -DEXPECT_RC=0 [-DEXPECT_STDOUT=regex] [-DEXPECT_STDERR=regex]
#       [-DCLEAN=<folder to remove first>] -P run_cli.cmake
string(REPLACE "|" ";" args "${ARGS}")
if(CLEAN)
  file(REMOVE_RECURSE "${CLEAN}")
endif()
execute_process(COMMAND "${EXE}" ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "cohortgis ${args}: exit code ${rc}, expected ${EXPECT_RC}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED EXPECT_STDOUT AND NOT out MATCHES "${EXPECT_STDOUT}")
  message(FATAL_ERROR "cohortgis ${args}: stdout does not match '${EXPECT_STDOUT}':\n${out}")
endif()
if(DEFINED EXPECT_STDERR AND NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "cohortgis ${args}: stderr does not match '${EXPECT_STDERR}':\n${err}")
endif()
