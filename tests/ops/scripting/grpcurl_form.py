#!/usr/bin/env python3
"""The grpcurl form of the cookbook's buf curl recipes (docs/grpcurl.md).

grpcurl is not packaged for Debian 12 and cannot be fetched here, so the
cookbook runs its recipes with buf curl and shows each one in grpcurl's form
beside it. This module writes that form, mechanically, by the rules of the
cookbook's table, and checks what a grpcurl command line must look like:

  buf curl --protocol grpc URL/SERVICE/METHOD -d JSON
      grpcurl -plaintext -d JSON ADDRESS SERVICE/METHOD
  -d @-                           -d @          (messages on stdin)
  --timeout 2s                    -max-time 2
  --emit-defaults                 -emit-defaults
  --list-services URL             ADDRESS list
  --list-methods URL              a loop over `ADDRESS list SERVICE`
  describe ADDRESS SYMBOL         ADDRESS describe SYMBOL
  "update_mask": "a,b"            "update_mask": {"paths": ["a", "b"]}

The last rule is the one difference in the JSON itself: grpcurl (v1.9) reads
a google.protobuf.FieldMask only as an object, buf curl only as the proto3
string form.

Used by cookbook_test.py (which fails when a grpcurl block of the cookbook
is not the translation of the recipe above it), and from the command line to
rewrite those blocks after a recipe changes:

  tests/ops/scripting/grpcurl_form.py --write docs/grpcurl.md
"""

import argparse
import json
import re
import sys

# Flags of grpcurl v1.9 (cmd/grpcurl/grpcurl.go): those that take a value,
# and those that do not.
GRPCURL_VALUE_FLAGS = {
    "-alts-handshaker-service", "-alts-target-service-account", "-authority",
    "-cacert", "-cert", "-connect-timeout", "-d", "-format", "-H",
    "-import-path", "-keepalive-time", "-key", "-max-msg-sz", "-max-time",
    "-proto", "-proto-out-dir", "-protoset", "-protoset-out",
    "-reflect-header", "-rpc-header", "-servername", "-unix", "-user-agent",
}
GRPCURL_BOOL_FLAGS = {
    "-allow-unknown-fields", "-alts", "-emit-defaults", "-expand-headers",
    "-format-error", "-help", "-insecure", "-keep-proto-names",
    "-msg-template", "-plaintext", "-use-reflection", "-v", "-version", "-vv",
}
FIELD_MASK_FIELDS = ("update_mask", "updateMask")


# --- A small shell lexer ----------------------------------------------------
#
# Enough of bash's word syntax for the cookbook: quotes, $(...), $((...)),
# ${...}, backslash escapes and line continuations. A word keeps its text
# exactly as written, so a translation changes nothing it does not mean to.


class Word:
    def __init__(self, text, start, after_continuation):
        self.text = text
        self.start = start  # offset in the block
        self.after_continuation = after_continuation


def _SkipQuoted(code, i):
    """Returns the offset after the quoted run, $(...) or ${...} at i."""
    c = code[i]
    if c == "'":
        end = code.find("'", i + 1)
        if end < 0:
            raise ValueError("unterminated single quote")
        return end + 1
    if c == '"':
        i += 1
        while i < len(code) and code[i] != '"':
            if code[i] == "\\":
                i += 2
            elif code[i] == "$" and code[i + 1:i + 2] in ("(", "{"):
                i = _SkipQuoted(code, i)
            else:
                i += 1
        if i >= len(code):
            raise ValueError("unterminated double quote")
        return i + 1
    if c == "$" and code[i + 1:i + 2] in ("(", "{"):
        close = ")" if code[i + 1] == "(" else "}"
        opening = code[i + 1]
        depth, i = 1, i + 2
        while depth:
            if i >= len(code):
                raise ValueError(f"unterminated ${opening}")
            ch = code[i]
            if ch in "'\"" or (ch == "$" and code[i + 1:i + 2] in ("(", "{")):
                i = _SkipQuoted(code, i)
                continue
            if ch == opening:
                depth += 1
            elif ch == close:
                depth -= 1
            i += 1
        return i
    raise AssertionError(c)


WORD_END = set(" \t\n|;&()<>")


