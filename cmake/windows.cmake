# The Windows parts of the build, included by CMakeLists.txt when WIN32
# (docs/release.md, "The Windows installer"):
#   - the version resource and application manifest of the installer;
#   - the sample service program's Windows link options (its payload
#     form, build/payload-windows, is made in CMakeLists.txt);
#   - es_windows_unit_tests(): the unit tests, run under wine by CTest.

# es_manifest_value(TREE KEY VAR): the value of KEY in TREE/manifest, or "".
function(es_manifest_value tree key var)
  set(value "")
  if(EXISTS "${tree}/manifest")
    file(STRINGS "${tree}/manifest" lines REGEX "^[ \t]*${key}[ \t]*=")
    if(lines)
      list(GET lines 0 line)
      string(REGEX REPLACE "^[ \t]*${key}[ \t]*=[ \t]*" "" value "${line}")
      string(STRIP "${value}" value)
    endif()
  endif()
  set(${var} "${value}" PARENT_SCOPE)
endfunction()

# es_rc_version(TEXT VAR): "7.3.1" as a VERSIONINFO number, "7,3,1,0".
function(es_rc_version text var)
  string(REGEX MATCHALL "[0-9]+" parts "${text}")
  list(APPEND parts 0 0 0 0)
  list(SUBLIST parts 0 4 parts)
  string(REPLACE ";" "," out "${parts}")
  set(${var} "${out}" PARENT_SCOPE)
endfunction()

# ---- Version resource and application manifest of the installer ----
# ProductName and ProductVersion are the payload's (its manifest), the file
# version is engine-setup's own, CompanyName the manifest's publisher, else
# ES_PUBLISHER.
es_manifest_value("${ENGINE_SETUP_PAYLOAD}" product ES_RC_PRODUCT)
es_manifest_value("${ENGINE_SETUP_PAYLOAD}" version ES_RC_PRODUCT_VERSION)
es_manifest_value("${ENGINE_SETUP_PAYLOAD}" publisher ES_RC_PUBLISHER)
if(ES_RC_PUBLISHER STREQUAL "")
  set(ES_RC_PUBLISHER "${ES_PUBLISHER}")
endif()
if(ES_RC_PRODUCT STREQUAL "")
  set(ES_RC_PRODUCT "engine-setup")
endif()
if(ES_RC_PRODUCT_VERSION STREQUAL "")
  set(ES_RC_PRODUCT_VERSION "${PROJECT_VERSION}")
endif()
# Quotes would end the resource's strings early.
string(REPLACE "\"" "'" ES_RC_PRODUCT "${ES_RC_PRODUCT}")
string(REPLACE "\"" "'" ES_RC_PUBLISHER "${ES_RC_PUBLISHER}")
es_rc_version("${PROJECT_VERSION}" ES_RC_FILE_VERSION_NUM)
es_rc_version("${ES_RC_PRODUCT_VERSION}" ES_RC_PRODUCT_VERSION_NUM)
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/engine-setup.rc.in
               ${CMAKE_BINARY_DIR}/engine-setup.rc @ONLY)
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/engine-setup.manifest
               ${CMAKE_BINARY_DIR}/engine-setup.manifest COPYONLY)
target_sources(engine-setup-stub PRIVATE ${CMAKE_BINARY_DIR}/engine-setup.rc)

# ---- The sample service program, and the sample payload's Windows form ----
# The sample-service target (CMakeLists.txt) is the Windows service here.
# wmain: UTF-16 arguments.
target_link_options(sample-service PRIVATE -municode)
target_link_libraries(sample-service PRIVATE advapi32 ws2_32)

# The sample payload's Windows form (build/payload-windows) is made in
# CMakeLists.txt with cmake/payload-sample.cmake.

