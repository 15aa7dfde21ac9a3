// annals: the command-line tool. Everything it does lives in cli.cc.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "clients/cli/cli.h"

int main(int argc, char** argv) {
  annals::cli::Environment environment;
  for (const char* name :
       {"ANNALS_CATALOG", "ANNALS_TIMELINE", "ANNALS_TLS_CA", "ANNALS_TLS_CERT",
        "ANNALS_TLS_KEY", "ANNALS_TOKEN_FILE"}) {
    if (const char* value = std::getenv(name))
      environment.variables[name] = value;
  }
  environment.interactive = isatty(STDOUT_FILENO) != 0;
  return annals::cli::Run(std::vector<std::string>(argv + 1, argv + argc),
                          std::cout, std::cerr, environment);
}
