# Example bash layers over bus.bash, each doing what busbench's reference layer does
# (lib/drivers/tmpfs/layers/*.ts). Source bus.bash first.
#   emit_metric OP FROM TO             metrics: append one JSON line to $BUS_ROOT/metrics.jsonl
#   report_health AGENT OP             health: rewrite AGENT's heartbeat file in place
#   query_health                       health: the coordinator's view of every agent (one JSON line)
#   check_inbox_capacity TO CAPACITY BACKOFF_MS MAX_RETRIES
#                                      rate_limiting: 0 when TO's inbox has room; backs off while it
#                                      is full, then returns 75 (send rejected)
#   check_shutdown                     shutdown: 0 while running, 1 once a shutdown is requested
#   request_shutdown [REASON]          shutdown: raise the flag (once; under flock)
#   drain_and_stop AGENT               shutdown: print every message left for AGENT, mark it stopped

: "${BUS_HEALTH_INTERVAL_MS:=0}"
: "${BUS_HEALTH_STALE_MS:=5000}"
if enable -f "$BUS_LOADABLES/sleep" sleep 2>/dev/null; then :; fi

# One line, one write on a descriptor opened once with O_APPEND: lines never interleave, no lock.
_bus_metrics_fd=''
emit_metric() {
  if [[ -z $_bus_metrics_fd ]]; then exec {_bus_metrics_fd}>>"$BUS_ROOT/metrics.jsonl"; fi
  printf '{"t_ns":"%s","pid":%d,"op":"%s","from":"%s","to":"%s"}\n' "${EPOCHREALTIME//[!0-9]/}000" "$$" "$1" "$2" "$3" >&"$_bus_metrics_fd"
}

# Fixed-width record written at offset 0 (open without truncating): no torn longer tail.
declare -gA _bus_beat_last=() _bus_beat_ops=()
report_health() {
  local now=${EPOCHREALTIME//[!0-9]/} rec
  _bus_beat_ops[$1]=$((${_bus_beat_ops[$1]:-0} + 1))
  if ((BUS_HEALTH_INTERVAL_MS > 0 && now - ${_bus_beat_last[$1]:-0} < BUS_HEALTH_INTERVAL_MS * 1000)); then return 0; fi
  _bus_beat_last[$1]=$now
  [[ -d $BUS_ROOT/health ]] || mkdir -p "$BUS_ROOT/health"
  printf -v rec '{"agent":"%s","pid":%d,"status":"ok","last_seen_ns":"%s","ops":%d}' "$1" "$$" "${now}000" "${_bus_beat_ops[$1]}"
  printf '%-256s' "$rec" 1<>"$BUS_ROOT/health/$1.json"
}

query_health() {
  local now=${EPOCHREALTIME//[!0-9]/} f rec agents=0 healthy=0 stale='' unreadable=''
  for f in "$BUS_ROOT/health"/*.json; do
    [[ -e $f ]] || continue
    agents=$((agents + 1))
    rec=''
    { read -r rec <"$f"; } 2>/dev/null
    f=${f##*/}
    if [[ $rec =~ \"last_seen_ns\":\"([0-9]+)000\" ]]; then
      if ((now - BASH_REMATCH[1] > BUS_HEALTH_STALE_MS * 1000)); then stale+="\"${f%.json}\","; else healthy=$((healthy + 1)); fi
    else unreadable+="\"${f%.json}\","; fi
  done
  printf '{"agents":%d,"healthy":%d,"stale":[%s],"unreadable":[%s]}\n' "$agents" "$healthy" "${stale%,}" "${unreadable%,}"
}

check_inbox_capacity() {
  local to=$1 capacity=$2 wait_ms=$3 retries=$4 attempt files frac
  for ((attempt = 0; ; attempt++)); do
    files=("$BUS_ROOT/agents/$to/inbox"/*.json)
    if [[ ! -e ${files[0]} ]] || ((${#files[@]} < capacity)); then return 0; fi
    if ((attempt >= retries)); then
      printf 'check_inbox_capacity: inbox of %s stayed full (%d messages) after %d attempts: send rejected\n' "$to" "${#files[@]}" "$((attempt + 1))" >&2
      return 75
    fi
    if ((wait_ms > 0)); then
      printf -v frac '%03d' $((wait_ms % 1000))
      sleep "$((wait_ms / 1000)).$frac"
    fi
    wait_ms=$((wait_ms * 2))
  done
}

check_shutdown() {
  [[ ! -e $BUS_ROOT/shutdown.flag ]]
}

# Check-then-create must not race with another coordinator: one flock around it.
request_shutdown() {
  local lock rc=0
  exec {lock}>"$BUS_ROOT/shutdown.lock"
  flock -x "$lock"
  if [[ ! -e $BUS_ROOT/shutdown.flag ]]; then
    printf '{"reason":"%s","pid":%d,"at_ns":"%s000"}' "${1:-coordinated shutdown}" "$$" "${EPOCHREALTIME//[!0-9]/}" >"$BUS_ROOT/tmp/shutdown.$$.tmp" &&
      _bus_publish "$BUS_ROOT/tmp/shutdown.$$.tmp" "$BUS_ROOT/shutdown.flag" || rc=1
  fi
  exec {lock}>&-
  return "$rc"
}

drain_and_stop() {
  while :; do
    receive_message "$1" || return 1
    ((_bus_got)) || break
  done
  [[ -d $BUS_ROOT/stopped ]] || mkdir -p "$BUS_ROOT/stopped"
  : >"$BUS_ROOT/stopped/$1"
}
