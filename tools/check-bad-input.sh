#!/usr/bin/env bash
# check-bad-input.sh PROGRAM WORKDIR [EXTRA_TABLE [CLASS]]
#
# Feeds PROGRAM (an experiment or theory check built on lib/prog) a table of
# bad command lines and checks, for each, the contract of DESIGN §3:
#   1. exit status 2;
#   2. exactly one line on stderr, naming the option (and, for a bad value,
#      the valid range exactly as --help prints it), nothing on stdout;
#   3. no result file created or touched: every case runs with
#      `--force -o DIR/existing.h5` in front (so a program that went ahead
#      would overwrite it), and DIR must hold exactly that file, unmodified
#      (bytes and mtime), afterwards; a subset also runs with -o into an
#      empty directory, which must stay empty.
# The table is derived from the program's own --help (every option, its kind
# from the placeholder X/N/NAME, its range from the VALID column), so options
# added later are covered without editing this file:
#   numbers  nan, ±inf, malformed text, each bound (the value at an open
#            bound, just beyond a closed one), -1 where negatives are invalid;
#   integers the same plus fractions, exponents, hex, 2^64;
#   names    an unknown name, the empty name, a wrong-case name;
#   flags    a flag given a value;
#   common   unknown long/short option, stray words, missing argument,
#            an ambiguous abbreviation.
# It also checks the other side of each bound: `--opt BOUND --help` must be
# accepted and --help must show the value (closed bounds are inclusive), and
# that --help lists a default for every option.
# EXTRA_TABLE (optional): lines "PROGRAM<TAB>MUST<TAB>ARG<TAB>ARG...", for
# cross-option checks no --help can describe; PROGRAM is the basename, * (every
# program) or the CLASS given as 4th argument (experiment, theory), MUST a
# text the error line must contain.  '#' starts a comment.
#
# Prints one PASS/FAIL line per case and "N passed, N failed"; exit 1 on any
# failure.  Each case is limited to $AIMC_CASE_TIMEOUT seconds (default 60).
set -uo pipefail
if [ $# -lt 2 ]; then
    echo "usage: check-bad-input.sh PROGRAM WORKDIR [EXTRA_TABLE [CLASS]]" >&2
    exit 2
fi
prog=$1
name=$(basename "$prog")
work=$2/$name
extra=${3:-}
class=${4:-}
case_timeout=${AIMC_CASE_TIMEOUT:-60}
US=$'\x1f' # field separator of the generated tables (fields may be empty)

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $name $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $name $*"; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

rm -rf "$work"
mkdir -p "$work/old" "$work/new" || exit 2

# ---- the option table, from --help ----------------------------------------

if ! help=$("$prog" --help 2>"$work/help.err"); then
    fail "--help exits non-zero"
    finish
fi
if [ -s "$work/help.err" ]; then
    fail "--help writes to stderr: $(head -c 200 "$work/help.err")"
fi
printf '%s\n' "$help" >"$work/help.txt"

# One line per option: name kind default valid unit choices (US-separated).
# The columns start where the header's words do; VALID is found by its
# shape, so that a default wider than its column cannot shift it.
parse_help() {
    awk -v US="$US" '
    function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
    /^  OPTION +DEFAULT +VALID/ {
        pd = index($0, "DEFAULT"); pu = index($0, "UNIT"); pm = index($0, "MEANING"); next
    }
    pd && /^  (-[A-Za-z], |    )--[A-Za-z0-9]/ {
        optcol = substr($0, 1, pd - 1)
        match(optcol, /--[A-Za-z0-9][A-Za-z0-9-]*/)
        nm = substr(optcol, RSTART + 2, RLENGTH - 2)
        ph = trim(substr(optcol, RSTART + RLENGTH))
        kind = ph == "X" ? "double" : ph == "N" ? "int" : ph == "NAME" ? "name" : \
               ph == "" ? "flag" : "string"
        rest = substr($0, pd)
        valid = ""; def = ""
        if (match(rest, /in [[(][^ ,]+, [^ \])]+[])]|[<>]=? [^ ]+|one of: see meaning|one of [^ ]+|any number/)) {
            valid = substr(rest, RSTART, RLENGTH)
            def = trim(substr(rest, 1, RSTART - 1))
            after = substr(rest, RSTART + RLENGTH)
        } else {
            def = rest
            if (match(def, /  /)) def = substr(def, 1, RSTART - 1)
            def = trim(def)
            after = ""
        }
        unit = ""
        if (pu > 0 && length($0) >= pm) unit = trim(substr($0, pu, pm - pu))
        choices = ""
        if (valid == "one of: see meaning") {
            if (match($0, /one of [^ ;]+$/)) choices = substr($0, RSTART + 7)
        } else if (valid ~ /^one of /) choices = substr(valid, 8)
        print nm US kind US def US valid US unit US choices
    }' "$work/help.txt"
}
mapfile -t rows < <(parse_help)
if [ "${#rows[@]}" -lt 10 ]; then
    fail "cannot read the option table of --help (${#rows[@]} rows)"
    finish
