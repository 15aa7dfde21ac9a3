// Orderly shutdown on SIGTERM and SIGINT for the service binaries.
#ifndef ANNALS_SERVICES_COMMON_PROCESS_SIGNALS_H_
#define ANNALS_SERVICES_COMMON_PROCESS_SIGNALS_H_

namespace annals {

// Blocks SIGTERM and SIGINT in the calling thread and in every thread it
// creates afterwards. Call first thing in main().
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT (blocked by BlockTerminationSignals()) and
// returns its number.
int WaitForTerminationSignal();

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_PROCESS_SIGNALS_H_
