#include "services/catalog/startup_checks.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "services/catalog/storage/keys.h"

namespace annals::catalog {
namespace {

// Whether `space` holds at least one key; sets *error on a read error.
bool HoldsAnything(const Storage& storage, Space space, absl::Status* error) {
  bool any = false;
  *error =
      storage.Scan(space, "", "", [&any](absl::string_view, absl::string_view) {
        any = true;
        return false;
      });
  return any;
}

}  // namespace

absl::Status CheckStoredInvariants(const Storage& storage, int64_t head,
                                   bool has_catalog_id) {
  if (!has_catalog_id) {
    // The id is written before anything else, so only a store that never
    // held data may lack it (a first start that stopped before writing it).
    absl::Status error;
    for (Space space :
         {Space::kEntities, Space::kStatements, Space::kChanges}) {
      const bool any = HoldsAnything(storage, space, &error);
      if (!error.ok()) return error;
      if (any || head > 0) {
        return absl::DataLossError(
            "the store holds data but no catalog_id in its meta space: it "
            "is not an Annals catalog, or its meta space is damaged");
      }
    }
  }
  // From the start of the checked tail to the end of the change log.
  const int64_t first = std::max<int64_t>(1, head - kCheckedTailChanges + 1);
  int64_t expected = first;
  std::string last_value;
  absl::Status broken;
  absl::Status scan = storage.Scan(
      Space::kChanges, keys::EncodeSequence(first), "",
      [&](absl::string_view key, absl::string_view value) {
        std::optional<uint64_t> sequence = keys::DecodeSequence(key);
        if (!sequence.has_value()) {
          broken = absl::DataLossError(
              absl::StrCat("change log holds a key of ", key.size(),
                           " bytes after sequence ", expected - 1,
                           "; its keys are 8-byte sequences"));
          return false;
        }
        const int64_t found = static_cast<int64_t>(*sequence);
        if (found > head) {
          broken = absl::DataLossError(absl::StrCat(
              "change log continues past the last sequence recorded in the "
              "meta space (",
              head, "): it holds sequence ", found));
          return false;
        }
        if (found != expected) {
          broken = absl::DataLossError(
              absl::StrCat("change log has a gap: sequences ", expected, " to ",
                           found - 1, " are missing"));
          return false;
        }
        last_value = std::string(value);
        ++expected;
        return true;
      });
  if (!broken.ok()) return broken;
  if (!scan.ok()) return scan;
  if (expected - 1 != head) {
    return absl::DataLossError(absl::StrCat(
        "change log ends at sequence ", expected - 1,
        " but the meta space records ", head, " as the last sequence"));
  }
  if (head > 0) {
    v1::Change change;
    if (!change.ParseFromString(last_value) || change.sequence() != head) {
      return absl::DataLossError(absl::StrCat(
          "the change at sequence ", head, " does not parse or carries ",
          "another sequence (", change.sequence(), ")"));
    }
  }

  return absl::OkStatus();
}

}  // namespace annals::catalog
