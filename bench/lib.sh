# shellcheck shell=bash
# Helpers the bench scripts share; sourced by each after it has changed to the repository root.
#
# A script's usual shape:
#   env_defaults DURATION=10s THREADS=2 CONNECTIONS=64 ROUNDS=3 ...
#   ports_free ...
#   install_tools wrk
#   TURNPIKE=$(turnpike_binary release)
#   start_workdir turnpike-bench          # WORK, PIDS and the cleanup trap
#   ... write configs into $WORK, start servers (start_turnpike), check them (expect_200) ...
#   server_ticks() { ...; }               # what wrk_round charges each target's CPU to
#   for round ...; for name ...; wrk_round "$name" "$round" "$url"
#   take_medians TARGET...                # RPS, P50, P99, CPU, BACKEND_CPU per target
#   ... print the script's own report ...

log() { printf '==> %s\n' "$*" >&2; }

# env_defaults VAR=VALUE...
#   Sets each VAR to VALUE unless the environment already gives it a non-empty value, so that
#   every setting a script lists can be overridden (DURATION=30s bench/run.sh).
env_defaults() {
    local pair name
    for pair in "$@"; do
        name=${pair%%=*}
        [ -n "${!name:-}" ] || printf -v "$name" '%s' "${pair#*=}"
    done
}

# install_tools COMMAND[=PACKAGE]...
#   Installs with apt-get the package of each COMMAND missing (PACKAGE defaults to COMMAND;
#   nginx=nginx-light). /usr/sbin is looked at too: it is not on a non-root user's PATH.
install_tools() {
    local spec command missing=()
    for spec in "$@"; do
        command=${spec%%=*}
        command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] || missing+=("${spec#*=}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    # A policy-rc.d that says no keeps the packages' own services (nginx on port 80,
    # redis-server on 6379) from starting: the benchmarks start their own.
    local policy=/usr/sbin/policy-rc.d created_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod +x "$policy"
        created_policy=1
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
    if [ -n "$created_policy" ]; then
        "${sudo[@]}" rm -f "$policy"
    fi
}

# turnpike_binary release|debug
#   Prints the path of the turnpike binary to measure: TURNPIKE_BIN (or its older name TURNPIKE)
#   when set, to compare a binary built elsewhere, e.g. before and after a change; otherwise
#   it builds turnpike in that cargo profile. Build output goes to stderr.
turnpike_binary() {
    local cargo_profile=$1 bin=${TURNPIKE_BIN:-${TURNPIKE:-}}
    if [ -z "$bin" ]; then
        log "building turnpike ($cargo_profile)"
        # `|| return`: set -e does not reach into $(turnpike_binary), and a failed build must not
        # go on to measure an older binary.
        if [ "$cargo_profile" = release ]; then
            cargo build --release --locked -p turnpike >&2 || return
        else
            cargo build --locked -p turnpike >&2 || return
        fi
        bin="${CARGO_TARGET_DIR:-target}/$cargo_profile/turnpike"
    fi
    [ -x "$bin" ] || { echo "no turnpike binary at $bin" >&2; return 1; }
    echo "$bin"
}

# start_workdir PREFIX
#   Makes the temporary directory WORK every config and log goes into, and an empty PIDS that
#   the script adds each background process to; on exit (or Ctrl-C) those processes are
#   stopped and WORK removed, unless KEEP is set, to read the logs afterwards.
start_workdir() {
    WORK=$(mktemp -d -t "$1.XXXXXX")
    PIDS=()
    trap cleanup EXIT INT TERM
}
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "${KEEP:-}" ]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}

# start_turnpike NAME PORT SERVE_ARG...
#   Starts `$TURNPIKE serve SERVE_ARG...` on 127.0.0.1:PORT in the background, with its output
#   in $WORK/NAME.out and $WORK/NAME.err, adds it to PIDS, sets TURNPIKE_PID and waits for the
#   port. The access log is off and the account throttle (AWS's 10,000 rps by default) lifted:
#   the benchmarks measure the request path, not the log or the limit.
start_turnpike() {
    local name=$1 port=$2
    shift 2
    log "starting turnpike (:$port; output in $name.out, $name.err)"
    RUST_LOG=warn "$TURNPIKE" serve "$@" --listen "127.0.0.1:$port" --access-log-format off \
        --account-rate 1000000000 --account-burst 1000000000 \
        >"$WORK/$name.out" 2>"$WORK/$name.err" &
    TURNPIKE_PID=$!
    PIDS+=("$TURNPIKE_PID")
    wait_for_port "$port"
}