def Command(code, start):
    """Reads the simple command at `start`.

    Returns (words, redirects, end): its words, the text of its redirections
    (kept as written), and the offset just after its last word or
    redirection (the command itself ends at a newline, a pipe, `;`, `&`, or
    `)`)."""
    words, redirects = [], []
    i, continued = start, False
    while i < len(code):
        c = code[i]
        if c in " \t":
            i += 1
            continue
        if code.startswith("\\\n", i):
            i += 2
            continued = True
            continue
        if c in "\n|;&)":
            break
        if c in "<>" or (c.isdigit() and code[i + 1:i + 2] in ("<", ">")):
            match = re.compile(r"\d?(<<-?|>>|<|>)(&\d|\s*\S+)").match(code, i)
            if match is None:
                raise ValueError(f"cannot read the redirection at {code[i:i + 20]!r}")
            redirects.append(match.group(0))
            i = last = match.end()
            continue
        begin = i
        while i < len(code) and code[i] not in WORD_END:
            if code[i] in "'\"" or (code[i] == "$" and code[i + 1:i + 2] in ("(", "{")):
                i = _SkipQuoted(code, i)
            elif code[i] == "\\":
                i += 2
            else:
                i += 1
        words.append(Word(code[begin:i], begin, continued))
        continued, last = False, i
    return words, redirects, last


def CommandsOf(code, program):
    """Yields (start, words, redirects, end) for each `program` command."""
    pattern = re.compile(r"(?:(?<=^)|(?<=[\s(|;&]))" + re.escape(program) + r"(?=\s)",
                         re.MULTILINE)
    for match in pattern.finditer(code):
        if _Quoted(code, match.start()):
            continue
        words, redirects, end = Command(code, match.start())
        yield match.start(), words, redirects, end


def _Quoted(code, offset):
    """Whether `offset` is inside single or double quotes (roughly: the
    cookbook never puts a quote inside a heredoc or a comment before it)."""
    single = double = False
    i = 0
    while i < offset:
        c = code[i]
        if c == "\\" and not single:
            i += 2
            continue
        if c == "'" and not double:
            single = not single
        elif c == '"' and not single:
            double = not double
        i += 1
    return single or double


# --- buf curl to grpcurl ----------------------------------------------------

URL = re.compile(r'^"?http://(\$\w+|\$\{\w+\}|\$\d|[\w.:-]+)(/([\w.]+/\w+))?"?$')


def _FieldMasksAsObjects(text):
    """Rewrites "update_mask": "a,b" as "update_mask": {"paths": ["a", "b"]}."""
    def Object(match):
        paths = [p.strip() for p in match.group(2).split(",") if p.strip()]
        return f'"{match.group(1)}": {{"paths": {json.dumps(paths)}}}'
    fields = "|".join(FIELD_MASK_FIELDS)
    return re.sub(r'"(' + fields + r')":\s*"([^"]*)"', Object, text)


def _Reindent(text, shift):
    """Moves the continuation lines of a multi-line word by `shift` columns."""
    if shift == 0 or "\n" not in text:
        return text
    first, *rest = text.split("\n")
    moved = []
    for line in rest:
        if shift > 0:
            moved.append(" " * shift + line)
        else:
            spaces = len(line) - len(line.lstrip(" "))
            moved.append(line[min(spaces, -shift):])
    return "\n".join([first] + moved)


def _Column(code, offset):
    return offset - (code.rfind("\n", 0, offset) + 1)


def TranslateCommand(code, start, words, redirects):
    """The grpcurl form of one buf curl command (without what follows it)."""
    assert [w.text for w in words[:2]] == ["buf", "curl"], words[:2]
    flags, data, address, method, listing = [], None, None, None, None
    continuation_indent = None
    rest = words[2:]
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.after_continuation and continuation_indent is None:
            continuation_indent = " " * _Column(code, word.start)
        text = word.text
        if text == "--protocol":
            if rest[i + 1].text != "grpc":
                raise ValueError("only --protocol grpc has a grpcurl form")
            i += 2
            continue
        if text == "--timeout":
            seconds = re.fullmatch(r"(\d+(?:\.\d+)?)s", rest[i + 1].text)
            if seconds is None:
                raise ValueError(f"--timeout {rest[i + 1].text}: write it in seconds")
            flags.append(f"-max-time {seconds.group(1)}")
            i += 2
            continue
        if text == "--emit-defaults":
            flags.append("-emit-defaults")
        elif text == "-H":
            flags.append(f"-H {rest[i + 1].text}")
            i += 1
        elif text == "-d":
            data = rest[i + 1]
            i += 1
        elif text in ("--list-services", "--list-methods"):
            listing = text
        elif URL.match(text):
            match = URL.match(text)
            address, method = match.group(1), match.group(3)
        else:
            raise ValueError(f"no grpcurl form for the buf curl argument {text!r}")
        i += 1
    if address is None:
        raise ValueError("buf curl without a URL")

    head = " ".join(["grpcurl", "-plaintext"] + flags)
    if listing == "--list-services":
        return f"{head} {address} list"
    if listing == "--list-methods":
        return (f"for service in $({head} {address} list); do\n"
                f"  {head} {address} list \"$service\"\n"
                f"done")
    if method is None:
        raise ValueError("buf curl without a method in its URL")
    line = head
    if data is not None:
        if data.text == "@-":
            line += " -d @"
        else:
            prefix = f"{line} -d "
            shift = (_Column(code, start) + len(prefix)) - _Column(code, data.start)
            line = prefix + _Reindent(_FieldMasksAsObjects(data.text), shift)
    target = f"{address} {method}"
    if continuation_indent is not None:
        line += f" \\\n{continuation_indent}{target}"
    else:
        line += f" {target}"
    for redirect in redirects:
        line += f" {redirect}"
    return line


