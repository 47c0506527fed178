"""Judges what the VS Code probe saw (tests/editors/vscode.sh); exits 1 on any failure.

Arguments: the probe's JSON, the CLI's `check --format json` of the fixture, the fixture, and
where the extension must have found the server (its `from`, as the output channel says it).
The diagnostics must be exactly the CLI's (count, codes and start positions), so the editor
and CI agree by construction; completion, hover and inlay hints must be there: a server that
stops offering one fails here, it is not skipped."""
import json, re, sys

out = json.load(open(sys.argv[1]))
expected = json.load(open(sys.argv[2]))
lines = open(sys.argv[3], encoding="utf-8").read().split("\n")
failures = 0


def check(ok, what, detail=""):
    global failures
    print(("ok  " if ok else "FAIL") + " vscode: " + what + ("" if ok else ": " + str(detail)))
    failures += 0 if ok else 1


def utf16(line, chars):
    """The CLI counts columns in characters; VS Code in UTF-16 code units."""
    return len(lines[line][:chars].encode("utf-16-le")) // 2


check(not out.get("errors"), "the probe ran without errors", out.get("errors"))
check(out.get("extensionFound"), "the Post-mortem extension is installed")
server = out.get("server") or {}
check(server.get("from") == sys.argv[4], "the extension found the server: " + sys.argv[4], server)
caps = out.get("capabilities") or {}
check(bool(caps), "the extension started the server", caps)

seen = sorted((d["code"], d["line"], d["character"]) for d in out.get("diagnostics", []))
want = sorted((d["code"], d["line"] - 1, utf16(d["line"] - 1, d["column"] - 1)) for d in expected)
check(len(want) > 0, "the CLI finds problems in the fixture", expected)
check(len(seen) == len(want), f"VS Code shows exactly the CLI's {len(want)} diagnostics", f"{len(seen)}: {seen}")
check(seen == want, "the diagnostics' codes and positions are the CLI's",
      {"vscode only": sorted(set(seen) - set(want)), "cli only": sorted(set(want) - set(seen))})
stamp = [d for d in out.get("diagnostics", []) if d["code"] == "invalid-timestamp"]
check(stamp and stamp[0]["text"] == "2026-05-20 14:05", "invalid-timestamp covers exactly the bad value", stamp)

check(bool(caps.get("completionProvider")), "the server offers completion (completionProvider)", caps.keys())
labels = out.get("completions") or []
check(any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", l) for l in labels),
      "completion in the Detection time cell offers a UTC timestamp", labels[:10])
check(bool(caps.get("hoverProvider")), "the server offers hover (hoverProvider)", caps.keys())
hover = out.get("hover") or ""
check("Rollback" in hover and "Redeploy the previous release tag" in hover,
      "hover on deployment_procedures.md §5 shows that section", hover[:300])
check(bool(caps.get("inlayHintProvider")), "the server offers inlay hints (inlayHintProvider)", caps.keys())
# The fixture's Detection time is invalid, so its timeline gets no offsets; each Prevention
# row's Target date gets its days left (or overdue).
start = lines.index("## Prevention")
rows = [i for i, l in enumerate(lines) if i > start and re.match(r"\|.*\| \d{4}-\d\d-\d\d \|$", l)]
hinted = {h["line"] for h in out.get("inlayHints") or []}
check(rows and set(rows) <= hinted, f"each of the {len(rows)} Prevention rows has an inlay hint",
      {"rows": rows, "hints": out.get("inlayHints")})
print(f"vscode: {failures} failure(s)")
sys.exit(1 if failures else 0)
