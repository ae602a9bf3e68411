/**
 * Lua scripts of the fair admission layer. Each runs atomically in Redis, so any number of
 * dispatchers (one per worker process) and submitters share one consistent state. Keys hang off
 * KEYS[1] = `<prefix>:fair:<queue>`:
 * A "user" here is a group: the task's user, or `<scope>:<key value>` of a keyed task (a
 * contract's `flow`), whose limits travel with each of its jobs.
 *   job:<id>      hash: user (the list it waits in), score, due, body (the BullMQ job to add once
 *                 admitted); a keyed task's group and limits (JSON)
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
 *   paused        zset group -> resume time of its pause (an index of pause:<user>, for listing)
 *   kwaiting      zset key group -> its tasks waiting for admission (in whichever list they wait)
 *   krunning      zset key group -> ZCARD of its running:<group> (key groups only, not users)
 * Times come from Redis (TIME), so every replica shares one clock.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const MAKE_READY = `
local function makeReady(base, id, user, score, due, group)
  redis.call('ZADD', base .. ':wait:' .. user, score, id)
  redis.call('ZADD', base .. ':age:' .. user, due, id)
  if group and group ~= '' then redis.call('ZINCRBY', base .. ':kwaiting', 1, group) end
  if redis.call('SADD', base .. ':ringset', user) == 1 then
    redis.call('RPUSH', base .. ':ring', user)
  end
end
`;

/** A keyed task left its key's waiting count (admitted or withdrawn). */
const KEY_LEFT = `
local function keyLeft(base, group)
  if not group or group == '' then return end
  if tonumber(redis.call('ZINCRBY', base .. ':kwaiting', -1, group)) <= 0 then
    redis.call('ZREM', base .. ':kwaiting', group)
  end
end
`;

/**
 * ARGV: (id, user, priority, delayMs, key group or '', its limits JSON, body)*: `user` is the list
 * the task waits in (its user's, or its key's). Returns how many were new (ids already held are kept).
 */
export const ENQUEUE = `${NOW}${MAKE_READY}
local base = KEYS[1]
local added = 0
for i = 1, #ARGV, 7 do
  local id, user = ARGV[i], ARGV[i + 1]
  local priority, delay = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local group, limits, body = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local jobKey = base .. ':job:' .. id
  if redis.call('EXISTS', jobKey) == 0 then
    -- formatted by hand: redis.call would print a large number with 14 digits only
    local score = string.format('%.0f', priority * 4294967296 + redis.call('INCR', base .. ':seq'))
    local due = now + delay
    redis.call('HSET', jobKey, 'user', user, 'score', score, 'due', due, 'body', body)
    if group ~= '' then redis.call('HSET', jobKey, 'group', group, 'limits', limits) end
    if delay > 0 then
      redis.call('ZADD', base .. ':delayed', due, id)
    else
      makeReady(base, id, user, score, due, group)
    end
    added = added + 1
  end
end
return added
`;

/**
 * KEYS[2] BullMQ wait list, KEYS[3] BullMQ prioritized zset.
 * ARGV: readyWindow, defaultConcurrency (0 = none), rateCount (0 = none), rateIntervalMs,
 * rateBurst, recoverAfterMs, keyScan (how many of a user's first tasks a blocked key lets by).
 * Takes users round-robin, one task per eligible user per turn, until BullMQ holds readyWindow
 * admitted tasks. A keyed task (job field `group`) counts against its key's group too: pause,
 * concurrency and rate, with the limits its job carries. On a queue in FAIRNESS it waits in its
 * user's list; elsewhere in its key's (then the key's limits are the group's). Returns
 * { retryMs (-1 = none), (id, user, due, body)* }.
 */
