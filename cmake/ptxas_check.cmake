# cmake -P script behind paperkit_add_ptxas_check (PaperkitPtxasCheck.cmake).
# Inputs: NVCC, SOURCE, INCLUDE_DIR, ARCHES (list), WORK_DIR.
file(MAKE_DIRECTORY ${WORK_DIR})
set(failed "")
foreach(arch IN LISTS ARCHES)
  execute_process(
    COMMAND ${NVCC} -std=c++20 -O3 -cubin -arch=sm_${arch} -Xptxas -v -I${INCLUDE_DIR}
            -o ${WORK_DIR}/sm_${arch}.cubin ${SOURCE}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(report "${out}${err}")
  message("${report}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nvcc failed (${rc}) compiling ${SOURCE} for sm_${arch}")
  endif()
  string(REGEX MATCHALL "[0-9]+ bytes stack frame, [0-9]+ bytes spill stores, [0-9]+ bytes spill loads" frames
         "${report}")
  if(NOT frames)
    message(FATAL_ERROR "no ptxas resource report found for sm_${arch}")
  endif()
  foreach(frame IN LISTS frames)
    if(NOT frame STREQUAL "0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads")
      list(APPEND failed "sm_${arch}: ${frame}")
    endif()
  endforeach()
  list(LENGTH frames kernels)
  message("sm_${arch}: ${kernels} kernels checked")
endforeach()
if(failed)
  message(FATAL_ERROR "register spills or stack frames (see the report above): ${failed}")
endif()
message("ptxas check passed: no spills, no stack frames")
