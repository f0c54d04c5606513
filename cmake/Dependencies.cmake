# Required and optional dependencies. Every optional part is probed so that a missing one, or
# one whose package is broken (a CMake config that fails, a header without its library, a
# library that does not link), is reported once as skipped and compiled out: it never stops
# configure. MEMWALL_WITHOUT leaves parts out on purpose (and is how the tests configure
# without them). Dependencies outside the system (a module tree, a Spack or conda prefix) are
# found through CMAKE_PREFIX_PATH.
find_package(benchmark REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)
include(CheckCXXSourceCompiles)

set(MEMWALL_WITHOUT "" CACHE STRING
    "optional parts to leave out: any of PAPI;OpenBLAS;oneDNN;MPI;liburing;CUDA;NCCL")
set(MEMWALL_OPTIONAL_FOUND "")
set(MEMWALL_OPTIONAL_MISSING "")

# The one way an optional part is probed: unless MEMWALL_WITHOUT leaves it out, the part's probe
# function memwall_probe_<name>(ok why) says whether it works and, if not, why; the outcome
# sets MEMWALL_HAVE_<var> and, when skipped, prints one status line.
macro(memwall_optional_part name var)
  set(ok OFF)
  set(why "left out (MEMWALL_WITHOUT)")
  if(NOT "${name}" IN_LIST MEMWALL_WITHOUT)
    cmake_language(CALL memwall_probe_${name} ok why)
  endif()
  if(ok)
    set(MEMWALL_HAVE_${var} ON)
    list(APPEND MEMWALL_OPTIONAL_FOUND ${name})
  else()
    set(MEMWALL_HAVE_${var} OFF)
    list(APPEND MEMWALL_OPTIONAL_MISSING ${name})
    message(STATUS "memwall: optional ${name} skipped: ${why}")
  endif()
endmacro()

# Does a program that includes `header` and calls `call` compile and link against `libs`?
function(memwall_links result header call libs)
  set(CMAKE_REQUIRED_LIBRARIES ${libs})
  set(CMAKE_REQUIRED_QUIET ON)
  unset(probe_ok CACHE)
  check_cxx_source_compiles("#include <${header}>\nint main() { ${call}; return 0; }" probe_ok)
  set(${result} ${probe_ok} PARENT_SCOPE)
  unset(probe_ok CACHE)
endfunction()

# A package found through its own CMake config runs that package's code, which may stop with
# FATAL_ERROR (Debian's oneDNN config requires OpenCL headers it does not depend on). So it is
# first found in a child CMake run; only when that succeeds is it found here too.
function(memwall_probe_config package result why)
  set(dir ${CMAKE_BINARY_DIR}/memwall_probe/${package})
  file(WRITE ${dir}/CMakeLists.txt
       "cmake_minimum_required(VERSION 3.22)\nproject(probe LANGUAGES C CXX)\n"
       "find_package(${package} CONFIG REQUIRED)\n")
  set(args -S ${dir} -B ${dir}/build -DCMAKE_BUILD_TYPE=Release)
  foreach(var CMAKE_PREFIX_PATH CMAKE_TOOLCHAIN_FILE CMAKE_FIND_ROOT_PATH CMAKE_SYSROOT
              CMAKE_C_COMPILER CMAKE_CXX_COMPILER CMAKE_LIBRARY_ARCHITECTURE MEMWALL_SYSROOT)
    if(DEFINED ${var} AND NOT "${${var}}" STREQUAL "")
      string(REPLACE ";" "\\;" value "${${var}}")
      list(APPEND args "-D${var}=${value}")
    endif()
  endforeach()
  execute_process(COMMAND ${CMAKE_COMMAND} ${args} RESULT_VARIABLE rc OUTPUT_QUIET
                  ERROR_VARIABLE err)
  if(rc EQUAL 0)
    set(${result} ON PARENT_SCOPE)
  else()
    string(REGEX MATCH "CMake Error[^\n]*\n[^\n]*\n?[^\n]*" first "${err}")
    string(REGEX REPLACE "[ \n]+" " " first "${first}")
    set(${result} OFF PARENT_SCOPE)
    set(${why} "its CMake package config failed (${first})" PARENT_SCOPE)
  endif()
endfunction()

# A pkg-config package whose header and one call must link: PAPI, OpenBLAS.
macro(memwall_probe_pkg module header call hint ok why)
  set(${why} "${hint}")
  pkg_check_modules(${module} QUIET IMPORTED_TARGET ${ARGN})
  if(${module}_FOUND)
    memwall_links(${ok} ${header} "${call}" PkgConfig::${module})
    if(NOT ${ok})
      set(${why} "the package is installed but a program using it does not link")
    endif()
  endif()