# ports_free PORT...
#   Exits if something already listens on one of the ports: wait_for_port would take it for the
#   server the script starts, and the benchmark would measure someone else's (a shared machine).
ports_free() {
    local port
    for port in "$@"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "port $port is already in use; choose another with its *_PORT variable" >&2
            exit 1
        fi
    done
}

# Waits up to 20 s for something to listen on 127.0.0.1:PORT.
wait_for_port() {
    local port=$1
    for _ in $(seq 1 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "nothing listens on port $port" >&2
    return 1
}

# status_of PORT PATH [HEADER...]
#   The status line of GET PATH on PORT, sending each HEADER ("Name: value") too (no curl needed).
status_of() {
    local port=$1 path=$2 header
    shift 2
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    {
        printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n' "$path"
        for header in "$@"; do printf '%s\r\n' "$header"; done
        printf 'Connection: close\r\n\r\n'
    } >&3
    head -n 1 <&3 | tr -d '\r'
    exec 3<&-
}

# expect_200 NAME URL [HEADER...]
#   Exits, showing $WORK/turnpike.err if there is one, unless GET URL (http://127.0.0.1:PORT/...)
#   answers 200: a benchmark of error answers would measure the wrong thing.
expect_200() {
    local name=$1 url=$2 port path status
    shift 2
    port=${url#http://127.0.0.1:}
    port=${port%%/*}
    path=/${url#http://127.0.0.1:*/}
    status=$(status_of "$port" "$path" "$@")
    case $status in
        "HTTP/1.1 200"*) ;;
        *)
            echo "$name: GET $url answered '$status', not 200" >&2
            [ ! -f "$WORK/turnpike.err" ] || cat "$WORK/turnpike.err" >&2
            exit 1
            ;;
    esac
}

# Milliseconds from a wrk latency such as 850.00us, 1.23ms, 2.01s.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000
        else if (v ~ /ms$/) n = n
        else if (v ~ /s$/) n *= 1000
        printf "%.3f", n
    }'
}

# CPU clock ticks (user + system) spent so far by a process and its children (nginx's workers).
cpu_ticks() {
    local total=0 pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        total=$((total + $(own_ticks "$pid")))
    done
    echo "$total"
}

# CPU clock ticks of a process's own threads, without its children: fields 14 and 15 of
# /proc/PID/stat, counted after the ")" that ends the command name.
own_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# User or system clock ticks of a process and its children, apart.
user_ticks() { split_ticks "$1" 12; }
system_ticks() { split_ticks "$1" 13; }
split_ticks() {
    local total=0 pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk -v f="$2" '{ print $f }')))
    done
    echo "$total"
}

# Clock ticks every CPU of the machine has been busy (user, nice, system, irq, softirq, steal:
# everything but idle and iowait), from /proc/stat's first line.
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

CLK_TCK=$(getconf CLK_TCK)

# CPU microseconds per request from TICKS clock ticks spent over REQUESTS requests.
per_request() {
    awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN { printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0) }'
}

