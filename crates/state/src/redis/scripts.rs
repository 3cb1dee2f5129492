//! The atomic Lua scripts that let N nodes share one bucket and one quota. `redis::Script` runs
//! them with EVALSHA and falls back to EVAL (loading them) when the server does not know them yet.

use std::sync::LazyLock;

use redis::Script;

/// Token bucket, same arithmetic as `bucket.rs`.
/// KEYS[1] bucket hash; ARGV rate (tokens/s), burst, now (µs since the epoch).
/// Returns {allowed (0|1), wait in µs (-1: never)}.
pub(crate) static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate / 1000000)
  ts = now
end
tokens = math.min(tokens, burst)
local allowed = 0
local wait = -1
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
elseif rate > 0 and burst >= 1 then
  wait = math.ceil((1 - tokens) * 1000000 / rate)
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'ts', string.format('%d', ts))
local ttl = 86400000
if rate > 0 then
  ttl = math.ceil(burst / rate * 1000) + 1000
end
redis.call('PEXPIRE', KEYS[1], ttl)
return {allowed, wait}
"#,
    )
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
