# Cross-compiling engine-setup for 64-bit Windows with Debian's mingw-w64
# (docs/release.md, "The Windows installer"):
#
#   cmake -S . -B build-windows \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-x86_64-w64-mingw32.cmake \
#     -DES_DEPS_PREFIX=$(scripts/deps x86_64-w64-mingw32) \
#     -DES_HOST_MKPAYLOAD=build/mkpayload
#
# The compiler is the win32 thread model's (x86_64-w64-mingw32-gcc-win32):
# nothing built with it needs libwinpthread. CTest runs the unit tests
# through wine (CMAKE_CROSSCOMPILING_EMULATOR); scripts/dev test-windows
# sets WINEPREFIX and warms the wineserver first.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_VERSION 6.1)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(ES_MINGW_TRIPLE x86_64-w64-mingw32)
find_program(CMAKE_C_COMPILER NAMES ${ES_MINGW_TRIPLE}-gcc-win32
             ${ES_MINGW_TRIPLE}-gcc REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES ${ES_MINGW_TRIPLE}-windres REQUIRED)
find_program(CMAKE_AR NAMES ${ES_MINGW_TRIPLE}-gcc-ar-win32 ${ES_MINGW_TRIPLE}-ar
             REQUIRED)
find_program(CMAKE_RANLIB NAMES ${ES_MINGW_TRIPLE}-gcc-ranlib-win32
             ${ES_MINGW_TRIPLE}-ranlib REQUIRED)
find_program(CMAKE_OBJDUMP NAMES ${ES_MINGW_TRIPLE}-objdump REQUIRED)
find_program(CMAKE_STRIP NAMES ${ES_MINGW_TRIPLE}-strip REQUIRED)

# Headers and libraries from the mingw-w64 sysroot and the dependency
# prefix (ES_DEPS_PREFIX, added to CMAKE_FIND_ROOT_PATH by CMakeLists.txt);
# programs (pkg-config, wine) from the build host.
set(CMAKE_FIND_ROOT_PATH /usr/${ES_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(ES_WINE NAMES wine wine64)
if(ES_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${ES_WINE})
endif()
