# The sample payload's Windows form (cmake/windows.cmake runs this at build
# time):  cmake -DSRC=payload -DDST=build/payload-windows -DSERVICE=EXE -P ...
#
# DST is SRC without its shell scripts (files that start with "#!": the
# Linux sample programs), and with each component's service program, its
# component.NAME.exec with ".exe" added, being SERVICE (the Windows sample
# service). The manifest's exec lines are changed to match; nothing else
# in it changes (docs/payload.md, "The Windows sample payload").
foreach(var SRC DST SERVICE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "payload-windows.cmake: -D${var}= is missing")
  endif()
endforeach()

file(REMOVE_RECURSE "${DST}")
file(COPY "${SRC}/" DESTINATION "${DST}")

# Leave the scripts out.
file(GLOB_RECURSE files LIST_DIRECTORIES false "${DST}/*")
foreach(f ${files})
  file(READ "${f}" head LIMIT 2 HEX)
  if(head STREQUAL "2321")
    file(REMOVE "${f}")
  endif()
endforeach()

# The manifest with ".exe" added to every component.NAME.exec (read whole:
# file(STRINGS) would drop its blank lines and split lines at ';').
file(READ "${SRC}/manifest" text)
string(REGEX REPLACE
  "(\n[ \t]*component\\.[A-Za-z0-9_-]+\\.exec[ \t]*=[^\n]*[^ \t\n])[ \t]*"
  "\\1.exe" text "\n${text}")
string(REGEX REPLACE "\\.exe\\.exe(\n|$)" ".exe\\1" text "${text}")
string(REGEX REPLACE "^\n" "" text "${text}")
file(WRITE "${DST}/manifest"
  "# The Windows form of the sample manifest (cmake/payload-windows.cmake).\n"
  "${text}")

# Each component's service program: DST/<component.NAME.dir>/<exec>.
file(STRINGS "${DST}/manifest" lines
     REGEX "^[ \t]*component\\.[A-Za-z0-9_-]+\\.(dir|exec)[ \t]*=")
foreach(line IN LISTS lines)
  if(line MATCHES "^[ \t]*component\\.([A-Za-z0-9_-]+)\\.dir[ \t]*=[ \t]*(.*[^ \t])[ \t]*$")
    set(dir_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  endif()
endforeach()
foreach(line IN LISTS lines)
  if(line MATCHES "^[ \t]*component\\.([A-Za-z0-9_-]+)\\.exec[ \t]*=[ \t]*(.*[^ \t])[ \t]*$")
    set(name "${CMAKE_MATCH_1}")
    if(NOT DEFINED dir_${name})
      message(FATAL_ERROR "${SRC}/manifest: component ${name} has an exec "
        "but no dir")
    endif()
    set(exe "${DST}/${dir_${name}}/${CMAKE_MATCH_2}")
    get_filename_component(folder "${exe}" DIRECTORY)
    file(MAKE_DIRECTORY "${folder}")
    file(COPY_FILE "${SERVICE}" "${exe}")
  endif()
endforeach()
