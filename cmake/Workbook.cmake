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
#   T/NN-slug first, then given/NN-slug (the phase's given code, one copy both
#   tracks share), then for every earlier phase P:
#     solutions/P        when T is solutions, or WORKBOOK_STACK is 'reference'
#     exercises/P        when T is exercises and WORKBOOK_STACK is 'own'
#     given/P            always

# Aggregate targets: build every phase of one track at once.
foreach(track IN LISTS WORKBOOK_TRACKS)
  add_custom_target(${track}_tests)
  add_custom_target(${track}_bench)
endforeach()
add_custom_target(mutants_tests)
add_custom_target(race_demos)  # every workbook_race_demo() program (tsan preset only)

# Warnings every track gets; the reference solutions must also be warning-free.
# -Wno-missing-field-initializers: options structs are meant to be filled with
# designated initializers that name only the fields that differ from the defaults.
set(WORKBOOK_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Checks the GO_GUARDED_BY / GO_REQUIRES annotations of support/go/annotated_mutex.hpp.
  list(APPEND WORKBOOK_WARNINGS -Wthread-safety)
endif()

# -Werror for the code maintainers own (the reference, tests/support) where
# WORKBOOK_WERROR asks for it: `make check` configures with it ON. A student's
# grading build leaves it OFF, so that a newer compiler's new warning in the
# reference (which phase N builds on) never stops their grade.
option(WORKBOOK_WERROR "Warnings are errors in the solutions track and tests/support (make check turns it on)" OFF)
set(WORKBOOK_WERROR_FLAGS "")
if(WORKBOOK_WERROR)
  set(WORKBOOK_WERROR_FLAGS -Werror)
endif()

function(_workbook_track_options target track)
  target_compile_options(${target} PRIVATE ${WORKBOOK_WARNINGS})
  if(WORKBOOK_PRESET MATCHES "^(default|asan)$")
    target_compile_definitions(${target} PRIVATE GO_DCHECK_ON=1)  # go/dcheck.hpp's invariants
  endif()
  if(track STREQUAL "solutions")
    target_compile_options(${target} PRIVATE ${WORKBOOK_WERROR_FLAGS})
  endif()
endfunction()

# One GoogleTest program; every test becomes its own ctest test named
# <prefix><Suite>.<Test>, with the given labels and the timeout backstop.
# ARGN: how many times each test runs, in fresh processes, until one run
# fails (a mutant's Tries); none: once.
function(_workbook_test_program exe sources lib track prefix labels)
  add_executable(${exe} ${sources})
  target_link_libraries(${exe} PRIVATE ${lib} workbook_test_support)
  if(TARGET workbook_chaos)
    target_link_libraries(${exe} PRIVATE workbook_chaos)  # its objects, so they come before glibc's
  endif()
  _workbook_track_options(${exe} ${track})
  set(launcher "")
  if(ARGN)
    list(APPEND launcher "${PROJECT_SOURCE_DIR}/tools/tries-launch.sh" ${ARGN})
  endif()
  if(WORKBOOK_TEST_LAUNCHER)
    list(APPEND launcher "${WORKBOOK_TEST_LAUNCHER}")
  endif()
  if(launcher)
    set_target_properties(${exe} PROPERTIES CROSSCOMPILING_EMULATOR "${launcher}")
  endif()
  # The watchdog inside the test process fires at WORKBOOK_TEST_TIMEOUT and
  # prints every thread's stack; ctest's TIMEOUT is only the backstop for a
  # process so broken that even the watchdog cannot run.
  math(EXPR backstop "${WORKBOOK_TEST_TIMEOUT} + 60")
  gtest_discover_tests(${exe}
    TEST_PREFIX "${prefix}"
    TEST_LIST ${exe}_LIST
    PROPERTIES TIMEOUT ${backstop}
    DISCOVERY_TIMEOUT 60)
  # gtest_discover_tests cannot pass a list-valued property (it splits on
  # ';'), so the labels are set by a ctest script that runs after the
  # discovered tests were added.
  set(labels_script "${CMAKE_CURRENT_BINARY_DIR}/${exe}_labels.cmake")
  file(WRITE "${labels_script}" "set_tests_properties(\${${exe}_LIST} PROPERTIES LABELS \"${labels}\")\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${labels_script}")
endfunction()

# Mutants: deliberately wrong versions of the reference, kept as patches in
# mutants/NN-slug/<name>.patch (a header of "Mutant:" and "Caught by:" lines,
# then a unified diff against solutions/NN-slug). Each becomes a test program
# built from the patched copy; `make check` requires every test named in
# "Caught by:" to fail against it. They prove the tests reject the wrong
# solutions the lessons warn about.
function(_workbook_mutants nn folder sources)
  file(GLOB patches CONFIGURE_DEPENDS "${WORKBOOK_MUTANTS_DIR}/${folder}/*.patch")
  file(GLOB_RECURSE reference CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/solutions/${folder}/go/*")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${patches} ${reference})
  foreach(patch IN LISTS patches)
    get_filename_component(name "${patch}" NAME_WE)
    # "Preset: tsan" marks a mutant only a sanitizer can catch (a data race
    # that happens to give the right answer); it is built in that preset
    # only, the others in the default preset only.
    file(STRINGS "${patch}" wanted_preset REGEX "^Preset: ")
    string(REGEX REPLACE "^Preset: *" "" wanted_preset "${wanted_preset}")
    if(NOT wanted_preset)
      set(wanted_preset default)
    endif()
    if(NOT wanted_preset STREQUAL WORKBOOK_PRESET)
      continue()
    endif()
    set(dir "${PROJECT_BINARY_DIR}/mutants/${folder}/${name}")
    file(REMOVE_RECURSE "${dir}")
    file(COPY "${PROJECT_SOURCE_DIR}/solutions/${folder}/go" DESTINATION "${dir}")
    execute_process(COMMAND patch --quiet --batch -p1 -d "${dir}" -i "${patch}"
                    RESULT_VARIABLE failed OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(failed)
      message(FATAL_ERROR "mutants/${folder}/${name}.patch no longer applies to solutions/${folder}:\n${out}")
    endif()
    # Only the test files that include a patched header need the mutant.
    file(STRINGS "${patch}" patched REGEX "^\\+\\+\\+ b/")
    list(TRANSFORM patched REPLACE "^\\+\\+\\+ b/([^\t ]+).*" "\\1")
    set(mutant_sources "")
    foreach(source IN LISTS sources)
      file(READ "${source}" text)
      foreach(header IN LISTS patched)
        string(FIND "${text}" "#include \"${header}\"" at)
        if(at GREATER -1)
          list(APPEND mutant_sources "${source}")
          break()
        endif()
      endforeach()
    endforeach()
    if(NOT mutant_sources)  # a header the tests reach only through another one
      set(mutant_sources "${sources}")
    endif()
    # Of those, only the files that define the tests the patch names ("Caught
    # by:") are built: make check runs only those tests, and the mutants are
    # most of its compile time. If a named test is found in none of them (a
    # test defined by a macro of its own), every file stays.
    file(STRINGS "${patch}" caught REGEX "^Caught by: ")
    string(REGEX REPLACE "^Caught by: *" "" caught "${caught}")
    string(REGEX REPLACE "[, ]+" ";" caught "${caught}")
    set(defining "")
    set(all_found TRUE)
    foreach(test IN LISTS caught)
      if(NOT test MATCHES "^([A-Za-z0-9_]+)\\.([A-Za-z0-9_]+)$")
        set(all_found FALSE)
        continue()
      endif()
      set(found FALSE)
      foreach(source IN LISTS mutant_sources)
        file(READ "${source}" text)
        string(FIND "${text}" "${CMAKE_MATCH_1}, ${CMAKE_MATCH_2})" at)
        if(at GREATER -1)
          list(APPEND defining "${source}")
          set(found TRUE)
        endif()
      endforeach()
      if(NOT found)
        set(all_found FALSE)
      endif()
    endforeach()
    if(all_found AND defining)
      list(REMOVE_DUPLICATES defining)
      set(mutant_sources "${defining}")
    endif()
    # "Tries: N": a catch that depends on timing (a race window the test
    # widens but cannot force) gets N runs of its tests, each in a fresh
    # process (tools/tries-launch.sh); one failing run catches it. The
    # reference still has to pass every run of make check.
    file(STRINGS "${patch}" tries REGEX "^Tries: *[0-9]+")
    string(REGEX REPLACE "^Tries: *" "" tries "${tries}")
    set(exe phase${nn}_mutant_${name}_tests)
    _workbook_test_program(${exe} "${mutant_sources}" phase${nn}_solutions mutants "mutants/${nn}/${name}/" "phase${nn};mutants" ${tries})
    target_compile_options(${exe} PRIVATE -g0)  # built once, run once: no debug info to write
    target_include_directories(${exe} BEFORE PRIVATE "${dir}")
    add_dependencies(mutants_tests ${exe})
  endforeach()
endfunction()

# given/NN-slug: code a phase hands the student ready-made (a fake fetcher, the
# synchronous connector to refactor). Both tracks include the one copy, so the
# stub and the reference cannot drift apart; not every phase has one.
function(_workbook_include_given lib folder)
  if(IS_DIRECTORY "${PROJECT_SOURCE_DIR}/given/${folder}")
    target_include_directories(${lib} INTERFACE "${PROJECT_SOURCE_DIR}/given/${folder}")
  endif()
endfunction()

function(workbook_phase)
  cmake_parse_arguments(PHASE "" "NUMBER;SLUG" "TESTS;BENCHES" ${ARGN})
  if(NOT PHASE_NUMBER MATCHES "^[0-9][0-9]$" OR NOT PHASE_SLUG)
    message(FATAL_ERROR "workbook_phase: NUMBER must be two digits and SLUG non-empty")
  endif()
  set(nn ${PHASE_NUMBER})
  set(folder "${nn}-${PHASE_SLUG}")
  list(TRANSFORM PHASE_TESTS PREPEND "${PROJECT_SOURCE_DIR}/tests/${folder}/" OUTPUT_VARIABLE test_sources)
  get_property(earlier GLOBAL PROPERTY WORKBOOK_PHASE_FOLDERS)
  set_property(GLOBAL APPEND PROPERTY WORKBOOK_PHASE_FOLDERS "${folder}")

  foreach(track IN LISTS WORKBOOK_TRACKS)
    set(lib phase${nn}_${track})
    add_library(${lib} INTERFACE)
    target_include_directories(${lib} INTERFACE "${PROJECT_SOURCE_DIR}/${track}/${folder}")
    _workbook_include_given(${lib} ${folder})
    foreach(prev IN LISTS earlier)
      if(track STREQUAL "exercises" AND WORKBOOK_STACK STREQUAL "own")
        target_include_directories(${lib} INTERFACE "${PROJECT_SOURCE_DIR}/exercises/${prev}")
      else()
        target_include_directories(${lib} INTERFACE "${PROJECT_SOURCE_DIR}/solutions/${prev}")
      endif()
      _workbook_include_given(${lib} ${prev})
    endforeach()
    target_link_libraries(${lib} INTERFACE workbook_support)

    if(WORKBOOK_TESTS AND PHASE_TESTS)
      _workbook_test_program(${lib}_tests "${test_sources}" ${lib} ${track} "${track}/${nn}/" "phase${nn};${track}")
      add_dependencies(${track}_tests ${lib}_tests)
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

  if(WORKBOOK_MUTANTS AND WORKBOOK_TESTS AND PHASE_TESTS)
    _workbook_mutants(${nn} ${folder} "${test_sources}")
  endif()
endfunction()

# workbook_race_demo(): a program that must make ThreadSanitizer report a data
# race, to show students the tool at work on code the lesson calls racy (and
# to prove the tsan preset really detects races).
#
#   workbook_race_demo(NUMBER 07 SLUG legacy-refactor NAME LegacyAggregatorRace
#                      SOURCE legacy_race_demo.cpp             # in tests/07-legacy-refactor/
#                      EXPECT "legacy_aggregator\\.hpp")       # the report must name this
#
# Built only when the build has -fsanitize=thread (the tsan preset); elsewhere
# it does not exist, so no other preset can pass it by accident. Registered as
# the ctest test demo/<NN>/<NAME> (label "demo"), started through the TSan
# launcher like every TSan test. It passes only if the output holds
# "WARNING: ThreadSanitizer: data race" followed by a line matching EXPECT; a
# TSan that cannot start on the host prints neither, and fails it.
function(workbook_race_demo)
  cmake_parse_arguments(DEMO "" "NUMBER;SLUG;NAME;SOURCE;EXPECT" "" ${ARGN})
  if(NOT DEMO_NUMBER MATCHES "^[0-9][0-9]$" OR NOT DEMO_SLUG OR NOT DEMO_NAME OR NOT DEMO_SOURCE OR NOT DEMO_EXPECT)
    message(FATAL_ERROR "workbook_race_demo: NUMBER, SLUG, NAME, SOURCE and EXPECT are required")
  endif()
  if(NOT WORKBOOK_TESTS OR NOT CMAKE_CXX_FLAGS MATCHES "-fsanitize=thread")
    return()
  endif()
  set(exe phase${DEMO_NUMBER}_race_demo_${DEMO_NAME})
  add_executable(${exe} "${PROJECT_SOURCE_DIR}/tests/${DEMO_NUMBER}-${DEMO_SLUG}/${DEMO_SOURCE}")
  target_link_libraries(${exe} PRIVATE workbook_support)
  target_compile_options(${exe} PRIVATE ${WORKBOOK_WARNINGS} -g)
  add_dependencies(race_demos ${exe})
  set(command "$<TARGET_FILE:${exe}>")
  if(WORKBOOK_TEST_LAUNCHER)
    set(command "${WORKBOOK_TEST_LAUNCHER}" "$<TARGET_FILE:${exe}>")
  endif()
  add_test(NAME "demo/${DEMO_NUMBER}/${DEMO_NAME}" COMMAND ${command})
  set_tests_properties("demo/${DEMO_NUMBER}/${DEMO_NAME}" PROPERTIES
    PASS_REGULAR_EXPRESSION "WARNING: ThreadSanitizer: data race.*${DEMO_EXPECT}"
    LABELS "phase${DEMO_NUMBER};demo"
    TIMEOUT 60)
endfunction()
