// Session consistency: read your own writes across the catalog and the
// timeline.
//
// A CatalogClient records the sequence of every write it makes in its
// Session; a TimelineClient sharing the Session passes the highest one as
// `min_sequence`, so the timeline answers only once it has applied them.
//
//   auto session = std::make_shared<annals::Session>();
//   annals::CatalogClient catalog(catalog_channel, {}, session);
//   annals::TimelineClient timeline(timeline_channel, {}, session);
#ifndef ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_SESSION_H_
#define ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_SESSION_H_

#include <atomic>
#include <cstdint>

namespace annals {

// Thread safety: safe to share between clients and threads.
class Session {
 public:
  // The highest catalog sequence written through this session (0: none).
  int64_t last_write_sequence() const {
    return last_write_sequence_.load(std::memory_order_acquire);
  }

  // Records that a write committed at `sequence`. Never moves backwards.
  void ObserveWrite(int64_t sequence) {
    int64_t seen = last_write_sequence_.load(std::memory_order_relaxed);
    while (sequence > seen && !last_write_sequence_.compare_exchange_weak(
                                  seen, sequence, std::memory_order_release)) {
    }
  }

 private:
  std::atomic<int64_t> last_write_sequence_{0};
};

}  // namespace annals

#endif  // ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_SESSION_H_
