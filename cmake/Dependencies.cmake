# Required and optional dependencies. Each optional part that is missing is reported once
# here and compiled out; it never breaks the build.
find_package(benchmark REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)

set(MEMWALL_OPTIONAL_FOUND "")
set(MEMWALL_OPTIONAL_MISSING "")
macro(memwall_optional name found why)
  if(${found})
    list(APPEND MEMWALL_OPTIONAL_FOUND ${name})
  else()
    list(APPEND MEMWALL_OPTIONAL_MISSING ${name})
    message(STATUS "memwall: optional ${name} not found (${why}); it is skipped")
  endif()
endmacro()

pkg_check_modules(PAPI QUIET IMPORTED_TARGET papi)
memwall_optional(PAPI PAPI_FOUND "install libpapi-dev for hardware counters")

find_package(BLAS QUIET)
pkg_check_modules(OPENBLAS QUIET IMPORTED_TARGET openblas)
memwall_optional(OpenBLAS OPENBLAS_FOUND "install libopenblas-dev for CPU GEMM")

find_package(dnnl CONFIG QUIET)
memwall_optional(oneDNN dnnl_FOUND "install libdnnl-dev for bf16 GEMM")

include(CheckLanguage)
check_language(CUDA)
set(MEMWALL_HAVE_CUDA OFF)
if(CMAKE_CUDA_COMPILER)
  set(MEMWALL_HAVE_CUDA ON)
endif()
memwall_optional(CUDA MEMWALL_HAVE_CUDA "no nvcc found; bench_gpu is not built")

find_package(MPI QUIET COMPONENTS CXX)
memwall_optional(MPI MPI_CXX_FOUND "install libopenmpi-dev for MPI benchmarks")

message(STATUS "memwall: optional parts found: ${MEMWALL_OPTIONAL_FOUND}")
if(MEMWALL_OPTIONAL_MISSING)
  message(STATUS "memwall: optional parts missing (skipped): ${MEMWALL_OPTIONAL_MISSING}")
endif()

