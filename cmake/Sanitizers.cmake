# Sanitizer builds, chosen with ANNALS_SANITIZER (CMakePresets.json sets it):
#
#   ""        plain build (the default; gcc or clang)
#   address   AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer),
#             every UB check fatal; clang also adds libFuzzer's coverage
#             instrumentation so tests/fuzz builds real fuzzers
#   thread    ThreadSanitizer
#
# The flags apply to everything this project compiles and links, so the
# service binaries that the ops tests start are instrumented too. Debian's
# gRPC, protobuf, absl and RocksDB are not rebuilt; ASan and UBSan do not need
# them to be, ThreadSanitizer does (see cmake/sanitizers/tsan.supp).
#
# Every executable also links cmake/sanitizers/defaults.cc, which compiles in
# the runtime options (halt on the first error, the suppression files), so a
# test binary run by hand behaves as it does under ctest. ASAN_OPTIONS,
# UBSAN_OPTIONS, LSAN_OPTIONS and TSAN_OPTIONS still override single options.

set(ANNALS_SANITIZER "" CACHE STRING
    "Sanitizer build: empty, 'address' (ASan+UBSan) or 'thread' (TSan)")
set_property(CACHE ANNALS_SANITIZER PROPERTY STRINGS "" address thread)

# libFuzzer ships with clang only. With it, tests/fuzz builds coverage-guided
# fuzzers; without it (gcc), the same targets replay their corpus.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND ANNALS_SANITIZER STREQUAL "address")
  set(ANNALS_LIBFUZZER_DEFAULT ON)
else()
  set(ANNALS_LIBFUZZER_DEFAULT OFF)
endif()
option(ANNALS_LIBFUZZER "Build tests/fuzz as libFuzzer fuzzers (clang)"
       ${ANNALS_LIBFUZZER_DEFAULT})

# Debian's gcc links with --as-needed by default and clang does not; without
# it clang's binaries would need more runtime packages than the gcc build's
# (tests/ops/container checks that list against the binaries).
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_link_options(LINKER:--as-needed)
endif()

if(ANNALS_SANITIZER STREQUAL "")
  if(ANNALS_LIBFUZZER)
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
  return()
endif()

if(ANNALS_SANITIZER STREQUAL "address")
  set(annals_sanitize_flags -fsanitize=address,undefined
                            -fno-sanitize-recover=all)
elseif(ANNALS_SANITIZER STREQUAL "thread")
  set(annals_sanitize_flags -fsanitize=thread)
else()
  message(FATAL_ERROR "ANNALS_SANITIZER must be empty, 'address' or 'thread', "
                      "not '${ANNALS_SANITIZER}'")
endif()

add_compile_options(${annals_sanitize_flags} -fno-omit-frame-pointer)
add_link_options(${annals_sanitize_flags})
if(ANNALS_LIBFUZZER)
  # Coverage for the fuzzers in all project code: the fuzz targets exercise
  # the libraries, not just their own file. Other binaries resolve the
  # coverage callbacks to the sanitizer runtime's defaults.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Runtime defaults, compiled into every executable defined after this point.
add_library(annals_sanitizer_defaults OBJECT
            ${CMAKE_CURRENT_LIST_DIR}/sanitizers/defaults.cc)
if(ANNALS_SANITIZER STREQUAL "thread")
  # Debian's absl::Mutex is not instrumented; tsan_absl.cc tells TSan what
  # this project's calls of it do. Each symbol is one of its __wrap_ functions.
  target_sources(annals_sanitizer_defaults PRIVATE
                 ${CMAKE_CURRENT_LIST_DIR}/sanitizers/tsan_absl.cc)
  set(ANNALS_TSAN_WRAPPED
    _ZN4absl7debian35Mutex4LockEv
    _ZN4absl7debian35Mutex6UnlockEv
    _ZN4absl7debian35Mutex10ReaderLockEv
    _ZN4absl7debian35Mutex12ReaderUnlockEv
    _ZN4absl7debian35Mutex7TryLockEv
    _ZN4absl7debian35MutexD1Ev
    _ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE
    _ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE
    _ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE
    _ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE
    _ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE
    _ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE
    _ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE
    _ZN4absl7debian37CondVar4WaitEPNS0_5MutexE
    _ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE
    _ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE
    _ZN4absl7debian312Notification6NotifyEv
    _ZNK4absl7debian312Notification19WaitForNotificationEv
    _ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE
    _ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE)
  foreach(symbol ${ANNALS_TSAN_WRAPPED})
    add_link_options(LINKER:--wrap=${symbol})
  endforeach()
endif()
target_compile_definitions(annals_sanitizer_defaults PRIVATE
  ANNALS_LSAN_SUPPRESSIONS="${CMAKE_CURRENT_LIST_DIR}/sanitizers/lsan.supp"
  ANNALS_TSAN_SUPPRESSIONS="${CMAKE_CURRENT_LIST_DIR}/sanitizers/tsan.supp")
link_libraries(annals_sanitizer_defaults)
