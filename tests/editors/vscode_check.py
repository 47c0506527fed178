"""Judges what the VS Code probe saw (tests/editors/vscode.sh); exits 1 on any failure.
Completion and hover are judged only when the server advertises them, else SKIP."""
import json, re, sys

out = json.load(open(sys.argv[1]))
failures = 0

def check(ok, what, detail=""):
    global failures
    print(("ok  " if ok else "FAIL") + " vscode: " + what + ("" if ok else ": " + str(detail)))
    failures += 0 if ok else 1

check(not out.get("errors"), "the probe ran without errors", out.get("errors"))
check(out.get("extensionFound"), "the Post-mortem extension is installed")
caps = out.get("capabilities") or {}
check(bool(caps), "the extension started the server", caps)
codes = sorted({d["code"] for d in out.get("diagnostics", [])})
want = ["human-error", "invalid-owner", "invalid-timestamp", "missing-ticket"]
check(codes == want, "diagnostic codes are " + ", ".join(want), codes)
stamp = [d for d in out.get("diagnostics", []) if d["code"] == "invalid-timestamp"]
check(stamp and stamp[0]["text"] == "2026-05-20 14:05", "invalid-timestamp covers exactly the bad value", stamp)
if caps.get("completionProvider"):
    labels = out.get("completions") or []
    check(any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", l) for l in labels),
          "completion in the Detection time cell offers a UTC timestamp", labels[:10])
else:
    print("SKIP vscode: completion: the server does not advertise completionProvider yet")
if caps.get("hoverProvider"):
    hover = out.get("hover") or ""
    check("Rollback" in hover and "Redeploy the previous release tag" in hover,
          "hover on deployment_procedures.md §5 shows that section", hover[:300])
else:
    print("SKIP vscode: hover: the server does not advertise hoverProvider yet")
print(f"vscode: {failures} failure(s)")
sys.exit(1 if failures else 0)
