// The `annals` commands that write to the catalog one record at a time:
// create, update, delete and retract (import has its own file).
//
// Each takes --dry-run (the API's validate_only: checked as the write would
// be, nothing written) and --request-id (the client library always sends
// one, so its own retries apply once; give your own to make a retry of the
// whole command apply once too). Errors are the catalog's, naming the field.
#ifndef ANNALS_CLIENTS_CLI_WRITE_COMMANDS_H_
#define ANNALS_CLIENTS_CLI_WRITE_COMMANDS_H_

#include <ostream>
#include <string>

#include "annals/catalog_client.h"
#include "clients/cli/args.h"

namespace annals::cli {

// Runs `annals COMMAND ...` for COMMAND one of create, update, delete,
// retract. `usage` is printed on a usage error (exit status 2); a failed
// call prints the catalog's status and message (exit status 1).
int RunWriteCommand(const std::string& command, const Args& args,
                    const std::string& usage, CatalogClient& catalog,
                    std::ostream& out, std::ostream& err, bool json);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_WRITE_COMMANDS_H_
