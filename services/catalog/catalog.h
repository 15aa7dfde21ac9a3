// The catalog: entities and time-qualified statements, with a change feed.
//
// Catalog holds the rules (validation, references, etags, idempotent
// retries, indexes, the change log) and is independent of the RPC layer;
// CatalogService exposes it over gRPC. Every write is one atomic
// Storage::Write() that also appends its changes to the change log at
// consecutive, gap-free sequence numbers, and returns only once durable.
//
// Thread safety: all methods are safe to call concurrently. Writes are
// serialized; reads run in parallel with them and see every acknowledged
// write.
//
//   auto storage = OpenRocksDbStorage("/var/lib/annals");
//   auto catalog = Catalog::Open(*std::move(storage));
//   absl::StatusOr<v1::Entity> e = (*catalog)->CreateEntity(request);
#ifndef ANNALS_SERVICES_CATALOG_CATALOG_H_
#define ANNALS_SERVICES_CATALOG_CATALOG_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "services/catalog/change_notifier.h"
#include "services/catalog/storage/storage.h"

namespace annals::catalog {

struct CatalogOptions {
  // Source of record times. Default: the system clock. Record times never go
  // backwards: a clock that does is held at the last commit time.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Largest page_size a List call may ask for; larger ones fail with
  // INVALID_ARGUMENT. Default: kMaxPageSize (1000).
  int max_page_size = 1000;
  // Largest ListEntities or ListStatements response, in bytes (the sum of
  // the ByteSizeLong of its items, each with its tag and length): a page
  // ends early, with a next_page_token, before the item that would exceed
  // it; a first item alone larger fails with RESOURCE_EXHAUSTED naming
  // --max_response_bytes. Other responses are bounded without it (a single
  // resource is at most kMaxStoredResourceBytes, a change-feed message
  // about 1 MiB). 0: no limit. Default: 4,000,000, below gRPC clients'
  // default 4 MiB receive limit.
  int64_t max_response_bytes = 4000000;
};

class Catalog {
 public:
  // Opens the catalog on `storage`, recovering its last sequence, and gives
  // a new catalog its identity. Fails if the storage cannot be read.
  static absl::StatusOr<std::unique_ptr<Catalog>> Open(
      std::unique_ptr<Storage> storage, CatalogOptions options = {});

  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;
  ~Catalog();

  // The RPCs of annals.catalog.v1.CatalogService; see catalog_service.proto
  // for their contracts. Errors are canonical codes with error details.
  absl::StatusOr<v1::Entity> CreateEntity(
      const v1::CreateEntityRequest& request);
  absl::StatusOr<v1::Entity> GetEntity(
      const v1::GetEntityRequest& request) const;
  absl::StatusOr<v1::ListEntitiesResponse> ListEntities(
      const v1::ListEntitiesRequest& request) const;
  absl::StatusOr<v1::Entity> UpdateEntity(
      const v1::UpdateEntityRequest& request);
  absl::StatusOr<v1::Entity> DeleteEntity(
      const v1::DeleteEntityRequest& request);
  absl::StatusOr<v1::Statement> CreateStatement(
      const v1::CreateStatementRequest& request);
  absl::StatusOr<v1::Statement> GetStatement(
      const v1::GetStatementRequest& request) const;
  absl::StatusOr<v1::ListStatementsResponse> ListStatements(
      const v1::ListStatementsRequest& request) const;
  absl::StatusOr<v1::Statement> RetractStatement(
      const v1::RetractStatementRequest& request);

  // Writes not yet in storage: (space, key) -> value, nullopt for a delete.
  using PendingWrites =
      std::map<std::pair<Space, std::string>, std::optional<std::string>>;

  // What an ImportRecords stream carries from one batch to the next. Owned by
  // ImportStream (import.h); one per stream, used by one thread at a time.
  struct ImportContext {
    // The batch's position in its stream, from 0.
    int64_t batch = 0;
    // Names of entities whose records earlier IMPORT_ERROR_MODE_KEEP_GOING
    // batches refused (and no later batch supplied), with where:
    // "batch 0, records[2]".
    std::map<std::string, std::string> refused_entities;
    // What the stream's earlier validate_only batches would have written.
    PendingWrites validated;
  };

