/**
 * Lua scripts of the fair admission layer. Each runs atomically in Redis, so any number of
 * dispatchers (one per worker process) and submitters share one consistent state. Keys hang off
 * KEYS[1] = `<prefix>:fair:<queue>`:
 * A "user" here is an admission group: the task's user, or `<scope>:<key value>` for a keyed
 * task (a contract's `flow`), whose own limits travel with each of its jobs.
 *   job:<id>      hash: user, score, due, body (the BullMQ job to add once admitted), limits (keyed)
 *   wait:<user>   zset id -> priority * 2^32 + sequence (a user's own order: priority, then FIFO)
 *   age:<user>    zset id -> time it became ready (oldest waiting age)
 *   delayed       zset id -> due time, for tasks submitted with a delay
 *   ring, ringset users with waiting work, rotated round-robin (list) / membership (set)
 *   running:<user> zset id -> admission time: admitted and not yet finished (the concurrency count)
 *   runners       set of users with running entries
 *   inflight      zset id -> time taken by a dispatcher and not yet confirmed in BullMQ
 *   bucket:<user> hash tokens, ts: the user's token bucket
 *   limits        hash user -> JSON limits overriding the queue's defaults
 *   pause:<user>  string with a TTL: the group admits nothing until it expires (a push-back)
 * Times come from Redis (TIME), so every replica shares one clock.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const MAKE_READY = `
local function makeReady(base, id, user, score, due)
  redis.call('ZADD', base .. ':wait:' .. user, score, id)
  redis.call('ZADD', base .. ':age:' .. user, due, id)
  if redis.call('SADD', base .. ':ringset', user) == 1 then
    redis.call('RPUSH', base .. ':ring', user)
  end
end
`;

/**
 * ARGV: (id, user, priority, delayMs, limits JSON or '', body)*. Returns how many were new (ids
 * already held are kept).
 */
export const ENQUEUE = `${NOW}${MAKE_READY}
local base = KEYS[1]
local added = 0
for i = 1, #ARGV, 6 do
  local id, user = ARGV[i], ARGV[i + 1]
  local priority, delay, limits, body = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), ARGV[i + 4], ARGV[i + 5]
  local jobKey = base .. ':job:' .. id
  if redis.call('EXISTS', jobKey) == 0 then
    -- formatted by hand: redis.call would print a large number with 14 digits only
    local score = string.format('%.0f', priority * 4294967296 + redis.call('INCR', base .. ':seq'))
    local due = now + delay
    redis.call('HSET', jobKey, 'user', user, 'score', score, 'due', due, 'body', body)
    if limits ~= '' then redis.call('HSET', jobKey, 'limits', limits) end
    if delay > 0 then
      redis.call('ZADD', base .. ':delayed', due, id)
    else
      makeReady(base, id, user, score, due)
    end
    added = added + 1
  end
end
return added
`;

/**
 * KEYS[2] BullMQ wait list, KEYS[3] BullMQ prioritized zset.
 * ARGV: readyWindow, defaultConcurrency (0 = none), rateCount (0 = none), rateIntervalMs,
 * rateBurst, recoverAfterMs.
 * Takes users round-robin, one task per eligible user per turn, until BullMQ holds readyWindow
 * admitted tasks. A keyed group's limits are those its head job carries (then the queue's
 * per-user defaults do not apply); a paused group admits nothing. Returns
 * { retryMs (-1 = none), (id, user, due, body)* }.
 */
