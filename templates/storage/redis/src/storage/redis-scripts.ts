import type { Redis } from 'ioredis';

/**
 * The Lua scripts behind every decision that reads and then writes. Redis runs a script from start to
 * finish with no other command in between, so each script is atomic across every server instance.
 *
 * Every script takes the key prefix as ARGV[1] and builds its key names from it (see the key layout in
 * redis.ts). Key names that are not passed in KEYS are fine on a standalone Redis (with or without
 * replicas), not on Redis Cluster.
 */

/** Helpers every script starts with. */
const COMMON = `
local prefix = ARGV[1]
local function key(name) return prefix .. name end
local expiries = key('expiries')

-- Sets the key's time to live to ttl seconds unless it already lives longer.
local function extendTtl(k, ttl)
  local current = redis.call('TTL', k)  -- -2: no such key, -1: no TTL yet
  if current == -1 or (current >= 0 and current < ttl) then redis.call('EXPIRE', k, ttl) end
end

-- Codes and tokens belong to a grant: listed in its refs set and in the expiry index.
-- The grant and its refs set live at least as long as everything in it.
local function track(name, grantId, expiresAt, ttl)
  local refs = key('grant-refs:' .. grantId)
  redis.call('SADD', refs, name)
  extendTtl(refs, ttl)
  extendTtl(key('grant:' .. grantId), ttl)
  redis.call('ZADD', expiries, expiresAt, name)
end

local function forget(name, grantId)
  redis.call('DEL', key(name))
  redis.call('ZREM', expiries, name)
  if grantId then redis.call('SREM', key('grant-refs:' .. grantId), name) end
end

local function isCode(name) return string.sub(name, 1, 5) == 'code:' end

-- Marks the grant revoked (once) and deletes its tokens. Its codes stay until purged, so a
-- replayed code is still recognised as replayed.
local function revokeGrant(grantId, now)
  local grant = key('grant:' .. grantId)
  if redis.call('EXISTS', grant) == 0 or redis.call('HEXISTS', grant, 'revoked_at') == 1 then return end
  redis.call('HSET', grant, 'revoked_at', now)
  redis.call('SADD', key('revoked-grants'), grantId)
  for _, name in ipairs(redis.call('SMEMBERS', key('grant-refs:' .. grantId))) do
    if not isCode(name) then forget(name, grantId) end
  end
end

-- A token pair from ARGV[from .. from + 9]: access name, record, expires_at, ttl, then the same
-- for the refresh token, then the grant id, then the parent refresh token's hash ('' for none).
-- A parent lists its children (space-separated names) so their first use can retire the others.
-- Returns the name of a record that already exists (and writes nothing), or nil once both are stored.
local function storeTokenPair(from)
  local accessName, refreshName = ARGV[from], ARGV[from + 4]
  if redis.call('EXISTS', key(accessName)) == 1 then return 'access token' end
  if redis.call('EXISTS', key(refreshName)) == 1 then return 'refresh token' end
  local grantId, parentHash = ARGV[from + 8], ARGV[from + 9]
  for offset = 0, 4, 4 do
    local name, record, expiresAt, ttl = ARGV[from + offset], ARGV[from + offset + 1], ARGV[from + offset + 2], tonumber(ARGV[from + offset + 3])
    redis.call('HSET', key(name), 'record', record, 'grant_id', grantId, 'expires_at', expiresAt)
    redis.call('EXPIRE', key(name), ttl)
    track(name, grantId, expiresAt, ttl)
  end
  if parentHash ~= '' then
    local parent = key('refresh:' .. parentHash)
    redis.call('HSET', key(refreshName), 'parent_hash', parentHash)
    local children = redis.call('HGET', parent, 'children')
    redis.call('HSET', parent, 'children', children and (children .. ' ' .. refreshName) or refreshName)
  end
  return nil
end

-- Marks a refresh token retired (once); nothing when it is gone.
local function retire(k, now)
  if redis.call('EXISTS', k) == 1 then redis.call('HSETNX', k, 'retired_at', now) end
end
`;

/** ARGV: prefix, grant id, grant record, revoked_at ('' when live), code name, code record, expires_at, ttl. */
const CREATE_GRANT_WITH_CODE = `
local grantId, grantRecord, revokedAt = ARGV[2], ARGV[3], ARGV[4]
local codeName, codeRecord, expiresAt, ttl = ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8])
local grant = key('grant:' .. grantId)
if redis.call('EXISTS', grant) == 1 then return 'grant' end
if redis.call('EXISTS', key(codeName)) == 1 then return 'authorization code' end
redis.call('HSET', grant, 'record', grantRecord)
if revokedAt ~= '' then redis.call('HSET', grant, 'revoked_at', revokedAt) end
redis.call('EXPIRE', grant, ttl)
redis.call('HSET', key(codeName), 'record', codeRecord, 'grant_id', grantId, 'expires_at', expiresAt, 'uses', 0)
redis.call('EXPIRE', key(codeName), ttl)
track(codeName, grantId, expiresAt, ttl)
redis.call('SADD', key('client-grants:' .. cjson.decode(grantRecord).clientId), grantId)
return nil
`;

