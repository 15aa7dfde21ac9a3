// The `annals` command-line tool, as a library so tests can run it in
// process. main.cc only forwards argv and the environment.
#ifndef ANNALS_CLIENTS_CLI_CLI_H_
#define ANNALS_CLIENTS_CLI_CLI_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace annals::cli {

struct Environment {
  // Environment variables the tool reads: ANNALS_CATALOG, ANNALS_TIMELINE,
  // ANNALS_TLS_CA, ANNALS_TLS_CERT, ANNALS_TLS_KEY, ANNALS_TOKEN_FILE.
  std::map<std::string, std::string> variables;
  // Whether standard output is a terminal: progress bars only then.
  bool interactive = false;
};

// Runs `annals <argv...>` (argv excludes the program name), writing results
// to `out` and errors to `err`. Returns the exit status: 0 on success, 1 when
// a call failed, 2 on a usage error.
int Run(const std::vector<std::string>& argv, std::ostream& out,
        std::ostream& err, const Environment& environment);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_CLI_H_
