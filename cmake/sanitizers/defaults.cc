// Default sanitizer runtime options for every executable of a sanitizer
// build (cmake/Sanitizers.cmake links this file into each one).
//
// The runtimes call these hooks before reading ASAN_OPTIONS and friends, so
// the environment can still override any single option. Compiling them in
// means a test binary, or a service binary that a test starts, behaves the
// same by hand as under tests/run.

// llvm-14's symbolizer by full path: Debian installs it as
// llvm-symbolizer-14, and only the unversioned "llvm" package adds the name
// the runtimes look for on PATH.
#define ANNALS_SYMBOLIZER \
  "external_symbolizer_path=/usr/lib/llvm-14/bin/llvm-symbolizer:"

extern "C" {

// Every report ends the process with a non-zero status, so a finding fails
// the test that caused it. tests/run also sets log_path, which collects the
// reports of service processes that a test stops without checking how.
const char* __asan_default_options() {
  return ANNALS_SYMBOLIZER
      "halt_on_error=1:"
      "detect_leaks=1:"
      "check_initialization_order=1:"
      "strict_init_order=1:"
      "detect_stack_use_after_return=1";
}

const char* __ubsan_default_options() {
  return ANNALS_SYMBOLIZER "halt_on_error=1:print_stacktrace=1";
}

const char* __lsan_default_options() {
  return "suppressions=" ANNALS_LSAN_SUPPRESSIONS;
}

const char* __tsan_default_options() {
  return ANNALS_SYMBOLIZER
      "halt_on_error=1:"
      "second_deadlock_stack=1:"
      "suppressions=" ANNALS_TSAN_SUPPRESSIONS;
}

}  // extern "C"