fi

# ---- the cases -------------------------------------------------------------

# Case lines: label US must1 US must2 US mode US arg... US END, where must1
# and must2 are texts the error line must contain (must2 may be empty) and
# mode is "old" (existing file) or "both" (also into an empty directory).
# Acceptance lines: "accept" US option US value.
gen_cases() {
    printf '%s\n' "${rows[@]}" | awk -F "$US" -v US="$US" '
    # Decimal strings of any length: x + 1 and x - 1 (x >= 1) without
    # going through doubles (bounds may be near 2^64).
    function inc(s,   i, d, out, carry) {
        out = ""; carry = 1
        for (i = length(s); i >= 1; i--) {
            d = substr(s, i, 1) + carry; carry = d >= 10; out = (d % 10) out
        }
        return carry ? "1" out : out
    }
    function dec(s,   i, d, out, borrow) {
        out = ""; borrow = 1
        for (i = length(s); i >= 1; i--) {
            d = substr(s, i, 1) - borrow; borrow = d < 0; out = (d < 0 ? d + 10 : d) out
        }
        sub(/^0+/, "", out)
        return out == "" ? "0" : out
    }
    function num(x) { return sprintf("%.17g", x) }
    function away(x, dir) { return x + dir * (x < 0 ? -x : x > 1 ? x : 1) * 1e-9 }
    # A case with nargs (1 or 2) arguments a1, a2 (a2 may be empty text).
    function emit(label, must1, must2, mode, nargs, a1, a2) {
        printf "%s%s%s%s%s%s%s%s%s", label, US, must1, US, must2, US, mode, US, a1
        if (nargs > 1) printf "%s%s", US, a2
        printf "%sEND\n", US
    }
    function bad(o, v, must2, mode) { emit("--" o " \"" v "\"", "--" o, must2, mode, 2, "--" o, v) }
    # Parse "in [a, b]", "> a", ">= a", "< b", "<= b" into globals.
    function range(valid) {
        has_lo = has_hi = lo_open = hi_open = 0
        if (valid ~ /^in /) {
            lo_open = substr(valid, 4, 1) == "("; hi_open = substr(valid, length(valid)) == ")"
            s = substr(valid, 5, length(valid) - 5); split(s, ab, ", ")
            lo = ab[1]; hi = ab[2]; has_lo = has_hi = 1
        } else if (valid ~ /^>/) { has_lo = 1; lo_open = valid !~ /^>=/; lo = valid; sub(/^>=? /, "", lo) }
        else if (valid ~ /^</) { has_hi = 1; hi_open = valid !~ /^<=/; hi = valid; sub(/^<=? /, "", hi) }
    }
    BEGIN {
        nd = split("abc||1,5|2x| 1|1e|0x1p|--1", malformed_d, "|")
        ni = split("abc|1.5|1e3|0x10|+1| 1||1 |2x", malformed_i, "|")
        ninf = split("inf|-inf|infinity|1e999|-1e999", infs, "|")
        kd = ki = kf = 0
    }
    {
        o = $1; kind = $2; valid = $4; choices = $6
        names[++nopt] = o
        if (o == "help" || o == "version") next
        if (kind == "double") {
            range(valid)
            # A few cases run twice (new file and existing file): the first
            # option of each kind; the rest only against the existing file.
            bad(o, "nan", valid, nd_both++ ? "old" : "both")
            if (nd_both == 1) bad(o, "NaN", valid, "old")
            bad(o, infs[kf++ % ninf + 1], valid, "old")
            bad(o, malformed_d[kd++ % nd + 1], valid, "old")
            if (has_lo) {
                if (lo_open) bad(o, lo, valid, "old")
                else { bad(o, num(away(lo + 0, -1)), valid, "old"); print "accept" US o US lo }
                if (lo + 0 >= 0) bad(o, "-1", valid, "old")
            }
            if (has_hi) {
                if (hi_open) bad(o, hi, valid, "old")
                else { bad(o, num(away(hi + 0, 1)), valid, "old"); print "accept" US o US hi }
            }
        } else if (kind == "int") {
            range(valid)
            bad(o, malformed_i[ki++ % ni + 1], valid, "old")
            bad(o, malformed_i[ki++ % ni + 1], valid, "old")
            bad(o, "-1", "", ni_both++ ? "old" : "both")
            bad(o, "18446744073709551616", "integer", "old")
            if (has_lo) {
                if (lo != "0") bad(o, dec(lo), valid, "old")
                print "accept" US o US lo
            }
            if (has_hi) { bad(o, inc(hi), valid, "old"); print "accept" US o US hi }
        } else if (kind == "name") {
            must = "one of " choices
            n = split(choices, ch, "|")
            bad(o, "nope", must, nn_both++ ? "old" : "both")
            bad(o, "", must, "old")
            if (toupper(ch[1]) != ch[1]) bad(o, toupper(ch[1]), must, "old")
            if (n > 0) print "accept" US o US ch[n]
        } else if (kind == "flag") {
            emit("--" o "=1", "--" o, "takes no argument", "old", 1, "--" o "=1")
        }
    }
    END {
        emit("unknown long option", "--no-such-option", "unknown option", "both", 1, "--no-such-option")
        emit("unknown short option", "-Z", "unknown option", "both", 1, "-Z")
        emit("stray word", "stray", "unexpected argument", "both", 1, "stray")
        emit("word after --", "after-dashes", "unexpected argument", "old", 2, "--", "after-dashes")
        emit("missing argument of --seed", "--seed", "missing argument", "old", 1, "--seed")
        emit("missing argument of -o", "--output", "missing argument", "old", 1, "-o")
        # an abbreviation shared by two options and equal to none
        for (i = 1; i <= nopt && amb == ""; i++)
            for (j = i + 1; j <= nopt && amb == ""; j++) {
                a = names[i]; b = names[j]
                for (k = 1; k <= length(a) && substr(a, 1, k) == substr(b, 1, k); k++) ;
                p = substr(a, 1, k - 1)
                if (length(p) >= 2) {
                    exact = 0
                    for (q = 1; q <= nopt; q++) if (names[q] == p) exact = 1
                    if (!exact) amb = p
                }
            }
        if (amb != "") emit("ambiguous --" amb, "--" amb, "ambiguous", "old", 1, "--" amb)
    }'
}