# wrk_round NAME ROUND URL [WRK_ARG...]
#   One measurement of target NAME: a warm-up of WARMUP (2s by default) fills connection pools
#   and caches (and starts Lambda workers), then `wrk --latency` runs for DURATION with THREADS
#   and CONNECTIONS; WRK_ARGs (-H ..., -s script.lua) go to both runs. Appends this round's
#   figures, space-separated, to global associative arrays keyed by NAME:
#     RPS_ROUNDS, P50_ROUNDS and P99_ROUNDS (ms);
#     CPU_ROUNDS: CPU us per request of what the script's `server_ticks NAME` counts (the
#       server under test; CPU per request barely moves when a neighbour loads the machine,
#       unlike rps), and BACKEND_CPU_ROUNDS of `backend_ticks NAME` if the script defines it.
#     METER_ROUNDS["METER:NAME"] for each METER in the script's METERS array: CPU us per request
#       of the clock ticks its `meter_METER NAME` function counts.
#   Leaves the output in $WORK/wrk-NAME-ROUND.txt and WRK_OUT, the number of requests in
#   WRK_REQUESTS and of non-2xx/3xx answers in WRK_REFUSED (warned about; the caller decides
#   whether they spoil the run).
declare -A RPS_ROUNDS P50_ROUNDS P99_ROUNDS CPU_ROUNDS BACKEND_CPU_ROUNDS METER_ROUNDS
METERS=()
wrk_round() {
    local name=$1 round=$2 url=$3
    shift 3
    local backend=""
    declare -F backend_ticks >/dev/null && backend=1
    log "round $round wrk $name: $url (${DURATION}, -t$THREADS -c$CONNECTIONS)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP:-2s}" "$@" "$url" >/dev/null
    local server_before server_after backend_before=0 backend_after=0 meter
    local -A meters_before meters_after
    server_before=$(server_ticks "$name")
    [ -z "$backend" ] || backend_before=$(backend_ticks "$name")
    for meter in "${METERS[@]}"; do meters_before[$meter]=$("meter_$meter" "$name"); done
    WRK_OUT=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")
    for meter in "${METERS[@]}"; do meters_after[$meter]=$("meter_$meter" "$name"); done
    server_after=$(server_ticks "$name")
    [ -z "$backend" ] || backend_after=$(backend_ticks "$name")
    echo "$WRK_OUT" >"$WORK/wrk-$name-$round.txt"

    WRK_REQUESTS=$(awk '/requests in/ { print $1 }' <<<"$WRK_OUT")
    WRK_REFUSED=$(awk '/Non-2xx/ { print $NF }' <<<"$WRK_OUT")
    WRK_REFUSED=${WRK_REFUSED:-0}
    if [ "$WRK_REFUSED" != 0 ]; then
        echo "$name: $(grep 'Non-2xx' <<<"$WRK_OUT")" >&2
    fi
    RPS_ROUNDS[$name]+=" $(awk '/^Requests\/sec:/ { print $2 }' <<<"$WRK_OUT")"
    P50_ROUNDS[$name]+=" $(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$WRK_OUT")")"
    P99_ROUNDS[$name]+=" $(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$WRK_OUT")")"
    CPU_ROUNDS[$name]+=" $(per_request $((server_after - server_before)) "$WRK_REQUESTS")"
    [ -z "$backend" ] ||
        BACKEND_CPU_ROUNDS[$name]+=" $(per_request $((backend_after - backend_before)) "$WRK_REQUESTS")"
    for meter in "${METERS[@]}"; do
        METER_ROUNDS[$meter:$name]+=" $(per_request \
            $((meters_after[$meter] - meters_before[$meter])) "$WRK_REQUESTS")"
    done
}

# take_medians TARGET...
#   Sets RPS, P50, P99, CPU, BACKEND_CPU[TARGET] and METER[METER:TARGET] to the median of the rounds wrk_round
#   recorded (a round hit by a neighbour's burst of load does not move the median), and logs
#   every round's figures.
declare -A RPS P50 P99 CPU BACKEND_CPU METER
# shellcheck disable=SC2034 # the scripts print them
take_medians() {
    local name line
    for name in "$@"; do
        RPS[$name]=$(median "${RPS_ROUNDS[$name]}")
        P50[$name]=$(median "${P50_ROUNDS[$name]}")
        P99[$name]=$(median "${P99_ROUNDS[$name]}")
        CPU[$name]=$(median "${CPU_ROUNDS[$name]}")
        line="$name rounds: rps${RPS_ROUNDS[$name]}; p50 ms${P50_ROUNDS[$name]}; p99 ms${P99_ROUNDS[$name]}; cpu us/req${CPU_ROUNDS[$name]}"
        if [ -n "${BACKEND_CPU_ROUNDS[$name]:-}" ]; then
            BACKEND_CPU[$name]=$(median "${BACKEND_CPU_ROUNDS[$name]}")
            line+="; back end cpu us/req${BACKEND_CPU_ROUNDS[$name]}"
        fi
        for meter in "${METERS[@]}"; do
            METER[$meter:$name]=$(median "${METER_ROUNDS[$meter:$name]}")
            line+="; $meter us/req${METER_ROUNDS[$meter:$name]}"
        done
        log "$line"
    done
}

# The median of space-separated numbers.
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
