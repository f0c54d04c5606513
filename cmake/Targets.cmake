# What every target of the project shares: its warnings, and how it sees the headers of the
# parts it uses.

# Link memwall_warnings (PRIVATE) into every target: -Wall -Wextra, errors with MEMWALL_WERROR;
# CUDA files pass them to their host compiler.
add_library(memwall_warnings INTERFACE)
set(cxx_warnings -Wall -Wextra)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 warns falsely on std::string concatenation inside libstdc++ (GCC bug 105651).
  list(APPEND cxx_warnings -Wno-restrict)
endif()
if(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  # A note that GCC 10 changed how pairs are passed: nothing here crosses that ABI boundary.
  list(APPEND cxx_warnings -Wno-psabi)
endif()
if(MEMWALL_WERROR)
  list(APPEND cxx_warnings -Werror)
endif()
target_compile_options(memwall_warnings INTERFACE
  "$<$<COMPILE_LANGUAGE:CXX>:${cxx_warnings}>"
  "$<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>"
  "$<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<BOOL:${MEMWALL_WERROR}>>:-Werror=all-warnings>")

# Headers are named from the tree's root ("core/units.hpp", "harness/profile/model.hpp"). Each
# part's folder reaches the include path of a target only through the part's libraries: a
# folder of the build tree holds one link to the part, so a target sees the parts it links and
# no others.
function(memwall_part_includes target part)
  set(dir ${PROJECT_BINARY_DIR}/include/${part})
  if(NOT EXISTS ${dir}/${part})
    file(MAKE_DIRECTORY ${dir})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${part} ${dir}/${part} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${dir}>)
endfunction()

# A bench binary: installed beside memwall, which finds it there (memwall run starts every
# bench_* binary it finds, asking each what it is with --describe).
function(memwall_bench_binary target)
  target_link_libraries(${target} PRIVATE memwall_warnings)
  set_property(GLOBAL APPEND PROPERTY MEMWALL_BENCH_BINARIES ${target})
endfunction()
