# Example bash message bus: the same on-disk protocol as busbench's reference tmpfs bus
# (lib/drivers/tmpfs/bus.ts, layout.ts). Source it, set BUS_ROOT, then:
#   bus_register AGENT                 create AGENT's inbox
#   send_message FROM TO PAYLOAD       deliver one message (PAYLOAD is any text; stored as a JSON string)
#   receive_message AGENT              print AGENT's oldest message (one JSON line) and remove it;
#                                      print nothing when the inbox is empty (_bus_got: 1 or 0)
#   inbox_depth AGENT                  print how many messages wait
# Layout below BUS_ROOT: agents/<id>/inbox/<20-digit ns>-<id>.json, temp files in tmp/.
# A message is written to tmp/ and then linked into the inbox (atomic: a receiver never sees
# half a message). No forks on the hot path: link/unlink/mkdir come from bash's loadable builtins
# (Debian package bash-builtins) when present, else from the external ln/rm/mkdir.

: "${BUS_ROOT:?set BUS_ROOT to the bus directory}"
# bash has no CLOCK_MONOTONIC: sent_at_ns is $EPOCHREALTIME (µs) minus this offset, in ns.
# 0 (default): CLOCK_REALTIME ns. Set it to realtime − monotonic (µs) to write stamps comparable
# with the TypeScript bus's process.hrtime.bigint() (to within the offset's accuracy).
: "${BUS_MONOTONIC_OFFSET_US:=0}"
: "${BUS_LOADABLES:=/usr/lib/bash}"

_bus_builtins=0
if enable -f "$BUS_LOADABLES/ln" ln 2>/dev/null && enable -f "$BUS_LOADABLES/unlink" unlink 2>/dev/null && enable -f "$BUS_LOADABLES/mkdir" mkdir 2>/dev/null; then
  _bus_builtins=1
fi
printf -v _bus_nonce '%08x%04x' "$SRANDOM" "$RANDOM"
declare -gA _bus_seq=()
_bus_pending=()
_bus_pending_of=''

bus_register() {
  # bash's loadable `mkdir -p` fails ("File exists") when another agent creates a shared parent
  # (agents/, tmp/) between its check and its mkdir: agents registering at once, try again. Each
  # shared parent (BUS_ROOT when missing, agents/, tmp/) can beat us once, so three tries suffice.
  for _ in 1 2 3; do
    mkdir -p "$BUS_ROOT/agents/$1/inbox" "$BUS_ROOT/tmp" 2>/dev/null && return 0
  done
  mkdir -p "$BUS_ROOT/agents/$1/inbox" "$BUS_ROOT/tmp"
}

# JSON string body of $1 → _bus_esc.
_bus_json_escape() {
  local s=$1 out='' c i
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  if [[ $s == *[$'\x01'-$'\x1f']* ]]; then
    for ((i = 0; i < ${#s}; i++)); do
      c=${s:i:1}
      if [[ $c == [$'\x01'-$'\x1f'] ]]; then printf -v c '\\u%04x' "'$c"; fi
      out+=$c
    done
    s=$out
  fi
  _bus_esc=$s
}

# Move a finished temp file to its final name, atomically.
_bus_publish() {
  if ((_bus_builtins)); then
    ln "$1" "$2" && unlink "$1"
  else
    mv "$1" "$2"
  fi
}

send_message() {
  local from=$1 to=$2 inbox=$BUS_ROOT/agents/$2/inbox
  if [[ ! -d $inbox ]]; then
    printf 'send_message: unknown agent "%s": it has no inbox (register it first)\n' "$to" >&2
    return 1
  fi
  local seq=${_bus_seq[$from]:-0}
  _bus_seq[$from]=$((seq + 1))
  local now=${EPOCHREALTIME//[!0-9]/}
  local ns=$(((now - BUS_MONOTONIC_OFFSET_US) * 1000))
  local id=$from.$_bus_nonce.$seq name
  _bus_json_escape "$3"
  printf '{"id":"%s","from":"%s","to":"%s","seq":%d,"sent_at_ns":"%s","payload":"%s"}' "$id" "$from" "$to" "$seq" "$ns" "$_bus_esc" >"$BUS_ROOT/tmp/$id.tmp" || return 1
  printf -v name '%020d-%s.json' "$ns" "$id"
  _bus_publish "$BUS_ROOT/tmp/$id.tmp" "$inbox/$name"
}

receive_message() {
  local inbox=$BUS_ROOT/agents/$1/inbox f msg
  _bus_got=0
  if [[ $_bus_pending_of != "$1" ]]; then
    _bus_pending=()
    _bus_pending_of=$1
  fi
  while :; do
    if ((${#_bus_pending[@]} == 0)); then
      _bus_pending=("$inbox"/*.json)
      [[ -e ${_bus_pending[0]} ]] || {
        _bus_pending=()
        return 0
      }
    fi
    f=${_bus_pending[0]}
    _bus_pending=("${_bus_pending[@]:1}")
    # Taken by someone else since the listing (a drain): not ours, go on.
    { read -r -d '' msg <"$f" || [[ -n $msg ]]; } 2>/dev/null || continue
    if ((_bus_builtins)); then unlink "$f"; else rm -f -- "$f"; fi || continue
    printf '%s\n' "$msg"
    _bus_got=1
    return 0
  done
}

inbox_depth() {
  local files=("$BUS_ROOT/agents/$1/inbox"/*.json)
  if [[ -e ${files[0]} ]]; then echo "${#files[@]}"; else echo 0; fi
}
