// Command-line flag set-up shared by the service binaries.
#ifndef ANNALS_SERVICES_COMMON_PROCESS_FLAGS_H_
#define ANNALS_SERVICES_COMMON_PROCESS_FLAGS_H_

#include <vector>

namespace annals {

// Sets the binary's flags (those defined under services/) from their
// ANNALS_* environment variables and then from argv, as
// config::ParseFlagsOrExit() does (services/common/config/flags.h): --help
// prints `message` and every flag with its variable and default, and exits
// 0; an unknown flag or a bad value prints one line and exits 2. Returns
// argv[0] alone (services take no positional arguments).
std::vector<char*> ParseServiceFlags(int argc, char** argv,
                                     const char* message);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_PROCESS_FLAGS_H_