export const DISPATCH = `${NOW}${MAKE_READY}${KEY_LEFT}
local base = KEYS[1]
local window = tonumber(ARGV[1])
local defConc, defCount = tonumber(ARGV[2]), tonumber(ARGV[3])
local defInterval, defBurst = tonumber(ARGV[4]), tonumber(ARGV[5])
local recoverAfter = tonumber(ARGV[6])
local scan = tonumber(ARGV[7])
local inflight = base .. ':inflight'
local out = { -1 }

local due = redis.call('ZRANGEBYSCORE', base .. ':delayed', '-inf', now, 'LIMIT', 0, 1000)
for _, id in ipairs(due) do
  redis.call('ZREM', base .. ':delayed', id)
  local f = redis.call('HMGET', base .. ':job:' .. id, 'user', 'score', 'due', 'group')
  if f[1] then makeReady(base, id, f[1], f[2], f[3], f[4]) end
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

-- The run-time override of a group (FairScheduler.setUserLimits) over the given limits.
local function overridden(group, conc, count, interval, burst)
  local raw = redis.call('HGET', base .. ':limits', group)
  if raw then
    local o = cjson.decode(raw)
    if o.concurrency then conc = o.concurrency end
    if o.rate then count, interval, burst = o.rate.count, o.rate.intervalMs, o.rate.burst or 1 end
  end
  return { group = group, conc = conc, count = count, interval = interval, burst = burst }
end

-- A keyed job's group and limits (its own, then the group's override); nil for an unkeyed job.
local function keyOf(id)
  local f = redis.call('HMGET', base .. ':job:' .. id, 'group', 'limits')
  if not f[1] then return nil end
  local conc, count, interval, burst = 0, 0, 1, 1
  if f[2] then
    local o = cjson.decode(f[2])
    conc = o.concurrency or 0
    if o.rate then count, interval, burst = o.rate.count, o.rate.intervalMs, o.rate.burst or 1 end
  end
  local l = overridden(f[1], conc, count, interval, burst)
  l.key = true
  return l
end

local function noteWait(ms)
  if out[1] < 0 or ms < out[1] then out[1] = ms end
end

-- Whether a group may start one more task: not paused, under its concurrency, a token in its
-- bucket (the tokens it would keep are set on the limits as .left).
local function admissible(l)
  local paused = redis.call('PTTL', base .. ':pause:' .. l.group)
  if paused > 0 then noteWait(paused); return false end
  if l.conc > 0 and redis.call('ZCARD', base .. ':running:' .. l.group) >= l.conc then return false end
  if l.count > 0 then
    local perMs = l.count / l.interval
    local b = redis.call('HMGET', base .. ':bucket:' .. l.group, 'tokens', 'ts')
    local filled = (tonumber(b[1]) or l.burst) + (now - (tonumber(b[2]) or now)) * perMs
    local tokens = math.min(l.burst, filled)
    if tokens < 1 then noteWait(math.ceil((1 - tokens) / perMs)); return false end
    -- A round that comes after the bucket filled up (a dispatcher's timer fired late, Redis was
    -- slow) would lose that lateness for good, and the rate would run low by the mean lateness;
    -- up to half a token of it is kept for the next one.
    l.left = tokens - 1 + math.min(filled - tokens, 0.5)
  end
  return true
end

local function take(l, id)
  if l.count > 0 then
    local bucketKey = base .. ':bucket:' .. l.group
    redis.call('HSET', bucketKey, 'tokens', tostring(l.left), 'ts', now)
    redis.call('PEXPIRE', bucketKey, math.ceil(l.interval * l.burst / l.count) + 60000)
  end
  local running = base .. ':running:' .. l.group
  redis.call('ZADD', running, now, id)
  redis.call('SADD', base .. ':runners', l.group)
  if l.key then redis.call('ZADD', base .. ':krunning', redis.call('ZCARD', running), l.group) end
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
  local ids = redis.call('ZRANGE', waitKey, 0, 0)
  if #ids == 0 then
    redis.call('RPOP', ring)
    redis.call('SREM', base .. ':ringset', user)
  else
    local chosen, limits
    local headKey = keyOf(ids[1])
    if headKey and headKey.group == user then
      -- A key's own group (a queue admitted for its flow keys only): the key's limits are the group's.
      if admissible(headKey) then chosen, limits = ids[1], { headKey } end
    else
      -- A user's group: the user's limits, and for a keyed task its key's too. A task whose key is
      -- at its limit lets the next of the user's first few tasks go ahead of it.
      local own = overridden(user, defConc, defCount, defInterval, defBurst)
      if admissible(own) then
        if not headKey then
          chosen, limits = ids[1], { own }
        elseif admissible(headKey) then
          chosen, limits = ids[1], { own, headKey }
        else
          for _, id in ipairs(redis.call('ZRANGE', waitKey, 1, scan - 1)) do
            local key = keyOf(id)
            if not key then chosen, limits = id, { own }; break end
            if admissible(key) then chosen, limits = id, { own, key }; break end
          end
        end
      end
    end
    if chosen then
      for _, l in ipairs(limits) do take(l, chosen) end
      redis.call('ZREM', waitKey, chosen)
      redis.call('ZREM', base .. ':age:' .. user, chosen)
      redis.call('ZADD', inflight, now, chosen)
      local f = redis.call('HMGET', base .. ':job:' .. chosen, 'due', 'body', 'group')
      keyLeft(base, f[3])
      table.insert(out, chosen); table.insert(out, user); table.insert(out, f[1]); table.insert(out, f[2])
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

/**
 * ARGV: user, ms. The group admits nothing for ms (a longer pause already set is kept); the
 * `paused` index gets its resume time and drops pauses that are over.
 */
export const PAUSE = `${NOW}
local key = KEYS[1] .. ':pause:' .. ARGV[1]
if redis.call('PTTL', key) < tonumber(ARGV[2]) then redis.call('SET', key, '1', 'PX', ARGV[2]) end
local left = redis.call('PTTL', key)
redis.call('ZREMRANGEBYSCORE', KEYS[1] .. ':paused', '-inf', now)
redis.call('ZADD', KEYS[1] .. ':paused', now + left, ARGV[1])
return left
`;

/** A group's running slots changed: its entry in runners, and in krunning for a key group. */
const RUNNING_CHANGED = `
local function runningChanged(base, group)
  local count = redis.call('ZCARD', base .. ':running:' .. group)
  if count == 0 then
    redis.call('SREM', base .. ':runners', group)
    redis.call('ZREM', base .. ':krunning', group)
  else
    redis.call('ZADD', base .. ':krunning', 'XX', count, group)
  end
