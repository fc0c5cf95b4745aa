# busbench agent shell: one long-lived bash process per agent.
#
# Started by agent-shell.ts as `bash --noprofile --norc agent.bash LIBRARY...` with
#   fd 3  commands from busbench (one short line each), fd 4  reports to busbench,
#   __BB_DEFS  generated definitions (placeholder variables, op functions, composed operations),
#   __BB_OUT / __BB_ERR  files that take the library's stdout and stderr,
#   __BB_FILL  payload filler.
# It sources the libraries once, runs `init`, then times every operation itself with
# $EPOCHREALTIME (µs) and reports over fd 4. Library calls are plain statements, as in an agent
# script: a library that turned on `set -e` exits this shell on a failing call, as it would its own.
# Every statement of this runtime returns 0 outside conditions for the same reason.

exec {__bb_in}<&3 {__bb_rep}>&4 3<&- 4<&-
exec 1>>"$__BB_OUT" 2>>"$__BB_ERR" </dev/null
exec {__bb_outr}<"$__BB_OUT" {__bb_errr}<"$__BB_ERR"
__bb_fill=$__BB_FILL
eval "$__BB_DEFS"
unset __BB_DEFS __BB_FILL

__bb_report() { printf '%s\n' "$*" >&"$__bb_rep"; }

# The library's new stderr lines since the last call, first 5, joined by \x1f, into __bb_etext.
__bb_errtext() {
  local -a __bb_l
  mapfile -t -u "$__bb_errr" __bb_l
  local IFS=$'\x1f'
  __bb_etext="${__bb_l[*]:0:5}"
}

# After each command: drop the library's leftover output; now and then truncate both files.
__bb_calls=0
__bb_settle() {
  local -a __bb_l
  mapfile -t -u "$__bb_outr" __bb_l
  __bb_calls=$((__bb_calls + 1))
  if ((__bb_calls % 2000 == 0)); then
    : >"$__BB_OUT"
    : >"$__BB_ERR"
    exec {__bb_outr}<&- {__bb_errr}<&-
    exec {__bb_outr}<"$__BB_OUT" {__bb_errr}<"$__BB_ERR"
  fi
}

__bb_i=0
for __bb_f in "$@"; do
  if source "$__bb_f"; then :; else
    __bb_rc=$?
    __bb_errtext
    __bb_report "F source:$__bb_i $__bb_rc $__bb_etext"
    exit 1
  fi
  __bb_i=$((__bb_i + 1))
done
if declare -F __bb_op_init >/dev/null; then
  __bb_op_init
  __bb_rc=$?
  if ((__bb_rc != 0)); then
    __bb_errtext
    __bb_report "F init $__bb_rc $__bb_etext"
    exit 1
  fi
fi
__bb_errtext
__bb_settle

