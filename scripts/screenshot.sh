#!/usr/bin/env bash
# Regenerates docs/images/sandbox-run.png: a real interactive run of `okta-aws-sso init --sandbox --yes`
# in a terminal (tmux, 120x50, colours on), captured with its colours and rendered to SVG, then PNG.
#
# Prerequisites (not needed by the tests or CI): tmux, python3 and rsvg-convert, e.g. on Debian:
#   apt-get install -y tmux python3 librsvg2-bin
# and the project built (npm ci, or npm run build).
#
#   scripts/screenshot.sh            # writes docs/images/sandbox-run.svg and .png
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
for tool in tmux python3 rsvg-convert; do
  command -v "$tool" >/dev/null || { echo "Error: $tool is missing. What to do: apt-get install -y tmux python3 librsvg2-bin" >&2; exit 2; }
done
[ -f "$ROOT/dist/cli/main.js" ] || { echo "Error: dist/ is not built. What to do: npm run build" >&2; exit 2; }

WORK="$(mktemp -d)"
SESSION="oas-shot-$$"
cleanup() {
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  (cd "$WORK" && node "$ROOT/bin/okta-aws-sso.js" sandbox stop >/dev/null 2>&1) || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A clean environment: no real AWS/Okta settings, a colour terminal.
tmux new-session -d -s "$SESSION" -x 120 -y 50 -c "$WORK" \
  "env -i PATH='$PATH' HOME='$WORK' TERM=xterm-256color COLORTERM=truecolor PS1='$ ' bash --norc --noprofile"
tmux set-option -t "$SESSION" history-limit 5000 >/dev/null
tmux send-keys -t "$SESSION" "clear; node $ROOT/bin/okta-aws-sso.js init --sandbox --yes; echo \"[exit \$?]\"" Enter

# Wait for the run to end (it prints "[exit N]"), up to 10 minutes. A question still asked despite
# --yes (its last line starts with "? ") is answered with its default (Enter), as a person would.
for _ in $(seq 600); do
  screen="$(tmux capture-pane -p -t "$SESSION" -S -)"
  if grep -q '^\[exit [0-9]*\]' <<<"$screen"; then break; fi
  if [ "$(grep -v '^$' <<<"$screen" | tail -n 1 | cut -c1-2)" = "? " ]; then
    sleep 1
    tmux send-keys -t "$SESSION" Enter
  fi
  sleep 1
done
tmux capture-pane -p -e -J -t "$SESSION" -S - > "$WORK/capture.ansi"
grep -q '^\[exit 0\]' <(sed 's/\x1b\[[0-9;]*m//g' "$WORK/capture.ansi") || { echo "Error: the run did not end with exit 0; see $WORK/capture.ansi" >&2; trap - EXIT; exit 1; }

# The command as typed, then the last 46 lines of the run (its end and the closing summary), without
# the "[exit 0]" marker and the shell prompt after it; this machine's paths become placeholders.
sed -e "s#$ROOT#<repo>#g" -e "s#$WORK#~/demo#g" "$WORK/capture.ansi" \
  | sed -e 's/\x1b\[[0-9;]*m\[exit [0-9]*\]//' -e '/^\[exit [0-9]*\]/d' -e '/^\$ *$/d' \
  | awk '{ lines[NR] = $0 } END { n = NR; while (n > 0 && lines[n] ~ /^[[:space:]]*$/) n--; for (i = 1; i <= n; i++) print lines[i] }' > "$WORK/trimmed.ansi"
{ printf '\033[32m~/demo\033[0m$ npx okta-aws-sso init --sandbox --yes\n\033[2m...\033[0m\n'; tail -n 46 "$WORK/trimmed.ansi"; } > "$WORK/final.ansi"
python3 "$ROOT/scripts/ansi-to-svg.py" < "$WORK/final.ansi" > "$ROOT/docs/images/sandbox-run.svg"
rsvg-convert -w 1100 "$ROOT/docs/images/sandbox-run.svg" -o "$ROOT/docs/images/sandbox-run.png"
echo "wrote docs/images/sandbox-run.svg and docs/images/sandbox-run.png"
