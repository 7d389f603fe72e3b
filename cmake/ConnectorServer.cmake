# workbook_connector_server(): phase 13's real parts (services/13-connector),
# declared once after workbook_phase(NUMBER 13 ...):
#   connector-server   go::Connector behind phase 08's gRPC span service,
#                      forwarding entity traces to a collector-server, with
#                      /metrics on loopback (built on the reference solutions)
#   connector-load     a generator of job and entity spans with late jobs
# They use phase 08's generated span service (span_service_proto), so they
# exist exactly where phase 08's front end does: not under TSan, not without
# gRPC (workbook_grpc_front_end() has said why and how to install it). The
# phase's library and its tests need neither.
function(workbook_connector_server)
  if(NOT TARGET span_service_proto OR NOT "solutions" IN_LIST WORKBOOK_TRACKS)
    message(STATUS "connector-server (phase 13's service): skipped, phase 08's gRPC span service is not built here")
    return()
  endif()
  set(src_dir "${PROJECT_SOURCE_DIR}/services/13-connector")
  foreach(tool connector-server connector-load)
    string(REPLACE "-" "_" source "${tool}.cpp")
    add_executable(${tool} "${src_dir}/${source}")
    target_include_directories(${tool} PRIVATE "${PROJECT_SOURCE_DIR}/services/08-collector" "${PROJECT_SOURCE_DIR}/services/common")
    target_link_libraries(${tool} PRIVATE phase13_solutions span_service_proto)
    _workbook_track_options(${tool} solutions)
  endforeach()
endfunction()