endmacro()

# Hardware counters.
macro(memwall_probe_PAPI ok why)
  memwall_probe_pkg(PAPI papi.h "PAPI_is_initialized()" "install libpapi-dev for hardware counters"
                    ${ok} ${why} papi)
endmacro()

# fp32/fp64 GEMM on the CPU.
macro(memwall_probe_OpenBLAS ok why)
  memwall_probe_pkg(OPENBLAS cblas.h
    "cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, nullptr, 1, nullptr, 1, 0.0f, nullptr, 1)"
    "install libopenblas-dev for CPU GEMM" ${ok} ${why} openblas)
endmacro()

# bf16 GEMM on the CPU.
macro(memwall_probe_oneDNN ok why)
  memwall_probe_config(dnnl ${ok} ${why})
  if(${ok})
    find_package(dnnl CONFIG QUIET)
    set(${ok} ${dnnl_FOUND})
    if(${ok})
      memwall_links(${ok} oneapi/dnnl/dnnl.hpp "(void)dnnl_version()" DNNL::dnnl)
      set(${why} "libdnnl-dev is installed but a program using it does not link")
    endif()
  elseif(${why} MATCHES "Could not find a package configuration file")
    set(${why} "install libdnnl-dev for bf16 GEMM")
  endif()
endmacro()

# The MPI families of bench_comm.
macro(memwall_probe_MPI ok why)
  set(${why} "install libopenmpi-dev and openmpi-bin for the MPI benchmarks")
  find_package(MPI QUIET COMPONENTS CXX)
  if(MPI_CXX_FOUND)
    memwall_links(${ok} mpi.h "MPI_Init(nullptr, nullptr)" MPI::MPI_CXX)
    if(NOT ${ok})
      set(${why} "MPI is installed but a program using it does not link")
    endif()
  endif()
endmacro()

# bench_gpu, and the GPU families of bench_comm.
macro(memwall_probe_CUDA ok why)
  set(${why} "no working nvcc found (the CUDA toolkit at /usr/local/cuda, or CUDACXX)")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc AND NOT DEFINED ENV{CUDACXX})
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc CACHE FILEPATH "nvcc")
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    find_package(CUDAToolkit QUIET)
    if(CUDAToolkit_FOUND)
      set(${ok} ON)
    else()
      set(${why} "nvcc found but not the CUDA toolkit's libraries")
    endif()
  endif()
endmacro()

# The NCCL collectives of bench_comm (beside the CUDA toolkit, or installed apart).
macro(memwall_probe_NCCL ok why)
  set(${why} "needs CUDA")
  if(MEMWALL_HAVE_CUDA)
    set(${why} "nccl.h and libnccl not found (install NCCL, or point CMAKE_PREFIX_PATH at it)")
    find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
    find_library(NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib
                 /usr/local/cuda/lib64)
    if(NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
      set(${ok} ON)
    endif()
  endif()
endmacro()

# io_uring for the storage benchmarks (pread/pwrite threads without it).
macro(memwall_probe_liburing ok why)
  memwall_probe_pkg(LIBURING liburing.h "io_uring_queue_exit(nullptr)"
                    "install liburing-dev for io_uring (bench_io uses pread/pwrite without it)"
                    ${ok} ${why} liburing)
endmacro()

memwall_optional_part(PAPI PAPI)
memwall_optional_part(OpenBLAS OPENBLAS)
memwall_optional_part(oneDNN ONEDNN)
memwall_optional_part(MPI MPI)
memwall_optional_part(liburing LIBURING)
memwall_optional_part(CUDA CUDA)
memwall_optional_part(NCCL NCCL)

if(MEMWALL_HAVE_PAPI)
  add_library(memwall::papi ALIAS PkgConfig::PAPI)
endif()
if(MEMWALL_HAVE_OPENBLAS)
  add_library(memwall::openblas ALIAS PkgConfig::OPENBLAS)
endif()
if(MEMWALL_HAVE_ONEDNN)
  add_library(memwall::onednn ALIAS DNNL::dnnl)
endif()
if(MEMWALL_HAVE_NCCL)
  add_library(memwall_nccl INTERFACE)
  target_include_directories(memwall_nccl INTERFACE ${NCCL_INCLUDE_DIR})
  target_link_libraries(memwall_nccl INTERFACE ${NCCL_LIBRARY})
  add_library(memwall::nccl ALIAS memwall_nccl)
endif()

message(STATUS "memwall: optional parts found: ${MEMWALL_OPTIONAL_FOUND}")
if(MEMWALL_OPTIONAL_MISSING)
  message(STATUS "memwall: optional parts skipped: ${MEMWALL_OPTIONAL_MISSING}")
endif()