export const DISPATCH = `${NOW}${MAKE_READY}
local base = KEYS[1]
local window = tonumber(ARGV[1])
local defConc, defCount = tonumber(ARGV[2]), tonumber(ARGV[3])
local defInterval, defBurst = tonumber(ARGV[4]), tonumber(ARGV[5])
local recoverAfter = tonumber(ARGV[6])
local inflight = base .. ':inflight'
local out = { -1 }

local due = redis.call('ZRANGEBYSCORE', base .. ':delayed', '-inf', now, 'LIMIT', 0, 1000)
for _, id in ipairs(due) do
  redis.call('ZREM', base .. ':delayed', id)
  local f = redis.call('HMGET', base .. ':job:' .. id, 'user', 'score', 'due')
  if f[1] then makeReady(base, id, f[1], f[2], f[3]) end
end

-- A dispatcher that died between taking jobs and adding them to BullMQ: add them again
-- (BullMQ ignores a job id it already holds).
local stale = redis.call('ZRANGEBYSCORE', inflight, '-inf', now - recoverAfter, 'LIMIT', 0, 100)
for _, id in ipairs(stale) do
  local f = redis.call('HMGET', base .. ':job:' .. id, 'user', 'due', 'body')
  if f[1] then
    redis.call('ZADD', inflight, now, id)
    table.insert(out, id); table.insert(out, f[1]); table.insert(out, f[2]); table.insert(out, f[3])
  else
    redis.call('ZREM', inflight, id)
  end
end

local function limitsFor(user, id)
  local conc, count, interval, burst = defConc, defCount, defInterval, defBurst
  local own = redis.call('HGET', base .. ':job:' .. id, 'limits')
  if own then
    local o = cjson.decode(own)
    conc, count, interval, burst = o.concurrency or 0, 0, 1, 1
    if o.rate then count, interval, burst = o.rate.count, o.rate.intervalMs, o.rate.burst or 1 end
  end
  local raw = redis.call('HGET', base .. ':limits', user)
  if raw then
    local o = cjson.decode(raw)
    if o.concurrency then conc = o.concurrency end
    if o.rate then count, interval, burst = o.rate.count, o.rate.intervalMs, o.rate.burst or 1 end
  end
  return conc, count, interval, burst
end

local free = window - redis.call('LLEN', KEYS[2]) - redis.call('ZCARD', KEYS[3])
  - redis.call('ZCARD', inflight)
local ring = base .. ':ring'
local idle = 0
while free > 0 do
  local size = redis.call('LLEN', ring)
  if size == 0 or idle >= size then break end
  local user = redis.call('LMOVE', ring, ring, 'LEFT', 'RIGHT')
  local waitKey = base .. ':wait:' .. user
  local head = redis.call('ZRANGE', waitKey, 0, 0)
  if #head == 0 then
    redis.call('RPOP', ring)
    redis.call('SREM', base .. ':ringset', user)
  else
    local conc, count, interval, burst = limitsFor(user, head[1])
    local runningKey = base .. ':running:' .. user
    local paused = redis.call('PTTL', base .. ':pause:' .. user)
    local ok = paused <= 0 and (conc == 0 or redis.call('ZCARD', runningKey) < conc)
    if paused > 0 and (out[1] < 0 or paused < out[1]) then out[1] = paused end
    local bucketKey, tokens, carry = base .. ':bucket:' .. user, 0, 0
    if ok and count > 0 then
      local perMs = count / interval
      local b = redis.call('HMGET', bucketKey, 'tokens', 'ts')
      local filled = (tonumber(b[1]) or burst) + (now - (tonumber(b[2]) or now)) * perMs
      tokens = math.min(burst, filled)
      -- A round that comes after the bucket filled up (a dispatcher's timer fired late, Redis was
      -- slow) would lose that lateness for good, and the rate would run low by the mean lateness;
      -- up to half a token of it is kept for the next one.
      carry = math.min(filled - tokens, 0.5)
      if tokens < 1 then
        ok = false
        local wait = math.ceil((1 - tokens) / perMs)
        if out[1] < 0 or wait < out[1] then out[1] = wait end
      end
    end
    if ok then
      if count > 0 then
        redis.call('HSET', bucketKey, 'tokens', tostring(tokens - 1 + carry), 'ts', now)
        redis.call('PEXPIRE', bucketKey, math.ceil(interval * burst / count) + 60000)
      end
      local id = head[1]
      redis.call('ZREM', waitKey, id)
      redis.call('ZREM', base .. ':age:' .. user, id)
      redis.call('ZADD', runningKey, now, id)
      redis.call('SADD', base .. ':runners', user)
      redis.call('ZADD', inflight, now, id)
      local f = redis.call('HMGET', base .. ':job:' .. id, 'due', 'body')
      table.insert(out, id); table.insert(out, user); table.insert(out, f[1]); table.insert(out, f[2])
      free = free - 1
      idle = 0
    else
      idle = idle + 1
    end
  end
end
return out
`;