end
`;

/** ARGV: id, groups (its user, its key). Frees the slots the task holds; safe to call twice. */
export const RELEASE = `${RUNNING_CHANGED}
local base, removed = KEYS[1], 0
for i = 2, #ARGV do
  removed = removed + redis.call('ZREM', base .. ':running:' .. ARGV[i], ARGV[1])
  runningChanged(base, ARGV[i])
end
return removed
`;

/**
 * ARGV: BullMQ key prefix of the queue (`<prefix>:<queue>:`), graceMs. Frees slots whose job
 * finished or vanished without a release: stalled past its limit, removed, or its worker died.
 */
export const SWEEP = `${NOW}${RUNNING_CHANGED}
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
  runningChanged(base, user)
end
return released
`;

/** ARGV: id. Takes a task out while it still waits for admission: { user, due, body }, or nothing once admitted. */
export const REMOVE = `${KEY_LEFT}
local base, id = KEYS[1], ARGV[1]
local jobKey = base .. ':job:' .. id
local f = redis.call('HMGET', jobKey, 'user', 'due', 'body', 'group')
if not f[1] or redis.call('ZSCORE', base .. ':inflight', id) then return false end
if redis.call('ZREM', base .. ':wait:' .. f[1], id) == 1 then keyLeft(base, f[4]) end
redis.call('ZREM', base .. ':age:' .. f[1], id)
redis.call('ZREM', base .. ':delayed', id)
redis.call('DEL', jobKey)
return { f[1], f[2], f[3] }
`;

/**
 * ARGV[1]: most ids to return. Ids of tasks waiting for admission: the delayed ones first, then
 * each group's waiting list in its own order.
 */
export const WAITING = `
local base, limit = KEYS[1], tonumber(ARGV[1])
local out = redis.call('ZRANGE', base .. ':delayed', 0, limit - 1)
for _, user in ipairs(redis.call('SMEMBERS', base .. ':ringset')) do
  if #out >= limit then break end
  for _, id in ipairs(redis.call('ZRANGE', base .. ':wait:' .. user, 0, limit - #out - 1)) do
    table.insert(out, id)
  end
end
return out
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

/**
 * ARGV: limit. The flow keys of the queue, bounded: { now, keys with waiting work, keys with
 * running work, paused groups, #rows, (key, waiting, running)*, (group, resumeAt)* } where the
 * rows are the `limit` keys with the most waiting tasks and the `limit` with the most running
 * (each once), and the paused groups the `limit` that resume first.
 */
export const FLOW_KEYS = `${NOW}
local base, limit = KEYS[1], tonumber(ARGV[1])
local paused = base .. ':paused'
redis.call('ZREMRANGEBYSCORE', paused, '-inf', now)
local out = { now, redis.call('ZCARD', base .. ':kwaiting'), redis.call('ZCARD', base .. ':krunning'),
  redis.call('ZCARD', paused), 0 }
if limit == 0 then return out end
local seen = {}
for _, index in ipairs({ ':kwaiting', ':krunning' }) do
  for _, key in ipairs(redis.call('ZREVRANGE', base .. index, 0, limit - 1)) do
    if not seen[key] then
      seen[key] = true
      out[5] = out[5] + 1
      table.insert(out, key)
      table.insert(out, tonumber(redis.call('ZSCORE', base .. ':kwaiting', key)) or 0)
      table.insert(out, redis.call('ZCARD', base .. ':running:' .. key))
    end
  end
end
for _, group in ipairs(redis.call('ZRANGE', paused, 0, limit - 1)) do
  -- The pause itself says when it ends (a pause deleted by hand is left out).
  local left = redis.call('PTTL', base .. ':pause:' .. group)
  if left > 0 then table.insert(out, group); table.insert(out, now + left) end
end
return out
`;
