# Phase 10's HTTP parts (issue 19, "The scraper"): the real fetcher's tests
# and the scrape command, on cpp-httplib (Debian's libcpp-httplib-dev, found
# with pkg-config; `make setup` installs it).
#
#   workbook_find_httplib(VAR)  before workbook_phase(NUMBER 10 ...): VAR
#       becomes the HTTP test files (http_fetcher_test.cpp and
#       scraper_http_test.cpp in tests/10-resilience/) when cpp-httplib is
#       installed, else empty. They join the phase's TESTS, so they are
#       ordinary phase-10 tests (the stubs fail them) and the mutants' tests
#       (the hung-server mutant is caught there). Each starts its own server
#       on a loopback ephemeral port.
#   workbook_scraper()  after it: links phase10_<track> to cpp-httplib and
#       builds the commands
#         scrape             services/10-scraper/scrape.cpp on the reference
#                            (scrape-exercises: on the student's stubs)
#         scrape-demo-server services/10-scraper/scrape_demo_server.cpp (make scrape-demo)
#       and phase10_<track>_command_tests (tests/10-resilience/
#       scrape_command_test.cpp), which run that track's scrape as a child
#       process: named <track>/10/ScrapeCommand.*, labelled
#       phase10;<track>;command, ordinary phase-10 tests to the grader. Not
#       mutant tests.
# Without cpp-httplib both say how to install it and create nothing; the
# phase's other tests (limiter, breaker, bulkhead, retry, the scraper on a
# fake fetcher) do not need it. Under ThreadSanitizer both skip too: Debian's
# libcpp-httplib.so is not instrumented, and TSan reports races inside it
# (its function-local statics are guarded by atomics TSan cannot see), so the
# HTTP tests run in the default and asan presets only, like phase 08's gRPC
# tests. Skips go to <build>/skipped_suites.txt as phase 08's do.
function(workbook_find_httplib out_var)
  set(${out_var} "" PARENT_SCOPE)
  if(CMAKE_CXX_FLAGS MATCHES "-fsanitize=thread")
    foreach(suite HttpFetcher ScraperOverHttp ScrapeCommand)
      message(STATUS "${suite} (phase 10's HTTP tests): skipped, under ThreadSanitizer")
      file(APPEND "${WORKBOOK_SKIPPED_SUITES_FILE}" "${suite}\tunder ThreadSanitizer (Debian's cpp-httplib is not TSan-instrumented)\n")
    endforeach()
    return()
  endif()
  if(NOT TARGET PkgConfig::HTTPLIB)
    find_package(PkgConfig QUIET)
    if(PkgConfig_FOUND)
      pkg_check_modules(HTTPLIB QUIET IMPORTED_TARGET GLOBAL cpp-httplib)
    endif()
  endif()
  if(NOT TARGET PkgConfig::HTTPLIB)
    set(reason "cpp-httplib not found. To build it: sudo apt-get install -y libcpp-httplib-dev pkg-config")
    foreach(suite HttpFetcher ScraperOverHttp ScrapeCommand)
      message(STATUS "${suite} (phase 10's HTTP tests): skipped, ${reason}")
      file(APPEND "${WORKBOOK_SKIPPED_SUITES_FILE}" "${suite}\t${reason}\n")
    endforeach()
    return()
  endif()
  set(${out_var} http_fetcher_test.cpp scraper_http_test.cpp PARENT_SCOPE)
endfunction()

function(workbook_scraper)
  if(CMAKE_CXX_FLAGS MATCHES "-fsanitize=thread")
    return()  # workbook_find_httplib said why
  endif()
  if(NOT TARGET PkgConfig::HTTPLIB)
    message(STATUS "scrape (phase 10's command): skipped, cpp-httplib not found (sudo apt-get install -y libcpp-httplib-dev)")
    return()
  endif()
  set(src_dir "${PROJECT_SOURCE_DIR}/services/10-scraper")
  foreach(track IN LISTS WORKBOOK_TRACKS)
    target_link_libraries(phase10_${track} INTERFACE PkgConfig::HTTPLIB)
    if(track STREQUAL "solutions")
      set(tool scrape)
    else()
      set(tool scrape-${track})
    endif()
    add_executable(${tool} "${src_dir}/scrape.cpp")
    target_include_directories(${tool} PRIVATE "${src_dir}")
    target_link_libraries(${tool} PRIVATE phase10_${track})
    _workbook_track_options(${tool} ${track})
    if(WORKBOOK_TESTS)
      set(exe phase10_${track}_command_tests)
      _workbook_test_program(${exe} "${PROJECT_SOURCE_DIR}/tests/10-resilience/scrape_command_test.cpp"
                             phase10_${track} ${track} "${track}/10/" "phase10;${track};command")
      target_compile_definitions(${exe} PRIVATE "SCRAPE_COMMAND=\"$<TARGET_FILE:${tool}>\"")
      add_dependencies(${exe} ${tool})
      add_dependencies(${track}_tests ${exe})
      add_dependencies(phase10_${track}_tests ${exe})  # the grader builds this one
    endif()
  endforeach()
  if("solutions" IN_LIST WORKBOOK_TRACKS)
    add_executable(scrape-demo-server "${src_dir}/scrape_demo_server.cpp")
    target_include_directories(scrape-demo-server PRIVATE "${src_dir}")
    target_link_libraries(scrape-demo-server PRIVATE phase10_solutions)
    _workbook_track_options(scrape-demo-server solutions)
  endif()
endfunction()