# ---- Unit tests under wine ----
# The core's tests (tests/unit/test_*.c) except those about Linux facts,
# and the Windows platform's (tests/unit/windows/test_win_*.c). CTest runs
# each through CMAKE_CROSSCOMPILING_EMULATOR (wine); WINEPREFIX and a warm
# wineserver come from the caller (scripts/dev test-windows).
#
# Linux-only tests, and why:
#   test_platform      tests platform/linux (systemd units, /proc, mounts,
#                      prctl); the Windows platform's are test_win_*.c
#   test_pairing       its test server is POSIX (pthread, poll, BSD sockets
#                      with fcntl); pairing on Windows is tested end to end
#   test_payload       packs payloads with the native mkpayload through
#                      system() and makes symbolic links and FIFOs
#   test_record        makes symbolic links with symlink(2), which needs a
#                      privilege on Windows that wine does not model
#   test_requirements  mounts (noexec), bind(2) on ports, /proc facts
#   test_upgrade       makes a symbolic link with symlink(2), as test_record
#   test_nselog        makes a symbolic link with symlink(2), as test_record
#                      (nse.log is never read through one); status's reading
#                      of nse.log runs in test_win_walkthrough.sh
#   test_answers, test_rootpath, test_plan, test_ready, test_install,
#   test_plancheck
#                      their install_dir and path cases are Linux paths
#                      ("/opt/rapid7/nexpose", "/" as the root) checked
#                      through the live platform's rules; the Windows
#                      rules are tested on Linux (tests/unit/rules_windows.h)
#   test_identity      reads /etc/machine-id and the DMI UUID under a
#                      --root folder, where Windows has no facts (the
#                      registry and the firmware are the live system's);
#                      tests/windows/test_win_identity.sh covers Windows
# (test_crypto runs: its comparison with the openssl command skips itself
# where there is no such command.)
set(ES_LINUX_ONLY_TESTS test_platform test_pairing test_payload test_record
    test_requirements test_answers test_rootpath test_plan test_upgrade
    test_ready test_identity test_nselog test_install test_plancheck)

# The caller calls enable_testing() (a directory's, not a function's).
function(es_windows_unit_tests)
  # cmocka's CMake config names a DLL import library that its static build
  # does not install: take the static library itself.
  find_path(ES_CMOCKA_INCLUDE_DIR cmocka.h REQUIRED)
  find_library(ES_CMOCKA_LIBRARY NAMES libcmocka-static.a libcmocka.a REQUIRED)
  add_library(es_cmocka STATIC IMPORTED)
  set_target_properties(es_cmocka PROPERTIES
    IMPORTED_LOCATION ${ES_CMOCKA_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${ES_CMOCKA_INCLUDE_DIR})

  add_library(es_testutil STATIC tests/unit/fixture.c
              tests/unit/windows/fixture_windows.c)
  target_link_libraries(es_testutil PUBLIC es_core es_cmocka)
  # tests/unit/windows/include/cmocka.h before cmocka's own.
  target_include_directories(es_testutil BEFORE PUBLIC
    tests/unit/windows/include tests/unit)

  file(GLOB core_tests CONFIGURE_DEPENDS tests/unit/test_*.c)
  file(GLOB win_tests CONFIGURE_DEPENDS tests/unit/windows/test_win_*.c)
  foreach(src ${core_tests} ${win_tests})
    get_filename_component(name ${src} NAME_WE)
    if(name IN_LIST ES_LINUX_ONLY_TESTS)
      continue()
    endif()
    add_executable(${name} ${src})
    if(src IN_LIST core_tests)
      # C99 formats in cmocka's messages (the core's -Wno-format, CMakeLists.txt)
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS -Wno-format)
    endif()
    target_link_libraries(${name} PRIVATE es_testutil)
    target_include_directories(${name} PRIVATE platform/windows)
    target_compile_definitions(${name} PRIVATE
      ES_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}"
      ES_BINARY_DIR="${CMAKE_BINARY_DIR}")
    add_dependencies(${name} engine-setup-installer sample-service)
    add_test(NAME unit.${name} COMMAND ${name})
    # ES_TEST_SAMPLE_SERVICE: the sample service as a core path in wine's
    # drive Z:, which is the build host's "/" (test_win_service's live
    # tests register it).
    set_tests_properties(unit.${name} PROPERTIES LABELS unit TIMEOUT 120
      ENVIRONMENT "ES_TEST_SAMPLE_SERVICE=Z:$<TARGET_FILE:sample-service>")
  endforeach()
endfunction()
