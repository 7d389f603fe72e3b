# workbook_pubsub_front_end(): phase 11's gRPC front end (services/11-pubsub),
# declared once after workbook_phase(NUMBER 11 ...). Same shape as phase 08's
# (cmake/GrpcFrontEnd.cmake, whose skip bookkeeping it shares).
#
# It creates, when gRPC and protobuf are installed:
#   pubsub_service_proto           static library: protoc's code for
#                                  services/11-pubsub/pubsub_service.proto
#   phase11_<track>_grpc_tests     the end-to-end tests (tests/11-pubsub/
#                                  pubsub_grpc_test.cpp) for each track, named
#                                  <track>/11/PubSubGrpc.*, labelled
#                                  phase11;<track>;grpc. Not mutant tests.
#   pubsub-server, pubsub          the server and the command-line client,
#                                  built on the reference solutions
# Without gRPC (or under TSan: Debian's gRPC is not instrumented) it says so,
# records the skip in skipped_suites.txt and creates nothing; the phase's own
# tests are unaffected.
function(workbook_pubsub_front_end)
  set(suite PubSubGrpc)
  if(CMAKE_CXX_FLAGS MATCHES "-fsanitize=thread")
    message(STATUS "${suite} (phase 11's gRPC front end): skipped, under ThreadSanitizer")
    file(APPEND "${WORKBOOK_SKIPPED_SUITES_FILE}" "${suite}\tunder ThreadSanitizer (Debian's gRPC is not TSan-instrumented)\n")
    return()
  endif()
  # Phase 08's front end may have found them already: a second find_package
  # would redefine gRPC's imported targets (an error).
  if(NOT TARGET gRPC::grpc++)
    find_package(gRPC CONFIG QUIET)
  endif()
  if(NOT TARGET protobuf::libprotobuf)
    find_package(Protobuf QUIET)
  endif()
  if(NOT TARGET gRPC::grpc++ OR NOT TARGET protobuf::libprotobuf OR NOT TARGET gRPC::grpc_cpp_plugin
     OR NOT Protobuf_PROTOC_EXECUTABLE)
    set(reason "gRPC/protobuf not found. To build it: sudo apt-get install -y libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc")
    message(STATUS "${suite} (phase 11's gRPC front end): skipped, ${reason}")
    file(APPEND "${WORKBOOK_SKIPPED_SUITES_FILE}" "${suite}\t${reason}\n")
    return()
  endif()

  set(src_dir "${PROJECT_SOURCE_DIR}/services/11-pubsub")
  set(gen_dir "${PROJECT_BINARY_DIR}/generated/11-pubsub")
  set(proto "${src_dir}/pubsub_service.proto")
  set(generated "${gen_dir}/pubsub_service.pb.cc" "${gen_dir}/pubsub_service.pb.h"
                "${gen_dir}/pubsub_service.grpc.pb.cc" "${gen_dir}/pubsub_service.grpc.pb.h")
  add_custom_command(
    OUTPUT ${generated}
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${gen_dir}"
    COMMAND "${Protobuf_PROTOC_EXECUTABLE}" -I "${src_dir}" --cpp_out "${gen_dir}" --grpc_out "${gen_dir}"
            "--plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>" "${proto}"
    DEPENDS "${proto}" gRPC::grpc_cpp_plugin
    COMMENT "protoc: pubsub_service.proto"
    VERBATIM)
  add_library(pubsub_service_proto STATIC ${generated})
  target_include_directories(pubsub_service_proto SYSTEM PUBLIC "${gen_dir}")
  target_link_libraries(pubsub_service_proto PUBLIC gRPC::grpc++ protobuf::libprotobuf)

  foreach(track IN LISTS WORKBOOK_TRACKS)
    set(lib phase11_${track}_grpc)
    add_library(${lib} INTERFACE)
    target_include_directories(${lib} INTERFACE "${src_dir}" "${PROJECT_SOURCE_DIR}/services/common")
    target_link_libraries(${lib} INTERFACE phase11_${track} pubsub_service_proto)
    if(WORKBOOK_TESTS)
      _workbook_test_program(${lib}_tests "${PROJECT_SOURCE_DIR}/tests/11-pubsub/pubsub_grpc_test.cpp"
                             ${lib} ${track} "${track}/11/" "phase11;${track};grpc")
      add_dependencies(${track}_tests ${lib}_tests)
      if(TARGET phase11_${track}_tests)
        add_dependencies(phase11_${track}_tests ${lib}_tests)  # the grader builds this one
      endif()
    endif()
  endforeach()

  if("solutions" IN_LIST WORKBOOK_TRACKS)
    foreach(tool pubsub-server pubsub)
      string(REPLACE "-" "_" source "${tool}.cpp")
      add_executable(${tool} "${src_dir}/${source}")
      target_link_libraries(${tool} PRIVATE phase11_solutions_grpc)
      _workbook_track_options(${tool} solutions)
    endforeach()
  endif()
endfunction()
