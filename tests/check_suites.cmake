# ctest guard (cmake -P): every top-level Boost.Test suite of PROGRAM is one of SUITES,
# the suites tests/CMakeLists.txt registers as separate ctest entries. A suite added to
# the program but not registered would otherwise never run.
#   cmake -DPROGRAM=path -DSUITES=a,b -P check_suites.cmake
cmake_minimum_required(VERSION 3.22)
string(REPLACE "," ";" SUITES "${SUITES}")
execute_process(COMMAND ${PROGRAM} --list_content
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --list_content failed (${rc}):\n${out}${err}")
endif()
string(REPLACE "\n" ";" lines "${out}${err}")
set(found "")
foreach(line IN LISTS lines)
  # Top-level suites are the unindented lines, "name*" (the * marks enabled units).
  if(line MATCHES "^([A-Za-z0-9_]+)\\*?$")
    list(APPEND found "${CMAKE_MATCH_1}")
  endif()
endforeach()
if(NOT found)
  message(FATAL_ERROR "no suite found in ${PROGRAM} --list_content:\n${out}${err}")
endif()
set(missing "")
foreach(suite IN LISTS found)
  if(NOT suite IN_LIST SUITES)
    list(APPEND missing "${suite}")
  endif()
endforeach()
set(stale "")
foreach(suite IN LISTS SUITES)
  if(NOT suite IN_LIST found)
    list(APPEND stale "${suite}")
  endif()
endforeach()
if(missing OR stale)
  message(FATAL_ERROR "suites of ${PROGRAM} and its ctest entries differ: not registered in "
                      "tests/CMakeLists.txt: [${missing}]; registered but absent: [${stale}]")
endif()
message(STATUS "${PROGRAM}: every suite has its ctest entry: ${found}")