/** ARGV: ids now held by BullMQ. */
export const ACKNOWLEDGE = `
local base = KEYS[1]
for _, id in ipairs(ARGV) do
  redis.call('ZREM', base .. ':inflight', id)
  redis.call('DEL', base .. ':job:' .. id)
end
return #ARGV
`;

/** ARGV: user, ms. The group admits nothing for ms (a longer pause already set is kept). */
export const PAUSE = `
local key = KEYS[1] .. ':pause:' .. ARGV[1]
if redis.call('PTTL', key) < tonumber(ARGV[2]) then redis.call('SET', key, '1', 'PX', ARGV[2]) end
return redis.call('PTTL', key)
`;

/** ARGV: user, id. Frees the user's slot; safe to call twice. */
export const RELEASE = `
local base, user = KEYS[1], ARGV[1]
local removed = redis.call('ZREM', base .. ':running:' .. user, ARGV[2])
if redis.call('ZCARD', base .. ':running:' .. user) == 0 then redis.call('SREM', base .. ':runners', user) end
return removed
`;

/**
 * ARGV: BullMQ key prefix of the queue (`<prefix>:<queue>:`), graceMs. Frees slots whose job
 * finished or vanished without a release: stalled past its limit, removed, or its worker died.
 */
export const SWEEP = `${NOW}
local base, bull, grace = KEYS[1], ARGV[1], tonumber(ARGV[2])
local released = 0
for _, user in ipairs(redis.call('SMEMBERS', base .. ':runners')) do
  local key = base .. ':running:' .. user
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', now - grace, 'LIMIT', 0, 1000)) do
    if not redis.call('ZSCORE', base .. ':inflight', id)
      and (redis.call('EXISTS', bull .. id) == 0 or redis.call('HEXISTS', bull .. id, 'finishedOn') == 1) then
      released = released + redis.call('ZREM', key, id)
    end
  end
  if redis.call('ZCARD', key) == 0 then redis.call('SREM', base .. ':runners', user) end
end
return released
`;

/** ARGV: id. Takes a task out while it still waits for admission: { user, due, body }, or nothing once admitted. */
export const REMOVE = `
local base, id = KEYS[1], ARGV[1]
local jobKey = base .. ':job:' .. id
local f = redis.call('HMGET', jobKey, 'user', 'due', 'body')
if not f[1] or redis.call('ZSCORE', base .. ':inflight', id) then return false end
redis.call('ZREM', base .. ':wait:' .. f[1], id)
redis.call('ZREM', base .. ':age:' .. f[1], id)
redis.call('ZREM', base .. ':delayed', id)
redis.call('DEL', jobKey)
return f
`;

/** Returns { delayed, (user, waiting, running, oldestReadyTime or -1)* }. */
export const METRICS = `${NOW}
local base = KEYS[1]
local out = { redis.call('ZCARD', base .. ':delayed'), now }
for _, user in ipairs(redis.call('SUNION', base .. ':ringset', base .. ':runners')) do
  local oldest = redis.call('ZRANGE', base .. ':age:' .. user, 0, 0, 'WITHSCORES')
  table.insert(out, user)
  table.insert(out, redis.call('ZCARD', base .. ':wait:' .. user))
  table.insert(out, redis.call('ZCARD', base .. ':running:' .. user))
  table.insert(out, oldest[2] or '-1')
end
return out
`;
