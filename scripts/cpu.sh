# Sourced by bench.sh and side-by-side.sh: CPU time used by the server under test and by
# PostgreSQL, read from /proc, in clock ticks.

# User + system time of process $1.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# User + system time of every PostgreSQL process on this machine (the postmaster, its
# backends, its background workers), plus what the ones already reaped used (a parent's
# cutime and cstime count its children only once they have exited, so nothing is counted
# twice). A load's database CPU is the difference over the load; the machine runs nothing
# else against PostgreSQL meanwhile but the servers' own idle workers.
db_ticks() {
  local total=0 stat rest
  for stat in /proc/[0-9]*/stat; do
    { read -r rest <"$stat"; } 2>/dev/null || continue
    [[ "$rest" == *" (postgres) "* ]] || continue
    rest=${rest##*) }
    set -- $rest
    # After the command: state is $1, so utime $12, stime $13, cutime $14, cstime $15.
    total=$((total + ${12} + ${13} + ${14} + ${15}))
  done
  echo "$total"
}

# Time the hypervisor ran something else while this machine's CPUs wanted to run
# ("steal", summed over every CPU), in clock ticks. A stall of the whole machine shows
# here, and in the fixed-rate p99 of every server alike.
steal_ticks() { awk '/^cpu / { print $9 }' /proc/stat; }

# Milliseconds of the ticks between $1 and $2.
ticks_ms() { python3 -c "print(f'{($2 - $1) / $(getconf CLK_TCK) * 1e3:.0f}')"; }

# Microseconds per request of the ticks between $1 and $2 over $3 requests.
per_request() { python3 -c "print(f'{($2 - $1) / $(getconf CLK_TCK) * 1e6 / max(1, $3):.0f}')"; }
