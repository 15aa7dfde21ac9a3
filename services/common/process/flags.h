// Command-line flag set-up shared by the service binaries.
#ifndef ANNALS_SERVICES_COMMON_PROCESS_FLAGS_H_
#define ANNALS_SERVICES_COMMON_PROCESS_FLAGS_H_

#include <vector>

namespace annals {

// Sets the usage `message` and parses argv with absl flags, so that --help
// lists the flags defined in the binary's main.cc (not Abseil's own).
// Exits on --help or a malformed flag, as absl::ParseCommandLine does.
std::vector<char*> ParseServiceFlags(int argc, char** argv,
                                     const char* message);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_PROCESS_FLAGS_H_
