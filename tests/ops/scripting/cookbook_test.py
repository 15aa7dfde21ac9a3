#!/usr/bin/env python3
"""Runs the recipes of docs/grpcurl.md against real services and checks them.

Starts annals-catalog and annals-timeline on 127.0.0.1 port 0 with a
temporary data folder, imports data/nmi with the annals CLI (as
deploy/dev/run does), then executes every ```sh block of the cookbook in
order, in one bash session per block that inherits the variables and
functions of the blocks before it, with CATALOG and TIMELINE set and buf
(from npm, pinned like tests/proto/buf_lint_test.sh) on PATH.

```python blocks run the same way, with this script's interpreter (Debian's
python3, which has python3-grpcio). Under each block the cookbook shows the
expected output:

  ```json          stdout, one or more JSON values, matched as a pattern
  ```json stderr   the error buf curl prints; the block must then fail
  ```text          stdout lines, matched as a pattern

Pattern rules (see Matches): objects match when every key shown matches
(keys left out are not checked; the key "…" is only a reading aid); a list
(or the sequence of JSON values, or of text lines) matches item by item,
where an item "…" stands for any number of items; a string "…" matches any
value, and in other strings "…" stands for any run of characters. Text
lines are compared with runs of white space collapsed.

A block without `json stderr` must exit 0. Blocks tagged `sh setup` are for
readers (installing buf, choosing addresses) and are skipped. The test also
fails if some method the servers list through reflection appears in no
executed block, so every RPC keeps a recipe.

Usage: cookbook_test.py --source-dir=DIR --catalog=BIN --timeline=BIN
           --cli=BIN --tools-dir=DIR
"""

import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import annals_services
import grpcurl_form

BUF_VERSION = "1.75.0"
ELLIPSIS = "…"
STEP_TIMEOUT_S = 30


# --- Patterns ---------------------------------------------------------------