# Extra cases from the table file, as case lines.
extra_cases() {
    [ -n "$extra" ] && [ -f "$extra" ] || return 0
    awk -F '\t' -v US="$US" -v me="$name" -v class="$class" '
    /^[ \t]*#/ || NF < 3 { next }
    $1 == me || $1 == "*" || (class != "" && $1 == class) {
        line = "extra: " $3; for (i = 4; i <= NF; i++) line = line " " $i
        printf "%s%s%s%s%s%s", line, US, $2, US, "", US
        printf "old"
        for (i = 3; i <= NF; i++) printf "%s%s", US, $i
        printf "%sEND\n", US
    }' "$extra"
}

# ---- running one case --------------------------------------------------------

# Everything per case is done with bash builtins (no ls, stat, grep): the
# table has a few hundred cases per program.
shopt -s nullglob dotglob
sentinel='not an HDF5 file: a sentinel that no program may touch'
old="$work/old/existing.h5"
reset_old() {
    printf '%s\n' "$sentinel" >"$old"
    touch -d '2001-01-01 00:00:00' "$old"
}
reset_old
touch -d '2002-01-01 00:00:00' "$work/stamp" # newer than $old, older than now

quote() { printf '%q ' "$@"; }
slurp() { local REPLY=; IFS= read -r -d '' REPLY <"$1"; printf -v "$2" '%s' "$REPLY"; }

# check_case LABEL MUST1 MUST2 DIR ARGS...: run, then judge the three rules.
check_case() {
    local label=$1 must1=$2 must2=$3 dir=$4 out st err content problems="" files
    shift 4
    out=$dir/new.h5
    [ "$dir" = "$work/old" ] && out=$old
    timeout -k 5 "$case_timeout" "$prog" --force -o "$out" "$@" \
        >"$work/stdout" 2>"$work/stderr" </dev/null
    st=$?
    [ "$st" -eq 2 ] || problems+="exit status $st (want 2); "
    slurp "$work/stderr" err
    # one line: ends with the only newline
    if [[ $err != *$'\n' || ${err%$'\n'} == *$'\n'* ]]; then
        problems+="stderr is not exactly one line; "
    elif [[ ! $err =~ ^[^\ :]+:\  ]]; then
        problems+="stderr line does not start with the program name; "
    fi
    [ -s "$work/stdout" ] && problems+="stdout not empty; "
    [[ $err == *"$must1"* ]] || problems+="line does not name \"$must1\"; "
    if [ -n "$must2" ] && [[ $err != *"$must2"* ]]; then
        problems+="line does not say \"$must2\"; "
    fi
    files=("$dir"/*)
    if [ "$dir" = "$work/old" ]; then
        [ "${#files[@]}" -eq 1 ] || problems+="files appeared: ${files[*]##*/}; "
        slurp "$old" content
        if [ "$old" -nt "$work/stamp" ] || [ "$content" != "$sentinel"$'\n' ]; then
            problems+="existing result file was touched; "
            reset_old
        fi
        rm -f "$old.partial"
    else
        [ "${#files[@]}" -eq 0 ] || problems+="files created: ${files[*]##*/}; "
        rm -f "${files[@]}"
    fi
    if [ -z "$problems" ]; then
        pass "$label"
    else
        fail "$label [$(quote "$@")]: ${problems% }"
        echo "     stderr: $(printf '%q' "${err:0:400}")"
    fi
}