# s TO_INDEX K: one timed send of the sender's message K (busbench's round number, in the marker).
# Reports "S status µs K" (0 sent, 1 rejected by rate_limiting, 2 failed); {seq} is K.
__bb_cmd_send() {
  printf -v __bb_v_to 'agent-%05d' "$1"
  __bb_v_from=$__bb_v_agent
  __bb_v_seq=$2
  __bb_v_payload="busbench:${__bb_v_index}:${2}:${EPOCHREALTIME//[!0-9]/}|${__bb_fill}"
  __bb_v_message=$__bb_v_payload
  __bb_t0=$EPOCHREALTIME
  __bb_send
  __bb_t1=$EPOCHREALTIME
  __bb_us=$((${__bb_t1//[!0-9]/} - ${__bb_t0//[!0-9]/}))
  __bb_errtext
  if ((__bb_st == 2)); then __bb_report "X $__bb_fop $__bb_frc $__bb_etext"; fi
  __bb_report "S $__bb_st $__bb_us $__bb_v_seq"
  __bb_settle
}

# Markers (sender:k:sent_µs) found in __bb_lines → __bb_marks (" i:s:t" …), count → __bb_k.
__bb_markers() {
  local __bb_line __bb_rest
  __bb_marks=''
  __bb_k=0
  for __bb_line in "${__bb_lines[@]}"; do
    __bb_rest=$__bb_line
    while [[ $__bb_rest =~ busbench:([0-9]+):([0-9]+):([0-9]+) ]]; do
      __bb_marks+=" ${BASH_REMATCH[1]}:${BASH_REMATCH[2]}:${BASH_REMATCH[3]}"
      __bb_k=$((__bb_k + 1))
      __bb_rest=${__bb_rest#*"${BASH_REMATCH[0]}"}
    done
  done
}

# r: timed receives until one returns no message. One "R status µs end_µs count marks…" per call;
# the last one has count 0 (empty) or status 2 (failed).
__bb_cmd_recv() {
  local __bb_n=0
  while ((__bb_n < 1000000)); do
    __bb_lines=()
    __bb_t0=$EPOCHREALTIME
    __bb_recv
    __bb_t1=$EPOCHREALTIME
    __bb_us=$((${__bb_t1//[!0-9]/} - ${__bb_t0//[!0-9]/}))
    __bb_errtext
    if ((__bb_st == 2)); then
      __bb_report "X $__bb_fop $__bb_frc $__bb_etext"
      __bb_report "R 2 $__bb_us ${__bb_t1//[!0-9]/} 0"
      break
    fi
    __bb_markers
    __bb_report "R 0 $__bb_us ${__bb_t1//[!0-9]/} $__bb_k$__bb_marks"
    if ((__bb_k == 0)); then break; fi
    __bb_n=$((__bb_n + 1))
  done
  __bb_settle
}

# h: the coordinator's timed health query. Reports "H status µs last-stdout-line" (the line, after
# the timing: the library's own report, e.g. {"stale":[...]}).
__bb_cmd_query() {
  __bb_t0=$EPOCHREALTIME
  __bb_op_health_query
  __bb_frc=$?
  __bb_t1=$EPOCHREALTIME
  __bb_us=$((${__bb_t1//[!0-9]/} - ${__bb_t0//[!0-9]/}))
  __bb_errtext
  local -a __bb_hl
  mapfile -t -u "$__bb_outr" __bb_hl
  if ((__bb_frc != 0)); then
    __bb_report "X health_query $__bb_frc $__bb_etext"
    __bb_report "H 2 $__bb_us"
  else __bb_report "H 0 $__bb_us ${__bb_hl[-1]:-}"; fi
  __bb_settle
}

# d 1|0: end of cell. 1: the library's coordinated drain-and-stop, timed; 0: receive until empty.
# Reports "G status µs count marks…".
__bb_cmd_drain() {
  local __bb_all='' __bb_n=0 __bb_guard=0
  if [[ $1 == 1 ]]; then
    __bb_t0=$EPOCHREALTIME
    __bb_op_shutdown_drain
    __bb_frc=$?
    __bb_t1=$EPOCHREALTIME
    __bb_us=$((${__bb_t1//[!0-9]/} - ${__bb_t0//[!0-9]/}))
    mapfile -t -u "$__bb_outr" __bb_lines
    __bb_errtext
    __bb_markers
    if ((__bb_frc != 0)); then
      __bb_report "X shutdown_drain $__bb_frc $__bb_etext"
      __bb_report "G 2 $__bb_us $__bb_k$__bb_marks"
    else __bb_report "G 0 $__bb_us $__bb_k$__bb_marks"; fi
  else
    while ((__bb_guard < 1000000)); do
      __bb_lines=()
      __bb_recv
      __bb_errtext
      if ((__bb_st == 2)); then
        __bb_report "X $__bb_fop $__bb_frc $__bb_etext"
        break
      fi
      __bb_markers
      if ((__bb_k == 0)); then break; fi
      __bb_all+=$__bb_marks
      __bb_n=$((__bb_n + __bb_k))
      __bb_guard=$((__bb_guard + 1))
    done
    __bb_report "G 0 0 $__bb_n$__bb_all"
  fi
  __bb_settle
}

# q: the coordinator raises the shutdown. Reports "Q status µs".
__bb_cmd_request() {
  __bb_t0=$EPOCHREALTIME
  __bb_op_shutdown_request
  __bb_frc=$?
  __bb_t1=$EPOCHREALTIME
  __bb_us=$((${__bb_t1//[!0-9]/} - ${__bb_t0//[!0-9]/}))
  __bb_errtext
  if ((__bb_frc != 0)); then __bb_report "X shutdown_request $__bb_frc $__bb_etext"; fi
  __bb_report "Q $((__bb_frc == 0 ? 0 : 2)) $__bb_us"
  __bb_settle
}

# c N: N timed calls of an empty function, exactly as operations are timed. Reports "C µs…" and
# "T µs" (the whole loop, for a mean finer than the clock's 1 µs step).
__bb_empty() { :; }
__bb_cmd_calibrate() {
  local __bb_j __bb_all='' __bb_start=$EPOCHREALTIME
  for ((__bb_j = 0; __bb_j < $1; __bb_j++)); do
    __bb_t0=$EPOCHREALTIME
    __bb_empty
    __bb_t1=$EPOCHREALTIME
    __bb_all+=" $((${__bb_t1//[!0-9]/} - ${__bb_t0//[!0-9]/}))"
  done
  __bb_t1=$EPOCHREALTIME
  __bb_report "C$__bb_all"
  __bb_report "T $((${__bb_t1//[!0-9]/} - ${__bb_start//[!0-9]/}))"
}

# b N: the library's own send (to itself) and receive, N times in a bare loop: no layers, no
# timing per call, no reports. Reports "B µs" (the whole loop): the shell driver's floor.
__bb_cmd_bare() {
  local __bb_j __bb_start=$EPOCHREALTIME
  __bb_v_from=$__bb_v_agent __bb_v_to=$__bb_v_agent __bb_v_payload="busbench:${__bb_v_index}:0:0|${__bb_fill}"
  for ((__bb_j = 0; __bb_j < $1; __bb_j++)); do
    __bb_v_seq=$__bb_j
    __bb_op_send
    __bb_op_receive
  done
  __bb_t1=$EPOCHREALTIME
  __bb_report "B $((${__bb_t1//[!0-9]/} - ${__bb_start//[!0-9]/}))"
  __bb_settle
}

__bb_report "READY $$"
while read -r -u "$__bb_in" __bb_cmd __bb_a; do
  case $__bb_cmd in
    s) __bb_cmd_send $__bb_a ;;
    b) __bb_cmd_bare "$__bb_a" ;;
    r) __bb_cmd_recv ;;
    h) __bb_cmd_query ;;
    d) __bb_cmd_drain "$__bb_a" ;;
    q) __bb_cmd_request ;;
    c) __bb_cmd_calibrate "$__bb_a" ;;
    x) break ;;
    *) __bb_report "F protocol 1 unknown command $__bb_cmd" ;;
  esac
done
exit 0
