// What the `annals` tool accepts: the overall usage text and, for each
// command, its usage text and flags. The texts are written by hand (ADR 10);
// CliTest.EverySubcommandHasHelp and DocumentedCommandsTest keep them true.
#ifndef ANNALS_CLIENTS_CLI_COMMANDS_H_
#define ANNALS_CLIENTS_CLI_COMMANDS_H_

#include <map>
#include <set>
#include <string>

namespace annals::cli {

// `annals --help`.
extern const char kUsage[];

struct CommandSpec {
  std::string usage;
  std::set<std::string> flags;
  std::set<std::string> switches;
  // One-letter forms of flags: {"output", 'o'} for -o.
  std::map<std::string, char> short_names = {};
};

// Every command by name.
const std::map<std::string, CommandSpec>& Commands();

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_COMMANDS_H_