/** ARGV: prefix, code name. Returns nil, or { record, uses } where uses is 1 for the first redemption. */
const CONSUME_CODE = `
local code = key(ARGV[2])
local record = redis.call('HGET', code, 'record')
if not record then return nil end
return { record, redis.call('HINCRBY', code, 'uses', 1) }
`;

/** ARGV: prefix, then a token pair (see storeTokenPair). Returns nil, or the name of a duplicate. */
const SAVE_TOKENS = `
return storeTokenPair(2)
`;

/**
 * ARGV: prefix, token name, now ('' to ignore expiry). Returns { record, rotated_at, parent_hash,
 * retired_at } ('' for each one missing) when the token exists, has not expired at now, and its
 * grant exists and is not revoked; otherwise nil.
 */
const FIND_LIVE_TOKEN = `
local fields = redis.call('HMGET', key(ARGV[2]), 'record', 'grant_id', 'expires_at', 'rotated_at', 'parent_hash', 'retired_at')
local record, grantId, expiresAt = fields[1], fields[2], fields[3]
if not record then return nil end
if ARGV[3] ~= '' and tonumber(expiresAt) <= tonumber(ARGV[3]) then return nil end
local grant = key('grant:' .. grantId)
if redis.call('EXISTS', grant) == 0 or redis.call('HEXISTS', grant, 'revoked_at') == 1 then return nil end
return { record, fields[4] or '', fields[5] or '', fields[6] or '' }
`;

/** ARGV: prefix, token name. */
const REVOKE_ACCESS_TOKEN = `
local grantId = redis.call('HGET', key(ARGV[2]), 'grant_id')
if grantId then forget(ARGV[2], grantId) end
return nil
`;

/** ARGV: prefix, grant id, now. */
const REVOKE_GRANT = `
revokeGrant(ARGV[2], ARGV[3])
return nil
`;

/**
 * ARGV: prefix, old refresh token name, now, grace seconds, then the new pair (see storeTokenPair).
 * Returns { 'invalid' }, { 'duplicate', name }, or { status, record, rotated_at, parent_hash,
 * retired_at } ('' for each one missing) with the old token as it was before this call; status is
 * 'rotated', 'grace' or 'reused' (see RotateRefreshResult in store.ts).
 */
const ROTATE_REFRESH_TOKEN = `
local oldName, now, grace = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local old = key(oldName)
local fields = redis.call('HMGET', old, 'record', 'grant_id', 'expires_at', 'rotated_at', 'parent_hash', 'retired_at')
local record, grantId, expiresAt, rotatedAt, parentHash, retiredAt = fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]
if not record or tonumber(expiresAt) <= now then return { 'invalid' } end
local grant = key('grant:' .. grantId)
if redis.call('EXISTS', grant) == 0 or redis.call('HEXISTS', grant, 'revoked_at') == 1 then return { 'invalid' } end
local previous = { record, rotatedAt or '', parentHash or '', retiredAt or '' }
local function answer(status) return { status, unpack(previous) } end
-- The standing rule of refreshTokenStanding (store.ts).
if retiredAt or (rotatedAt and now - tonumber(rotatedAt) >= grace) then
  revokeGrant(grantId, now)
  return answer('reused')
end
local duplicate = storeTokenPair(5)
if duplicate then return { 'duplicate', duplicate } end
if rotatedAt then return answer('grace') end
redis.call('HSET', old, 'rotated_at', now)
if parentHash then
  -- The first use of this token confirms it reached the client: its parent and siblings retire.
  local parent = key('refresh:' .. parentHash)
  retire(parent, now)
  local children = redis.call('HGET', parent, 'children') or ''
  for sibling in string.gmatch(children, '%S+') do
    if sibling ~= oldName then retire(key(sibling), now) end
  end
end
return answer('rotated')
`;

/** ARGV: prefix, refresh token name, now. */
const RETIRE_REFRESH_TOKEN = `
retire(key(ARGV[2]), ARGV[3])
return nil
`;

/** ARGV: prefix, user id, lowercased email, user record. Returns nil, or 'user' when either is taken. */
const CREATE_USER = `
local user, email = key('user:' .. ARGV[2]), key('user-email:' .. ARGV[3])
if redis.call('EXISTS', user) == 1 or redis.call('EXISTS', email) == 1 then return 'user' end
redis.call('SET', user, ARGV[4])
redis.call('SET', email, ARGV[2])
return nil
`;

/** ARGV: prefix, user id, new password hash. Rewrites that one field of the record; unknown ids are ignored. */
const SET_PASSWORD_HASH = `
local user = key('user:' .. ARGV[2])
local record = redis.call('GET', user)
if not record then return nil end
local decoded = cjson.decode(record)
decoded.passwordHash = ARGV[3]
redis.call('SET', user, cjson.encode(decoded))
return nil
`;

/**
 * ARGV: prefix, now, batch size. Deletes up to a batch of records that expired at now, then up to a
 * batch of revoked grants with everything of theirs, then the grants nothing refers to any more.
 * Returns 1 when a batch was full (call again), else 0.
 */
