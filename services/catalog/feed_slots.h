// FeedSlots: who may hold the catalog's change-feed (WatchChanges) streams.
//
// A stream holds a slot from its first message until it ends. Without
// limits per caller, one client opening --max_streams streams (they cost it
// nothing: it need not read them) would lock out every timeline, which
// then reports NOT_SERVING. So, besides the total:
//  - callers that do not present the bearer token ("anonymous": every
//    caller when the catalog has no token) hold at most
//    `max_streams_per_peer` streams per client address; and
//  - when the catalog has a token, `reserved_streams` of the total are kept
//    for callers presenting it (the operator's timelines), so anonymous
//    callers from many addresses together still cannot take them all.
// Callers presenting the token are limited by the total only: several
// timelines may follow from one host.
//
//   FeedSlots slots(limits, /*tokens=*/true);
//   absl::StatusOr<FeedSlots::Ticket> ticket =
//       slots.Acquire(context->peer(), authenticated);
//   if (!ticket.ok()) return Reject(ticket.status());
//   ...
//   slots.Release(*ticket);  // when the stream is done
//
// Thread safety: safe for concurrent calls.
#ifndef ANNALS_SERVICES_CATALOG_FEED_SLOTS_H_
#define ANNALS_SERVICES_CATALOG_FEED_SLOTS_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace annals::catalog {

struct FeedSlotLimits {
  // Most streams open at once (--max_streams); 0: no limit. Default: 100.
  int max_streams = 100;
  // Most streams open at once from one client address by callers without
  // the bearer token (--max_streams_per_peer); 0: no limit. Default: 16.
  int max_streams_per_peer = 16;
  // Slots of max_streams only callers presenting the bearer token may take
  // (--reserved_streams); applies only when the catalog has a token and
  // max_streams is not 0. Default: 10.
  int reserved_streams = 10;
};

// The client address in a gRPC peer string, without the port:
// "ipv4:10.0.0.7:5123" -> "10.0.0.7", "ipv6:[::1]:5123" (or its
// URL-encoded form "ipv6:%5B::1%5D:5123") -> "::1", an IPv4-mapped
// "ipv6:[::ffff:10.0.0.7]:5123" -> "10.0.0.7". Other peers ("unix:...")
// are returned whole.
std::string PeerAddress(absl::string_view peer);

class FeedSlots {
 public:
  // What Acquire granted; give it back to Release.
  struct Ticket {
    std::string address;  // PeerAddress of the caller
    bool authenticated = false;
  };

  // `tokens`: whether the catalog checks bearer tokens at all (without
  // them nobody can be told apart, and nothing is reserved).
  FeedSlots(FeedSlotLimits limits, bool tokens);

  // Takes a slot for a stream from `peer` (grpc::ServerContext::peer()),
  // `authenticated` if the call carried the catalog's bearer token.
  // RESOURCE_EXHAUSTED naming the flag that refused it:
  //   "too many change-feed streams from 127.0.0.1
  //    (--max_streams_per_peer=16); close some or try later",
  //   "the change-feed streams open to callers without the bearer token are
  //    taken (--max_streams=100 less --reserved_streams=10 kept for callers
  //    presenting it); try later",
  //   "too many change-feed streams (--max_streams=100); try later".
  absl::StatusOr<Ticket> Acquire(absl::string_view peer, bool authenticated);

  // Gives back a slot Acquire granted.
  void Release(const Ticket& ticket);

  // Streams holding a slot now.
  int open() const;

 private:
  const FeedSlotLimits limits_;
  // Anonymous callers together hold at most this many; -1: no such limit.
  const int anonymous_limit_;
  mutable absl::Mutex mu_;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  int anonymous_ ABSL_GUARDED_BY(mu_) = 0;
  // Anonymous streams per address; addresses with none are erased.
  absl::flat_hash_map<std::string, int> per_address_ ABSL_GUARDED_BY(mu_);
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_FEED_SLOTS_H_
