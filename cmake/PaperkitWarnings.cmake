# Warnings, architecture and sanitizer flags shared by every paperkit target.
add_library(paperkit_build_flags INTERFACE)
target_compile_options(paperkit_build_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion>)
if(PAPERKIT_NATIVE)
  target_compile_options(paperkit_build_flags INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
else()
  # GCC vector extensions wider than the baseline ISA (attention's 64-byte lanes) warn that their
  # calling convention differs from AVX builds; they never cross a library boundary.
  target_compile_options(paperkit_build_flags INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Wno-psabi>)
endif()
if(PAPERKIT_SANITIZE)
  target_compile_options(paperkit_build_flags INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all>)
  target_link_options(paperkit_build_flags INTERFACE -fsanitize=address,undefined)
endif()

# Private to paperkit's own targets: never exported, so consumers keep their own flags.
function(paperkit_use_build_flags target)
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:paperkit_build_flags>)
endfunction()
