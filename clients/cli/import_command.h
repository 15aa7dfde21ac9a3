// `annals import`: sends import files to the catalog and reports, file by
// file, what was committed, what was rejected and what is unknown.
//
// Each batch is committed by the catalog on its own, with the request id the
// tool gives it. When a call breaks without an answer (the catalog crashed,
// the connection dropped, the deadline passed), some of its batches may have
// been committed: the outcome is unknown, never "rejected". The tool then
// sends the same batches again with the same request ids, for up to
// --retry-for seconds; the catalog answers a batch it already committed with
// its recorded response, so nothing is applied twice and the counts are
// exact. What stays unknown is reported as unknown.
#ifndef ANNALS_CLIENTS_CLI_IMPORT_COMMAND_H_
#define ANNALS_CLIENTS_CLI_IMPORT_COMMAND_H_

#include <ostream>

#include "annals/catalog_client.h"
#include "clients/cli/args.h"

namespace annals::cli {

// Exit status of an import whose only failures are outcomes still unknown
// (EX_TEMPFAIL of sysexits.h): run the same command again later.
inline constexpr int kExitOutcomeUnknown = 75;

struct ImportCommandOptions {
  // Print one JSON object instead of text.
  bool json = false;
  // Standard output is a terminal: draw a progress bar.
  bool interactive = false;
};

// Runs `annals import PATH... [--keep-going] [--dry-run] [--retry-for=S]`.
// Returns 0 when everything was imported (or checked), 1 when a file or
// record was rejected, kExitOutcomeUnknown when nothing was rejected but the
// outcome of some batches is unknown, 2 on a usage error.
int RunImport(const Args& args, CatalogClient& catalog, std::ostream& out,
              std::ostream& err, const ImportCommandOptions& options);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_IMPORT_COMMAND_H_
