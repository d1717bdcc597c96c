#!/usr/bin/env bash
# Online back-up of the Netral database (safe while the bot runs: SQLite's backup API, not a
# file copy of a live WAL database). Usage: deploy/backup.sh /var/lib/netral/netral.db /backups
set -euo pipefail
db="${1:?database path}"
dest="${2:?backup folder}"
mkdir -p "$dest"
out="$dest/netral-$(date -u +%Y%m%dT%H%M%SZ).db"
python3 - "$db" "$out" <<'PY'
import sqlite3, sys
src = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
dst = sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)
ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
dst.close(); src.close()
if ok != "ok":
    sys.exit(f"backup integrity check failed: {ok}")
PY
chmod 600 "$out"
echo "$out"
