"""The Redis scripts that move a job: each change of a job's state is one script, so a reader
never sees half of it, and every write of a worker is fenced on the epoch of its claim.
Key names come from ``worker.job.keys``."""

from __future__ import annotations

from worker.job import keys
from worker.job.states import CANCELLED_MESSAGE

TRANSITION = f"""
local JOB_PREFIX, STATE_PREFIX = '{keys.job("")}', '{keys.jobs_in_state("")}'
local BATCH_PREFIX, METRICS = '{keys.batch("")}', '{keys.METRICS}'
local FINISHED = {{succeeded = true, failed = true, dead = true, cancelled = true}}
local CANCELLED_MESSAGE = '{CANCELLED_MESSAGE}'

-- Move a job between the per-state sets; when it finishes, count it and let every key it
-- leaves expire ``retention`` seconds from now (its batch's index too).
local function transition(job_id, old, new, now, retention)
  if old == new then return end
  if old then redis.call('ZREM', STATE_PREFIX .. old, job_id) end
  redis.call('ZADD', STATE_PREFIX .. new, now, job_id)
  if not FINISHED[new] or FINISHED[old] then return end
  redis.call('HINCRBY', METRICS, 'finished:' .. new, 1)
  redis.call('ZREMRANGEBYSCORE', STATE_PREFIX .. new, '-inf', '(' .. (now - retention))
  local job = JOB_PREFIX .. job_id
  for _, key in ipairs({{job, job .. ':spec', job .. ':timings', job .. ':checkpoint'}}) do
    redis.call('EXPIRE', key, retention)
  end
  local batch = redis.call('HGET', job, 'batch')
  if batch then redis.call('EXPIRE', BATCH_PREFIX .. batch, retention) end
end
"""

CREATE = (
    TRANSITION
    + """
local job, batch, batches, active = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local job_id, now = ARGV[1], ARGV[7]
if redis.call('EXISTS', job) == 1 then return job_id end
redis.call('SET', job .. ':spec', ARGV[2])
redis.call('HSET', job, 'out', ARGV[3], 'batch', ARGV[4], 'status', 'queued', 'stage', ARGV[5],
  'stage_index', ARGV[6], 'epoch', 0, 'created_at', now, 'updated_at', now,
  'scratch', ARGV[8], 'overwrite', ARGV[9])
redis.call('ZADD', batch, now, job_id)
redis.call('ZADD', batches, 'NX', now, ARGV[4])
redis.call('SADD', active, job_id)
transition(job_id, false, 'queued', tonumber(now), 0)
return ''
"""
)

CLAIM = (
    TRANSITION
    + """
local job, lease = KEYS[1], KEYS[2]
local stage, stage_index, owner = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local lease_ms, now, max_attempts = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local retention = tonumber(ARGV[7])
local status = redis.call('HGET', job, 'status')
if not status then return {'missing'} end
if FINISHED[status] then return {'finished'} end
if tonumber(redis.call('HGET', job, 'stage_index') or '-1') > stage_index then
  return {'passed'}
end
if redis.call('EXISTS', lease) == 1 then return {'busy'} end
local attempts = redis.call('HINCRBY', job, 'attempts:' .. stage, 1)
-- A retry is an attempt beyond the highest one counted so far (a refunded attempt, given
-- back because it waited for a slot, is not counted twice).
local peak = tonumber(redis.call('HGET', job, 'peak:' .. stage) or '1')
if attempts > peak then
  redis.call('HSET', job, 'peak:' .. stage, attempts)
  redis.call('HINCRBY', METRICS, 'retries:' .. stage, 1)
end
if attempts > max_attempts then
  transition(ARGV[8], status, 'dead', now, retention)
  redis.call('HSET', job, 'status', 'dead', 'stage', stage, 'stage_index', stage_index,
    'error', 'gave up after ' .. max_attempts .. ' attempts of the ' .. stage .. ' stage',
    'updated_at', now)
  return {'dead'}
end
local epoch = redis.call('HINCRBY', job, 'epoch', 1)
transition(ARGV[8], status, 'running', now, retention)
redis.call('HSET', job, 'status', 'running', 'stage', stage, 'stage_index', stage_index,
  'owner', owner, 'updated_at', now)
redis.call('SET', lease, epoch, 'PX', lease_ms)
return {'claimed', epoch, attempts}
"""
)

FENCED_HSET = """
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
"""

FENCED_RENEW = """
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
"""

