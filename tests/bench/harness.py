#!/usr/bin/python3
"""Small helpers for tests/bench/run that are awkward in bash.

Run with Debian's /usr/bin/python3 (python3-grpcio comes from Debian too).
Each subcommand prints its answer on stdout: a number or one JSON line.

  harness.py free-port
      A TCP port on 127.0.0.1 that was free a moment ago.
  harness.py wait-serving ADDRESS [--timeout=S]
      Waits until ADDRESS answers gRPC health Check with SERVING.
  harness.py pgbench-summary STDOUT_FILE LOG_FILE...
      One JSON line from a pgbench run: qps (tps without the initial
      connection time), mean/p50/p99 latency from the per-transaction logs
      (--log), ops and failed transactions.
  harness.py rss PID
      {"rss_bytes", "hwm_bytes"} from /proc/PID/status.
"""

import json
import re
import socket
import sys
import time

_HEALTH_CHECK = "/grpc.health.v1.Health/Check"


def _Varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _IntField(number, value):
    # A varint field; the health check needs no other kind.
    return _Varint(number << 3) + _Varint(value)


def _Option(args, name, default):
    for arg in args:
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return default


def _Positional(args):
    return [arg for arg in args if not arg.startswith("--")]


def FreePort(_):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        print(sock.getsockname()[1])


def WaitServing(args):
    import grpc  # Only this subcommand needs python3-grpcio.
    address = _Positional(args)[0]
    deadline = time.monotonic() + float(_Option(args, "timeout", "60"))
    with grpc.insecure_channel(address) as channel:
        check = channel.unary_unary(_HEALTH_CHECK)
        while True:
            try:
                # HealthCheckResponse: field 1, ServingStatus; SERVING is 1.
                if check(b"", timeout=5) == _IntField(1, 1):
                    return
            except grpc.RpcError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"{address} not SERVING")
            time.sleep(0.1)


def _Percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


def PgbenchSummary(args):
    files = _Positional(args)
    with open(files[0]) as stdout:
        text = stdout.read()

    def Number(pattern):
        match = re.search(pattern, text, re.M)
        return float(match.group(1)) if match else None

    qps = Number(r"^tps = ([0-9.]+) \(without initial connection time\)")
    processed = Number(r"^number of transactions actually processed: (\d+)")
    failed = Number(r"^number of failed transactions: (\d+)")
    latencies = []
    # Per-transaction log lines: client_id transaction_no latency_us
    # script_no epoch_s epoch_us.
    for path in files[1:]:
        with open(path) as log:
            for line in log:
                fields = line.split()
                if len(fields) >= 3 and fields[2].isdigit():
                    latencies.append(int(fields[2]))
    latencies.sort()
    summary = {
        "ops": int(processed or 0),
        "qps": qps,
        "lookups_per_second": qps,
        "mean_us": (round(sum(latencies) / len(latencies), 1)
                    if latencies else None),
        "p50_us": _Percentile(latencies, 0.50),
        "p99_us": _Percentile(latencies, 0.99),
        "errors": int(failed or 0),
    }
    if qps is None:
        summary["error"] = "no tps line in pgbench's output"
    print(json.dumps(summary))


def Rss(args):
    values = {}
    with open(f"/proc/{_Positional(args)[0]}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) * 1024
    print(json.dumps({"rss_bytes": values["VmRSS"],
                      "hwm_bytes": values["VmHWM"]}))


_COMMANDS = {
    "free-port": FreePort,
    "wait-serving": WaitServing,
    "pgbench-summary": PgbenchSummary,
    "rss": Rss,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in _COMMANDS:
        sys.exit(__doc__)
    _COMMANDS[sys.argv[1]](sys.argv[2:])
