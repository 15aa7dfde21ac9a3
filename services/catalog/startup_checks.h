// The invariants of a catalog's stored key spaces, checked by
// Catalog::Open() before the catalog serves anything (ADR 8). They are
// cheap (a few thousand keys read, whatever the catalog's size) and catch
// a store that is damaged or not a catalog's, which would otherwise show
// only when a reader of the change feed or a client reached the damage.
//
// Checked, in this order:
//  - a catalog holding anything has a catalog_id (it is written, alone,
//    before the first change);
//  - the change log ends exactly at the last sequence recorded in the meta
//    space (every commit writes both in one batch);
//  - its last kCheckedTailChanges entries are consecutive, with 8-byte
//    keys, and the last one parses and carries the recorded sequence.
#ifndef ANNALS_SERVICES_CATALOG_STARTUP_CHECKS_H_
#define ANNALS_SERVICES_CATALOG_STARTUP_CHECKS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "services/catalog/storage/storage.h"

namespace annals::catalog {

// How many of the newest changes are checked for gaps at start.
inline constexpr int64_t kCheckedTailChanges = 1000;

// Checks the invariants above for a store whose meta space records `head`
// as the last sequence (0: none) and does or does not hold a catalog_id.
// Returns DATA_LOSS saying which invariant is broken and where, a read
// error as is, or OK.
absl::Status CheckStoredInvariants(const Storage& storage, int64_t head,
                                   bool has_catalog_id);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STARTUP_CHECKS_H_
