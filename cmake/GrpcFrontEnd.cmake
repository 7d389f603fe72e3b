# workbook_grpc_front_end(): phase 08's gRPC front end (issue 6, "The real
# front end"), declared once after workbook_phase(NUMBER 08 ...).
#
# It creates, when gRPC and protobuf are installed:
#   span_service_proto              static library: the code protoc generates
#                                   from services/08-collector/span_service.proto
#   phase08_<track>_grpc_tests      the end-to-end tests (tests/08-collector/
#                                   grpc_front_end_test.cpp) for each track,
#                                   named <track>/08/GrpcFrontEnd.*, labelled
#                                   phase08;<track>;grpc: ordinary phase-08 tests
#                                   to the grader (the stubs fail them, the
#                                   reference passes them). Not mutant tests.
#   collector-server, collector-load  the server and the load generator,
#                                   built on the reference solutions
# Without gRPC it says how to get it and creates nothing; the phase's own
# tests are unaffected. A skip is also written to <build>/skipped_suites.txt
# (one "Suite<TAB>reason" line), where `make check` reads it: the hints of a
# suite this build skipped are expected to name no test here.
set(WORKBOOK_SKIPPED_SUITES_FILE "${PROJECT_BINARY_DIR}/skipped_suites.txt")
file(REMOVE "${WORKBOOK_SKIPPED_SUITES_FILE}")

function(_workbook_skip_suite suite reason)
  message(STATUS "${suite} (phase 08's gRPC front end): skipped, ${reason}")
  file(APPEND "${WORKBOOK_SKIPPED_SUITES_FILE}" "${suite}\t${reason}\n")
endfunction()

function(workbook_grpc_front_end)
  # Debian's gRPC is not built with TSan: its internal threads would show up
  # as races in every test. Keep the front end out of that build.
  if(CMAKE_CXX_FLAGS MATCHES "-fsanitize=thread")
    _workbook_skip_suite(GrpcFrontEnd "under ThreadSanitizer (Debian's gRPC is not TSan-instrumented)")
    return()
  endif()
  find_package(gRPC CONFIG QUIET)
  find_package(Protobuf QUIET)
  if(NOT gRPC_FOUND OR NOT Protobuf_FOUND OR NOT TARGET gRPC::grpc_cpp_plugin OR NOT Protobuf_PROTOC_EXECUTABLE)
    _workbook_skip_suite(GrpcFrontEnd "gRPC/protobuf not found. To build it: sudo apt-get install -y libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc")
    return()
  endif()

  set(src_dir "${PROJECT_SOURCE_DIR}/services/08-collector")
  set(gen_dir "${PROJECT_BINARY_DIR}/generated/08-collector")
  set(proto "${src_dir}/span_service.proto")
  set(generated "${gen_dir}/span_service.pb.cc" "${gen_dir}/span_service.pb.h"
                "${gen_dir}/span_service.grpc.pb.cc" "${gen_dir}/span_service.grpc.pb.h")
  add_custom_command(
    OUTPUT ${generated}
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${gen_dir}"
    COMMAND "${Protobuf_PROTOC_EXECUTABLE}" -I "${src_dir}" --cpp_out "${gen_dir}" --grpc_out "${gen_dir}"
            "--plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>" "${proto}"
    DEPENDS "${proto}" gRPC::grpc_cpp_plugin
    COMMENT "protoc: span_service.proto"
    VERBATIM)
  add_library(span_service_proto STATIC ${generated})
  target_include_directories(span_service_proto SYSTEM PUBLIC "${gen_dir}")
  target_link_libraries(span_service_proto PUBLIC gRPC::grpc++ protobuf::libprotobuf)

  foreach(track IN LISTS WORKBOOK_TRACKS)
    set(lib phase08_${track}_grpc)
    add_library(${lib} INTERFACE)
    target_include_directories(${lib} INTERFACE "${src_dir}" "${PROJECT_SOURCE_DIR}/services/common")
    target_link_libraries(${lib} INTERFACE phase08_${track} span_service_proto)
    if(WORKBOOK_TESTS)
      _workbook_test_program(${lib}_tests "${PROJECT_SOURCE_DIR}/tests/08-collector/grpc_front_end_test.cpp"
                             ${lib} ${track} "${track}/08/" "phase08;${track};grpc")
      add_dependencies(${track}_tests ${lib}_tests)
      # The grader builds phase08_<track>_tests, then runs every test named
      # <track>/08/*: building that target must build these too.
      if(TARGET phase08_${track}_tests)
        add_dependencies(phase08_${track}_tests ${lib}_tests)
      endif()
    endif()
  endforeach()

  if("solutions" IN_LIST WORKBOOK_TRACKS)
    foreach(tool collector-server collector-load)
      string(REPLACE "-" "_" source "${tool}.cpp")
      add_executable(${tool} "${src_dir}/${source}")
      target_link_libraries(${tool} PRIVATE phase08_solutions_grpc)
      _workbook_track_options(${tool} solutions)
    endforeach()
  endif()
endfunction()
