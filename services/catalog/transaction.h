// Catalog::Transaction: the reads and writes of one write request.
//
// Internal to the catalog (catalog.cc and import.cc); include only there.
#ifndef ANNALS_SERVICES_CATALOG_TRANSACTION_H_
#define ANNALS_SERVICES_CATALOG_TRANSACTION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/storage/storage.h"

namespace annals::catalog {

// Reads through pending writes (its own, then those of the earlier requests
// of its commit group), collects them, and logs changes at consecutive
// sequences. Lives for one write request, under write_mu_.
//
// Thread safety: none; one thread uses a transaction. `storage` and `group`
// must outlive it and not change while it runs.
// FAILED_PRECONDITION "WRONG_KIND": entity `name`, of kind `kind`, is
// referred to by `field`, which needs an entity of `required_kind`.
absl::Status WrongKindError(absl::string_view name, absl::string_view kind,
                            absl::string_view field,
                            absl::string_view required_kind);

// What a reference check needs to know of an entity id.
struct Referent {
  bool exists = false;
  bool deleted = false;
  std::string kind;
};

// What reference checks have read of committed entities, shared by the
// write transactions of one catalog: an import cites each subject about ten
// times, in different batches, and each of those batches would otherwise
// read and parse the entity again.
//
// Holds only facts read from storage, never a transaction's own or its
// commit group's writes; Forget() drops the entities of every batch that
// reaches storage, so a fact is always what storage holds now. At most
// kMaxEntries ids; when full it starts over empty.
//
// Thread safety: none; used under the catalog's write_mu_.
class Catalog::ReferentCache {
 public:
  // About 100 bytes each: 25 MB at most.
  static constexpr size_t kMaxEntries = 1 << 18;

  // The committed facts about entity `id`, or nullptr when not known here.
  const Referent* Find(const std::string& id) const {
    auto it = facts_.find(id);
    return it == facts_.end() ? nullptr : &it->second;
  }
  // Records what storage holds for `id`.
  void Remember(const std::string& id, const Referent& referent) {
    if (facts_.size() >= kMaxEntries) facts_.clear();
    facts_.insert_or_assign(id, referent);
  }
  // Drops every entity that `committed` puts or deletes; call once it is in
  // storage, before the next transaction reads.
  void Forget(const WriteSet& committed) {
    for (const WriteSet::Op& op : committed.ops()) {
      if (op.space == Space::kEntities) facts_.erase(op.key);
    }
  }

 private:
  absl::flat_hash_map<std::string, Referent> facts_;
};

class Catalog::Transaction {
 public:
  // `committed`, when given, serves and collects reference checks' reads of
  // storage (see ReferentCache); only for transactions under write_mu_.
  Transaction(const Storage& storage, int64_t last_sequence, absl::Time now,
              const PendingWrites* group = nullptr,
              ReferentCache* committed = nullptr)
      : storage_(storage),
        group_(group),
        committed_(committed),
        last_sequence_(last_sequence),
        now_(now) {}

  absl::Time now() const { return now_; }
  int64_t last_sequence() const { return last_sequence_; }
  bool has_changes() const { return changes_ > 0; }
  WriteSet& writes() { return writes_; }

  // The value at `key`: this transaction's writes first, then its group's,
  // then storage. nullopt when absent or deleted. INTERNAL for the
  // write-only spaces (index, changes).
  absl::StatusOr<std::optional<std::string>> Get(Space space,
                                                 const std::string& key);

  // Hands this transaction's writes over to its commit group.
  void MoveInto(PendingWrites& group, WriteSet& writes);

  void Put(Space space, std::string key, std::string value);
  void Delete(Space space, std::string key);

  // nullopt when the entity or statement does not exist.
  absl::StatusOr<std::optional<v1::Entity>> LoadEntity(const std::string& id);
  absl::StatusOr<std::optional<v1::Statement>> LoadStatement(
      const std::string& id);

  // Stores a new revision of `entity` (replacing `previous`, if any): stamps
  // it with the next sequence, etag and update time, updates the indexes and
  // logs the change.
  void SaveEntity(v1::Entity& entity, const v1::Entity* previous,
                  v1::ChangeType type);
  void SaveStatement(v1::Statement& statement, const v1::Statement* previous,
                     v1::ChangeType type);

  // Fails unless `name` ("entities/x") exists and is not deleted; with
  // `required_kind`, it must also be of that kind.
  absl::Status CheckReference(const std::string& name, absl::string_view field,
                              absl::string_view required_kind = "");

  // Fails unless every source that the lifespan of `entity` cites exists, is
  // not deleted and is of kind "source", as for a statement's sources;
  // fields are named with `prefix` ("entity."). On failure, sets
  // `*failed_field` (when not null) to the field whose reference failed.
  absl::Status CheckEntityReferences(const v1::Entity& entity,
                                     absl::string_view prefix,
                                     std::string* failed_field = nullptr);

  // Checks the subject, an entity object and every source of `statement`,
  // naming fields with `prefix` ("records[3].statement."). On failure, sets
  // `*failed_field` (when not null) to the field whose reference failed.
  absl::Status CheckStatementReferences(const v1::Statement& statement,
                                        absl::string_view prefix,
                                        std::string* failed_field = nullptr);

 private:
  // Index entries and change log entries are written by transactions but
  // never read back through Get (lists scan storage, which only shows
  // committed writes; the feed reads storage). Keeping them out of the
  // pending writes saves a copy of every change and index key, most of a
  // statement's writes; Get refuses them so that a future reader cannot
  // miss its own writes silently.
  static bool WriteOnly(Space space) {
    return space == Space::kIndex || space == Space::kChanges;
  }

  // The facts about entity `id` as this transaction reads it (its own
  // writes, then its commit group's, then storage), read once per
  // transaction: an import batch cites the same few sources and subjects in
  // many statements. Put and Delete of the entity forget them, so they
  // always match what LoadEntity would return now; the commit group's
  // pending writes and storage do not change while the transaction runs
  // (write_mu_ is held). What comes from storage is also looked up in, and
  // kept in, `committed_`.
  absl::StatusOr<const Referent*> FindReferent(std::string id);

  // Whether this transaction or its commit group writes `key` of `space`.
  bool Overlays(Space space, const std::string& key) const;

  // Logs the change at `sequence` whose resource (field `resource_field`)
  // serializes to `resource`. Protobuf writes fields in number order and the
  // resource is the last field of a Change, so appending its bytes to the
  // other fields' gives exactly the Change's serialization, without copying
  // the resource into a Change and serializing it a second time.
  void Log(int64_t sequence, v1::ChangeType type, int resource_field,
           absl::string_view resource);

  void UpdateIndex(const std::set<std::string>& before,
                   const std::set<std::string>& after);

  const Storage& storage_;
  const PendingWrites* const group_;
  ReferentCache* const committed_;
  int64_t last_sequence_;
  const absl::Time now_;
  int changes_ = 0;
  PendingWrites pending_;
  WriteSet writes_;
  // Entity id -> what FindReferent read; see there.
  std::map<std::string, Referent> references_;
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_TRANSACTION_H_