const PURGE_EXPIRED = `
local now, batch = ARGV[2], tonumber(ARGV[3])
local touched = {}
local expired = redis.call('ZRANGE', expiries, '-inf', now, 'BYSCORE', 'LIMIT', 0, batch)
for _, name in ipairs(expired) do
  local grantId = false
  local kind = string.match(name, '^(%a+):')
  if kind == 'code' or kind == 'access' or kind == 'refresh' then
    grantId = redis.call('HGET', key(name), 'grant_id')
  end
  if grantId then
    forget(name, grantId)
    touched[grantId] = true
  else
    forget(name, nil)
  end
end

local function deleteGrant(grantId)
  local refs = key('grant-refs:' .. grantId)
  for _, name in ipairs(redis.call('SMEMBERS', refs)) do forget(name, nil) end
  redis.call('DEL', refs, key('grant:' .. grantId))
  redis.call('SREM', key('revoked-grants'), grantId)
end

local revoked = redis.call('SRANDMEMBER', key('revoked-grants'), batch)
for _, grantId in ipairs(revoked) do
  deleteGrant(grantId)
  touched[grantId] = nil
end

for grantId in pairs(touched) do
  local refs = key('grant-refs:' .. grantId)
  -- Members whose key Redis already expired by itself.
  for _, name in ipairs(redis.call('SMEMBERS', refs)) do
    if redis.call('EXISTS', key(name)) == 0 then redis.call('SREM', refs, name) end
  end
  if redis.call('SCARD', refs) == 0 then deleteGrant(grantId) end
end

if #expired == batch or #revoked == batch then return 1 end
return 0
`;

/** ARGV: prefix, client id, now. Unknown clients are ignored. */
const RECORD_CLIENT_USE = `
local clientId = ARGV[2]
if redis.call('EXISTS', key('client:' .. clientId)) == 0 then return nil end
redis.call('ZADD', key('clients-used'), 'GT', ARGV[3], clientId)
redis.call('ZREM', key('clients-unused'), clientId)
return nil
`;

/**
 * ARGV: prefix, now, used before, registered before. Deletes the clients last used at or before
 * "used before", or never used and registered at or before "registered before", that hold no live
 * grant (not revoked, with a code or token not expired at now). Returns how many it deleted.
 */
const PURGE_STALE_CLIENTS = `
local now = tonumber(ARGV[2])
local function holdsLiveGrant(clientId)
  local grants = key('client-grants:' .. clientId)
  for _, grantId in ipairs(redis.call('SMEMBERS', grants)) do
    local grant = key('grant:' .. grantId)
    if redis.call('EXISTS', grant) == 0 then
      redis.call('SREM', grants, grantId)
    elseif redis.call('HEXISTS', grant, 'revoked_at') == 0 then
      for _, name in ipairs(redis.call('SMEMBERS', key('grant-refs:' .. grantId))) do
        local expiresAt = redis.call('HGET', key(name), 'expires_at')
        if expiresAt and tonumber(expiresAt) > now then return true end
      end
    end
  end
  return false
end
local purged = 0
local function purgeFrom(index, before)
  for _, clientId in ipairs(redis.call('ZRANGE', key(index), '-inf', before, 'BYSCORE')) do
    if not holdsLiveGrant(clientId) then
      redis.call('DEL', key('client:' .. clientId), key('client-grants:' .. clientId))
      redis.call('ZREM', key('clients-used'), clientId)
      redis.call('ZREM', key('clients-unused'), clientId)
      purged = purged + 1
    end
  end
end
purgeFrom('clients-unused', ARGV[4])
purgeFrom('clients-used', ARGV[3])
return purged
`;

export const SCRIPTS = {
  recordClientUse: RECORD_CLIENT_USE,
  purgeStaleClients: PURGE_STALE_CLIENTS,
  createGrantWithCode: CREATE_GRANT_WITH_CODE,
  consumeCode: CONSUME_CODE,
  saveTokens: SAVE_TOKENS,
  findLiveToken: FIND_LIVE_TOKEN,
  revokeAccessToken: REVOKE_ACCESS_TOKEN,
  revokeGrant: REVOKE_GRANT,
  rotateRefreshToken: ROTATE_REFRESH_TOKEN,
  retireRefreshToken: RETIRE_REFRESH_TOKEN,
  createUser: CREATE_USER,
  setPasswordHash: SET_PASSWORD_HASH,
  purgeExpired: PURGE_EXPIRED,
};

export type ScriptName = keyof typeof SCRIPTS;

export type RunScript = (name: ScriptName, ...args: Array<string | number>) => Promise<unknown>;

/**
 * Registers every script on the connection (ioredis sends EVALSHA and falls back to EVAL when
 * Redis does not have the script yet) and returns a function that runs one by name.
 */
export function defineScripts(redis: Redis): RunScript {
  for (const [name, body] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name, { numberOfKeys: 0, lua: COMMON + body });
  }
  const commands = redis as unknown as Record<
    ScriptName,
    (...args: Array<string | number>) => Promise<unknown>
  >;
  return (name, ...args) => commands[name](...args);
}