def MatchSequence(expected, actual, match_item, path):
    """Glob-matches two lists: an expected item "…" matches any run of items.

    Returns None on a match, else a description of the first mismatch."""
    # memo[(i, j)]: result of matching expected[i:] against actual[j:].
    memo = {}
    first_failure = []

    def Go(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(expected):
            result = j == len(actual)
            if not result:
                first_failure.append(
                    f"{path}: {len(actual) - j} more item(s) than shown, "
                    f"from item {j}: {Short(actual[j])}")
        elif expected[i] == ELLIPSIS:
            result = Go(i + 1, j) or (j < len(actual) and Go(i, j + 1))
        elif j == len(actual):
            first_failure.append(
                f"{path}: missing item {i}: {Short(expected[i])}")
            result = False
        else:
            problem = match_item(expected[i], actual[j], f"{path}[{j}]")
            if problem is not None:
                first_failure.append(problem)
            result = problem is None and Go(i + 1, j + 1)
        memo[key] = result
        return result

    if Go(0, 0):
        return None
    return first_failure[0] if first_failure else f"{path}: no match"


def Matches(expected, actual, path="$"):
    """Matches a JSON value against a cookbook pattern; None when it does."""
    if isinstance(expected, str):
        if expected == ELLIPSIS:
            return None
        if not isinstance(actual, str):
            return f"{path}: expected {Short(expected)}, got {Short(actual)}"
        if expected == actual:
            return None
        if ELLIPSIS in expected:
            pattern = ".*".join(
                re.escape(part) for part in expected.split(ELLIPSIS))
            if re.fullmatch(pattern, actual, re.DOTALL):
                return None
        return f"{path}: expected {expected!r}, got {actual!r}"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {Short(actual)}"
        for key, value in expected.items():
            if key == ELLIPSIS:
                continue
            if key not in actual:
                return f"{path}: no field {key!r} (has {sorted(actual)})"
            problem = Matches(value, actual[key], f"{path}.{key}")
            if problem is not None:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: expected a list, got {Short(actual)}"
        return MatchSequence(expected, actual, Matches, path)
    if expected != actual or type(expected) is not type(actual):
        return f"{path}: expected {Short(expected)}, got {Short(actual)}"
    return None


def MatchLine(expected, actual, path):
    expected = " ".join(expected.split())
    actual = " ".join(actual.split())
    if expected == actual:
        return None
    if ELLIPSIS in expected:
        pattern = ".*".join(re.escape(part) for part in expected.split(ELLIPSIS))
        if re.fullmatch(pattern, actual):
            return None
    return f"{path}: expected {expected!r}, got {actual!r}"


def TextLines(text):
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def JsonValues(text):
    """Parses a stream of concatenated JSON values."""
    decoder = json.JSONDecoder()
    values, index = [], 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            return values
        value, index = decoder.raw_decode(text, index)
        values.append(value)


def Short(value, limit=200):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def SelfTest():
    """The matcher must reject what differs; a broken matcher fails here."""
    assert Matches({"a": "1", "…": "…"}, {"a": "1", "b": 2}) is None
    assert Matches({"a": "1"}, {"a": "2"}) is not None
    assert Matches({"a": "1"}, {"b": "1"}) is not None
    assert Matches(["x"], ["x", "y"]) is not None
    assert Matches(["x", "…"], ["x", "y", "z"]) is None
    assert Matches(["…", "z"], ["x", "y", "z"]) is None
    assert Matches(["…", "y", "…"], ["x", "z"]) is not None
    assert Matches("abc…", "abcdef") is None
    assert Matches("abc…", "abXdef") is not None
    assert Matches("a … c", "a bb c") is None
    assert Matches(True, 1) is not None
    assert Matches(7, 7) is None
    assert MatchSequence(["a b", "…"], ["a   b", "c"], MatchLine, "$") is None
    assert MatchSequence(["a b"], ["a\tb"], MatchLine, "$") is None
    assert MatchSequence(["a"], ["b"], MatchLine, "$") is not None
    assert JsonValues('{"a": 1}\n{"b": 2}') == [{"a": 1}, {"b": 2}]


# --- The cookbook -----------------------------------------------------------


class Step:
    def __init__(self, number, line, code, language):
        self.number = number
        self.line = line
        self.code = code
        self.language = language
        self.stdout_json = None
        self.stdout_text = None
        self.stderr_json = None
        self.grpcurl = None  # the recipe in grpcurl's form, if shown
        self.grpcurl_by_hand = False

    def HasExpectations(self):
        return (self.stdout_json is not None or self.stdout_text is not None
                or self.stderr_json is not None)

    def title(self):
        first = self.code.strip().splitlines()[0]
        return f"step {self.number} (docs/grpcurl.md line {self.line}): {first}"


FENCE = re.compile(r"^```(\S*)(.*)$")


def ParseCookbook(path):
    """Returns the executable steps of the cookbook, with their expectations."""
    steps = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    current = None
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence or not fence.group(1):
            i += 1
            continue
        language, tags = fence.group(1), fence.group(2).split()
        start = i
        i += 1
        body = []
        while i < len(lines) and lines[i] != "```":
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"{path}:{start + 1}: unterminated code block")
        i += 1
        text = "\n".join(body) + "\n"
        if language == "sh" and "grpcurl" in tags:
            if current is None or current.grpcurl is not None:
                raise ValueError(f"{path}:{start + 1}: a grpcurl form must "
                                 "follow the recipe it translates")
            current.grpcurl = text
            if current.HasExpectations():
                # A form shown after the recipe's output (one written by
                # hand) brings its own output, which is not run.
                current = None
        elif language in ("sh", "python"):
            if "setup" in tags:
                current = None
                continue
            current = Step(len(steps) + 1, start + 1, text, language)
            current.grpcurl_by_hand = "differs" in tags
            steps.append(current)
        elif language in ("json", "text") and current is not None:
            stderr = "stderr" in tags
            if language == "json":
                try:
                    values = JsonValues(text)
                except json.JSONDecodeError as error:
                    raise ValueError(
                        f"{path}:{start + 1}: expected output is not JSON: {error}")
                if stderr:
                    current.stderr_json = values
                else:
                    current.stdout_json = values
            else:
                if stderr:
                    raise ValueError(f"{path}:{start + 1}: use json stderr")
                current.stdout_text = TextLines(text)
        else:
            # Other illustrative blocks end a step's expectations.
            current = None
    return steps


# --- Processes --------------------------------------------------------------


