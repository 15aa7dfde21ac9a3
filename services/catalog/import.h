// ImportStream: the catalog's side of one ImportRecords stream.
//
// Applies the stream's batches in order through Catalog::ImportBatch, carries
// what later batches need from earlier ones (the entities that
// IMPORT_ERROR_MODE_KEEP_GOING batches refused, and what validate_only
// batches would have written, so that a dry run checks references between
// its batches), and sums up the responses into the stream's summary.
//
//   ImportStream stream(catalog);
//   for (const v1::ImportRecordsRequest& batch : batches) {
//     if (absl::Status s = stream.Add(batch); !s.ok()) return s;  // stop
//   }
//   v1::ImportRecordsResponse summary = stream.Summary();
//
// Thread safety: none; one stream is used by one thread at a time (gRPC
// serializes a reactor's callbacks). `catalog` must outlive the stream.
// Memory: a stream of validate_only batches keeps the entities and
// statements they would write until it ends.
#ifndef ANNALS_SERVICES_CATALOG_IMPORT_H_
#define ANNALS_SERVICES_CATALOG_IMPORT_H_

#include <cstddef>

#include "absl/status/status.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "services/catalog/catalog.h"

namespace annals::catalog {

// The most refused records a stream's summary lists; `refused` counts them
// all.
inline constexpr int kMaxRefusedRecordsListed = 10000;

class ImportStream {
 public:
  explicit ImportStream(Catalog* catalog) : catalog_(catalog) {}

  ImportStream(const ImportStream&) = delete;
  ImportStream& operator=(const ImportStream&) = delete;

  // Applies (or, with validate_only, checks) the next batch. On failure
  // nothing of the batch is written, the summary is unchanged, and the
  // error says which batch and what came before it: "batch 2 (2 earlier
  // batches committed): records[1].entity.name: ..."; the stream should end
  // there.
  absl::Status Add(const v1::ImportRecordsRequest& batch);

  // `status`, about the next batch, prefixed as Add() prefixes its errors
  // (for a batch that could not even be parsed). A stream that committed
  // nothing, and a failed `validate_only` batch, are told as checked: "batch
  // 1 (1 earlier batches checked, none committed): ...".
  absl::Status BatchError(const absl::Status& status,
                          bool validate_only = false) const;

  // The sum of the batches added so far. `last_sequence` is the catalog's
  // head when committed batches changed nothing (or no batch came), and 0
  // when every batch was validate_only.
  v1::ImportRecordsResponse Summary() const;

 private:
  Catalog* const catalog_;
  Catalog::ImportContext context_;
  v1::ImportRecordsResponse summary_;
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_IMPORT_H_
