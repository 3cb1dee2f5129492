//! The atomic Lua scripts that let N nodes share one bucket and one quota. `redis::Script` runs
//! them with EVALSHA and falls back to EVAL (loading them) when the server does not know them yet.

use std::sync::LazyLock;

use redis::Script;

/// One bucket's step, shared by [`TAKE`] and [`ADMIT_SOURCE`]: same arithmetic as `bucket.rs`.
/// A bucket is one string `"<tokens> <updated µs>"` written with its expiry in one `SET … PX`
/// (tokens with 17 significant digits so the arithmetic round-trips). Defines
/// `take(key, rate, burst, now)` → allowed (boolean), wait in µs (-1: never).
const TAKE_FUNCTION: &str = r#"
local function take(key, rate, burst, now)
  local tokens = burst
  local ts = now
  local saved = redis.call('GET', key)
  if saved then
    local space = string.find(saved, ' ', 1, true)
    if space then
      tokens = tonumber(string.sub(saved, 1, space - 1)) or burst
      ts = tonumber(string.sub(saved, space + 1)) or now
    end
  end
  if now > ts then
    tokens = math.min(burst, tokens + (now - ts) * rate / 1000000)
    ts = now
  end
  tokens = math.min(tokens, burst)
  local allowed = false
  local wait = -1
  if tokens >= 1 then
    tokens = tokens - 1
    allowed = true
  elseif rate > 0 and burst >= 1 then
    wait = math.ceil((1 - tokens) * 1000000 / rate)
  end
  local ttl = 86400000
  if rate > 0 then
    ttl = math.ceil(burst / rate * 1000) + 1000
  end
  redis.call('SET', key, string.format('%.17g %d', tokens, ts), 'PX', ttl)
  return allowed, wait
end
"#;

/// Token bucket. KEYS[1] bucket; ARGV rate (tokens/s), burst, now (µs since the epoch).
/// Returns {allowed (0|1), wait in µs (-1: never)}.
pub(crate) static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{TAKE_FUNCTION}{}",
        r#"
local allowed, wait = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
if allowed then
  return {1, -1}
end
return {0, wait}
"#
    ))
});

/// Quota counter of one period. KEYS[1] counter; ARGV limit, expiry (seconds since the epoch).
/// Returns {allowed (0|1), used after this call}.
pub(crate) static CONSUME: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local limit = tonumber(ARGV[1])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used < limit then
  used = redis.call('INCR', KEYS[1])
  redis.call('EXPIREAT', KEYS[1], ARGV[2])
  return {1, used}
end
return {0, used}
"#,
    )
});

/// Every limit of one request ([`crate::State::admit`]), with TAKE's and CONSUME's arithmetic.
/// KEYS: the buckets in order, then the quota counter if any. ARGV: now (µs since the epoch),
/// the number of buckets, rate and burst of each, then the quota's limit and expiry (seconds
/// since the epoch) if any. Returns {0, 0} admitted, {1, i} refused by bucket i (0-based),
/// {2, 0} over quota. The counter is incremented first and put back when over the limit (one
/// call on the usual path, invisible to others inside the script); its expiry is fixed per
/// period, so it is set when the counter is created.
pub(crate) static ADMIT_SOURCE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{TAKE_FUNCTION}{}",
        r#"
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
for i = 1, n do
  if not take(KEYS[i], tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i]), now) then
    return {1, i - 1}
  end
end
if #KEYS > n then
  local used = redis.call('INCR', KEYS[n + 1])
  if used == 1 then
    redis.call('EXPIREAT', KEYS[n + 1], ARGV[4 + 2 * n])
  end
  if used > tonumber(ARGV[3 + 2 * n]) then
    redis.call('DECR', KEYS[n + 1])
    return {2, 0}
  end
end
return {0, 0}
"#
    )
});

/// [`ADMIT_SOURCE`], run by hash (its hash computed once).
pub(crate) static ADMIT: LazyLock<Script> = LazyLock::new(|| Script::new(&ADMIT_SOURCE));
