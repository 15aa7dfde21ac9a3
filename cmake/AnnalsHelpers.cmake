# annals_test(NAME SOURCE [LIBS ...] [LABELS ...])
#
# One test binary per *_test.cc (LevelDB's leveldb_test()). Tests are
# discovered at run time so ctest reports each TEST() separately.
include(GoogleTest)

function(annals_test name source)
  cmake_parse_arguments(ARG "" "TIMEOUT" "LIBS;LABELS" ${ARGN})
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} annals_testing GTest::gmock
                                        GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()
