# shellcheck shell=sh
# join_env_parts: puts back together the variables a platform could only carry in parts. Vast.ai caps
# each environment value at 256 characters and passes them on as Docker flags, so `nodetool worker
# create` sends a longer value, or one with a line break (a PEM certificate), base64-encoded as
# NAME__PARTS=<n> and NAME__PART1 … NAME__PART<n> (libs/providers/src/vast/instanceEnv.ts). Each NAME is
# exported whole and its parts unset. Returns non-zero, saying which, on parts that do not add up.
join_env_parts() {
  for counter in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)__PARTS=.*$/\1/p'); do
    count="$(printenv "${counter}__PARTS")"
    case "$count" in
      '' | *[!0-9]*)
        echo "nodetool worker: ${counter}__PARTS must be a count of parts, got \"$count\"" >&2
        return 1
        ;;
    esac
    joined=''
    index=1
    while [ "$index" -le "$count" ]; do
      if ! part="$(printenv "${counter}__PART$index")"; then
        echo "nodetool worker: ${counter}__PART$index is missing (${counter}__PARTS says $count)" >&2
        return 1
      fi
      joined="$joined$part"
      unset "${counter}__PART$index"
      index=$((index + 1))
    done
    if ! value="$(printf '%s' "$joined" | base64 -d 2>/dev/null)"; then
      echo "nodetool worker: the parts of $counter are not base64" >&2
      return 1
    fi
    # The name matched [A-Za-z_][A-Za-z0-9_]* above, so it is safe to expand here.
    eval "export $counter=\"\$value\""
    unset "${counter}__PARTS"
  done
  unset counter count joined index part value
}
