#!/usr/bin/env bash
# Fails when a code block of docs/client-guide.md that is marked
#   <!-- snippet: PATH -->
# (the fenced block right after the marker) differs from the file PATH,
# which a test compiles and runs. So the guide shows exactly tested code.
set -euo pipefail
cd "${1:?usage: check_doc_snippets.sh REPO_ROOT}"
python3 - docs/client-guide.md <<'PY'
import re, sys
text = open(sys.argv[1]).read()
found = 0
for m in re.finditer(r'<!-- snippet: (\S+) -->\n```[a-z]*\n(.*?)```\n', text, re.S):
    found += 1
    want = open(m.group(1)).read()
    if m.group(2) != want:
        print(f"doc snippet differs from {m.group(1)}")
        sys.exit(1)
if found == 0:
    print("no snippets found")
    sys.exit(1)
print(f"doc snippets ok: {found}")
PY