def EnsureBuf(tools_dir):
    """Installs @bufbuild/buf into tools_dir (shared with the lint test)."""
    buf = os.path.join(tools_dir, "node_modules", ".bin", "buf")

    def Installed():
        if not os.access(buf, os.X_OK):
            return False
        version = subprocess.run([buf, "--version"], capture_output=True,
                                 text=True)
        return version.stdout.strip() == BUF_VERSION

    if Installed():
        return buf
    os.makedirs(tools_dir, exist_ok=True)
    with open(os.path.join(tools_dir, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not Installed():
            subprocess.run(
                ["npm", "install", "--silent", "--no-audit", "--no-fund",
                 "--prefix", tools_dir, f"@bufbuild/buf@{BUF_VERSION}"],
                check=True, stdout=subprocess.DEVNULL)
    if not Installed():
        raise RuntimeError(f"could not install buf {BUF_VERSION} into {tools_dir}")
    return buf


def Run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True,
                          timeout=STEP_TIMEOUT_S, **kwargs)


# --- Main -------------------------------------------------------------------


def RunSteps(steps, env, source_dir, scratch):
    """Runs the steps in order; returns a list of failure descriptions."""
    failures = []
    state = os.path.join(scratch, "state.sh")
    open(state, "w").close()
    for step in steps:
        script = os.path.join(scratch, f"step{step.number}.sh")
        with open(script, "w") as f:
            # The block runs as typed; its variables and functions are saved
            # for the next block (read-only shell variables excepted).
            f.write(f"source {state}\n")
            if step.language == "python":
                program = os.path.join(scratch, f"step{step.number}.py")
                with open(program, "w") as p:
                    p.write(step.code)
                f.write(f"{sys.executable} {program}\n")
            else:
                f.write(step.code)
            f.write("__rc=$?\n")
            f.write(f"declare -p > {state}.vars 2>/dev/null\n")
            f.write(f"declare -f > {state}.functions 2>/dev/null\n")
            f.write("exit $__rc\n")
        try:
            result = subprocess.run(["bash", script], cwd=source_dir, env=env,
                                    capture_output=True, text=True,
                                    timeout=STEP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            failures.append(f"{step.title()}\n  did not finish within "
                            f"{STEP_TIMEOUT_S} s")
            continue
        if os.path.exists(state + ".vars"):
            # Keep the variables the blocks define, not bash's own.
            with open(state + ".vars") as f:
                saved = FilterState(f.read().splitlines(keepends=True))
            with open(state + ".functions") as f:
                saved += f.readlines()
            with open(state, "w") as f:
                f.writelines(saved)
            os.remove(state + ".vars")
        problem = Check(step, result)
        if problem is not None:
            failures.append(
                f"{step.title()}\n  {problem}\n  exit status {result.returncode}"
                f"\n  stdout: {result.stdout[-3000:]}\n  stderr: "
                f"{result.stderr[-3000:]}")
    return failures


BASH_OWN = re.compile(
    r"^declare -\S+ (BASH|BASH_\w+|BASHOPTS|COMP\w+|DIRSTACK|EUID|FUNCNAME|"
    r"GROUPS|HISTCMD|HOSTNAME|HOSTTYPE|IFS|LINENO|MACHTYPE|OPTERR|OPTIND|"
    r"OSTYPE|PIPESTATUS|PPID|PS4|PWD|OLDPWD|RANDOM|SECONDS|SHELL|SHELLOPTS|"
    r"SHLVL|SRANDOM|UID|EPOCHREALTIME|EPOCHSECONDS|_|__rc)=")


def FilterState(lines):
    """Drops bash's own and read-only variables from `declare -p` output."""
    kept, skipping = [], False
    for line in lines:
        if line.startswith("declare "):
            flags = line.split()[1]
            skipping = bool(BASH_OWN.match(line)) or "r" in flags
        if not skipping:
            kept.append(line)
    return kept


def Check(step, result):
    expect_failure = step.stderr_json is not None
    if expect_failure and result.returncode == 0:
        return "succeeded, but the cookbook shows an error"
    if not expect_failure and result.returncode != 0:
        return "failed"
    if step.stdout_json is not None:
        try:
            values = JsonValues(result.stdout)
        except json.JSONDecodeError as error:
            return f"stdout is not JSON: {error}"
        problem = MatchSequence(step.stdout_json, values, Matches, "stdout")
        if problem is not None:
            return problem
    if step.stdout_text is not None:
        problem = MatchSequence(step.stdout_text, TextLines(result.stdout),
                                MatchLine, "stdout")
        if problem is not None:
            return problem
    if step.stderr_json is not None:
        try:
            values = JsonValues(result.stderr)
        except json.JSONDecodeError as error:
            return f"stderr is not JSON: {error}"
        problem = MatchSequence(step.stderr_json, values, Matches, "stderr")
        if problem is not None:
            return problem
    return None


def CheckGrpcurlForms(steps, methods):
    """Each buf curl recipe is shown in grpcurl's form too, and that form is
    a command line grpcurl v1.9 reads as meant: the rule-based translation,
    or (for a recipe tagged `differs`) a hand-written form that passes the
    same checks. grpcurl itself cannot be installed on Debian 12, so these
    are checked, not run."""
    failures = []
    for step in steps:
        if step.language != "sh" or "buf curl" not in step.code:
            continue
        if step.grpcurl is None:
            failures.append(f"{step.title()}\n  has no grpcurl form (run "
                            "tests/ops/scripting/grpcurl_form.py --write "
                            "docs/grpcurl.md)")
            continue
        if not step.grpcurl_by_hand:
            expected = grpcurl_form.Translate(step.code)
            if step.grpcurl != expected:
                failures.append(
                    f"{step.title()}\n  its grpcurl form is not the "
                    "translation of the recipe (run tests/ops/scripting/"
                    f"grpcurl_form.py --write docs/grpcurl.md):\n{expected}")
        for problem in grpcurl_form.Lint(step.grpcurl, methods):
            failures.append(f"{step.title()}\n  grpcurl form: {problem}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--timeline", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--tools-dir", required=True)
    args = parser.parse_args()

    SelfTest()
    grpcurl_form.SelfTest()
    cookbook = os.path.join(args.source_dir, "docs", "grpcurl.md")
    steps = ParseCookbook(cookbook)
    if len(steps) < 10:
        print(f"only {len(steps)} runnable recipes found in {cookbook}")
        return 1
    buf = EnsureBuf(args.tools_dir)

    scratch = tempfile.mkdtemp(prefix="annals-cookbook-")
    services = []
    try:
        catalog = annals_services.StartCatalog(args.catalog, scratch)
        services.append(catalog)
        timeline = annals_services.StartTimeline(args.timeline, scratch,
                                                 catalog.address)
        services.append(timeline)

        # Load the data as deploy/dev/run does, and wait until the timeline
        # has applied it.
        imported = Run([args.cli, f"--catalog={catalog.address}",
                        f"--timeline={timeline.address}", "import",
                        os.path.join(args.source_dir, "data", "nmi")])
        if imported.returncode != 0:
            print("annals import data/nmi failed:", imported.stdout,
                  imported.stderr)
            return 1
        head = re.search(r"catalog sequence (\d+)", imported.stdout)
        if head is None:
            print("no sequence in the import's output:", imported.stdout)
            return 1
        waited = Run([buf, "curl", "--protocol", "grpc",
                      f"http://{timeline.address}/annals.timeline.v1."
                      "TimelineService/GetSnapshot",
                      "-d", json.dumps({"entity": "nmi", "at": "2021-06-01",
                                        "min_sequence": head.group(1)})])
        if waited.returncode != 0:
            print("the timeline did not apply the import:", waited.stderr)
            return 1

        env = dict(os.environ)
        env["PATH"] = os.path.dirname(buf) + os.pathsep + env.get("PATH", "")
        env["CATALOG"] = catalog.address
        env["TIMELINE"] = timeline.address
        env["LC_ALL"] = "C.UTF-8"
        env["TMPDIR"] = scratch  # for mktemp in the recipes
        failures = RunSteps(steps, env, args.source_dir, scratch)

        # Every method the servers offer has a recipe.
        methods = set()
        for service in services:
            listed = Run([buf, "curl", "--protocol", "grpc", "--list-methods",
                          f"http://{service.address}"])
            if listed.returncode != 0:
                failures.append(f"--list-methods failed: {listed.stderr}")
            methods.update(TextLines(listed.stdout))
        executed = "\n".join(step.code for step in steps)
        for method in sorted(methods):
            if method not in executed:
                failures.append(f"{method} has no recipe in docs/grpcurl.md")
        if len(methods) < 15:
            failures.append(f"reflection listed only {sorted(methods)}")
        failures += CheckGrpcurlForms(steps, methods)
    finally:
        for service in reversed(services):
            service.Stop()

    if failures:
        print(f"{len(failures)} problem(s) with docs/grpcurl.md "
              f"(logs in {scratch}):\n")
        print("\n\n".join(failures))
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"docs/grpcurl.md: {len(steps)} recipes ran as documented; "
          f"{len(methods)} methods covered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
