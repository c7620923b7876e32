# The sample payload as the build embeds it (CMakeLists.txt runs this at
# build time):
#   cmake -DSRC=payload -DDST=build/payload-sample -DSERVICE=EXE
#         [-DEXT=.exe -DDROP_SCRIPTS=ON] -P cmake/payload-sample.cmake
#
# DST is SRC with each component's service program, its component.NAME.exec
# (with EXT added), being SERVICE: the sample service program built from
# tools/sample-service/sample_service.c. The Windows form (EXT=.exe,
# DROP_SCRIPTS=ON) also leaves out the shell scripts (files that start with
# "#!") and adds EXT to the manifest's exec lines; nothing else in the
# manifest changes (docs/payload.md, "The sample service program").
foreach(var SRC DST SERVICE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "payload-sample.cmake: -D${var}= is missing")
  endif()
endforeach()

file(REMOVE_RECURSE "${DST}")
file(COPY "${SRC}/" DESTINATION "${DST}")

if(NOT DEFINED EXT)
  set(EXT "")
endif()

if(DROP_SCRIPTS)
  # Leave the scripts out.
  file(GLOB_RECURSE files LIST_DIRECTORIES false "${DST}/*")
  foreach(f ${files})
    file(READ "${f}" head LIMIT 2 HEX)
    if(head STREQUAL "2321")
      file(REMOVE "${f}")
    endif()
  endforeach()
endif()

if(NOT EXT STREQUAL "")
  # The manifest with EXT added to every component.NAME.exec (read whole:
  # file(STRINGS) would drop its blank lines and split lines at ';').
  file(READ "${SRC}/manifest" text)
  string(REGEX REPLACE
    "(\n[ \t]*component\\.[A-Za-z0-9_-]+\\.exec[ \t]*=[^\n]*[^ \t\n])[ \t]*"
    "\\1${EXT}" text "\n${text}")
  string(REGEX REPLACE "\\${EXT}\\${EXT}(\n|$)" "${EXT}\\1" text "${text}")
  string(REGEX REPLACE "^\n" "" text "${text}")
  file(WRITE "${DST}/manifest"
    "# The Windows form of the sample manifest (cmake/payload-sample.cmake).\n"
    "${text}")
endif()

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
