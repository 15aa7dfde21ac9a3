// ChangeSource: the timeline's view of the catalog, one change-feed stream
// at a time. The gRPC implementation (grpc_change_source.h) follows
// CatalogService.WatchChanges; tests substitute their own feed.
//
//   absl::StatusOr<std::unique_ptr<ChangeStream>> stream = source.Watch(17);
//   catalog::v1::WatchChangesResponse message;
//   while ((*stream)->Read(&message)) { ... }
//   absl::Status why = (*stream)->Finish();
#ifndef ANNALS_SERVICES_TIMELINE_CHANGE_SOURCE_H_
#define ANNALS_SERVICES_TIMELINE_CHANGE_SOURCE_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "annals/catalog/v1/catalog_service.pb.h"

namespace annals::timeline {

// One open WatchChanges stream. The first message carries no changes, only
// the catalog's head_sequence and catalog_id; later ones carry consecutive
// changes.
//
// Thread safety: Read and Finish are called from one thread; Cancel may be
// called from any thread at any time, also concurrently with Read.
class ChangeStream {
 public:
  virtual ~ChangeStream() = default;

  // Blocks for the next message. Returns false once the stream has ended
  // (the catalog went away, or Cancel was called); Finish() then says why.
  virtual bool Read(catalog::v1::WatchChangesResponse* message) = 0;

  // Makes a blocked or later Read() return false soon.
  virtual void Cancel() = 0;

  // After Read() returned false: why the stream ended. UNAVAILABLE when the
  // catalog could not be reached or went away; CANCELLED after Cancel().
  virtual absl::Status Finish() = 0;
};

// Opens change-feed streams. Thread safety: Watch may be called from any
// thread.
class ChangeSource {
 public:
  virtual ~ChangeSource() = default;

  // Opens a stream of the changes after `after_sequence`. Failing to reach
  // the catalog may show up here (an error) or as a stream whose first
  // Read() returns false.
  virtual absl::StatusOr<std::unique_ptr<ChangeStream>> Watch(
      int64_t after_sequence) = 0;
};

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_CHANGE_SOURCE_H_
