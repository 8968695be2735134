# paperkit_add_ptxas_check(<test name> <file.cu>): a ctest (label unit, runs in CI without a
# GPU) that compiles the file's device code alone with `-Xptxas -v` for each architecture in
# CMAKE_CUDA_ARCHITECTURES, prints ptxas's resource report, and fails if any kernel spills
# registers or uses a stack frame (a per-thread array that did not stay in registers).
# Costs one device-only compile (seconds).
function(paperkit_add_ptxas_check name source)
  set(arches "")
  foreach(arch IN LISTS CMAKE_CUDA_ARCHITECTURES)
    string(REGEX REPLACE "-(real|virtual)$" "" arch "${arch}")
    list(APPEND arches ${arch})
  endforeach()
  list(REMOVE_DUPLICATES arches)
  add_test(NAME ${name}
    COMMAND ${CMAKE_COMMAND}
      -DNVCC=${CMAKE_CUDA_COMPILER}
      -DSOURCE=${source}
      -DINCLUDE_DIR=${PROJECT_SOURCE_DIR}/include
      "-DARCHES=${arches}"
      -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/${name}
      -P ${PROJECT_SOURCE_DIR}/cmake/ptxas_check.cmake)
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 300)
endfunction()
