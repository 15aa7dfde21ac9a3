// `annals export`: the catalog, or the part a filter selects, as JSON Lines
// in the shape `annals import` reads, at one catalog sequence.
//
// The export is folded on the client from the catalog's gap-free change feed
// (ADR 13): the head sequence is fixed when the export starts (or, with
// --as-of, the last sequence committed at or before that time), and only
// changes up to it are read, so the file holds exactly the catalog as it
// stood at that sequence however much is written meanwhile. Memory holds an
// index of every resource name and the sequence of its last revision; the
// records themselves are spooled to unnamed temporary files.
//
// The first line is a header (docs/cli.md, "Export"):
//   {"annalsExport":{"format":"annals-export-v1","catalogId":"…",
//    "sequence":"42","sequenceTime":"…",…}}
// Then, for the current state, one ImportRecord per line: entities first,
// then statements, without output-only fields other than extent bounds.
// With --history, one {"change": Change} per line in sequence order: every
// revision, retraction and deletion with its commit time.
#ifndef ANNALS_CLIENTS_CLI_EXPORT_COMMAND_H_
#define ANNALS_CLIENTS_CLI_EXPORT_COMMAND_H_

#include <ostream>

#include "annals/catalog_client.h"
#include "clients/cli/args.h"

namespace annals::cli {

// Runs `annals export [--kind=K]... [--subject=E]... [--predicate=P]...
// [--as-of=RFC3339] [--history] [-o FILE]`. Returns 0 when the export was
// written in full, 1 when the catalog could not be read or FILE not written
// (FILE is then left as it was), 2 on a usage error (a bad flag or value,
// named on `err`).
int RunExport(const Args& args, CatalogClient& catalog, std::ostream& out,
              std::ostream& err);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_EXPORT_COMMAND_H_
