"""Real annals-catalog and annals-timeline processes for the scripting tests.

Each service listens on 127.0.0.1 port 0 and announces the port it bound on
stdout ("annals-catalog listening on 127.0.0.1:0 (port 40307), ..."); this
module reads that line. Metrics endpoints are turned off so that tests
running in parallel do not compete for their fixed default ports.
"""

import os
import re
import subprocess
import time

_LISTENING = re.compile(r"listening on \S+ \(port (\d+)\)")


class Service:
    """A started service process. Stop() ends it with SIGTERM."""

    def __init__(self, argv, log_path, start_timeout_s=30):
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                        stderr=self._log, text=True)
        self.port = None
        deadline = time.monotonic() + start_timeout_s
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            match = _LISTENING.search(line)
            if match:
                self.port = int(match.group(1))
                break
        if self.port is None:
            self.Stop()
            raise RuntimeError(f"{argv[0]} did not start; see {log_path}")
        self.address = f"127.0.0.1:{self.port}"

    def Stop(self):
        """Sends SIGTERM and waits (SIGKILL after 20 s); returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.process.stdout.closed:
            self.process.stdout.close()
        self._log.close()
        return self.process.returncode


def StartCatalog(binary, scratch):
    return Service([binary, "--listen=127.0.0.1:0",
                    f"--data_dir={os.path.join(scratch, 'catalog')}",
                    "--metrics_listen=off"],
                   os.path.join(scratch, "catalog.log"))


def StartTimeline(binary, scratch, catalog_address):
    return Service([binary, "--listen=127.0.0.1:0",
                    f"--catalog={catalog_address}", "--metrics_listen=off"],
                   os.path.join(scratch, "timeline.log"))
