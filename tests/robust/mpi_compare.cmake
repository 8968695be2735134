# Runs `paperkit-robust train` (in-process simulator) and `mpirun -np NP paperkit-robust-mpi train`
# with the same FLAGS and requires byte-identical curve CSVs (%.17g doubles, so the spread column
# alone pins every honest model bit for bit). With EXPECT_CODE set, runs only the MPI tool and
# requires that exit code and a one-line `error: ... MATCH` on stderr instead; with EXPECT_LAST_ROW
# (async mode), only exit 0 and a curve row for that step.
# Inputs: MPIRUN, MPI_TOOL, SIM_TOOL, NP, FLAGS (;-list), OUT_DIR, optional EXPECT_CODE, MATCH.
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
file(MAKE_DIRECTORY "${OUT_DIR}")
# Run mpirun by bare name through PATH: Debian's OpenMPI derives its prefix from an absolute argv[0]
# and aborts on /usr/bin/mpirun ("a prefix ... that only contained slashes").
get_filename_component(mpirun_dir "${MPIRUN}" DIRECTORY)
get_filename_component(mpirun_name "${MPIRUN}" NAME)
set(ENV{PATH} "${mpirun_dir}:$ENV{PATH}")
set(mpirun ${mpirun_name} --oversubscribe -np ${NP})
if(DEFINED EXPECT_CODE)
  execute_process(COMMAND ${mpirun} ${MPI_TOOL} train ${flags} --quiet
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL EXPECT_CODE)
    message(FATAL_ERROR "expected exit code ${EXPECT_CODE}, got ${rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
  string(REGEX MATCHALL "error: [^\n]*" lines "${err}")
  list(LENGTH lines count)
  if(NOT count EQUAL 1 OR NOT err MATCHES "${MATCH}")
    message(FATAL_ERROR "expected one `error:` line matching '${MATCH}', got:\n${err}")
  endif()
  return()
endif()
if(DEFINED EXPECT_LAST_ROW)  # async mode: not reproducible, so only a completed curve is checked
  execute_process(COMMAND ${mpirun} ${MPI_TOOL} train ${flags} --quiet RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "\n${EXPECT_LAST_ROW},[0-9.e+-]+,0\\.[0-9]+,")
    message(FATAL_ERROR "expected exit 0 and a curve row for step ${EXPECT_LAST_ROW}, got ${rc}:\n${out}\n${err}")
  endif()
  return()
endif()
execute_process(COMMAND ${SIM_TOOL} train ${flags} --quiet --out ${OUT_DIR}/sim.csv RESULT_VARIABLE rc
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "paperkit-robust train failed (${rc}): ${err}")
endif()
execute_process(COMMAND ${mpirun} ${MPI_TOOL} train ${flags} --quiet --out ${OUT_DIR}/mpi.csv RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mpirun paperkit-robust-mpi train failed (${rc}):\n${out}\n${err}")
endif()
file(READ ${OUT_DIR}/sim.csv sim)
file(READ ${OUT_DIR}/mpi.csv got)
if(NOT sim STREQUAL got OR sim STREQUAL "")
  message(FATAL_ERROR "curves differ (or are empty):\n--- simulator\n${sim}\n--- mpi\n${got}")
endif()
message(STATUS "identical curves:\n${got}")