DESCRIBE_FUNCTION = re.compile(r"^describe\(\) \{.*?^\}\n", re.MULTILINE | re.DOTALL)
DESCRIBE_CALL = re.compile(r"(?m)^(\s*)describe (\S+) (\S+)")


def Translate(code):
    """The grpcurl form of a cookbook block that runs buf curl."""
    code = DESCRIBE_FUNCTION.sub("", code)
    code = DESCRIBE_CALL.sub(r"\1grpcurl -plaintext \2 describe \3", code)
    pieces, last = [], 0
    for start, words, redirects, end in CommandsOf(code, "buf"):
        if len(words) < 2 or words[1].text != "curl":
            continue
        pieces.append(code[last:start])
        pieces.append(TranslateCommand(code, start, words, redirects))
        last = end
    pieces.append(code[last:])
    return "".join(pieces)


# --- What a grpcurl command line must be ------------------------------------


def _JsonOf(word):
    """The JSON a -d word passes, with shell splices ('"$X"') as 0."""
    text = word
    if not (text.startswith("'") and text.endswith("'")):
        return None
    text = re.sub(r"'\"\$[^\"]*\"'", "0", text[1:-1])
    return json.loads(text)


def _StringFieldMasks(value, path="$"):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in FIELD_MASK_FIELDS and not isinstance(item, dict):
                yield f"{path}.{key}"
            yield from _StringFieldMasks(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _StringFieldMasks(item, f"{path}[{index}]")


def Lint(code, methods=None):
    """Problems with the grpcurl commands in `code`, as a list of strings.

    Checks each command as grpcurl v1.9 reads it: known flags, each flag
    before the positional arguments (Go's flag package stops at the first),
    the address then `list`, `describe` or one method (one the servers
    offer, when `methods` is given), and request JSON that parses, with
    field masks as objects."""
    problems = []
    for _, words, _, _ in CommandsOf(code, "grpcurl"):
        args = [w.text for w in words[1:]]
        i = 0
        while i < len(args) and args[i].startswith("-"):
            flag = args[i].split("=", 1)[0]
            if flag in GRPCURL_VALUE_FLAGS:
                if "=" not in args[i]:
                    if flag == "-d":
                        try:
                            value = _JsonOf(args[i + 1])
                        except json.JSONDecodeError as error:
                            problems.append(f"-d {args[i + 1][:60]}…: not JSON: {error}")
                            value = None
                        for where in _StringFieldMasks(value):
                            problems.append(f"-d: {where} is a string; grpcurl "
                                            "reads a field mask only as "
                                            '{"paths": [...]}')
                    i += 1
            elif flag not in GRPCURL_BOOL_FLAGS:
                problems.append(f"grpcurl has no flag {args[i]}")
            i += 1
        positional = args[i:]
        if "-plaintext" not in args:
            problems.append(f"grpcurl {' '.join(args)[:60]}…: without -plaintext "
                            "it speaks TLS, which the recipes' servers do not")
        if not positional:
            problems.append("grpcurl without an address")
            continue
        if any(p.startswith("-") for p in positional[1:]):
            problems.append(f"grpcurl {' '.join(args)[:80]}: a flag after the "
                            "address is read as an argument")
            continue
        verb = positional[1:]
        if verb and verb[0] in ("list", "describe"):
            if len(verb) > 2:
                problems.append(f"grpcurl {verb[0]} takes one symbol: {verb}")
        elif len(verb) != 1:
            problems.append(f"grpcurl needs one method after the address: {verb}")
        elif methods is not None and verb[0] not in methods:
            problems.append(f"{verb[0]} is not a method the servers offer")
    return problems


# --- The cookbook's blocks --------------------------------------------------

FENCE = re.compile(r"^```(\S*)(.*)$")


def Blocks(lines):
    """Yields (first line index, last line index, language, tags) per block."""
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence is None or not fence.group(1):
            i += 1
            continue
        start = i
        i += 1
        while i < len(lines) and lines[i] != "```":
            i += 1
        if i == len(lines):
            raise ValueError(f"line {start + 1}: unterminated code block")
        yield start, i, fence.group(1), fence.group(2).split()
        i += 1


def Rewrite(text):
    """The cookbook with each recipe's grpcurl block written afresh.

    A grpcurl block (```sh grpcurl) follows each executed recipe that runs
    buf curl, unless the recipe is tagged `differs`: then its grpcurl block
    is written by hand, and only linted."""
    lines = text.split("\n")
    blocks = list(Blocks(lines))
    out, cursor = [], 0
    for index, (start, end, language, tags) in enumerate(blocks):
        if language != "sh" or "setup" in tags or "grpcurl" in tags:
            continue
        code = "\n".join(lines[start + 1:end]) + "\n"
        if "differs" in tags or "buf curl" not in code:
            continue
        form = Translate(code).rstrip("\n").split("\n")
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        out.extend(lines[cursor:end + 1])
        out.append("```sh grpcurl")
        out.extend(form)
        out.append("```")
        cursor = end + 1
        if following is not None and following[2] == "sh" and "grpcurl" in following[3]:
            cursor = following[1] + 1
    out.extend(lines[cursor:])
    return "\n".join(out)


def SelfTest():
    """Known translations; a broken translator fails here."""
    assert Translate(
        "buf curl --protocol grpc http://$TIMELINE/a.B/C \\\n"
        "  -d '{\"entity\": \"nmi\"}'\n") == (
        "grpcurl -plaintext -d '{\"entity\": \"nmi\"}' \\\n"
        "  $TIMELINE a.B/C\n")
    assert Translate(
        "X=$(buf curl --protocol grpc --timeout 2s http://$C/a.B/C -d '{}' 2>/dev/null | jq .x)\n"
    ) == "X=$(grpcurl -plaintext -max-time 2 -d '{}' $C a.B/C 2>/dev/null | jq .x)\n"
    assert Translate(
        "buf curl --protocol grpc http://$C/a.B/U \\\n"
        "  -d '{\"update_mask\": \"description,aliases\", \"etag\": \"'\"$E\"'\"}'\n"
    ) == ("grpcurl -plaintext -d '{\"update_mask\": {\"paths\": [\"description\", "
          "\"aliases\"]}, \"etag\": \"'\"$E\"'\"}' \\\n  $C a.B/U\n")
    assert Translate("buf curl --protocol grpc http://$C/a.B/I -d @- <<'EOF'\n{}\nEOF\n") == (
        "grpcurl -plaintext -d @ $C a.B/I <<'EOF'\n{}\nEOF\n")
    assert Translate("buf curl --protocol grpc --list-services http://$C\n") == (
        "grpcurl -plaintext $C list\n")
    assert Translate("describe() {\n  buf curl x\n}\ndescribe $T a.b.C\n") == (
        "grpcurl -plaintext $T describe a.b.C\n")
    # Continuation lines of the JSON move with the column it starts at.
    assert Translate(
        "buf curl --protocol grpc http://$T/a.B/C \\\n"
        "  -d '{\"a\": [\n"
        "        1]}' | jq .\n") == (
        "grpcurl -plaintext -d '{\"a\": [\n"
        "                         1]}' \\\n"
        "  $T a.B/C | jq .\n")
    assert Lint("grpcurl -plaintext -d '{}' $C a.B/C\n") == []
    assert Lint("grpcurl -plaintext $C a.B/C -d '{}'\n") != []
    assert Lint("grpcurl -plaintext --timeout 2 $C a.B/C\n") != []
    assert Lint("grpcurl -d '{}' $C a.B/C\n") != []
    assert Lint("grpcurl -plaintext -d '{\"update_mask\": \"a\"}' $C a.B/C\n") != []
    assert Lint("grpcurl -plaintext -d '{\"a\": 1' $C a.B/C\n") != []
    assert Lint("grpcurl -plaintext $C a.B/C\n", methods={"a.B/D"}) != []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="COOKBOOK",
                        help="rewrite the grpcurl blocks of this file")
    args = parser.parse_args()
    SelfTest()
    if args.write:
        with open(args.write, encoding="utf-8") as f:
            text = f.read()
        rewritten = Rewrite(text)
        if rewritten != text:
            with open(args.write, "w", encoding="utf-8") as f:
                f.write(rewritten)
            print(f"{args.write}: grpcurl forms rewritten")
        else:
            print(f"{args.write}: grpcurl forms already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
