# Cross-compiling for aarch64 with Debian's cross compiler (g++-aarch64-linux-gnu) and arm64
# libraries unpacked into a folder of their own (MEMWALL_SYSROOT, made by scripts/cross-test),
# so the host's packages are never touched. Tests run under qemu-aarch64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MEMWALL_SYSROOT)
if(NOT MEMWALL_SYSROOT)
  message(FATAL_ERROR "set MEMWALL_SYSROOT to the folder with the arm64 packages (scripts/cross-test)")
endif()
set(CMAKE_FIND_ROOT_PATH ${MEMWALL_SYSROOT} /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR}
    "${MEMWALL_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${MEMWALL_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${MEMWALL_SYSROOT})
# The multiarch headers (hwloc's config.h) sit where only a native compiler looks.
set(CMAKE_C_FLAGS_INIT "-isystem ${MEMWALL_SYSROOT}/usr/include/aarch64-linux-gnu")
set(CMAKE_CXX_FLAGS_INIT "-isystem ${MEMWALL_SYSROOT}/usr/include/aarch64-linux-gnu")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${MEMWALL_SYSROOT}/usr/lib/aarch64-linux-gnu")
set(CMAKE_CROSSCOMPILING_EMULATOR env LD_LIBRARY_PATH=${MEMWALL_SYSROOT}/usr/lib/aarch64-linux-gnu
    qemu-aarch64 -L /usr/aarch64-linux-gnu)
