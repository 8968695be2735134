# The git sha for --version, refreshed at every build (not only at configure time), so a
# tool always reports the commit it was built from. Generates <build>/generated/paperkit_git_sha.h.
find_package(Git QUIET)
set(PAPERKIT_GIT_SHA_HEADER ${CMAKE_BINARY_DIR}/generated/paperkit_git_sha.h)
add_custom_target(paperkit_git_sha ALL
  COMMAND ${CMAKE_COMMAND} -DGIT=${GIT_EXECUTABLE} -DSOURCE=${CMAKE_SOURCE_DIR}
          -DOUT=${PAPERKIT_GIT_SHA_HEADER} -P ${CMAKE_CURRENT_LIST_DIR}/write_git_sha.cmake
  BYPRODUCTS ${PAPERKIT_GIT_SHA_HEADER}
  COMMENT "paperkit: recording the git sha")
