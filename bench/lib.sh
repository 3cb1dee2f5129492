# Helpers the bench scripts share; sourced by each after it has changed to the repository root.

log() { printf '==> %s\n' "$*" >&2; }

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

# The status line of GET PATH on PORT (no curl needed).
status_of() {
    local port=$1 path=$2
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
    head -n 1 <&3 | tr -d '\r'
    exec 3<&-
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
        # Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name.
        total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
    done
    echo "$total"
}

# The median of space-separated numbers.
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