FENCED_RELEASE = (
    TRANSITION
    + """
local job, lease, timings, parked = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('HGET', job, 'epoch') ~= ARGV[1] then return 0 end
local old = redis.call('HGET', job, 'status')
if ARGV[2] ~= '' then
  redis.call('HINCRBYFLOAT', timings, ARGV[2], ARGV[3])
  redis.call('HINCRBYFLOAT', METRICS, 'seconds:' .. ARGV[2], ARGV[3])
  redis.call('HINCRBY', METRICS, 'runs:' .. ARGV[2], 1)
end
if ARGV[4] ~= '' then redis.call('HINCRBY', job, 'attempts:' .. ARGV[4], -1) end
if ARGV[5] ~= '' then redis.call('SADD', parked, ARGV[5]) end
local new = old
for i = 9, #ARGV, 2 do
  redis.call('HSET', job, ARGV[i], ARGV[i + 1])
  if ARGV[i] == 'status' then new = ARGV[i + 1] end
end
local result = 1
if (new == 'queued' or new == 'parked') and redis.call('HGET', job, 'cancel_requested') then
  -- Its batch was cancelled while this stage ran: the job stops here.
  redis.call('SREM', parked, ARGV[6])
  redis.call('HSET', job, 'status', 'cancelled', 'error', CANCELLED_MESSAGE, 'error_file', '')
  new, result = 'cancelled', 2
end
transition(ARGV[6], old, new, tonumber(ARGV[7]), tonumber(ARGV[8]))
redis.call('DEL', lease)
return result
"""
)

UNPARK_ALL = (
    TRANSITION
    + """
local parked, now = KEYS[1], tonumber(ARGV[1])
local unparked = {}
for _, job_id in ipairs(redis.call('SMEMBERS', parked)) do
  redis.call('SREM', parked, job_id)
  local job = JOB_PREFIX .. job_id
  if redis.call('HGET', job, 'status') == 'parked' then
    transition(job_id, 'parked', 'queued', now, 0)
    redis.call('HSET', job, 'status', 'queued', 'parked_reason', '', 'updated_at', now)
    table.insert(unparked, job_id)
  end
end
return unparked
"""
)

CANCEL_BATCH = (
    TRANSITION
    + """
local batch, parked, now, retention = KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2])
local cancelled, stopping = {}, {}
for _, job_id in ipairs(redis.call('ZRANGE', batch, 0, -1)) do
  local job = JOB_PREFIX .. job_id
  local status = redis.call('HGET', job, 'status')
  if status == 'queued' or status == 'parked' then
    transition(job_id, status, 'cancelled', now, retention)
    redis.call('HSET', job, 'status', 'cancelled', 'error', CANCELLED_MESSAGE, 'error_file', '',
      'updated_at', now)
    redis.call('SREM', parked, job_id)
    table.insert(cancelled, job_id)
  elseif status == 'running' then
    redis.call('HSET', job, 'cancel_requested', 1)
    table.insert(stopping, job_id)
  end
end
return {cancelled, stopping}
"""
)

RETRY = (
    TRANSITION
    + """
local job, active, notified = KEYS[1], KEYS[2], KEYS[3]
local job_id, now = ARGV[1], tonumber(ARGV[2])
local status = redis.call('HGET', job, 'status')
if status ~= 'failed' and status ~= 'dead' then return false end
local stage = redis.call('HGET', job, 'stage')
transition(job_id, status, 'queued', now, 0)
-- Back from the stage it stopped at, with its checkpoint: a paid request already sent is
-- found again by the backend (nemo polls its session), never sent twice.
redis.call('HDEL', job, 'attempts:' .. stage, 'error', 'error_file', 'cancel_requested')
redis.call('HSET', job, 'status', 'queued', 'updated_at', now, 'due_at', now)
local batch = redis.call('HGET', job, 'batch')
for _, key in ipairs({job, job .. ':spec', job .. ':timings', job .. ':checkpoint',
    batch and BATCH_PREFIX .. batch}) do
  if key then redis.call('PERSIST', key) end
end
redis.call('SADD', active, job_id)
redis.call('DEL', notified)
return stage
"""
)

COUNT_CREDITS = f"""
if redis.call('HSETNX', KEYS[1], 'credits_counted', 1) == 0 then return 0 end
redis.call('HINCRBYFLOAT', '{keys.METRICS}', 'credits_spent', ARGV[1])
redis.call('HINCRBY', '{keys.METRICS}', 'charges', ARGV[2])
return 1
"""
