// Offline verification of a catalog's data folder or backup: reads
// everything, changes nothing, and checks the invariants the catalog keeps
// with every commit:
//
//  - the meta space names a catalog_id and a last sequence;
//  - the change log holds every sequence from 1 to the last, each once,
//    each parsing as a Change that carries its own sequence, none beyond;
//  - every stored entity and statement is named after its key, is not
//    newer than the last sequence, and has each index entry its content
//    implies (kind, label, aliases; subject, predicate, object entity);
//  - every index entry points at a stored record whose content implies it;
//  - every reference resolves: a statement's subject, object entity and
//    sources, an entity's lifespan sources.
//
// Memory stays bounded whatever the catalog's size: the key spaces are
// scanned, and each check reads the keys it needs.
//
//   absl::StatusOr<VerifyReport> report = VerifyCatalogFolder(path, {});
//   if (report.ok() && report->problems.empty()) ...  // clean
#ifndef ANNALS_SERVICES_CATALOG_VERIFY_H_
#define ANNALS_SERVICES_CATALOG_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/catalog/storage/storage.h"

namespace annals::catalog {

struct VerifyOptions {
  // Problems described at most; the others are only counted. Default: 20.
  int max_problems = 20;
  // Verify every table file's checksums too (data folders; a backup's
  // files are always checked against its own checksums). Default: true.
  bool verify_checksums = true;
};

struct VerifyReport {
  // "data folder" or "backup 3 of 3".
  std::string what;
  std::string catalog_id;
  int64_t last_sequence = 0;
  int64_t changes = 0;
  int64_t entities = 0;
  int64_t statements = 0;
  int64_t index_entries = 0;
  // The first problems found, each naming what is wrong and where, e.g.
  // "change log: sequence 17 is missing".
  std::vector<std::string> problems;
  // How many problems were found in all (at least problems.size()).
  int64_t problem_count = 0;

  // One line: what was checked and the counts, then "clean" or "N
  // problems".
  std::string Summary() const;
};

// Checks the invariants above on `storage`. Problems go in the report; an
// error is returned only when the storage cannot be read.
absl::StatusOr<VerifyReport> VerifyStoredCatalog(const Storage& storage,
                                                 const VerifyOptions& options);

// Opens `path` read-only (a catalog's data folder, or a backup directory:
// then every backup's files are checked against their checksums and the
// latest is verified in place, including that it holds the catalog_id and
// last sequence it recorded) and verifies it. Errors: the folder cannot be
// opened (NOT_FOUND: no database; FAILED_PRECONDITION: not a catalog's;
// DATA_LOSS: a damaged file).
absl::StatusOr<VerifyReport> VerifyCatalogFolder(const std::string& path,
                                                 const VerifyOptions& options);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_VERIFY_H_
