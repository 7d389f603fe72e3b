# workbook_log_pipeline(): phase 09's real command (issue 18, "A real
# command"), declared once after workbook_phase(NUMBER 09 ...). No dependency
# beyond the phase's own headers: plain files, stdin and stdout.
#
# For each track it creates
#   the command                 log-pipeline (solutions: the one to use, and
#                               `make pipeline-demo`'s), log-pipeline-exercises
#                               (built on the student's stubs)
#   phase09_<track>_command_tests  the end-to-end tests (tests/09-pipeline/
#                               log_pipeline_command_test.cpp), which start that
#                               track's command as a child process; named
#                               <track>/09/LogPipelineCommand.*, labelled
#                               phase09;<track>;command: ordinary phase-09 tests
#                               to the grader (the stubs fail them). Not
#                               mutant tests.
function(workbook_log_pipeline)
  set(src_dir "${PROJECT_SOURCE_DIR}/services/09-pipeline")
  foreach(track IN LISTS WORKBOOK_TRACKS)
    if(track STREQUAL "solutions")
      set(tool log-pipeline)
    else()
      set(tool log-pipeline-${track})
    endif()
    add_executable(${tool} "${src_dir}/log_pipeline.cpp")
    target_include_directories(${tool} PRIVATE "${src_dir}")
    target_link_libraries(${tool} PRIVATE phase09_${track})
    _workbook_track_options(${tool} ${track})

    if(WORKBOOK_TESTS)
      set(exe phase09_${track}_command_tests)
      _workbook_test_program(${exe} "${PROJECT_SOURCE_DIR}/tests/09-pipeline/log_pipeline_command_test.cpp"
                             phase09_${track} ${track} "${track}/09/" "phase09;${track};command")
      target_compile_definitions(${exe} PRIVATE "LOG_PIPELINE_COMMAND=\"$<TARGET_FILE:${tool}>\"")
      add_dependencies(${exe} ${tool})
      add_dependencies(${track}_tests ${exe})
      # The grader builds phase09_<track>_tests, then runs every test named
      # <track>/09/*: building that target must build these too.
      add_dependencies(phase09_${track}_tests ${exe})
    endif()
  endforeach()
endfunction()