  // Applies one import batch atomically. The response counts this batch
  // only (`batches` is 1) and `last_sequence` is the catalog sequence that
  // reflects it. Errors name the record: "records[3].statement.subject: ...".
  //
  // With IMPORT_ERROR_MODE_KEEP_GOING, records the all-or-nothing mode would
  // fail on are listed in `refused_records` (their `batch` is
  // `context.batch`) and the others are committed together; only errors
  // that are not about one record (record count, request_id, storage) fail
  // the call. With validate_only nothing is committed: `batches` is 0,
  // `batches_validated` 1, `last_sequence` 0, and the counts say what the
  // batch would do, reading `context.validated` over storage.
  //
  // `context` is updated for the next batch of the same stream when the call
  // succeeds.
  absl::StatusOr<v1::ImportRecordsResponse> ImportBatch(
      const v1::ImportRecordsRequest& request, ImportContext& context);
  // A batch on its own: a stream of one.
  absl::StatusOr<v1::ImportRecordsResponse> ImportBatch(
      const v1::ImportRecordsRequest& request);

  // Up to `max_changes` consecutive changes with sequence > after_sequence
  // (fewer once `max_bytes` of encoded changes are gathered; always at least
  // one if any exists). Empty when the reader is at the head.
  absl::StatusOr<std::vector<v1::Change>> ReadChanges(int64_t after_sequence,
                                                      int max_changes,
                                                      size_t max_bytes) const;

  // The last committed sequence (0 for an empty catalog).
  int64_t head_sequence() const { return notifier_.head(); }

  // A random id fixed when the catalog's storage was first created.
  const std::string& catalog_id() const { return catalog_id_; }

  // Wakes change-feed readers on commit.
  ChangeNotifier& notifier() { return notifier_; }

  // The storage, for what works below the catalog's rules: backups
  // (backup.h) and its figures. Valid until Close().
  const Storage& storage() const { return *storage_; }

  // Syncs and closes the storage; later calls fail with UNAVAILABLE.
  absl::Status Close();

 private:
  class Transaction;
  class ReferentCache;
  struct Writer;

  // The most write requests committed together in one synced batch.
  static constexpr size_t kMaxCommitGroup = 64;

  Catalog(std::unique_ptr<Storage> storage, CatalogOptions options,
          std::string catalog_id, int64_t head);

  // Runs `body` inside a write transaction and commits what it wrote. With a
  // request id, a retry of the same request returns the recorded response
  // and a different request with the same id fails.
  absl::Status RunWrite(absl::string_view method, absl::string_view request_id,
                        const google::protobuf::Message& request,
                        google::protobuf::Message* response,
                        const std::function<absl::Status(Transaction&)>& body);
  // Applies the requests of `group` in order, each on top of the ones before
  // it, and commits what succeeded in one synced batch; sets each writer's
  // status. Returns the new head sequence, or 0 if it did not move.
  int64_t CommitGroup(const std::vector<Writer*>& group)
      ABSL_LOCKS_EXCLUDED(write_mu_);
  // One request of a group: on success its writes are moved into `pending`
  // and `writes`, and `sequence` and `commit_time` advance; on failure
  // nothing of it is kept.
  absl::Status Apply(Writer& writer, PendingWrites& pending, WriteSet& writes,
                     int64_t& sequence, absl::Time& commit_time)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  std::unique_ptr<Storage> storage_;
  const CatalogOptions options_;
  const std::string catalog_id_;
  ChangeNotifier notifier_;

  // The write requests waiting to be committed, oldest first; the front one
  // commits a group for itself and those behind it (ADR 2).
  absl::Mutex queue_mu_ ABSL_ACQUIRED_BEFORE(write_mu_);
  std::deque<Writer*> queue_ ABSL_GUARDED_BY(queue_mu_);

  // Serializes commits: sequence assignment, reads for validation, commit.
  absl::Mutex write_mu_;
  int64_t last_sequence_ ABSL_GUARDED_BY(write_mu_);
  absl::Time last_commit_time_ ABSL_GUARDED_BY(write_mu_);
  // Committed entities as reference checks read them (transaction.h).
  const std::unique_ptr<ReferentCache> referents_ ABSL_PT_GUARDED_BY(write_mu_);
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_CATALOG_H_