accept_opts=() accept_vals=()
while IFS= read -r line; do
    IFS=$US read -r -a f <<<"$line"
    if [ "${f[0]}" = accept ]; then
        accept_opts+=("${f[1]}")
        accept_vals+=("${f[2]}")
        continue
    fi
    # f: label must1 must2 mode arg... END
    n=${#f[@]}
    args=("${f[@]:4:n-5}")
    check_case "${f[0]}" "${f[1]}" "${f[2]}" "$work/old" "${args[@]}"
    if [ "${f[3]}" = both ]; then
        check_case "${f[0]} (new file)" "${f[1]}" "${f[2]}" "$work/new" "${args[@]}"
    fi
done < <(gen_cases; extra_cases)

# ---- the other side of each bound, and --help's defaults -------------------------

# The value --help shows as the default of option $1, read from $work/probe.
shown_default() {
    awk -v US="$US" -v want="$1" '
    /^  OPTION +DEFAULT/ { pd = index($0, "DEFAULT"); next }
    pd && match($0, /--[A-Za-z0-9][A-Za-z0-9-]*/) && substr($0, RSTART + 2, RLENGTH - 2) == want {
        s = substr($0, pd); sub(/^ +/, "", s); sub(/ .*/, "", s); print s; exit
    }' "$work/probe"
}

# Is the value shown ($1) the value given ($2)?  Numbers compare as numbers.
same_value() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == b || (a ~ /^[-+0-9.eE]+$/ && b ~ /^[-+0-9.eE]+$/ && a + 0 == b + 0)) exit 0; exit 1 }'
}

# accept_all IDX...: `--opt value ... --help` for the given acceptance
# probes at once; on failure each is retried alone to name the culprit.
probe() {
    local args=() i
    for i in "$@"; do
        args+=("--${accept_opts[i]}" "${accept_vals[i]}")
    done
    timeout -k 5 "$case_timeout" "$prog" "${args[@]}" --help >"$work/probe" 2>"$work/probe.err" </dev/null
}
check_accept() {
    local i shown
    for i in "$@"; do
        shown=$(shown_default "${accept_opts[i]}")
        if same_value "$shown" "${accept_vals[i]}"; then
            pass "accepts --${accept_opts[i]} ${accept_vals[i]} (bound of its range)"
        else
            fail "--${accept_opts[i]} ${accept_vals[i]} accepted but --help shows \"$shown\""
        fi
    done
}
# Options may repeat (lower and upper bound): two rounds, first and last value.
declare -A seen=()
first=() second=()
for i in "${!accept_opts[@]}"; do
    if [ -z "${seen[${accept_opts[i]}]:-}" ]; then first+=("$i"); seen[${accept_opts[i]}]=1
    else second+=("$i"); fi
done
for round in first second; do
    declare -n idx=$round
    [ "${#idx[@]}" -gt 0 ] || continue
    if probe "${idx[@]}"; then
        check_accept "${idx[@]}"
    else
        for i in "${idx[@]}"; do
            if probe "$i"; then
                check_accept "$i"
            else
                fail "rejects --${accept_opts[i]} ${accept_vals[i]}, a bound its --help calls valid: $(head -c 300 "$work/probe.err")"
            fi
        done
    fi
    unset -n idx
done

# --help: every option has a default; note the options without a unit.
no_default=() no_unit=()
for row in "${rows[@]}"; do
    IFS=$US read -r o kind def valid unit choices <<<"$row$US"
    case $o in help | version) continue ;; esac
    [ -n "$def" ] || no_default+=("--$o")
    case $kind in double | int) [ -n "$unit" ] || no_unit+=("--$o") ;; esac
done
if [ "${#no_default[@]}" -eq 0 ]; then
    pass "--help shows a default for each of its ${#rows[@]} options"
else
    fail "--help shows no default for ${no_default[*]}"
fi
echo "note $name: numeric options without a unit in --help (dimensionless?): ${no_unit[*]:-none}"

finish
