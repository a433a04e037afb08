# Installing cohortgis as a library others use (README "Using cohortgis as a library"): the four libraries with
# their headers, the `cohortgis` command, the data and example scenarios, a CMake package (find_package(cohortgis)
# gives cohortgis::engine, ::geodata, ::scenarios and ::app), a pkg-config file (cohortgis.pc) and a Debian package
# from CPack (`cpack -G DEB` in the build folder).
include(CMakePackageConfigHelpers)

set(_cohortgis_libs cohortgis_engine cohortgis_geodata cohortgis_scenarios cohortgis_app)
foreach(_lib IN LISTS _cohortgis_libs)
  string(REPLACE "cohortgis_" "" _short "${_lib}")
  # cohortgis::engine etc. in the exported package, as in the build tree's aliases.
  set_target_properties(${_lib} PROPERTIES EXPORT_NAME ${_short})
  if(COHORTGIS_SHARED)
    # 0.x: every minor version may change the ABI, so the soname carries major.minor (libcohortgis_engine.so.0.1).
    set_target_properties(${_lib} PROPERTIES
      VERSION ${PROJECT_VERSION}
      SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  endif()
  if(CMAKE_POSITION_INDEPENDENT_CODE)
    # As for the Python module's PIC code (python/CMakeLists.txt): calls inside a library stay direct and inlinable,
    # so the engine's code, and its results, are those of a non-PIC static build.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${_lib} PRIVATE -fno-semantic-interposition)
    endif()
    # No <lib>_EXPORTS define (nothing uses it): shared and static PIC builds then compile each file with the same
    # command, so ccache serves the pip build (setup.py, static) with build/'s objects.
    set_target_properties(${_lib} PROPERTIES DEFINE_SYMBOL "")
  endif()
  target_include_directories(${_lib} PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()
set_target_properties(cohortgis_compile_flags PROPERTIES EXPORT_NAME compile_flags)

# The installed command finds its libraries relative to itself, so an install prefix can be moved.
file(RELATIVE_PATH _bin_to_lib "${CMAKE_INSTALL_FULL_BINDIR}" "${CMAKE_INSTALL_FULL_LIBDIR}")
set_target_properties(cohortgis PROPERTIES INSTALL_RPATH "$ORIGIN/${_bin_to_lib}")
# …and each library finds the others next to itself (a program's RUNPATH does not apply to its libraries' own needs).
set_target_properties(${_cohortgis_libs} PROPERTIES INSTALL_RPATH "$ORIGIN")

install(TARGETS ${_cohortgis_libs} cohortgis_compile_flags EXPORT cohortgisTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS cohortgis RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
if(TARGET cohortgis_mpi)  # loaded by the command under mpirun (cli/mpi_comm.cpp), from <libdir>/cohortgis
  set_target_properties(cohortgis_mpi PROPERTIES INSTALL_RPATH "$ORIGIN/..")
  install(TARGETS cohortgis_mpi LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/cohortgis COMPONENT runtime)
endif()
if(TARGET cohortgis_draw)  # loaded by the geodata library on the first drawing (geodata/src/draw_forward.cpp)
  set_target_properties(cohortgis_draw PROPERTIES INSTALL_RPATH "$ORIGIN/..")
  install(TARGETS cohortgis_draw LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/cohortgis COMPONENT runtime)
endif()
foreach(_dir engine geodata scenarios app)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${_dir}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          COMPONENT development FILES_MATCHING PATTERN "*.hpp")
endforeach()
# The data folder and the shipped scenarios, where geodata::installed_share_dir() looks for them.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data/ DESTINATION ${COHORTGIS_INSTALL_SHARE_DIR}/data COMPONENT runtime)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/examples/ DESTINATION ${COHORTGIS_INSTALL_SHARE_DIR}/examples
        COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)

set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/cohortgis)
install(EXPORT cohortgisTargets NAMESPACE cohortgis:: DESTINATION ${_cmake_dir} COMPONENT development)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cohortgisConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cohortgisConfig.cmake INSTALL_DESTINATION ${_cmake_dir} PATH_VARS COHORTGIS_INSTALL_SHARE_DIR)
# 0.x: only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cohortgisConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cohortgisConfig.cmake ${PROJECT_BINARY_DIR}/cohortgisConfigVersion.cmake
        DESTINATION ${_cmake_dir} COMPONENT development)

# pkg-config: paths relative to the .pc file's prefix (${pcfiledir}), so a moved prefix still works.
file(RELATIVE_PATH _pc_to_prefix "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" _pc_to_prefix "${_pc_to_prefix}")
if(COHORTGIS_SHARED)
  set(COHORTGIS_PC_PRIVATE "")
else()
  # A static library needs what the libraries use inside (their private dependencies).
  set(COHORTGIS_PC_PRIVATE "Requires.private: gdal proj geos libcrypto pangocairo cairo-svg cairo-pdf cairo-png")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/cohortgis.pc.in ${PROJECT_BINARY_DIR}/cohortgis.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cohortgis.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT development)

# Debian package (cpack -G DEB): one package with the command, the libraries, headers, data and CMake files.
set(CPACK_PACKAGE_NAME cohortgis)
set(CPACK_PACKAGE_VENDOR "cohortgis contributors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Multi-regional cohort-component population projections with maps and reports")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "cohortgis contributors <cohortgis@invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The shared libraries the command and the libraries need, found by dpkg-shlibdeps (Debian's own package names).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
