// Command-line flags with environment-variable fallbacks, for the service
// binaries.
//
// Every flag a binary defines (with ABSL_FLAG, in a file under services/)
// can also be set by the environment variable ANNALS_<FLAG_IN_UPPER_SNAKE>:
// --data_dir by ANNALS_DATA_DIR. A flag on the command line beats the
// environment, which beats the flag's default. An empty variable counts as
// unset. --help lists every flag with its variable and default.
//
//   int main(int argc, char** argv) {
//     config::ParseFlagsOrExit(argc, argv, {.usage = "annals-catalog: ..."});
//     std::string listen = absl::GetFlag(FLAGS_listen);
//
// Errors are one line, "annals-catalog: <what is wrong>", and exit status 2
// (a configuration error), unlike absl::ParseCommandLine.
#ifndef ANNALS_SERVICES_COMMON_CONFIG_FLAGS_H_
#define ANNALS_SERVICES_COMMON_CONFIG_FLAGS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace annals::config {

// Exit status for configuration errors: bad flags, values or files.
inline constexpr int kConfigErrorExit = 2;

// "ANNALS_" followed by the flag's name in upper case: "ANNALS_DATA_DIR".
std::string EnvironmentVariable(absl::string_view flag_name);

struct FlagOptions {
  // The start of --help: what the program is, and a usage line.
  std::string usage;
  // Which flags belong to the program: they are listed by --help, set from
  // the environment, and accepted on the command line. Default: flags
  // defined in a file under a "services/" folder.
  std::function<bool(const absl::CommandLineFlag&)> is_program_flag;
  // Reads an environment variable. Default: std::getenv.
  std::function<std::optional<std::string>(const std::string&)> getenv;
};

// What ParseFlags() found.
struct ParsedFlags {
  // --help (or -h, --helpfull) was given; the flags were not changed by the
  // command line.
  bool help = false;
};

// Sets the program's flags from the environment, then from `args` (argv
// without the program name). Accepts --name=value, --name value, and for
// booleans --name and --noname. INVALID_ARGUMENT, with a one-line message
// naming the flag or variable, on an unknown flag, a positional argument, or
// a value that does not parse.
absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                                       const FlagOptions& options);

// The --help text: the usage, then each program flag in name order with
// its help, environment variable and default.
std::string HelpText(const FlagOptions& options);

// For main(): ParseFlags(); prints HelpText() and exits 0 on --help; prints
// "<program>: <message>" to stderr and exits kConfigErrorExit on an error.
void ParseFlagsOrExit(int argc, char** argv, FlagOptions options);

// Prints "<program>: <message>" to stderr and exits kConfigErrorExit.
[[noreturn]] void ExitWithConfigError(absl::string_view program,
                                      const absl::Status& status);

}  // namespace annals::config

#endif  // ANNALS_SERVICES_COMMON_CONFIG_FLAGS_H_
