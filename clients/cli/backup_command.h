// `annals backup DIR`: asks the catalog for an online backup into DIR on the
// catalog server's file system (CatalogAdminService.CreateBackup), and
// reports the backup: its id, catalog_id and last sequence, and the
// backups the directory keeps.
#ifndef ANNALS_CLIENTS_CLI_BACKUP_COMMAND_H_
#define ANNALS_CLIENTS_CLI_BACKUP_COMMAND_H_

#include <ostream>
#include <string>

#include "annals/options.h"
#include "clients/cli/args.h"

namespace annals::cli {

// Runs `annals backup DIR [--keep=N] [--wait=SECONDS]` against the catalog
// at `address`, with `options`' TLS and token (the call is a write: a
// catalog with --auth_token_file needs the token). DIR is sent as given
// and must be absolute on the server. Prints one line (one JSON object
// with `json`). Returns 0 when backed up, 1 when the catalog refused or
// failed, 2 on a usage error.
int RunBackup(const Args& args, const std::string& address,
              const ClientOptions& options, bool json, std::ostream& out,
              std::ostream& err);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_BACKUP_COMMAND_H_
