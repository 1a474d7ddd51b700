# tinykv_add_test(NAME name SOURCES a.cc b.cc LIBS lib1 lib2 [LABELS l])
#
# Builds one GoogleTest executable and registers each of its tests with CTest. Tests never sleep
# on the wall clock, so a generous discovery timeout is only there for slow, loaded machines.
function(tinykv_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  set(labels unit)
  if(T_LABELS)
    set(labels ${T_LABELS})
  endif()
  gtest_discover_tests(${T_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${labels}")
endfunction()
