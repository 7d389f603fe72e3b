# workbook_phase(): the one function that declares a phase.
#
#   workbook_phase(NUMBER 03 SLUG select
#                  TESTS select_test.cpp ...      # files in tests/03-select/
#                  BENCHES select_bench.cpp ...)  # files in bench/03-select/
#
# For each configured track (exercises, solutions) it creates
#   phase03_<track>             INTERFACE library: the include path of the track
#   phase03_<track>_tests       one GoogleTest program, every test its own ctest
#                               test named <track>/03/<Suite>.<Test>, labelled
#                               phase03 and <track>
#   phase03_<track>_bench       one Google Benchmark program (WORKBOOK_BENCHMARKS)
#
# Include path of phase N, track T (headers have unique names across phases, so
# the order only matters for a student who shadows a header on purpose):
#   T/NN-slug first, then for every earlier phase P:
#     solutions/P        when T is solutions, or WORKBOOK_STACK is 'reference'
#     exercises/P        when T is exercises and WORKBOOK_STACK is 'own'

# Aggregate targets: build every phase of one track at once.
foreach(track IN LISTS WORKBOOK_TRACKS)
  add_custom_target(${track}_tests)
  add_custom_target(${track}_bench)
endforeach()

# Warnings every track gets; the reference solutions must also be warning-free.
# -Wno-missing-field-initializers: options structs are meant to be filled with
# designated initializers that name only the fields that differ from the defaults.
set(WORKBOOK_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Checks the GO_GUARDED_BY / GO_REQUIRES annotations of support/go/annotated_mutex.hpp.
  list(APPEND WORKBOOK_WARNINGS -Wthread-safety)
endif()

function(_workbook_track_options target track)
  target_compile_options(${target} PRIVATE ${WORKBOOK_WARNINGS})
  if(track STREQUAL "solutions")
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(workbook_phase)
  cmake_parse_arguments(PHASE "" "NUMBER;SLUG" "TESTS;BENCHES" ${ARGN})
  if(NOT PHASE_NUMBER MATCHES "^[0-9][0-9]$" OR NOT PHASE_SLUG)
    message(FATAL_ERROR "workbook_phase: NUMBER must be two digits and SLUG non-empty")
  endif()
  set(nn ${PHASE_NUMBER})
  set(folder "${nn}-${PHASE_SLUG}")
  get_property(earlier GLOBAL PROPERTY WORKBOOK_PHASE_FOLDERS)
  set_property(GLOBAL APPEND PROPERTY WORKBOOK_PHASE_FOLDERS "${folder}")

  foreach(track IN LISTS WORKBOOK_TRACKS)
    set(lib phase${nn}_${track})
    add_library(${lib} INTERFACE)
    target_include_directories(${lib} INTERFACE "${PROJECT_SOURCE_DIR}/${track}/${folder}")
    foreach(prev IN LISTS earlier)
      if(track STREQUAL "exercises" AND WORKBOOK_STACK STREQUAL "own")
        target_include_directories(${lib} INTERFACE "${PROJECT_SOURCE_DIR}/exercises/${prev}")
      else()
        target_include_directories(${lib} INTERFACE "${PROJECT_SOURCE_DIR}/solutions/${prev}")
      endif()
    endforeach()
    target_link_libraries(${lib} INTERFACE workbook_support)

    if(WORKBOOK_TESTS AND PHASE_TESTS)
      set(exe ${lib}_tests)
      list(TRANSFORM PHASE_TESTS PREPEND "${PROJECT_SOURCE_DIR}/tests/${folder}/" OUTPUT_VARIABLE sources)
      add_executable(${exe} ${sources})
      target_link_libraries(${exe} PRIVATE ${lib} workbook_test_support)
      _workbook_track_options(${exe} ${track})
      if(WORKBOOK_TEST_LAUNCHER)
        set_target_properties(${exe} PROPERTIES CROSSCOMPILING_EMULATOR "${WORKBOOK_TEST_LAUNCHER}")
      endif()
      # The watchdog inside the test process fires at WORKBOOK_TEST_TIMEOUT and
      # prints every thread's stack; ctest's TIMEOUT is only the backstop for a
      # process so broken that even the watchdog cannot run.
      math(EXPR backstop "${WORKBOOK_TEST_TIMEOUT} + 60")
      gtest_discover_tests(${exe}
        TEST_PREFIX "${track}/${nn}/"
        TEST_LIST ${exe}_LIST
        PROPERTIES TIMEOUT ${backstop}
        DISCOVERY_TIMEOUT 60)
      # gtest_discover_tests cannot pass a list-valued property (it splits on
      # ';'), so the two labels are set by a ctest script that runs after the
      # discovered tests were added.
      set(labels_script "${CMAKE_CURRENT_BINARY_DIR}/${exe}_labels.cmake")
      file(WRITE "${labels_script}"
        "set_tests_properties(\${${exe}_LIST} PROPERTIES LABELS \"phase${nn};${track}\")\n")
      set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${labels_script}")
      add_dependencies(${track}_tests ${exe})
    endif()

    if(WORKBOOK_BENCHMARKS AND PHASE_BENCHES)
      set(exe ${lib}_bench)
      list(TRANSFORM PHASE_BENCHES PREPEND "${PROJECT_SOURCE_DIR}/bench/${folder}/" OUTPUT_VARIABLE sources)
      add_executable(${exe} ${sources})
      target_link_libraries(${exe} PRIVATE ${lib} workbook_bench_support)
      _workbook_track_options(${exe} ${track})
      add_dependencies(${track}_bench ${exe})
    endif()
  endforeach()
endfunction()
