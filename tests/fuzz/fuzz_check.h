// FUZZ_CHECK for the fuzz targets in tests/fuzz: an invariant that must hold
// for every input. A violation prints the condition and aborts, which
// libFuzzer reports as a crash (saving the input) and the corpus replay
// (replay_main.cc) reports as a failed test.
#ifndef ANNALS_TESTS_FUZZ_FUZZ_CHECK_H_
#define ANNALS_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                          \
  do {                                                                 \
    if (!(condition)) {                                                \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, \
                   __LINE__, #condition);                              \
      std::abort();                                                    \
    }                                                                  \
  } while (false)

#endif  // ANNALS_TESTS_FUZZ_FUZZ_CHECK_H_
